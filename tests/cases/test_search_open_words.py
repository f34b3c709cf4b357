"""On SQLite a search by someone whose role may not see advice (an admin, an auditor) asks
its words of the word index without advice (`search.OPEN_FTS_TABLE`, migration 0037), which
follows its entries; everyone finds what they found with the index of every entry."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support import ROLES, partial_index_hits
from tracker.cases import search, search_results
from tracker.db import db

ADVICE = search.OPEN_HIDDEN


def _search(api: Any, q: str, **args: Any) -> Any:
    r = api.get("/api/v1/search", query_string={"q": q, **args})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def _entry(world: Any, record_id: int, action: str, text: str, kind: str = "nda") -> None:
    search.index_record(
        kind, record_id, world.project.id, action, text, kind=kind, title=f"{kind} {record_id}"
    )


@pytest.fixture
def advised(world: Any) -> Any:
    """Entries naming `quokka`: some of advice, some of other kinds."""
    for n in range(4):
        _entry(world, 100 + n, ADVICE, f"quokka advice {n}", kind="session")
    for n in range(3):
        _entry(world, 200 + n, "nda.view", f"quokka register {n}")
    _entry(world, 300, "disclosure.read", "quokka disclosure", kind="disclosure")
    db.session.commit()
    return world


@contextlib.contextmanager
def _sent() -> Iterator[list[tuple[str, Any]]]:
    """The statements run on the engine inside the block, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def listener(_conn, _cursor, statement, params, _context, _many):  # type: ignore[no-untyped-def]
        seen.append((statement, params))

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)


@pytest.mark.parametrize("role", ROLES)
def test_whoever_may_not_see_advice_reads_the_index_without_it(advised, api_as, role):
    user = advised.users[role]
    with _sent() as seen:
        body = _search(api_as(user), "quokka")
    advice = [item for item in body["items"] if item["type"] == "session"]
    assert len(advice) == (4 if role in ("lawyer", "company") else 0)
    if db.engine.dialect.name != "sqlite":
        assert not any(search.OPEN_FTS_TABLE in s for s, _params in seen)
        return
    sent, params = next((s, p) for s, p in seen if "MATCH" in s)
    wide = role in ("admin", "auditor")  # everyone's scope, advice not theirs
    assert (f"{search.OPEN_FTS_TABLE} MATCH" in sent) is wide, sent
    assert (f"{search.FTS_TABLE} MATCH" in sent) is not wide, sent
    # the statement's plan reads the index it names
    rows = db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sent, params)
    plan = "\n".join(str(row[-1]) for row in rows)
    assert (search.OPEN_FTS_TABLE in plan) is wide, plan


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("q", ["quokka", "quokka register", "register 1", "advice", "nothing"])
def test_the_same_results_as_with_the_index_of_every_entry(advised, api_as, monkeypatch, role, q):
    api = api_as(advised.users[role])
    pages = [_search(api, q, per_page=per_page, page=page) for per_page, page in ((2, 1), (2, 2))]
    pages.append(_search(api, q))
    # the index of every entry, as every role read it before
    monkeypatch.setattr(search, "sees_hidden", lambda user: True)
    search_results._FIRST.clear()
    before = [_search(api, q, per_page=per_page, page=page) for per_page, page in ((2, 1), (2, 2))]
    before.append(_search(api, q))
    assert pages == before


def test_the_index_without_advice_follows_its_entries(advised, api_as):
    """Entries written, written again, moved into advice and out of it, and removed: an
    admin finds what the entries hold now, and on SQLite the index without advice holds the
    same hits as the index of every entry, for the entries that are not advice."""
    world = advised
    admin = api_as(world.users["admin"])
    lawyer = api_as(world.users["lawyer"])

    def found(api: Any, q: str) -> set[tuple[str, int]]:
        return {(item["type"], item["id"]) for item in _search(api, q, per_page=200)["items"]}

    assert found(admin, "quokka") == {("nda", 200), ("nda", 201), ("nda", 202)}
    _entry(world, 200, "nda.view", "wombat register")  # written again, other words
    search.unindex_record("nda", 202)  # removed
    db.session.commit()
    db.session.execute(  # into advice: another kind, the action of advice
        sa.text(
            "UPDATE search_entries SET kind = 'session', action = :advice"
            " WHERE record_type = 'nda' AND record_id = 201"
        ),
        {"advice": ADVICE},
    )
    # the session entries 100, 101 out of advice (their action changes), 102 rewritten
    db.session.execute(
        sa.text("UPDATE search_entries SET action = 'nda.view' WHERE record_id IN (100, 101)")
    )
    db.session.execute(
        sa.text("UPDATE search_entries SET text = 'wombat advice' WHERE record_id = 102")
    )
    db.session.commit()
    assert found(admin, "quokka") == {("session", 100), ("session", 101)}
    assert found(admin, "wombat") == {("nda", 200)}
    assert found(lawyer, "quokka") == {
        ("session", 100),
        ("session", 101),
        ("session", 201),
        ("session", 103),
        ("disclosure", 300),
    }
    assert found(lawyer, "wombat") == {("nda", 200), ("session", 102)}
    if db.engine.dialect.name == "sqlite":
        for word in ("quokka", "wombat", "advice", "register", "disclosure"):
            found, every = partial_index_hits(search.OPEN_FTS_TABLE, word, f"action <> '{ADVICE}'")
            assert found == every, word
        assert partial_index_hits(search.OPEN_FTS_TABLE, "disclosure", "1")[0]  # another kind
        count = "SELECT (SELECT count(*) FROM {}_docsize), (SELECT count(*) FROM search_entries"
        indexed, entries = (
            db.session.connection()
            .exec_driver_sql(count.format(search.OPEN_FTS_TABLE) + " WHERE action <> ?)", (ADVICE,))
            .one()
        )
        assert indexed == entries
