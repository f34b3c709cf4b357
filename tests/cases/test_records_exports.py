"""CSV and XLSX exports of the disclosure, session and review lists: same policy as the list,
the whole list, audited; never privileged notes; review answers only where allowed."""

import csv
import io

import pytest
import sqlalchemy as sa

from tests.support import (
    CANARY,
    OUTSIDERS,
    ROLES,
    make_disclosure,
    make_review,
    make_session,
    xlsx_rows,
)
from tracker.audit.models import AuditEvent
from tracker.db import db

LISTS = {
    "disclosures": {"lawyer", "company", "auditor"},
    "sessions": {"lawyer", "company"},
    "risk-reviews": set(ROLES),
}


@pytest.fixture
def records(world):
    for _ in range(3):
        make_disclosure(world.project, world.users["company"], title="=HYPERLINK(evil)")
        make_session(world.project, world.users["lawyer"])
        make_review(world.project, world.users["lawyer"])


def _csv(response):
    text = response.get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", LISTS)
def test_csv_per_role(world, api_as, records, role, name):
    r = api_as(world.users[role]).get(
        f"/api/v1/projects/{world.project.id}/{name}?format=csv&per_page=1"
    )
    if role not in LISTS[name]:
        assert r.status_code == 403
        return
    assert r.status_code == 200
    assert r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = _csv(r)
    assert len(rows) == 4  # the header and every row, not one page
    header = rows[0]
    assert "privileged_notes" not in header
    assert CANARY not in r.get_data().decode()
    if name == "risk-reviews":
        # the columns are the JSON's; operators get the result without the answers
        body = r.get_data().decode()
        assert ("nda_coverage: " in body) == (role != "operator")
        assert ("Looked at the partner setup." in body) == (role != "operator")
        assert rows[1][header.index("Level")] == "Low"
    if name == "disclosures":
        assert rows[1][header.index("Title")] == "'=HYPERLINK(evil)"  # never a formula
    event = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "export.list")
    ).scalar_one()
    assert event.detail == {"list": name, "format": "csv", "rows": 3}


@pytest.mark.parametrize("role", OUTSIDERS)
@pytest.mark.parametrize("name", LISTS)
def test_outsiders_get_404(world, api_as, records, role, name):
    r = api_as(world.outsiders[role]).get(f"/api/v1/projects/{world.project.id}/{name}?format=csv")
    assert r.status_code == 404


@pytest.mark.parametrize("name", LISTS)
def test_xlsx(world, api_as, records, name):
    r = api_as(world.users["lawyer"]).get(f"/api/v1/projects/{world.project.id}/{name}?format=xlsx")
    assert r.status_code == 200
    rows = xlsx_rows(r.get_data())
    assert len(rows) == 4
    assert CANARY not in str(rows)


def test_unknown_format_is_422(world, api_as):
    r = api_as(world.users["lawyer"]).get(
        f"/api/v1/projects/{world.project.id}/sessions?format=pdf"
    )
    assert r.status_code == 422


@pytest.mark.parametrize(
    ("page", "name"),
    [("disclosures", "disclosures"), ("sessions", "sessions"), ("reviews", "risk-reviews")],
)
def test_list_pages_link_their_downloads(world, browser_as, records, page, name):
    c = browser_as(world.users["lawyer"])
    html = c.get(f"/projects/{world.project.id}/{page}").get_data(as_text=True)
    link = f"/api/v1/projects/{world.project.id}/{name}?format=csv"
    assert link in html
    r = c.get(link)  # the browser's session cookie works for GET
    assert r.status_code == 200 and r.mimetype == "text/csv"
