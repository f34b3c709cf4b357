"""Projects over the API: every role in and out of scope, validation, optimistic locking."""

import pytest
import sqlalchemy as sa

from tests.support import OUTSIDERS, ROLES, count, statements
from tracker.audit.models import AuditEvent
from tracker.cases.projects.models import Project
from tracker.db import db


def _body(world, **over):
    body = {
        "code": "NEW-001",
        "title": "DC 전력변환 공동연구",
        "zone_id": world.zone.id,
        "company_id": world.company.id,
        "partner_ids": [world.partner.id],
        "lawyer_ids": [world.users["lawyer"].id],
        "start_date": "2026-01-01",
        "end_date": "2027-12-31",
        "budget_krw": 400_000_000,
        "security_level": "security",
    }
    body.update(over)
    return body


@pytest.mark.parametrize("role", ROLES)
def test_list_in_scope(world, api_as, role):
    r = api_as(world.users[role]).get("/api/v1/projects")
    assert r.status_code == 200
    body = r.get_json()
    assert [p["id"] for p in body["items"]] == [world.project.id] or role in ("admin", "auditor")
    assert world.project.id in [p["id"] for p in body["items"]]
    item = next(p for p in body["items"] if p["id"] == world.project.id)
    assert item["risk_level"] is None
    assert item["version"] == 1
    assert item["partner_ids"] == [world.partner.id]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_list_out_of_scope(world, api_as, role):
    body = api_as(world.outsiders[role]).get("/api/v1/projects").get_json()
    assert world.project.id not in [p["id"] for p in body["items"]]
    assert body["total"] == len(body["items"])


@pytest.mark.parametrize("role", ROLES)
def test_get_in_scope(world, api_as, role):
    r = api_as(world.users[role]).get(f"/api/v1/projects/{world.project.id}")
    assert r.status_code == 200
    assert r.get_json()["code"] == world.project.code


@pytest.mark.parametrize("role", OUTSIDERS)
def test_get_out_of_scope_is_404(world, api_as, role):
    r = api_as(world.outsiders[role]).get(f"/api/v1/projects/{world.project.id}")
    assert r.status_code == 404
    assert r.mimetype == "application/problem+json"


def test_get_unknown_is_404(world, api_as):
    assert api_as(world.users["admin"]).get("/api/v1/projects/999999").status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 201), ("lawyer", 403), ("company", 403), ("operator", 403), ("auditor", 403)],
)
def test_create_only_admin(world, api_as, role, status):
    before = count(Project)
    r = api_as(world.users[role]).post("/api/v1/projects", json=_body(world))
    assert r.status_code == status
    assert count(Project) == before + (1 if status == 201 else 0)
    if status == 201:
        body = r.get_json()
        assert body["version"] == 1
        assert body["risk_level"] is None
        assert body["security_level"] == "security"
        assert body["security_level_set_by_id"] == world.users["admin"].id
        assert body["security_level_set_at"]
        assert body["lawyer_ids"] == [world.users["lawyer"].id]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"end_date": "2025-01-01"}, "end_date"),
        ({"budget_krw": -1}, "budget_krw"),
        ({"budget_krw": 1.5}, "budget_krw"),
        ({"zone_id": 999999}, "zone_id"),
        ({"company_id": 999999}, "company_id"),
        ({"partner_ids": [999999]}, "partner_ids"),
        ({"security_level": "top"}, "security_level"),
        ({"code": ""}, "code"),
    ],
)
def test_create_invalid_writes_nothing(world, api_as, over, field):
    api = api_as(world.users["admin"])
    before = count(Project), count(AuditEvent)
    r = api.post("/api/v1/projects", json=_body(world, **over))
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"]
    assert (count(Project), count(AuditEvent)) == before


def test_create_wrong_kinds(world, api_as, make_user):
    operator = world.users["operator"]
    body = _body(
        world,
        company_id=world.partner.id,
        partner_ids=[world.company.id],
        lawyer_ids=[operator.id],
    )
    r = api_as(world.users["admin"]).post("/api/v1/projects", json=body)
    assert r.status_code == 422
    assert set(r.get_json()["errors"]) == {"company_id", "partner_ids", "lawyer_ids"}


def test_create_duplicate_code(world, api_as):
    r = api_as(world.users["admin"]).post(
        "/api/v1/projects", json=_body(world, code=world.project.code)
    )
    assert r.status_code == 422
    assert "code" in r.get_json()["errors"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("lawyer", 200), ("company", 403), ("operator", 403), ("auditor", 403)],
)
def test_patch_in_scope(world, api_as, role, status):
    r = api_as(world.users[role]).patch(
        f"/api/v1/projects/{world.project.id}", json={"title": "Renamed", "version": 1}
    )
    assert r.status_code == status
    if status == 200:
        assert r.get_json()["title"] == "Renamed"
        assert r.get_json()["version"] == 2
    db.session.expire_all()
    assert (db.session.get(Project, world.project.id).title == "Renamed") == (status == 200)


@pytest.mark.parametrize("role", OUTSIDERS)
def test_patch_out_of_scope_is_404(world, api_as, role):
    r = api_as(world.outsiders[role]).patch(
        f"/api/v1/projects/{world.project.id}", json={"title": "X", "version": 1}
    )
    assert r.status_code == 404


def test_only_admin_assigns_lawyers(world, api_as, make_user):
    other = make_user("lawyer")
    lawyer_ids = [world.users["lawyer"].id, other.id]
    path = f"/api/v1/projects/{world.project.id}"
    r = api_as(world.users["lawyer"]).patch(path, json={"lawyer_ids": lawyer_ids, "version": 1})
    assert r.status_code == 403, r.get_json()
    r = api_as(world.users["admin"]).patch(path, json={"lawyer_ids": lawyer_ids, "version": 1})
    assert r.status_code == 200
    assert sorted(r.get_json()["lawyer_ids"]) == sorted(lawyer_ids)
    assert r.get_json()["version"] == 2
    # the newly assigned lawyer now sees the project
    assert api_as(other).get(path).status_code == 200


def test_patch_needs_version(world, api_as):
    r = api_as(world.users["admin"]).patch(
        f"/api/v1/projects/{world.project.id}", json={"title": "X"}
    )
    assert r.status_code == 422
    assert "version" in r.get_json()["errors"]


def test_stale_version_is_409_and_unchanged(world, api_as):
    api = api_as(world.users["admin"])
    path = f"/api/v1/projects/{world.project.id}"
    assert api.patch(path, json={"title": "First", "version": 1}).status_code == 200
    before = count(AuditEvent)
    r = api.patch(path, json={"title": "Second", "version": 1})
    assert r.status_code == 409
    assert r.mimetype == "application/problem+json"
    assert count(AuditEvent) == before
    assert api.get(path).get_json()["title"] == "First"


def test_security_grade_records_who_and_when(world, api_as):
    lawyer = world.users["lawyer"]
    r = api_as(lawyer).patch(
        f"/api/v1/projects/{world.project.id}", json={"security_level": "sensitive", "version": 1}
    )
    assert r.status_code == 200
    assert r.get_json()["security_level_set_by_id"] == lawyer.id
    assert r.get_json()["security_level_set_at"]


def test_patch_dates_out_of_order(world, api_as):
    path = f"/api/v1/projects/{world.project.id}"
    api = api_as(world.users["admin"])
    api.patch(path, json={"start_date": "2026-03-01", "version": 1})
    r = api.patch(path, json={"end_date": "2026-02-01", "version": 2})
    assert r.status_code == 422
    assert "end_date" in r.get_json()["errors"]


def test_filters(world, api_as, make_project):
    closed = make_project(zone=world.zone, status="closed")
    api = api_as(world.users["admin"])
    ids = lambda q: [p["id"] for p in api.get(f"/api/v1/projects?{q}").get_json()["items"]]  # noqa: E731
    assert ids(f"zone_id={world.zone.id}&status=closed") == [closed.id]
    assert ids(f"zone_id={world.zone.id}&status=active") == [world.project.id]
    assert ids(f"zone_id={world.zone.id}&risk_level=high") == []
    assert set(ids(f"zone_id={world.zone.id}&risk_level=none")) == {closed.id, world.project.id}
    assert api.get("/api/v1/projects?status=open").status_code == 422


def test_pagination_capped(world, api_as):
    api = api_as(world.users["admin"])
    assert api.get("/api/v1/projects?per_page=201").status_code == 422
    body = api.get("/api/v1/projects?per_page=200").get_json()
    assert body["per_page"] == 200


def test_list_statement_count_is_constant(world, api_as, make_project, make_org):
    api = api_as(world.users["admin"])

    def run():
        with statements() as seen:
            assert api.get("/api/v1/projects?per_page=200").status_code == 200
        return len(seen)

    few = run()
    for _ in range(6):
        make_project(
            partners=[make_org("partner"), make_org("partner")], lawyers=[world.users["lawyer"]]
        )
    assert run() == few
    assert db.session.execute(sa.select(sa.func.count()).select_from(Project)).scalar_one() >= 7


def test_same_partners_and_lawyers_in_another_order_change_nothing(
    world, api_as, make_user, make_org
):
    """Partners and lawyers are sets: a PATCH (or the edit form, which lists them by name)
    sending them in another order neither needs `project.assign_lawyers` nor records a change."""
    other, partner = make_user("lawyer"), make_org("partner")
    lawyer_ids = [world.users["lawyer"].id, other.id]
    partner_ids = [world.partner.id, partner.id]
    path = f"/api/v1/projects/{world.project.id}"
    r = api_as(world.users["admin"]).patch(
        path, json={"lawyer_ids": lawyer_ids, "partner_ids": partner_ids, "version": 1}
    )
    assert r.status_code == 200 and r.get_json()["version"] == 2
    r = api_as(world.users["lawyer"]).patch(
        path,
        json={
            "lawyer_ids": lawyer_ids[::-1],
            "partner_ids": partner_ids[::-1],
            "title": "Renamed",
            "version": 2,
        },
    )
    assert r.status_code == 200, r.get_json()
    event = db.session.execute(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "project.updated")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).scalar_one()
    assert event.detail["fields"] == ["title"]


@pytest.mark.parametrize("field", ["zone_id", "company_id"])
def test_only_admin_moves_a_project_to_another_zone_or_company(
    world, api_as, browser_as, make_zone, make_org, field
):
    """The zone and the lead company decide who sees the case file: a lawyer may edit the
    project but not hand it to another zone's operators or another company's staff."""
    other = make_zone() if field == "zone_id" else make_org("company")
    path = f"/api/v1/projects/{world.project.id}"
    r = api_as(world.users["lawyer"]).patch(path, json={field: other.id, "version": 1})
    assert r.status_code == 403
    db.session.expire_all()
    assert getattr(db.session.get(Project, world.project.id), field) != other.id
    # the lawyer's edit form does not offer the fields at all; the admin's does
    lawyer_page = browser_as(world.users["lawyer"]).get(f"/projects/{world.project.id}/edit")
    assert f'name="{field}"' not in lawyer_page.get_data(as_text=True)
    admin_page = browser_as(world.users["admin"]).get(f"/projects/{world.project.id}/edit")
    assert f'name="{field}"' in admin_page.get_data(as_text=True)
    r = api_as(world.users["admin"]).patch(path, json={field: other.id, "version": 1})
    assert r.status_code == 200
    assert r.get_json()[field] == other.id
