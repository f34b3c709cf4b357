"""The deadline engine reads only what a list shows: each source bounded by the list's window on
its own indexed due column, each stopping after a limited list's rows, and each statement built
once per role, day, filters and scope (issue 20: the operator's dashboard)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.deadlines.conftest import TODAY, fill
from tests.support import plan_of, statements
from tracker import records
from tracker.cases.projects.models import Project
from tracker.db import db
from tracker.deadlines import service
from tracker.policy import visible_projects
from tracker.records import DeadlineSource, RecordKind
from tracker.records.deadlines import row
from tracker.web import sorting

FILTERS = [
    {},
    {"within_days": 90, "done": False},
    {"overdue": True},
    {"done": True},
    {"kind": "nda_expiry"},
    {"within_days": 30, "kind": "ip_priority"},
]


@pytest.fixture
def crowded(deadline_world, make_project):
    """Three more projects of every source in the world's scope (several rows of each source
    on either side of every limit) and one outside it."""
    w = deadline_world
    for i in range(3):
        project = make_project(zone=w.zone, company=w.company, lawyers=[w.users["lawyer"]])
        project.partners = [w.partner]
        fill(project, w.users["lawyer"], f"IN{i}")
    fill(make_project(), w.users["lawyer"], "OUT2")
    return w


@pytest.mark.parametrize("role", ["lawyer", "operator", "admin"])
@pytest.mark.parametrize("filters", FILTERS)
def test_a_limited_list_is_the_start_of_the_whole_list(crowded, role, filters):
    user = crowded.users[role]
    for sort in sorting.choices(service.SORTS):
        whole = service.deadlines(user, TODAY, sort=sort, **filters)
        for limit in (1, 3, 7):
            first = service.deadlines(user, TODAY, sort=sort, limit=limit, **filters)
            assert first == whole[:limit], (sort, limit)


def test_the_dashboards_window_reads_each_source_from_its_due_index(crowded):
    """The date sources that had no index on their due date: each part of a dashboard's
    statement is a range on the due index (on PostgreSQL with sequential scans off, as a
    10k database would choose: a few test rows fit in one page)."""
    stmt = service.deadline_query(
        crowded.users["admin"], TODAY, within_days=90, done=False, limit=200
    )
    sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
    plan = plan_of(sql)
    for index in (
        "ix_ip_assets_nct_filed_on",
        "ix_ip_assets_licence_until",
        "ix_projects_end_date",
        "ix_project_risk_levels_valid_until",
    ):
        assert index in plan, plan


def test_each_statement_is_built_once_and_only_for_its_own_scope(crowded, make_user):
    w = crowded
    operator = w.users["operator"]
    first = service.deadline_query(operator, TODAY, within_days=90, done=False, limit=200)
    again = service.deadline_query(operator, TODAY, within_days=90, done=False, limit=200)
    assert again is first
    assert service.deadline_query(operator, TODAY, within_days=30, done=False) is not first
    tomorrow = TODAY + dt.timedelta(days=1)
    assert service.deadline_query(operator, tomorrow, within_days=90, done=False) is not first
    # another zone's operator, another lawyer: the same shape, other values, their own rows
    elsewhere = make_user("operator", zone_id=w.other.zone_id)
    for user in (elsewhere, w.other.lawyers[0], operator, w.users["lawyer"]):
        items = service.deadlines(user, TODAY, within_days=90, done=False, limit=200)
        theirs = set(db.session.scalars(sa.select(Project.id).where(visible_projects(user))))
        assert items and {i["project_id"] for i in items} <= theirs
    assert {i["project_id"] for i in service.deadlines(elsewhere, TODAY)} == {w.other.id}


def _probe(visible, _today, _until):
    return sa.select(
        *row("probe_end", Project.end_date, Project.title, Project.id, "probe", Project.id, False)
    ).where(visible, Project.end_date.is_not(None))


def test_a_kind_registered_for_a_while_takes_part_only_meanwhile(deadline_world):
    """The built statements are kept per set of registered kinds (a test's own kind). The
    cache starts empty: full of earlier tests' statements, it may start again (it is bounded)
    between the first statement and the last, which would build the same statement anew."""
    service._BUILT._built.clear()
    admin = deadline_world.users["admin"]
    before = service.deadline_query(admin, TODAY)
    probe = RecordKind(
        type="probe",
        model=Project,
        name="Probe",
        deadlines=(DeadlineSource("project.view", _probe),),
        deadline_kinds={"probe_end": "Probe end"},
    )
    with records.registered(probe):
        assert "probe_end" in {i["kind"] for i in service.deadlines(admin, TODAY)}
    assert service.deadline_query(admin, TODAY) is before
    assert "probe_end" not in {i["kind"] for i in service.deadlines(admin, TODAY)}


@pytest.mark.parametrize("role", ["lawyer", "operator", "admin"])
def test_each_page_of_the_api_is_its_slice_of_the_whole_list(crowded, api_as, role):
    """The API's page comes from a UNION whose parts stop after the page's last row: every
    page, in every order, is the same slice of the whole list, and the total is the whole's."""
    api = api_as(crowded.users[role])
    for sort in ("due_on", "-due_on", "project", "-title", "kind"):
        query = f"/api/v1/deadlines?within_days=400&sort={sort}"
        whole = api.get(f"{query}&per_page=200").get_json()
        assert len(whole["items"]) == whole["total"] > 7, sort
        for page in (1, 2, 3):
            body = api.get(f"{query}&per_page=4&page={page}").get_json()
            assert body["total"] == whole["total"]
            assert body["items"] == whole["items"][(page - 1) * 4 : page * 4], (sort, page)


@pytest.mark.parametrize("role", ["lawyer", "operator", "admin"])
def test_each_page_of_the_html_list_is_its_slice_of_the_whole_list(
    crowded, api_as, browser_as, role
):
    """The deadlines page pages the same bounded UNION as the API (`service.listed`): every
    page shows the same slice of the whole list, in every order, with the whole's total."""
    import html
    import re

    user = crowded.users[role]
    api, browser = api_as(user), browser_as(user)
    for sort in ("due_on", "-due_on", "project", "-title"):
        whole = api.get(f"/api/v1/deadlines?within_days=365&sort={sort}&per_page=200")
        titles = [item["title"] for item in whole.get_json()["items"]]
        assert len(titles) > 8, sort
        for page in (1, 2, 3):
            with statements() as seen:
                text = browser.get(
                    f"/deadlines?within_days=365&sort={sort}&per_page=4&page={page}"
                ).get_data(as_text=True)
            # the page's UNION: each part stops after the page's last row
            assert any(s.count("LIMIT") > 2 and "UNION" in s for s in seen), (sort, page)
            body = text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
            shown = [
                html.unescape(t) for t in re.findall(r'<td><a href="[^"]*">([^<]*)</a></td>', body)
            ]
            assert shown == titles[(page - 1) * 4 : page * 4], (sort, page)
