"""Editing organisations (name, kind, country): the admin page and `GET, PATCH
/api/v1/organizations/{id}` share one service; a kind that the organisation's uses contradict is
refused naming the use; audited; only admins change, every signed-in user reads."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from tests.support import ROLES, csrf_token, make_asset, make_nda, transfer_draft
from tracker.audit.models import AuditEvent
from tracker.auth.models import Organization
from tracker.auth.organizations import kind_conflicts
from tracker.db import db
from tracker.transfers.service import file_transfer


def _events(org: Organization) -> list[AuditEvent]:
    return list(
        db.session.execute(
            sa.select(AuditEvent)
            .where(
                AuditEvent.action == "organization.updated",
                AuditEvent.object_type == "organization",
                AuditEvent.object_id == org.id,
            )
            .order_by(AuditEvent.seq)
        ).scalars()
    )


def _patch(api: Any, org: Organization, **body: Any) -> Any:
    return api.patch(f"/api/v1/organizations/{org.id}", json=body)


def _fresh(org: Organization) -> Organization:
    db.session.expire_all()
    found = db.session.get(Organization, org.id)
    assert found is not None
    return found


# --- the API ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_one_only_admins_change_it(world, api_as, make_org, role):
    org = make_org("partner", name="Fraunhofer ISIT", country="DE")
    db.session.commit()
    api = api_as(world.users[role])
    got = api.get(f"/api/v1/organizations/{org.id}")
    assert got.status_code == 200
    assert got.get_json() == {
        "id": org.id,
        "name": "Fraunhofer ISIT",
        "kind": "partner",
        "country": "DE",
    }
    r = _patch(api, org, name="Fraunhofer-Institut ISIT", country="at")
    if role != "admin":
        assert r.status_code == 403
        assert _fresh(org).name == "Fraunhofer ISIT" and not _events(org)
        return
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["name"] == "Fraunhofer-Institut ISIT" and r.get_json()["country"] == "AT"
    org = _fresh(org)
    assert (org.name, org.country) == ("Fraunhofer-Institut ISIT", "AT")
    [event] = _events(org)
    assert event.actor_id == world.users["admin"].id
    assert event.detail == {"fields": ["country", "name"]}


def test_missing_and_impossible_ids(world, api_as):
    api = api_as(world.users["admin"])
    assert api.get("/api/v1/organizations/999999").status_code == 404
    assert api.patch("/api/v1/organizations/999999", json={"name": "x"}).status_code == 404
    assert api.get("/api/v1/organizations/99999999999999999999").status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"country": "XX"}, "country"),
        ({"country": "Germany"}, "country"),
        ({"kind": "government"}, "kind"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 301}, "name"),
        ({"version": 3}, "version"),  # organisations carry none (docs/decisions.md)
    ],
)
def test_bad_changes_are_422_and_change_nothing(world, api_as, make_org, body, field):
    org = make_org("partner", name="Keep me", country="DE")
    db.session.commit()
    r = _patch(api_as(world.users["admin"]), org, **body)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"]
    org = _fresh(org)
    assert (org.name, org.kind, org.country) == ("Keep me", "partner", "DE")
    assert not _events(org)


def test_an_unchanged_body_records_nothing(world, api_as):
    p = world.partner
    r = _patch(api_as(world.users["admin"]), p, name=p.name, kind=p.kind, country=p.country)
    assert r.status_code == 200 and not _events(p)


def test_a_kind_nothing_relies_on_may_change(world, api_as, make_org):
    spare = make_org("partner")
    firm = make_org("law_firm")
    db.session.commit()
    api = api_as(world.users["admin"])
    assert _patch(api, spare, kind="company").status_code == 200
    assert _patch(api, firm, kind="partner").status_code == 200
    assert (_fresh(spare).kind, _fresh(firm).kind) == ("company", "partner")
    [event] = _events(spare)
    assert event.detail == {"fields": ["kind"], "kind": "company"}


def test_the_lead_company_stays_a_company(world, api_as, make_org):
    company = make_org("company")  # nobody works there, but it leads a project
    world.project.company = company
    db.session.commit()
    r = _patch(api_as(world.users["admin"]), company, kind="partner", name="Renamed")
    assert r.status_code == 422
    [message] = r.get_json()["errors"]["kind"]
    assert world.project.code in message and "lead company" in message
    assert (_fresh(company).kind, _fresh(company).name) == ("company", company.name)


def test_company_staff_keep_their_company(world, api_as, make_org, make_user):
    company = make_org("company")
    make_user("company", organization=company)
    make_user("company", organization=company)
    db.session.commit()
    r = _patch(api_as(world.users["admin"]), company, kind="law_firm")
    assert r.status_code == 422
    assert r.get_json()["errors"]["kind"] == [
        "2 company staff accounts belong to it; their organisation is a company."
    ]
    # the world's company both leads the project and employs its staff: both reasons
    both = _patch(api_as(world.users["admin"]), world.company, kind="partner")
    assert len(both.get_json()["errors"]["kind"]) == 2


def test_a_partner_in_use_stays_a_partner(world, api_as, make_org, make_project):
    admin = api_as(world.users["admin"])
    r = _patch(admin, world.partner, kind="company")  # a partner of the world's project
    assert r.status_code == 422
    assert world.project.code in r.get_json()["errors"]["kind"][0]
    # off the project, its NDA still names it as the partner
    former = make_org("partner")
    world.project.partners.append(former)
    make_nda(world.project, former)
    world.project.partners.remove(former)
    db.session.commit()
    assert _patch(admin, former, kind="law_firm").status_code == 422
    assert _fresh(former).kind == "partner"


def test_a_partner_named_by_a_request_stays_a_partner(world, api_as):
    """No NDA, off the project: only a (blocked) data-sharing request names it."""
    world.asset = make_asset(world.project)
    transfer = file_transfer(world.users["company"], world.project, transfer_draft(world))
    assert transfer.status == "blocked"
    world.project.partners.remove(world.partner)
    db.session.commit()
    r = _patch(api_as(world.users["admin"]), world.partner, kind="company")
    assert r.status_code == 422
    assert world.project.code in r.get_json()["errors"]["kind"][0]


def test_a_refusal_names_each_project_once_in_order_and_five_at_most(make_org, make_project):
    """The records that name a partner are asked in one statement (each package adds its
    query): a project naming it twice (as a partner and in an NDA) is named once."""
    partner = make_org("partner")
    projects = [make_project(code=f"Z-{n}", partners=[partner]) for n in (6, 2, 4, 1, 5, 3)]
    make_nda(projects[0], partner)
    make_nda(projects[3], partner)
    assert kind_conflicts(partner, "company") == [
        "It is the foreign partner of Z-1, Z-2, Z-3, Z-4, Z-5, … (on the project, in an NDA or "
        "a data-sharing request); a partner stays a partner."
    ]
    assert kind_conflicts(partner, "partner") == []


def test_a_refusal_speaks_korean(world, api_as):
    admin = world.users["admin"]
    admin.locale = "ko"
    db.session.commit()
    r = _patch(api_as(admin), world.partner, kind="company")
    assert "협력기관으로 남아야 합니다" in r.get_json()["errors"]["kind"][0]


def test_documented_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    item = spec["paths"]["/api/v1/organizations/{organization_id}"]
    assert set(item) >= {"get", "patch"}
    body = item["patch"]["requestBody"]["content"]["application/json"]["schema"]
    name = body["$ref"].rsplit("/", 1)[1]
    assert not spec["components"]["schemas"][name].get("required")  # any field alone


# --- the admin page ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_edit_page_is_the_admins(world, browser_as, role):
    client = browser_as(world.users[role])
    listing = client.get("/admin/organizations")
    edit = f'href="/admin/organizations/{world.partner.id}"'
    page = client.get(f"/admin/organizations/{world.partner.id}")
    if role == "admin":
        assert edit in listing.get_data(as_text=True)
        assert page.status_code == 200
        assert f'value="{world.partner.name}"' in page.get_data(as_text=True)
        return
    # auditors see the list without the links; the others neither; nobody else edits
    assert listing.status_code == (200 if role == "auditor" else 403)
    assert edit not in listing.get_data(as_text=True)
    assert page.status_code == 403
    assert "text/html" in page.content_type
    token = csrf_token(client, "/account")
    posted = client.post(
        f"/admin/organizations/{world.partner.id}",
        data={"csrf_token": token, "name": "Taken over", "kind": "partner", "country": "GB"},
    )
    assert posted.status_code == 403
    assert _fresh(world.partner).name != "Taken over"


def test_admin_changes_an_organisation_in_the_page(world, browser_as, make_org):
    org = make_org("partner", name="Tokyo Materials", country="JP")
    db.session.commit()
    client = browser_as(world.users["admin"])
    path = f"/admin/organizations/{org.id}"
    token = csrf_token(client, path)
    data = {"csrf_token": token, "name": "Tokyo Materials KK", "kind": "partner", "country": "jp"}
    r = client.post(path, data=data)
    assert r.status_code == 302 and r.headers["Location"] == "/admin/organizations"
    assert _fresh(org).name == "Tokyo Materials KK"
    assert "Organisation saved." in client.get("/admin/organizations").get_data(as_text=True)
    bad = client.post(path, data={**data, "country": "XX"})
    assert bad.status_code == 422
    assert "Not a country: choose one from the list" in bad.get_data(as_text=True)


def test_the_page_shows_why_a_kind_cannot_change(world, browser_as):
    client = browser_as(world.users["admin"])
    path = f"/admin/organizations/{world.company.id}"
    r = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "name": world.company.name,
            "kind": "partner",
            "country": "KR",
        },
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert f"It is the lead company of {world.project.code}" in html
    assert "1 company staff account belongs to it" in html
    assert _fresh(world.company).kind == "company"


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_the_trail_links_a_change_to_the_page_for_admins(world, api_as, browser_as, role):
    assert _patch(api_as(world.users["admin"]), world.partner, name="Renamed").status_code == 200
    html = browser_as(world.users[role]).get("/audit?action=organization.updated")
    text = html.get_data(as_text=True)
    assert "Organisation changed" in text and "Renamed" in text
    assert (f'href="/admin/organizations/{world.partner.id}"' in text) == (role == "admin")
