"""The issue's family through the API: a KR first filing, a PCT application claiming its
priority, the US and EP national phases, each derived from its own dates in its own office.
Fixed past dates: the derived dates do not depend on today."""

import datetime as dt

import pytest

from tests.support import make_asset


@pytest.fixture
def family(world, api_as):
    asset = make_asset(world.project, title="DC 배전 변환기")
    asset.jurisdictions = ["KR", "WO", "US", "EP"]
    lawyer = api_as(world.users["lawyer"])

    def post(body):
        r = lawyer.post(f"/api/v1/assets/{asset.id}/filings", json=body)
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    kr = post(
        {
            "office": "KR",
            "route": "first",
            "filed_on": "2024-03-31",
            "status": "registered",
            "registered_on": "2026-05-12",
            "application_no": "10-2024-0041234",
        }
    )
    pct = post({"office": "WO", "route": "pct", "parent_id": kr["id"], "filed_on": "2025-03-28"})
    us = post(
        {
            "office": "US",
            "route": "national_phase",
            "parent_id": pct["id"],
            "filed_on": "2026-09-30",
            "priority_on": "2024-03-31",
            "status": "registered",
            "registered_on": "2028-06-13",
        }
    )
    ep = post(
        {
            "office": "EP",
            "route": "national_phase",
            "parent_id": pct["id"],
            "filed_on": "2026-10-30",
            "priority_on": "2024-03-31",
        }
    )
    return lawyer, asset, {"kr": kr["id"], "pct": pct["id"], "us": us["id"], "ep": ep["id"]}


def _deadlines(lawyer, filing_id):
    r = lawyer.get(f"/api/v1/filings/{filing_id}")
    assert r.status_code == 200
    return r.get_json()["deadlines"]


def _one(items, kind, due_on):
    found = [d for d in items if d["kind"] == kind and d["due_on"] == due_on]
    assert found, [(d["kind"], d["due_on"]) for d in items]
    return found[0]


def test_each_filing_counts_from_its_own_dates(family):
    lawyer, _asset, ids = family
    us = _one(_deadlines(lawyer, ids["us"]), "ip_annuity", "2031-12-13")
    assert us["grace_until"] == "2032-06-13" and us["office"] == "US"
    ep = _one(_deadlines(lawyer, ids["ep"]), "ip_annuity", "2027-03-31")
    assert ep["grace_until"] == "2027-09-30" and ep["office"] == "EP"
    kr = _one(_deadlines(lawyer, ids["kr"]), "ip_annuity", "2029-05-12")
    assert kr["grace_until"] == "2029-11-12" and kr["office"] == "KR"
    # nothing of the US filing is counted from the KR registration any more
    assert not [d for d in _deadlines(lawyer, ids["us"]) if d["due_on"] == "2029-11-12"]


def test_the_deadline_list_carries_office_filing_grace_and_project(world, family):
    lawyer, _asset, ids = family
    items = lawyer.get("/api/v1/deadlines?per_page=200").get_json()["items"]
    us = [i for i in items if i["filing_id"] == ids["us"] and i["due_on"] == "2031-12-13"]
    assert len(us) == 1
    item = us[0]
    assert item["office"] == "US" and item["grace_until"] == "2032-06-13"
    assert item["project_code"] == world.project.code
    assert item["source_type"] == "filing" and item["source_id"] == ids["us"]
    assert item["derived"] is True and item["kind"] == "ip_annuity"


def test_operators_get_no_filing_deadline_companies_do(world, family, api_as):
    _lawyer, _asset, ids = family
    operator = api_as(world.users["operator"]).get("/api/v1/deadlines?per_page=200").get_json()
    assert not [i for i in operator["items"] if i["filing_id"]]
    company = api_as(world.users["company"]).get("/api/v1/deadlines?per_page=200").get_json()
    assert [i for i in company["items"] if i["filing_id"] == ids["us"]]


def test_a_done_mark_sticks_and_a_fee_paid_closes_the_fee(family):
    lawyer, _asset, ids = family
    kr = _one(_deadlines(lawyer, ids["kr"]), "ip_annuity", "2029-05-12")
    version = lawyer.get(f"/api/v1/filings/{ids['kr']}").get_json()["version"]
    r = lawyer.patch(
        f"/api/v1/filings/{ids['kr']}",
        json={"version": version, "deadlines": [{"key": kr["key"], "done": True}]},
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["version"] == version + 1
    assert _one(_deadlines(lawyer, ids["kr"]), "ip_annuity", "2029-05-12")["done"] is True
    us = _one(_deadlines(lawyer, ids["us"]), "ip_annuity", "2031-12-13")
    assert us["done"] is False
    paid = lawyer.post(
        f"/api/v1/filings/{ids['us']}/events", json={"kind": "fee_paid", "on": "2031-12-01"}
    )
    assert paid.status_code == 201, paid.get_json()
    after = _one(paid.get_json()["deadlines"], "ip_annuity", "2031-12-13")
    assert after["done"] is True and after["closed"] is True


def test_a_lapsed_filing_derives_nothing_and_the_asset_keeps_its_own_without_filings(world, family):
    lawyer, asset, ids = family
    version = lawyer.get(f"/api/v1/filings/{ids['ep']}").get_json()["version"]
    r = lawyer.patch(f"/api/v1/filings/{ids['ep']}", json={"version": version, "status": "lapsed"})
    assert r.status_code == 200 and r.get_json()["deadlines"] == []
    # the asset's own single dates derive nothing while it has filings
    assert not _own_derived(lawyer, asset)


def _single_dates(lawyer, asset):
    """The asset's old single dates: one KR filing, registered."""
    return lawyer.patch(
        f"/api/v1/assets/{asset.id}",
        json={
            "version": asset.version,
            "jurisdictions": ["KR"],
            "filed_on": "2024-03-31",
            "registered_on": "2026-05-12",
        },
    )


def _own_derived(lawyer, asset):
    deadlines = lawyer.get(f"/api/v1/assets/{asset.id}").get_json()["deadlines"]
    return [d for d in deadlines if d["derived"]]


def test_an_asset_without_filings_keeps_its_derived_deadlines(world, api_as):
    lawyer = api_as(world.users["lawyer"])
    asset = make_asset(world.project, title="Single")
    r = _single_dates(lawyer, asset)
    assert r.status_code == 200, r.get_json()
    own = [d for d in r.get_json()["deadlines"] if d["derived"]]
    assert own
    made = lawyer.post(
        f"/api/v1/assets/{asset.id}/filings",
        json={
            "office": "KR",
            "route": "first",
            "filed_on": "2024-03-31",
            "registered_on": "2026-05-12",
            "status": "registered",
        },
    )
    assert made.status_code == 201
    assert not _own_derived(lawyer, asset)
    assert lawyer.delete(f"/api/v1/filings/{made.get_json()['id']}").status_code == 204
    back = _own_derived(lawyer, asset)
    assert [d["key"] for d in back] == [d["key"] for d in own]


def test_done_marks_carry_over_to_the_filing_and_rederive_fills_a_converted_asset(world, api_as):
    from tracker.cases.assets import derived
    from tracker.cases.filings.models import Filing
    from tracker.db import db

    lawyer = api_as(world.users["lawyer"])
    asset = make_asset(world.project, title="Converted")
    r = _single_dates(lawyer, asset)
    fee = [d for d in r.get_json()["deadlines"] if d["derived"] and d["due_on"] == "2029-05-12"]
    assert fee, r.get_json()["deadlines"]
    r = lawyer.patch(
        f"/api/v1/assets/{asset.id}",
        json={
            "version": r.get_json()["version"],
            "deadlines": [{"key": fee[0]["key"], "done": True}],
        },
    )
    assert r.status_code == 200
    # what migration 0011 does: one filing, the asset marked for re-docketing
    db.session.refresh(asset)
    db.session.add(
        Filing(
            asset=asset,
            office="KR",
            route="first",
            filed_on=dt.date(2024, 3, 31),
            registered_on=dt.date(2026, 5, 12),
            status="registered",
        )
    )
    asset.docketed_with = None
    db.session.flush()
    assert derived.rederive_stale() >= 1
    filing = asset.filings[0]
    year4 = [
        d for d in filing.deadlines if d.kind == "ip_annuity" and d.due_on == dt.date(2029, 5, 12)
    ]
    assert year4 and year4[0].done is True
    assert not asset.derived_deadlines
    later = [d for d in filing.deadlines if d.kind == "ip_annuity" and d.due_on.year == 2030]
    assert later and later[0].done is False
