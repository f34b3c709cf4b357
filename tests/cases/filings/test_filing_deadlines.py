"""A filing's deadlines where people read them: the deadline page, the digest, the calendar
feed and the export show the project's code and the office; a lapsed fee that can still be
paid late reads "in grace until <date>", not "overdue"."""

import datetime as dt

import pytest
from babel.dates import format_date

from tests.support import TODAY, make_asset
from tracker.cases.assets.docketing import add_months
from tracker.cases.filings import service as filings
from tracker.db import db
from tracker.deadlines import feeds, mail, notify

#: a KR patent registered three years and ten days ago: its 4th-year fee fell due ten days ago
#: and may still be paid, with a surcharge, for six months
REGISTERED = add_months(TODAY - dt.timedelta(days=10), -36)
DUE = add_months(REGISTERED, 36)
GRACE = add_months(DUE, 6)


@pytest.fixture
def lapsed_fee(world):
    asset = make_asset(world.project, title="Separator film")
    asset.jurisdictions = ["KR"]
    filing = filings.create_filing(
        asset,
        {
            "office": "KR",
            "route": "first",
            "filed_on": add_months(REGISTERED, -20),
            "registered_on": REGISTERED,
            "status": "registered",
        },
    )
    db.session.commit()
    fee = [d for d in filing.deadlines if d.kind == "ip_annuity" and d.due_on == DUE]
    assert fee and fee[0].grace_until == GRACE, [(d.kind, d.due_on) for d in filing.deadlines]
    return filing


def test_the_deadline_page_shows_project_office_and_grace(world, lapsed_fee, browser_as):
    html = browser_as(world.users["lawyer"]).get("/deadlines?overdue=true").get_data(as_text=True)
    assert world.project.code in html and "South Korea" in html
    assert f"in grace until {format_date(GRACE, 'medium', locale='en')}" in html
    assert GRACE.isoformat() not in html  # as a person writes it, never ISO


def test_the_digest_says_in_grace(world, lapsed_fee, app):
    lawyer = world.users["lawyer"]
    with app.test_request_context("/"):
        groups, queues, *_ = notify.digest_of(lawyer, TODAY)
    overdue = [
        i
        for i in groups["overdue"]
        if i["filing_id"] == lapsed_fee.id and i["kind"] == "ip_annuity"
    ]
    assert overdue and overdue[0]["in_grace_until"] == GRACE
    _subject, text, html = mail.render_digest("en", name="L", groups=groups, queues=queues)
    assert "in grace until" in text and "in grace until" in html
    assert f"{world.project.code} · South Korea" in text


def test_the_calendar_title_names_project_and_office(world, lapsed_fee, app):
    with app.test_request_context("/"):
        ics = feeds.feed_for(world.users["lawyer"], TODAY).decode()
    assert f"[{world.project.code} · South Korea] Annuity" in ics.replace("\r\n ", "")


def test_the_export_has_project_code_and_office(world, lapsed_fee, api_as):
    r = api_as(world.users["lawyer"]).get("/api/v1/deadlines?format=csv")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    # the office by its name, never its code
    assert world.project.code in body and ",South Korea," in body and ",KR," not in body
    assert GRACE.isoformat() in body


def test_the_start_page_says_in_grace_and_names_the_office(world, lapsed_fee, browser_as):
    html = browser_as(world.users["lawyer"]).get("/").get_data(as_text=True)
    assert f"in grace until {format_date(GRACE, 'medium', locale='en')}" in html
    assert GRACE.isoformat() not in html  # as a person writes it, never ISO
    assert "Separator film</a> · South Korea" in html
