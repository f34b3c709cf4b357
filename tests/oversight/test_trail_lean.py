"""The audit list at scale (issue 20): the whole trail counted by the head row and paged by
the chain's numbers, a filtered trail counted to a limit and estimated beyond ("about"), and
the JSON written from plain rows equal to what the schema writes."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from tests.support import statements
from tracker import policy
from tracker.api.audit import AuditEventSchema
from tracker.audit import service
from tracker.audit.models import AuditEvent, AuditHead
from tracker.audit.service import record
from tracker.db import db
from tracker.oversight import trail


def _events(world: Any, n: int, action: str = "test.many") -> None:
    for _ in range(n):
        record(action, world.project, actor_id=world.users["lawyer"].id)
    db.session.commit()


def _sealed_count() -> int:
    return db.session.execute(
        sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.seq.is_not(None))
    ).scalar_one()


def test_the_whole_trail_is_counted_by_the_head_row(world, api_as):
    _events(world, 7)
    api = api_as(world.users["auditor"])
    with statements() as seen:
        body = api.get("/api/v1/audit?per_page=3").get_json()
    head = db.session.execute(sa.select(AuditHead.seq)).scalar_one()
    # the sign-in appends an event of its own: the head moved with it
    assert body["total"] == head == _sealed_count() and "total_estimated" not in body
    assert not any("count(" in s.lower() for s in seen)  # no COUNT of the events


def test_pages_of_the_whole_trail_are_ranges_below_the_head(world, api_as):
    _events(world, 9)
    api = api_as(world.users["auditor"])
    expected = (
        db.session.execute(
            sa.select(AuditEvent.seq)
            .where(AuditEvent.seq.is_not(None))
            .order_by(AuditEvent.seq.desc())
        )
        .scalars()
        .all()
    )
    got = []
    for number in range(1, 6):
        body = api.get(f"/api/v1/audit?per_page=4&page={number}").get_json()
        got += [e["seq"] for e in body["items"]]
    assert got == expected[:20] and len(got) == min(20, len(expected)) >= 9


def test_a_filtered_trail_is_counted_exactly_up_to_the_limit(world, api_as, monkeypatch):
    monkeypatch.setattr(trail, "COUNT_LIMIT", 10)
    _events(world, 10)
    body = api_as(world.users["auditor"]).get("/api/v1/audit?action=test.many").get_json()
    assert body["total"] == 10 and "total_estimated" not in body


def test_beyond_the_limit_the_total_is_an_estimate(world, api_as, monkeypatch):
    monkeypatch.setattr(trail, "COUNT_LIMIT", 10)
    _events(world, 30)
    _events(world, 5, "test.other")
    _events(world, 30)
    body = api_as(world.users["auditor"]).get("/api/v1/audit?action=test.many").get_json()
    assert body["total_estimated"] is True
    # 11 newest matches span 11 numbers; the oldest lies 5 others further: about 65 > 60
    assert 55 <= body["total"] <= 70
    assert len(body["items"]) == 50 and all(e["action"] == "test.many" for e in body["items"])


def test_the_page_says_about_when_estimated(world, browser_as, monkeypatch):
    monkeypatch.setattr(trail, "COUNT_LIMIT", 10)
    _events(world, 120)
    html = browser_as(world.users["auditor"]).get("/audit?action=test.many").get_data(as_text=True)
    assert "About 120 events, page 1" in html and ">Older</a>" in html
    exact = browser_as(world.users["auditor"]).get("/audit").get_data(as_text=True)
    assert "About" not in exact and " events, page 1 of " in exact


def test_the_page_says_about_in_korean(world, browser_as, monkeypatch):
    monkeypatch.setattr(trail, "COUNT_LIMIT", 10)
    world.users["auditor"].locale = "ko"
    _events(world, 40)
    html = browser_as(world.users["auditor"]).get("/audit?action=test.many").get_data(as_text=True)
    assert "기록 약 40건, 1쪽" in html


@pytest.mark.parametrize("role", ["auditor", "admin", "lawyer"])
@pytest.mark.parametrize(
    "query",
    ["", "?action=test.many", "?sort=-actor", "?sort=action", "?sort=-at", "?object_type=project"],
)
def test_lean_items_are_what_the_schema_writes(app, world, api_as, role, query):
    _events(world, 3)
    record("test.many", world.zone, actor_id=None)
    db.session.commit()
    reader = world.users[role]
    body = api_as(reader).get(f"/api/v1/audit{query}").get_json()
    assert body["items"]
    asked = dict(item.split("=") for item in query[1:].split("&") if item)
    filters = service.AuditFilters.of(asked)
    with app.test_request_context(), force_locale(reader.locale):
        only = policy.audit_reader(reader)
        events = trail.page(reader, filters, {"page": 1, "per_page": 50}, only)["items"]
        dumped = AuditEventSchema(many=True).dump(events)
        assert body["items"] == dumped


@pytest.mark.parametrize("sort", ["actor", "-actor", "action", "-action", "at", "-at"])
def test_every_sort_pages_through_the_trail_in_order(world, api_as, sort):
    """Events of no actor last either way (the actor's order is read in two parts), ties by
    the chain's order; pages neither overlap nor skip."""
    for user in ("lawyer", "company", None, "lawyer", None, "admin"):
        actor = world.users[user].id if user else None
        record("test.sorted", world.project, actor_id=actor)
    db.session.commit()
    api = api_as(world.users["auditor"])
    rows = db.session.execute(
        sa.select(AuditEvent.seq, AuditEvent.actor_id, AuditEvent.action, AuditEvent.at).where(
            AuditEvent.seq.is_not(None)
        )
    ).all()
    name = sort.removeprefix("-")
    column = {"actor": 1, "action": 2, "at": 3}[name]
    present = [r for r in rows if r[column] is not None]
    expected = sorted(present, key=lambda r: (r[column], r.seq), reverse=sort.startswith("-"))
    expected += sorted((r for r in rows if r[column] is None), key=lambda r: r.seq)
    if sort.startswith("-"):  # events of no actor: last, newest first
        expected[len(present) :] = expected[len(present) :][::-1]
    got = []
    for number in range(1, len(rows) // 3 + 2):
        got += [
            e["seq"]
            for e in api.get(f"/api/v1/audit?sort={sort}&per_page=3&page={number}").get_json()[
                "items"
            ]
        ]
    assert got == [r.seq for r in expected]


def test_a_period_that_ends_pages_like_the_whole_trail(world, api_as, monkeypatch):
    """`until` reads the period's events by the time index first (`trail._fenced`): the same
    events in the same order, the same total."""
    monkeypatch.setattr(trail, "COUNT_LIMIT", 4)
    _events(world, 8)
    api = api_as(world.users["auditor"])
    until = "2999-01-01T00:00:00+00:00"
    for number in (1, 2, 3):
        whole = api.get(f"/api/v1/audit?per_page=3&page={number}").get_json()
        period = api.get(
            "/api/v1/audit", query_string={"per_page": 3, "page": number, "until": until}
        ).get_json()
        assert [e["seq"] for e in period["items"]] == [e["seq"] for e in whole["items"]]
        assert period["total_estimated"] and abs(period["total"] - whole["total"]) <= 1
    past = api.get("/api/v1/audit", query_string={"until": "2001-01-01T00:00:00+00:00"})
    assert past.get_json()["total"] == 0 and past.get_json()["items"] == []


def test_one_record_s_history_is_counted_exactly_beyond_the_limit(world, api_as, monkeypatch):
    """Who opened a record, and how often, is evidence: an object's events are counted
    exactly, however many there are, where an action alone is estimated beyond the limit."""
    monkeypatch.setattr(trail, "COUNT_LIMIT", 10)
    _events(world, 30)
    _events(world, 5, "test.other")
    _events(world, 30)
    api = api_as(world.users["auditor"])
    pid = world.project.id
    expected = db.session.execute(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.seq.is_not(None),
            AuditEvent.object_type == "project",
            AuditEvent.object_id == pid,
        )
    ).scalar_one()
    body = api.get(f"/api/v1/audit?object_type=project&object_id={pid}").get_json()
    assert expected >= 65 and body["total"] == expected and "total_estimated" not in body


def test_a_page_of_the_whole_trail_reads_its_total_in_its_own_statement(world, api_as):
    _events(world, 5)
    api = api_as(world.users["auditor"])
    api.get("/api/v1/audit")  # signed in (its event sealed) before the count
    for query in ("per_page=2", "per_page=2&page=2", "sort=-actor&per_page=2", "sort=at"):
        with statements() as seen:
            body = api.get(f"/api/v1/audit?{query}").get_json()
        events = [s for s in seen if "audit_events" in s]
        # one statement reads the page and the head row's number beside it, none reads the
        # head row alone
        assert len(events) == 1 and "audit_head" in events[0], query
        assert not any("audit_head" in s and "audit_events" not in s for s in seen), query
        assert body["total"] == _sealed_count() and len(body["items"]) == 2 or "sort=at" in query


def test_a_page_past_the_end_still_says_the_total(world, api_as):
    _events(world, 3)
    api = api_as(world.users["auditor"])
    body = api.get("/api/v1/audit?per_page=200&page=50").get_json()
    assert body["items"] == [] and body["total"] == _sealed_count() > 0
    body = api.get("/api/v1/audit?per_page=200&page=50&sort=-actor").get_json()
    assert body["items"] == [] and body["total"] == _sealed_count()


def test_without_a_head_row_the_trail_is_counted(world, api_as):
    _events(world, 4)
    api = api_as(world.users["auditor"])
    api.get("/api/v1/audit")
    expected = api.get("/api/v1/audit?per_page=3&page=2").get_json()
    db.session.execute(sa.delete(AuditHead))
    db.session.commit()
    for query in ("per_page=3&page=2", "per_page=3&page=2&sort=-at"):
        body = api.get(f"/api/v1/audit?{query}").get_json()
        assert body["total"] == _sealed_count() and "total_estimated" not in body, query
        assert [e["seq"] for e in body["items"]] == [e["seq"] for e in expected["items"]]


def test_labels_follow_the_reader_s_scope_from_one_request_to_the_next(world, api_as):
    """The labels' statement is kept per reader's scope: an account that changes role or
    project is named what its new scope may see, at once."""
    record("asset.updated", world.project, actor_id=world.users["lawyer"].id)
    db.session.commit()
    lawyer = world.outsiders["lawyer"]
    lawyer_api = api_as(lawyer)
    mine = f"/api/v1/audit?object_type=project&object_id={world.project.id}"

    def label() -> str:
        items = api_as(world.users["admin"]).get(mine).get_json()["items"]
        return str(items[0]["object"]["label"])

    assert world.project.code in label()
    # the outsider reads only its own events: one about the project, first not in its scope
    record("project.viewed", world.project, actor_id=lawyer.id)
    db.session.commit()

    def own() -> str:
        items = lawyer_api.get(mine).get_json()["items"]
        return str(items[0]["object"]["label"])

    assert world.project.code not in own()
    world.project.lawyers.append(lawyer)
    db.session.commit()
    assert world.project.code in own()  # its assignments are read in SQL
    lawyer.active = False
    db.session.commit()
    lawyer.active = True
    lawyer.role = "auditor"
    db.session.commit()
    world.project.lawyers.remove(lawyer)
    db.session.commit()
    assert world.project.code in own()  # an auditor sees every project
