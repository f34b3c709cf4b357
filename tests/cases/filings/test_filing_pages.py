"""The family on the asset page: the tree with office names in the reader's language, each
filing's deadlines with their grace, the forms of lawyers in scope, refusals for the others,
"dates to split per office" for an asset whose single dates were never split."""

import datetime as dt
import re

import pytest

from tests.support import ROLES, count, csrf_token, make_asset
from tracker.cases.filings import service as filings
from tracker.cases.filings.models import Filing, FilingEvent
from tracker.db import db


@pytest.fixture
def family(world):
    asset = make_asset(world.project, title="DC 배전 변환기")
    asset.jurisdictions = ["KR", "WO", "US"]
    kr = filings.create_filing(
        asset,
        {
            "office": "KR",
            "route": "first",
            "filed_on": dt.date(2024, 3, 31),
            "registered_on": dt.date(2026, 5, 12),
            "status": "registered",
            "application_no": "10-2024-0041234",
        },
    )
    pct = filings.create_filing(
        asset,
        {"office": "WO", "route": "pct", "parent_id": kr.id, "filed_on": dt.date(2025, 3, 28)},
    )
    us = filings.create_filing(
        asset,
        {
            "office": "US",
            "route": "national_phase",
            "parent_id": pct.id,
            "filed_on": dt.date(2026, 9, 30),
            "priority_on": dt.date(2024, 3, 31),
            "registered_on": dt.date(2028, 6, 13),
            "status": "registered",
        },
    )
    db.session.commit()
    return asset, kr, pct, us


def _page(client, asset):
    r = client.get(f"/assets/{asset.id}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_the_tree_in_korean_with_deadlines_and_grace(world, family, browser_as):
    asset, kr, pct, us = family
    world.users["company"].locale = "ko"
    db.session.commit()
    c = browser_as(world.users["company"])
    html = _page(c, asset)
    assert "대한민국" in html and "미국" in html
    # parent before child, the national phase nested under the PCT filing
    assert html.index(f'id="filing-{kr.id}"') < html.index(f'id="filing-{pct.id}"')
    assert re.search(rf'id="filing-{us.id}" class="filing depth-2"', html)
    # dates as Korean readers write them
    assert "2031. 12. 13." in html and "2032. 6. 13." in html
    # no forms for company staff
    assert "/filings/new" not in html and f"/filings/{us.id}/edit" not in html


def test_english_names_and_lawyer_forms(world, family, browser_as):
    asset, kr, _pct, us = family
    c = browser_as(world.users["lawyer"])
    html = _page(c, asset)
    assert "United States" in html and "South Korea" in html
    assert f"/assets/{asset.id}/filings/new" in html
    assert f"/filings/{us.id}/events/new" in html


def test_operators_see_no_family(world, family, browser_as):
    asset, *_ = family
    html = _page(browser_as(world.users["operator"]), asset)
    assert 'id="filings"' not in html and "2031. 12. 13." not in html


def test_a_lawyer_adds_a_filing_and_records_an_event(world, family, browser_as):
    asset, kr, pct, us = family
    c = browser_as(world.users["lawyer"])
    token = csrf_token(c, f"/assets/{asset.id}/filings/new")
    r = c.post(
        f"/assets/{asset.id}/filings/new",
        data={
            "csrf_token": token,
            "office": "EP",
            "route": "national_phase",
            "parent_id": str(pct.id),
            "filed_on": "2026-10-30",
            "status": "pending",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert count(Filing) == 4
    r = c.post(
        f"/filings/{us.id}/events/new",
        data={"csrf_token": token, "kind": "office_action", "on": "2027-01-10"},
    )
    assert r.status_code == 302
    assert count(FilingEvent) == 1


def test_a_bad_form_shows_errors_and_stores_nothing(world, family, browser_as):
    asset, kr, _pct, _us = family
    c = browser_as(world.users["lawyer"])
    token = csrf_token(c, f"/assets/{asset.id}/filings/new")
    r = c.post(
        f"/assets/{asset.id}/filings/new",
        data={
            "csrf_token": token,
            "office": "US",
            "route": "national_phase",
            "parent_id": str(kr.id),
            "filed_on": "2026-10-30",
            "status": "pending",
        },
    )
    assert r.status_code == 422
    assert "PCT" in r.get_data(as_text=True)
    assert count(Filing) == 3


@pytest.mark.parametrize("role", [r for r in ROLES if r != "lawyer"])
def test_only_lawyers_open_the_forms(world, family, browser_as, role):
    asset, kr, *_ = family
    c = browser_as(world.users[role])
    assert c.get(f"/assets/{asset.id}/filings/new").status_code == 403
    assert c.get(f"/filings/{kr.id}/edit").status_code == 403
    assert c.get(f"/filings/{kr.id}/events/new").status_code == 403


def test_an_unassigned_lawyer_gets_404(world, family, browser_as):
    asset, kr, *_ = family
    c = browser_as(world.outsiders["lawyer"])
    assert c.get(f"/assets/{asset.id}/filings/new").status_code == 404
    assert c.get(f"/filings/{kr.id}/edit").status_code == 404


def test_dates_to_split_per_office(world, browser_as):
    asset = make_asset(world.project, title="Old single dates")
    asset.jurisdictions = ["KR", "US", "EP"]
    asset.filed_on = dt.date(2024, 3, 31)
    asset.application_no = "10-2024-0099999"
    db.session.commit()
    html = _page(browser_as(world.users["lawyer"]), asset)
    assert "Dates to split per office" in html and "10-2024-0099999" in html


def test_a_filing_has_its_history(world, family, browser_as, api_as):
    asset, kr, *_ = family
    api_as(world.users["lawyer"]).post(
        f"/api/v1/filings/{kr.id}/events", json={"kind": "fee_paid", "on": "2029-05-01"}
    )
    c = browser_as(world.users["auditor"])
    assert f"/audit/filing/{kr.id}" in _page(c, asset)
    r = c.get(f"/audit/filing/{kr.id}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "South Korea 10-2024-0041234" in html
