"""Invention disclosures over the API: the matrix per role, shares, decisions, resubmission."""

import pytest
import sqlalchemy as sa

from tests.support import (
    DISCLOSURE_READERS,
    OUTSIDERS,
    ROLES,
    count,
    disclosure_body,
    fresh,
)
from tracker import clock
from tracker.audit.models import AuditEvent
from tracker.cases.assets.models import IpAsset
from tracker.cases.disclosures.models import Disclosure
from tracker.db import db


@pytest.mark.parametrize("role", ROLES)
def test_list_and_detail_per_role(world, api_as, filed, role):
    api = api_as(world.users[role])
    listing = api.get(f"/api/v1/projects/{world.project.id}/disclosures")
    detail = api.get(f"/api/v1/disclosures/{filed.id}")
    expected = 200 if role in DISCLOSURE_READERS else 403
    assert listing.status_code == expected
    assert detail.status_code == expected
    if expected == 200:
        assert listing.get_json()["total"] == 1
        body = detail.get_json()
        assert body["status"] == "submitted"
        assert body["has_foreign_inventor"] is True
        assert [i["foreign"] for i in body["inventors"]] == [False, True]
        assert [i["share_pct"] for i in body["inventors"]] == [60.0, 40.0]
    else:
        assert filed.title not in detail.get_data(as_text=True)


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_404(world, api_as, filed, role):
    api = api_as(world.outsiders[role])
    assert api.get(f"/api/v1/projects/{world.project.id}/disclosures").status_code == 404
    assert api.get(f"/api/v1/disclosures/{filed.id}").status_code == 404
    assert (
        api.post(
            f"/api/v1/projects/{world.project.id}/disclosures", json=disclosure_body()
        ).status_code
        == 404
    )
    assert (
        api.post(
            f"/api/v1/disclosures/{filed.id}/decision", json={"decision": "reject", "note": "x"}
        ).status_code
        == 404
    )
    assert api.patch(f"/api/v1/disclosures/{filed.id}", json={"version": 1}).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_filing_per_role(world, api_as, role):
    r = api_as(world.users[role]).post(
        f"/api/v1/projects/{world.project.id}/disclosures", json=disclosure_body()
    )
    if role == "company":
        assert r.status_code == 201, r.get_json()
        assert r.get_json()["status"] == "submitted"
        assert count(Disclosure) == 1
    else:
        assert r.status_code == 403
        assert count(Disclosure) == 0


def test_unknown_disclosure_is_404(world, api_as):
    assert api_as(world.users["lawyer"]).get("/api/v1/disclosures/999999").status_code == 404


def test_every_view_is_audited(world, api_as, filed):
    api_as(world.users["auditor"]).get(f"/api/v1/disclosures/{filed.id}")
    events = (
        db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "disclosure.viewed"))
        .scalars()
        .all()
    )
    assert [(e.object_type, e.object_id, e.actor_id) for e in events] == [
        ("disclosure", filed.id, world.users["auditor"].id)
    ]
    api_as(world.users["lawyer"]).get(f"/api/v1/projects/{world.project.id}/disclosures")
    listed = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "disclosure.listed")
    ).scalar_one()
    assert listed.detail == {"disclosure_ids": [filed.id]}


@pytest.mark.parametrize(
    "shares", [[60, 39.99], [60, 40.01], [100, 0], [50, 50.001], [101, -1], [30]]
)
def test_shares_must_add_up_to_exactly_100(world, api_as, shares):
    inventors = [{"name": f"Inventor {i}", "share_pct": s} for i, s in enumerate(shares)]
    r = api_as(world.users["company"]).post(
        f"/api/v1/projects/{world.project.id}/disclosures",
        json=disclosure_body(inventors=inventors),
    )
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"
    assert any(k.startswith("inventors") for k in r.get_json()["errors"])
    assert count(Disclosure) == 0


def test_three_inventors_with_thirds(world, api_as):
    inventors = [
        {"name": "A", "share_pct": 33.33},
        {"name": "B", "share_pct": 33.33},
        {"name": "C", "share_pct": "33.34"},
    ]
    r = api_as(world.users["company"]).post(
        f"/api/v1/projects/{world.project.id}/disclosures",
        json=disclosure_body(inventors=inventors),
    )
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["has_foreign_inventor"] is False


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("conceived_on", "2999-01-01"),
        ("conceived_on", "not a date"),
        ("title", ""),
        ("inventors", []),
        ("inventors", [{"name": "A", "share_pct": 100, "nationality": "XX"}]),
        ("inventors", [{"name": "", "share_pct": 100}]),
        ("unexpected", 1),
    ],
)
def test_bad_fields_are_422(world, api_as, field, value):
    r = api_as(world.users["company"]).post(
        f"/api/v1/projects/{world.project.id}/disclosures", json=disclosure_body(**{field: value})
    )
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["errors"]
    assert count(Disclosure) == 0


def test_conceived_today_is_fine(world, api_as):
    r = api_as(world.users["company"]).post(
        f"/api/v1/projects/{world.project.id}/disclosures",
        json=disclosure_body(conceived_on=clock.today().isoformat()),
    )
    assert r.status_code == 201


@pytest.mark.parametrize("role", ROLES)
def test_decision_per_role(world, api_as, filed, role):
    r = api_as(world.users[role]).post(
        f"/api/v1/disclosures/{filed.id}/decision",
        json={"decision": "reject", "note": "Prior art: KR 10-2020-0001."},
    )
    assert r.status_code == (200 if role == "lawyer" else 403)
    assert fresh(Disclosure, filed.id).status == ("rejected" if role == "lawyer" else "submitted")


def test_accept_creates_the_asset(world, api_as, filed):
    r = api_as(world.users["lawyer"]).post(
        f"/api/v1/disclosures/{filed.id}/decision",
        json={
            "decision": "accept",
            "note": "File a KR application first.",
            "asset": {"kind": "patent", "sensitivity": "trade_secret"},
        },
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "accepted"
    asset = db.session.get(IpAsset, body["asset_id"])
    assert asset.project_id == world.project.id
    assert (asset.title, asset.kind, asset.sensitivity) == (filed.title, "patent", "trade_secret")
    # the home inventor's 60 % for the company; the foreign co-inventor's 40 % left for the
    # lawyer (tests/cases/disclosures/test_accepting.py)
    assert [(o.organization_id, float(o.share_pct)) for o in asset.owners] == [
        (world.company.id, 60.0)
    ]


def test_accept_with_default_asset(world, api_as, filed):
    r = api_as(world.users["lawyer"]).post(
        f"/api/v1/disclosures/{filed.id}/decision", json={"decision": "accept"}
    )
    assert r.status_code == 200
    assert db.session.get(IpAsset, r.get_json()["asset_id"]).kind == "patent"


@pytest.mark.parametrize("first", ["accept", "reject", "needs_info"])
def test_deciding_twice_is_409(world, api_as, filed, first):
    api = api_as(world.users["lawyer"])
    assert (
        api.post(
            f"/api/v1/disclosures/{filed.id}/decision", json={"decision": first, "note": "n"}
        ).status_code
        == 200
    )
    assets = count(IpAsset)
    r = api.post(f"/api/v1/disclosures/{filed.id}/decision", json={"decision": "accept"})
    assert r.status_code == 409
    assert r.mimetype == "application/problem+json"
    assert count(IpAsset) == assets


def test_bad_decisions_are_422(world, api_as, filed):
    api = api_as(world.users["lawyer"])
    url = f"/api/v1/disclosures/{filed.id}/decision"
    assert api.post(url, json={"decision": "maybe"}).status_code == 422
    assert api.post(url, json={"decision": "reject"}).status_code == 422  # needs a note
    r = api.post(url, json={"decision": "accept", "asset": {"kind": "car", "sensitivity": "x"}})
    assert r.status_code == 422
    assert count(IpAsset) == 0
    assert fresh(Disclosure, filed.id).status == "submitted"


def test_needs_info_then_company_edits_and_resubmits(world, api_as, filed):
    lawyer, company = api_as(world.users["lawyer"]), api_as(world.users["company"])
    url = f"/api/v1/disclosures/{filed.id}"
    # while submitted, the company cannot edit
    assert company.patch(url, json={"version": filed.version, "title": "X"}).status_code == 409
    r = lawyer.post(f"{url}/decision", json={"decision": "needs_info", "note": "Who is C?"})
    version = r.get_json()["version"]
    assert r.get_json()["status"] == "needs_info"
    # only the company edits
    assert lawyer.patch(url, json={"version": version, "title": "X"}).status_code == 403
    assert company.patch(url, json={"version": version - 1, "title": "X"}).status_code == 409
    bad = company.patch(
        url, json={"version": version, "inventors": [{"name": "A", "share_pct": 99}]}
    )
    assert bad.status_code == 422
    r = company.patch(
        url,
        json={
            "version": version,
            "title": "GaN converter, revised",
            "inventors": [{"name": "Kim Minji", "share_pct": 100, "nationality": "KR"}],
        },
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "submitted"
    assert body["title"] == "GaN converter, revised"
    assert body["has_foreign_inventor"] is False
    assert body["version"] > version
    # a stale edit after the resubmission conflicts too
    assert company.patch(url, json={"version": version, "title": "Y"}).status_code == 409


@pytest.mark.parametrize("role", ["admin", "operator", "auditor"])
def test_patch_forbidden_roles(world, api_as, filed, role):
    r = api_as(world.users[role]).patch(
        f"/api/v1/disclosures/{filed.id}", json={"version": filed.version}
    )
    assert r.status_code == 403
