"""The NDA register over the API: roles, the company's drafts, validation, derived expiry."""

import datetime as dt

import pytest

from tests.support import OUTSIDERS, ROLES, count
from tracker import clock
from tracker.cases.assets.models import IpAsset
from tracker.cases.ndas.models import Nda
from tracker.db import db

TODAY = dt.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def asset(world):
    a = IpAsset(
        project=world.project,
        title="Cell culture protocol",
        kind="know_how",
        sensitivity="trade_secret",
        jurisdictions=[],
    )
    db.session.add(a)
    db.session.flush()
    return a


def _body(world, asset, **over):
    body = {
        "partner_id": world.partner.id,
        "signed_on": "2026-01-10",
        "effective_on": "2026-01-15",
        "expires_on": "2028-01-14",
        "governing_law": "Korean law",
        "purpose": "Joint development of the DC converter",
        "asset_ids": [asset.id],
        "return_or_destroy": True,
        "status": "active",
    }
    body.update(over)
    return body


@pytest.fixture
def nda(world, asset, api_as):
    r = api_as(world.users["lawyer"]).post(
        f"/api/v1/projects/{world.project.id}/ndas", json=_body(world, asset)
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_lawyer_creates_active(nda, asset, world):
    assert nda["status"] == "active"
    assert nda["asset_ids"] == [asset.id]
    assert nda["partner_name"] == world.partner.name
    assert nda["version"] == 1


@pytest.mark.parametrize("role", ["admin", "operator", "auditor"])
def test_create_forbidden(world, asset, api_as, role):
    before = count(Nda)
    r = api_as(world.users[role]).post(
        f"/api/v1/projects/{world.project.id}/ndas", json=_body(world, asset)
    )
    assert r.status_code == 403
    assert count(Nda) == before


@pytest.mark.parametrize("role", OUTSIDERS)
def test_create_out_of_scope(world, asset, api_as, role):
    r = api_as(world.outsiders[role]).post(
        f"/api/v1/projects/{world.project.id}/ndas", json=_body(world, asset, status="draft")
    )
    assert r.status_code == 404


def test_company_creates_only_drafts(world, asset, api_as):
    api = api_as(world.users["company"])
    path = f"/api/v1/projects/{world.project.id}/ndas"
    before = count(Nda)
    assert api.post(path, json=_body(world, asset)).status_code == 403
    assert count(Nda) == before
    r = api.post(path, json=_body(world, asset, status="draft"))
    assert r.status_code == 201
    draft = r.get_json()
    # edits the draft, but cannot activate it
    r = api.patch(f"/api/v1/ndas/{draft['id']}", json={"purpose": "Updated", "version": 1})
    assert r.status_code == 200
    r = api.patch(f"/api/v1/ndas/{draft['id']}", json={"status": "active", "version": 2})
    assert r.status_code == 403
    # once a lawyer activates it, the company can no longer edit it
    lawyer = api_as(world.users["lawyer"])
    r = lawyer.patch(f"/api/v1/ndas/{draft['id']}", json={"status": "active", "version": 2})
    assert r.status_code == 200
    r = api.patch(f"/api/v1/ndas/{draft['id']}", json={"purpose": "X", "version": 3})
    assert r.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_read_in_scope(world, nda, api_as, role):
    api = api_as(world.users[role])
    assert api.get(f"/api/v1/ndas/{nda['id']}").status_code == 200
    page = api.get(f"/api/v1/projects/{world.project.id}/ndas").get_json()
    assert [n["id"] for n in page["items"]] == [nda["id"]]
    assert nda["id"] in [n["id"] for n in api.get("/api/v1/ndas").get_json()["items"]]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_read_out_of_scope(world, nda, api_as, role):
    api = api_as(world.outsiders[role])
    assert api.get(f"/api/v1/ndas/{nda['id']}").status_code == 404
    assert api.get(f"/api/v1/projects/{world.project.id}/ndas").status_code == 404
    assert nda["id"] not in [n["id"] for n in api.get("/api/v1/ndas").get_json()["items"]]


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 403), ("lawyer", 200), ("company", 403), ("operator", 403), ("auditor", 403)],
)
def test_patch_in_scope(world, nda, api_as, role, status):
    r = api_as(world.users[role]).patch(
        f"/api/v1/ndas/{nda['id']}", json={"purpose": "Changed", "version": 1}
    )
    assert r.status_code == status


@pytest.mark.parametrize("role", OUTSIDERS)
def test_patch_out_of_scope(world, nda, api_as, role):
    r = api_as(world.outsiders[role]).patch(
        f"/api/v1/ndas/{nda['id']}", json={"purpose": "Changed", "version": 1}
    )
    assert r.status_code == 404


def test_invalid_writes_nothing(world, asset, api_as, make_project, make_org):
    other = make_project()
    foreign_asset = IpAsset(
        project=other, title="x", kind="data", sensitivity="public", jurisdictions=[]
    )
    db.session.add(foreign_asset)
    db.session.flush()
    stranger = make_org("partner")
    api = api_as(world.users["lawyer"])
    path = f"/api/v1/projects/{world.project.id}/ndas"
    cases = [
        ({"expires_on": "2025-01-01"}, "expires_on"),
        ({"asset_ids": [foreign_asset.id]}, "asset_ids"),
        ({"asset_ids": [999999]}, "asset_ids"),
        ({"partner_id": stranger.id}, "partner_id"),
        ({"partner_id": world.company.id}, "partner_id"),
        ({"status": "expired"}, "status"),
        ({"signed_on": None}, "signed_on"),
        ({"effective_on": "yesterday"}, "effective_on"),
    ]
    before = count(Nda)
    for over, field in cases:
        r = api.post(path, json=_body(world, asset, **over))
        assert r.status_code == 422, (over, r.get_json())
        assert field in r.get_json()["errors"], (over, r.get_json())
    assert count(Nda) == before


def test_expiry_is_derived(world, asset, api_as, monkeypatch):
    api = api_as(world.users["lawyer"])
    r = api.post(
        f"/api/v1/projects/{world.project.id}/ndas",
        json=_body(world, asset, effective_on="2025-01-01", expires_on="2026-11-24"),
    )
    assert r.status_code == 201
    nda = r.get_json()
    assert nda["status"] == "expired"
    assert nda["recorded_status"] == "active"
    ids = lambda q: [n["id"] for n in api.get(f"/api/v1/ndas?{q}").get_json()["items"]]  # noqa: E731
    assert nda["id"] in ids("status=expired")
    assert nda["id"] not in ids("status=active")
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 11, 24))
    assert api.get(f"/api/v1/ndas/{nda['id']}").get_json()["status"] == "active"
    assert nda["id"] in ids("status=active")


def test_expiring_within_days(world, asset, api_as):
    api = api_as(world.users["lawyer"])
    path = f"/api/v1/projects/{world.project.id}/ndas"
    soon = api.post(path, json=_body(world, asset, expires_on="2026-12-05")).get_json()
    later = api.post(path, json=_body(world, asset, expires_on="2027-06-01")).get_json()
    draft = api.post(path, json=_body(world, asset, expires_on="2026-12-01", status="draft"))

    def ids(n):
        r = api.get(f"/api/v1/ndas?expiring_within_days={n}")
        return [x["id"] for x in r.get_json()["items"]]

    assert ids(10) == [soon["id"]]
    assert ids(365) == [soon["id"], later["id"]]
    assert draft.get_json()["id"] not in ids(365)
    assert api.get("/api/v1/ndas?expiring_within_days=-1").status_code == 422


def test_stale_version_and_terminated_is_final(world, nda, api_as):
    api = api_as(world.users["lawyer"])
    path = f"/api/v1/ndas/{nda['id']}"
    assert api.patch(path, json={"asset_ids": [], "version": 1}).get_json()["version"] == 2
    r = api.patch(path, json={"purpose": "stale", "version": 1})
    assert r.status_code == 409
    assert api.get(path).get_json()["purpose"] == nda["purpose"]
    assert api.patch(path, json={"status": "terminated", "version": 2}).status_code == 200
    assert api.patch(path, json={"status": "active", "version": 3}).status_code == 409
