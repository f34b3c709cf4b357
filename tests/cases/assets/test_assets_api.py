"""IP assets over the API: roles in and out of scope, the operators' reduced view,
validation with nothing written, optimistic locking."""

import pytest

from tests.support import OUTSIDERS, ROLES, count
from tracker.cases.assets.models import IpAsset
from tracker.db import db

REGULATORY = {
    "id",
    "project_id",
    "title",
    "kind",
    "sensitivity",
    "nct_status",
    "nct_ref",
    "nct_filed_on",
    "strategic_item",
    "export_licence_ref",
    "export_licence_until",
    "version",
}


def _body(world, **over):
    body = {
        "title": "DC-DC 컨버터 제어 알고리즘",
        "kind": "patent",
        "sensitivity": "confidential",
        "description": "secret-description-canary",
        "jurisdictions": ["KR", "de", "EP", "WO"],
        "owners": [
            {"organization_id": world.company.id, "share_pct": 60},
            {"organization_id": world.partner.id, "share_pct": 40},
        ],
        "application_no": "10-2026-0012345",
        "filed_on": "2026-02-01",
        "nct_status": "nct_funded",
        "nct_ref": "MOTIE-2026-77",
        "strategic_item": "yes",
        "export_licence_ref": "EL-2026-001",
        "export_licence_until": "2027-06-30",
        "originality_cert_no": "KOIPA-OC-1234",
        "confidentiality_marked": True,
        "deadlines": [{"kind": "pct", "due_on": "2027-02-01", "note": "PCT filing"}],
    }
    body.update(over)
    return body


@pytest.fixture
def asset(world, api_as):
    r = api_as(world.users["lawyer"]).post(
        f"/api/v1/projects/{world.project.id}/assets", json=_body(world)
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_create_by_lawyer(asset, world):
    assert asset["jurisdictions"] == ["KR", "DE", "EP", "WO"]
    assert asset["owners"] == [
        {"organization_id": world.company.id, "share_pct": 60.0},
        {"organization_id": world.partner.id, "share_pct": 40.0},
    ]
    assert asset["deadlines"][0]["kind"] == "pct"
    assert asset["version"] == 1
    assert asset["nct_ref"] == "MOTIE-2026-77"


def test_defaults(world, api_as):
    body = {"title": "Know-how", "kind": "know_how", "sensitivity": "trade_secret"}
    r = api_as(world.users["lawyer"]).post(f"/api/v1/projects/{world.project.id}/assets", json=body)
    assert r.status_code == 201
    assert (r.get_json()["nct_status"], r.get_json()["strategic_item"]) == ("not_nct", "no")


@pytest.mark.parametrize("role", ["admin", "company", "operator", "auditor"])
def test_create_forbidden_in_scope(world, api_as, role):
    before = count(IpAsset)
    r = api_as(world.users[role]).post(
        f"/api/v1/projects/{world.project.id}/assets", json={"title": ""}
    )
    assert r.status_code == 403
    assert count(IpAsset) == before


@pytest.mark.parametrize("role", OUTSIDERS)
def test_create_out_of_scope(world, api_as, role):
    r = api_as(world.outsiders[role]).post(
        f"/api/v1/projects/{world.project.id}/assets", json=_body(world)
    )
    assert r.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_read_in_scope(world, api_as, asset, role):
    api = api_as(world.users[role])
    one = api.get(f"/api/v1/assets/{asset['id']}")
    page = api.get(f"/api/v1/projects/{world.project.id}/assets")
    assert one.status_code == page.status_code == 200
    item = page.get_json()["items"][0]
    if role == "operator":
        assert set(one.get_json()) == REGULATORY
        assert set(item) == REGULATORY
        assert "secret-description-canary" not in one.get_data(as_text=True)
        assert "secret-description-canary" not in page.get_data(as_text=True)
    else:
        assert one.get_json()["description"] == "secret-description-canary"
        assert item["owners"]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_read_out_of_scope(world, api_as, asset, role):
    api = api_as(world.outsiders[role])
    assert api.get(f"/api/v1/assets/{asset['id']}").status_code == 404
    assert api.get(f"/api/v1/projects/{world.project.id}/assets").status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 403), ("lawyer", 200), ("company", 403), ("operator", 403), ("auditor", 403)],
)
def test_patch_in_scope(world, api_as, asset, role, status):
    r = api_as(world.users[role]).patch(
        f"/api/v1/assets/{asset['id']}", json={"title": "Renamed", "version": 1}
    )
    assert r.status_code == status


@pytest.mark.parametrize("role", OUTSIDERS)
def test_patch_out_of_scope(world, api_as, asset, role):
    r = api_as(world.outsiders[role]).patch(
        f"/api/v1/assets/{asset['id']}", json={"title": "X", "version": 1}
    )
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"jurisdictions": ["XX"]}, "jurisdictions"),
        ({"jurisdictions": ["KOR"]}, "jurisdictions"),
        ({"owners": [{"organization_id": 999999, "share_pct": 10}]}, "owners"),
        ({"owners": [{"organization_id": 1, "share_pct": 0}]}, "owners"),
        ({"kind": "poem"}, "kind"),
        ({"nct_status": "maybe"}, "nct_status"),
        ({"strategic_item": "perhaps"}, "strategic_item"),
        ({"filed_on": "2026-13-01"}, "filed_on"),
        ({"registered_on": "2026-01-01"}, "registered_on"),
        ({"deadlines": [{"kind": "someday", "due_on": "2027-01-01"}]}, "deadlines"),
        ({"export_licence_ref": None}, "export_licence_ref"),
    ],
)
def test_invalid_writes_nothing(world, api_as, over, field):
    api = api_as(world.users["lawyer"])
    before = count(IpAsset)
    r = api.post(f"/api/v1/projects/{world.project.id}/assets", json=_body(world, **over))
    assert r.status_code == 422, r.get_json()
    assert any(k == field or k.startswith(field + ".") for k in r.get_json()["errors"]), (
        r.get_json()
    )
    assert count(IpAsset) == before


def test_shares_over_100(world, api_as, make_org):
    owners = [
        {"organization_id": world.company.id, "share_pct": 70},
        {"organization_id": world.partner.id, "share_pct": 40},
    ]
    api = api_as(world.users["lawyer"])
    r = api.post(f"/api/v1/projects/{world.project.id}/assets", json=_body(world, owners=owners))
    assert r.status_code == 422
    assert "owners" in r.get_json()["errors"]


def test_stale_version(world, api_as, asset):
    api = api_as(world.users["lawyer"])
    path = f"/api/v1/assets/{asset['id']}"
    r = api.patch(
        path,
        json={"owners": [{"organization_id": world.company.id, "share_pct": 100}], "version": 1},
    )
    assert r.status_code == 200
    assert r.get_json()["version"] == 2  # a change of owners alone moves the version on
    r = api.patch(path, json={"title": "Late", "version": 1})
    assert r.status_code == 409
    db.session.expire_all()
    assert db.session.get(IpAsset, asset["id"]).title == _body(world)["title"]


def test_patch_invalid_leaves_unchanged(world, api_as, asset):
    api = api_as(world.users["lawyer"])
    path = f"/api/v1/assets/{asset['id']}"
    r = api.patch(path, json={"title": "New", "jurisdictions": ["ZZ"], "version": 1})
    assert r.status_code == 422
    assert api.get(path).get_json()["title"] == _body(world)["title"]
    assert api.get(path).get_json()["version"] == 1


def test_found_by_search_for_all_roles(world, api_as, asset):
    for role in ROLES:
        r = api_as(world.users[role]).get("/api/v1/projects", query_string={"q": "컨버터"})
        assert [p["id"] for p in r.get_json()["items"]] == [world.project.id], role
    # the description (a trade secret's, sealed at rest) is searchable by nobody
    for role in ROLES:
        r = api_as(world.users[role]).get("/api/v1/projects", query_string={"q": "canary"})
        assert r.get_json()["items"] == [], role


def test_shares_have_at_most_two_decimals(world, api_as, asset):
    """The column keeps two places: 33.334 + 33.333 + 33.333 passed the 100 percent check and
    was stored as 99.99, and every later PATCH read the rounded shares back as a change."""
    api = api_as(world.users["lawyer"])
    path = f"/api/v1/assets/{asset['id']}"
    owners = [
        {"organization_id": world.company.id, "share_pct": 33.334},
        {"organization_id": world.partner.id, "share_pct": 66.666},
    ]
    r = api.patch(path, json={"owners": owners, "version": 1})
    assert r.status_code == 422 and "owners" in r.get_json()["errors"]
    owners = [
        {"organization_id": world.company.id, "share_pct": 33.33},
        {"organization_id": world.partner.id, "share_pct": 66.67},
    ]
    r = api.patch(path, json={"owners": owners, "version": 1})
    assert r.status_code == 200 and r.get_json()["version"] == 2
    # the same shares again are no change
    r = api.patch(path, json={"owners": owners, "version": 2})
    assert r.status_code == 200 and r.get_json()["version"] == 2
