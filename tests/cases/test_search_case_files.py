"""Full-text search: finds by title, code and asset title; never out of scope; respects the
action an entry needs."""

import pytest

from tests.support import OUTSIDERS, ROLES
from tracker.cases import search
from tracker.db import db


@pytest.fixture
def indexed(world, api_as):
    """The world's project renamed through the API (so it is indexed), plus a second one."""
    api = api_as(world.users["admin"])
    r = api.patch(
        f"/api/v1/projects/{world.project.id}",
        json={
            "title": "자율운항선박 의사결정 지원 Autonomous ship",
            "code": "BS-MOB-007",
            "version": 1,
        },
    )
    assert r.status_code == 200
    return world


def _found(api, q):
    r = api.get("/api/v1/projects", query_string={"q": q})
    assert r.status_code == 200
    return [p["id"] for p in r.get_json()["items"]]


@pytest.mark.parametrize("role", ROLES)
def test_finds_by_title_and_code(indexed, api_as, role):
    api = api_as(indexed.users[role])
    pid = indexed.project.id
    assert _found(api, "autonomous") == [pid]
    assert _found(api, "자율운항선박") == [pid]
    assert _found(api, "BS-MOB-007") == [pid]
    assert _found(api, "auton ship") == [pid]  # word prefixes, all words
    assert _found(api, "autonomous tanker") == []


@pytest.mark.parametrize("role", OUTSIDERS)
def test_never_out_of_scope(indexed, api_as, role):
    assert _found(api_as(indexed.outsiders[role]), "autonomous") == []


def test_query_syntax_is_not_interpreted(indexed, api_as):
    api = api_as(indexed.users["admin"])
    for q in ['"', "'", "a OR b", "NEAR(x y)", "*", "--", ":*", "!&|", "autonomous)"]:
        r = api.get("/api/v1/projects", query_string={"q": q})
        assert r.status_code == 200, q


def test_entry_action_filters_roles(world, api_as):
    """A text that needs `session.view_advice` is found by lawyers and companies only."""
    search.index_record("test_advice", 1, world.project.id, "session.view_advice", "zebracanary")
    db.session.commit()
    for role in ROLES:
        ids = _found(api_as(world.users[role]), "zebracanary")
        assert ids == ([world.project.id] if role in ("lawyer", "company") else []), role


def test_reindex_and_unindex(world, api_as):
    api = api_as(world.users["admin"])
    search.index_record("test_note", 7, world.project.id, "project.view", "quokka")
    assert _found(api, "quokka") == [world.project.id]
    search.index_record("test_note", 7, world.project.id, "project.view", "wombat")
    assert _found(api, "quokka") == []
    assert _found(api, "wombat") == [world.project.id]
    search.unindex_record("test_note", 7)
    assert _found(api, "wombat") == []


def test_unknown_action_raises(world):
    with pytest.raises(KeyError):
        search.index_record("x", 1, world.project.id, "no.such.action", "text")


def test_finds_by_partner_and_company(world, api_as):
    api = api_as(world.users["admin"])
    path = f"/api/v1/projects/{world.project.id}"
    assert api.patch(path, json={"title": "Renamed", "version": 1}).status_code == 200
    assert _found(api, world.partner.name) == [world.project.id]
    assert _found(api, world.company.name) == [world.project.id]
