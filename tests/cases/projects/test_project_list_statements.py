"""How the project list reads the database (tracker/cases/projects/listing.py): the total
counted only when the page does not show the end of the list, a risk level in everyone's or
a zone's scope counted from the stored levels alone, the statements built once per scope,
filters and day, and a lawyer's scope read by key on PostgreSQL. The totals stay exact."""

from __future__ import annotations

import re

import pytest

from tests.support import approved_review, day, moment, statements
from tracker.cases.projects import listing
from tracker.db import db


def _get(api, **query):
    with statements() as seen:
        r = api.get("/api/v1/projects", query_string=query)
        assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return r.get_json(), seen


def _counts(seen):
    return [s for s in seen if "count(" in s.lower()]


def test_the_last_page_is_not_counted(world, make_project, api_as):
    for _ in range(4):
        make_project(zone=world.zone, company=world.company)
    api = api_as(world.users["admin"])
    full, seen = _get(api, per_page=2, page=1)
    assert full["total"] == 5 and len(full["items"]) == 2 and len(_counts(seen)) == 1
    # the page shows the end of the list: its total is the rows before it and its own
    last, seen = _get(api, per_page=2, page=3)
    assert last["total"] == 5 and len(last["items"]) == 1 and _counts(seen) == []
    whole, seen = _get(api, per_page=200)
    assert whole["total"] == 5 and len(whole["items"]) == 5 and _counts(seen) == []
    # a page past the end still knows the total (counted), an empty list does not count
    past, seen = _get(api, per_page=2, page=9)
    assert past["total"] == 5 and past["items"] == [] and len(_counts(seen)) == 1
    none, seen = _get(api, risk_level="critical")
    assert none["total"] == 0 and _counts(seen) == []


@pytest.fixture
def levels(world, make_project, make_zone):
    """Projects at every kind of level: high in the world's zone, high moved to another zone
    after its review, high expired, high superseded by low, critical, and none."""
    admin = world.users["admin"].id
    other = make_zone()
    made = {
        name: make_project(zone=world.zone, company=world.company)
        for name in ("high", "moved", "expired", "superseded", "critical", "none")
    }
    db.session.add_all(
        [
            approved_review(made["high"], admin, level="high"),
            approved_review(made["moved"], admin, level="high"),
            approved_review(made["expired"], admin, level="high", valid_until=day(-1)),
            approved_review(made["superseded"], admin, level="high", decided_at=moment(-9)),
            approved_review(made["superseded"], admin, level="low", decided_at=moment(-1)),
            approved_review(made["critical"], admin, level="critical"),
        ]
    )
    db.session.flush()
    made["moved"].zone = other
    db.session.flush()
    made["other_zone"] = other
    return made


def test_a_risk_level_is_counted_from_the_stored_levels(world, levels, api_as):
    """Everyone's scope and a zone's (an operator's, or the zone filter) count the stored
    levels alone, and the totals are those of the rows listed."""
    admin, operator = api_as(world.users["admin"]), api_as(world.users["operator"])
    cases = [
        (admin, {}, {levels["high"].id, levels["moved"].id}),
        (admin, {"zone_id": world.zone.id}, {levels["high"].id}),
        (admin, {"zone_id": levels["other_zone"].id}, {levels["moved"].id}),
        (operator, {}, {levels["high"].id}),
    ]
    for api, query, expected in cases:
        every = _get(api, risk_level="high", per_page=200, **query)[0]["items"]
        assert {i["id"] for i in every} == expected, query
        first, seen = _get(api, risk_level="high", per_page=1, **query)
        assert first["total"] == len(expected), query
        if len(expected) > 1:
            (counted,) = _counts(seen)
            assert "project_risk_levels" in counted
            assert not re.search(r"\bprojects\b", counted), counted
    # another filter besides the zone counts the projects, as exactly
    low, _ = _get(admin, risk_level="low", status="active", per_page=1)
    assert low["total"] == 1


def test_statements_are_built_once(world, make_project, api_as):
    for _ in range(3):
        make_project(zone=world.zone, company=world.company)
    api = api_as(world.users["admin"])
    listing._STATEMENTS.clear()
    _get(api, per_page=1, page=1, status="active")
    kept = listing._STATEMENTS.kept()
    assert len(kept) == 1
    # another page of the same list, asked again: the same statements
    _get(api, per_page=1, page=2, status="active")
    _get(api, per_page=2, page=1, status="active")
    assert listing._STATEMENTS.kept() == kept
    # another filter: statements of its own
    _get(api, per_page=1, page=1, status="closed")
    assert len(listing._STATEMENTS.kept()) == 2


def test_a_lawyers_scope_is_read_by_key_on_postgresql(world, make_project, make_user, api_as):
    """The lawyer's projects as an array (`= ANY(ARRAY(…))`, a key lookup of each) on
    PostgreSQL, `IN (…)` on SQLite; the same projects either way."""
    lawyer, other = world.users["lawyer"], make_user("lawyer")
    mine = [make_project(lawyers=[lawyer]) for _ in range(3)]
    make_project(lawyers=[other])
    listed, seen = _get(api_as(lawyer), per_page=2)
    assert listed["total"] == 4
    everything = _get(api_as(lawyer), per_page=200)[0]["items"]
    assert {i["id"] for i in everything} == {world.project.id, *(p.id for p in mine)}
    (page,) = [s for s in seen if "LIMIT" in s]
    if db.session.get_bind().dialect.name == "postgresql":
        assert re.search(r"= ANY \(array\(\(SELECT project_lawyers\.project_id", page, re.I)
    else:
        assert "IN (SELECT project_lawyers.project_id" in page
