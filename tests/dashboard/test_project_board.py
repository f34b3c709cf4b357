"""A project's summary page as its dashboard: each part only for roles that may see it."""

from __future__ import annotations

import datetime as dt

import pytest
from babel.dates import format_date
from flask_babel import force_locale

from tests.dashboard.waiting import fill
from tests.support import ROLES, approved_review, day, statements
from tracker import clock
from tracker.cases.assets.models import AssetDeadline, IpAsset
from tracker.cases.ndas.models import Nda
from tracker.db import db
from tracker.oversight.actions import action_label

#: role -> (sees follow-ups, submitted disclosures, undecided requests, the audit)
SEES = {
    "admin": (False, False, False, True),
    "lawyer": (True, True, True, True),
    "company": (True, True, True, False),
    "operator": (False, False, True, False),
    "auditor": (False, True, True, True),
}


def _html(client, project):
    response = client.get(f"/projects/{project.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_each_part_for_the_roles_that_may_see_it(busy, browser_as, role):
    html = _html(browser_as(busy.users[role]), busy.project)
    follow_ups, disclosures, transfers, audit = SEES[role]
    assert ('id="open-follow-ups"' in html) is follow_ups
    assert ("Send NDA draft" in html) is follow_ups
    assert (f'href="/disclosures/{busy.items["disclosure"][0].id}"' in html) is disclosures
    assert (f'href="/transfers/{busy.items["transfer"][0].id}"' in html) is transfers
    assert f'href="/reviews/{busy.items["review"][0].id}"' in html  # every role sees results
    assert ('id="activity"' in html) is audit
    assert "No approved risk review is in force." in html
    assert "no NDA in force" in html
    assert "Partner may be in breach" not in html


def test_lawyer_sees_only_their_own_actions(busy, browser_as):
    lawyer = browser_as(busy.users["lawyer"])
    assert lawyer.get(f"/disclosures/{busy.items['disclosure'][0].id}").status_code == 200
    viewed, submitted = (str(action_label(a)) for a in ("disclosure.viewed", "review.submitted"))
    assert viewed in _activity(lawyer, busy.project)
    assert viewed not in _activity(browser_as(busy.second), busy.project)
    html = _activity(browser_as(busy.users["auditor"]), busy.project)
    assert viewed in html and submitted in html


def _activity(client, project):
    """The project's recent activity: its own page, linked from the summary."""
    summary = _html(client, project)
    link = f'href="/projects/{project.id}/activity"'
    assert link in summary.split('id="activity"', 1)[1].split("</section>", 1)[0]
    response = client.get(f"/projects/{project.id}/activity")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html.split('id="activity"', 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize("role", ROLES)
def test_the_activity_page_for_the_audit_readers_only(busy, browser_as, role):
    response = browser_as(busy.users[role]).get(f"/projects/{busy.project.id}/activity")
    assert response.status_code == (200 if SEES[role][3] else 403)


def test_activity_reads_as_the_audit_page_does(busy, browser_as):
    """Labels and linked records, in the reader's language; never codes or ids."""
    auditor = busy.users["auditor"]
    auditor.locale = "ko"
    db.session.flush()
    html = _activity(browser_as(auditor), busy.project)
    with force_locale("ko"):
        assert str(action_label("review.submitted")) in html
    assert "review.submitted" not in html and "risk_review " not in html
    review = busy.items["review"][0]
    assert f'<a href="/reviews/{review.id}">' in html  # the record, linked by its label


@pytest.mark.parametrize("role", ["lawyer", "company", "operator"])
def test_outsiders_get_404(busy, browser_as, role):
    assert browser_as(busy.outsiders[role]).get(f"/projects/{busy.project.id}").status_code == 404


def test_risk_status_and_nda_coverage_with_expiry(busy, browser_as):
    today = clock.today()
    db.session.add(
        approved_review(
            busy.project,
            busy.users["lawyer"].id,
            likelihood=3,
            impact=4,
            score=12,
            level="high",
            valid_until=today + dt.timedelta(days=10),
        )
    )
    expiry = today + dt.timedelta(days=60)
    db.session.add(
        Nda(
            project=busy.project,
            partner_id=busy.partner.id,
            effective_on=today - dt.timedelta(days=100),
            expires_on=expiry,
            status="active",
        )
    )
    db.session.flush()
    html = _html(browser_as(busy.users["operator"]), busy.project)
    assert "likelihood 3 × impact 4 = 12" in html and "(expires within 30 days)" in html
    assert format_date(expiry, "medium", locale="en") in html and "(expires within 90 days)" in html
    assert "no NDA in force" not in html


def test_fixed_number_of_statements(busy, browser_as):
    client = browser_as(busy.users["auditor"])
    with statements() as few:
        _html(client, busy.project)
    fill(busy.project, busy.users["lawyer"], busy.users["company"], 4)
    with statements() as many:
        _html(client, busy.project)
    assert len(many) == len(few)


def _deadline_titles(client, project):
    html = _html(client, project)
    section = html[html.index('id="project-deadlines"') :]
    return section[: section.index("</section>")]


@pytest.mark.parametrize("role", ["lawyer", "operator"])
def test_next_deadlines_are_the_projects_own_as_the_role_may_see_them(
    world, make_project, browser_as, role
):
    """The summary's deadlines come from one statement built once per role and day with the
    project as a parameter (deadlines/service.py): each page shows its own project's, and a
    role without `asset.view_full` never an asset's hand-entered deadlines."""
    other = make_project(zone=world.zone, company=world.company, lawyers=[world.users["lawyer"]])
    for project, title in ((world.project, "Alpha converter"), (other, "Beta membrane")):
        asset = IpAsset(project=project, title=title, kind="data", sensitivity="public")
        asset.deadlines = [AssetDeadline(kind="other", due_on=day(12))]
        project.end_date = day(40)
        db.session.add(asset)
    db.session.flush()
    client = browser_as(world.users[role])
    full = role == "lawyer"
    for _ in range(2):  # the second round runs the statements built by the first
        mine, theirs = _deadline_titles(client, world.project), _deadline_titles(client, other)
        assert ("Alpha converter" in mine) is full and "Beta membrane" not in mine
        assert ("Beta membrane" in theirs) is full and "Alpha converter" not in theirs
        assert world.project.title in mine and other.title not in mine
        assert other.title in theirs and world.project.title not in theirs
