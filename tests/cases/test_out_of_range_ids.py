"""Ids and numbers too large for the database columns answer 404 or 422, never a 500.

A value past PostgreSQL's INTEGER (or SQLite's 64-bit integer) fails inside the database
driver instead of matching nothing, so it has to be stopped before it reaches SQL.
"""

import pytest

from tests.support import csrf_token

BIG = 10**19  # past both INTEGER and BIGINT
INT4 = 2**31  # past PostgreSQL INTEGER only


@pytest.mark.parametrize("big", [BIG, INT4])
def test_ids_in_urls_answer_404(world, api_as, browser_as, big):
    api = api_as(world.users["admin"])
    for path in (
        f"/api/v1/projects/{big}",
        f"/api/v1/projects/{big}/assets",
        f"/api/v1/projects/{big}/ndas",
        f"/api/v1/projects/{big}/disclosures",
        f"/api/v1/projects/{big}/sessions",
        f"/api/v1/projects/{big}/risk-reviews",
        f"/api/v1/assets/{big}",
        f"/api/v1/ndas/{big}",
        f"/api/v1/disclosures/{big}",
        f"/api/v1/sessions/{big}",
        f"/api/v1/risk-reviews/{big}",
    ):
        assert api.get(path).status_code == 404, path
    browser = browser_as(world.users["admin"])
    for path in (f"/projects/{big}", f"/assets/{big}", f"/reviews/{big}", f"/sessions/{big}"):
        assert browser.get(path).status_code == 404, path


@pytest.mark.parametrize("big", [BIG, INT4])
def test_ids_in_filters_match_nothing(world, api_as, big):
    api = api_as(world.users["admin"])
    r = api.get(f"/api/v1/projects?zone_id={big}")
    assert r.status_code == 200 and r.get_json()["total"] == 0
    r = api.get(f"/api/v1/ndas?partner_id={big}")
    assert r.status_code == 200 and r.get_json()["total"] == 0


@pytest.mark.parametrize("big", [BIG, INT4])
def test_ids_in_bodies_answer_422(world, api_as, big):
    admin = api_as(world.users["admin"])
    base = {
        "code": "BIG-1",
        "title": "t",
        "zone_id": world.zone.id,
        "company_id": world.company.id,
    }
    for over, field in (
        ({"zone_id": big}, "zone_id"),
        ({"company_id": big}, "company_id"),
        ({"partner_ids": [big]}, "partner_ids"),
        ({"lawyer_ids": [big]}, "lawyer_ids"),
        ({"budget_krw": BIG}, "budget_krw"),
    ):
        r = admin.post("/api/v1/projects", json={**base, **over})
        assert r.status_code == 422, (over, r.get_json())
        assert field in r.get_json()["errors"]
    lawyer = api_as(world.users["lawyer"])
    r = lawyer.post(
        f"/api/v1/projects/{world.project.id}/ndas",
        json={
            "partner_id": world.partner.id,
            "effective_on": "2026-01-01",
            "expires_on": "2027-01-01",
            "asset_ids": [big],
        },
    )
    assert r.status_code == 422 and "asset_ids" in r.get_json()["errors"]
    r = lawyer.post(
        f"/api/v1/projects/{world.project.id}/assets",
        json={
            "title": "t",
            "kind": "patent",
            "sensitivity": "public",
            "owners": [{"organization_id": big, "share_pct": 10}],
        },
    )
    assert r.status_code == 422 and "owners" in r.get_json()["errors"]


def test_ids_in_forms_answer_422(world, browser_as):
    c = browser_as(world.users["admin"])
    token = csrf_token(c, "/projects/new")
    r = c.post(
        "/projects/new",
        data={
            "csrf_token": token,
            "code": "BIG-2",
            "title": "t",
            "zone_id": str(BIG),
            "company_id": str(world.company.id),
            "security_level": "general",
            "status": "active",
        },
    )
    assert r.status_code == 422
    r = c.get(f"/projects?zone_id={BIG}")
    assert r.status_code == 200
