"""The API's dashboard is kept per caller while nothing is committed (`KeptWhileUnchanged`):
served again, it is the plain computation's document for every role; any commit, by any
connection, makes the next request compute it anew; a transaction that has written (or holds
unflushed changes) never reads or keeps one."""

from __future__ import annotations

import importlib
import os
import sqlite3
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support import ROLES, statements
from tracker.auth.notifications import notify
from tracker.db import KeptWhileUnchanged, committed_state, db, defer_reads

pytestmark = pytest.mark.real_commits

#: the module (the package `tracker` names its `db` object `tracker.db`)
_DB = importlib.import_module("tracker.db")

#: tables only the dashboard's own statements read (not the token check's)
_DASHBOARD_TABLES = ("notifications", "project_risk_levels", "transfer_requests")


def _plain(api: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The dashboard computed without anything kept."""
    with monkeypatch.context() as m:
        m.setattr(_DB, "committed_state", lambda: None)
        response = api.get("/api/v1/dashboard")
    assert response.status_code == 200
    return response.get_json()


def _state() -> Any:
    """The committed state as a GET request's transaction is told it (SQLite: DEFERRED)."""
    db.session.rollback()
    defer_reads(True)
    try:
        state = committed_state()
    finally:
        db.session.rollback()
        defer_reads(False)
    assert state is not None
    return state


def _served_kept(api: Any, body: bytes) -> None:
    """A pair of requests with nothing committed around them (the state read before the
    first and after the second is the same): the second is served from what was kept (none
    of the dashboard's own statements run). Both answer `body`. On PostgreSQL the state is
    the whole server's snapshot, which other tests' transactions (pytest-xdist) move: pairs
    are asked until one is quiet (the snapshot never goes back, so equal ends mean it held
    in between)."""
    for _ in range(100):
        before = _state()
        assert api.get("/api/v1/dashboard").get_data() == body
        with statements() as seen:
            again = api.get("/api/v1/dashboard")
        after = _state()
        assert again.status_code == 200
        assert again.get_data() == body
        if before == after:
            assert not [s for s in seen if any(t in s for t in _DASHBOARD_TABLES)]
            return
    pytest.fail("no quiet pair of requests in 100")


@pytest.mark.parametrize("role", ROLES)
def test_kept_until_a_commit_and_the_plain_document(busy, api_as, monkeypatch, role):
    user = busy.second if role == "lawyer" else busy.users[role]
    db.session.commit()
    api = api_as(user)
    first = api.get("/api/v1/dashboard")
    assert first.status_code == 200
    _served_kept(api, first.get_data())
    assert first.get_json() == _plain(api, monkeypatch)

    # a commit the dashboard shows, by another session: the next request computes it anew
    notify(user.id, "assigned_to_project", busy.project, busy.project.id)
    db.session.commit()
    after = api.get("/api/v1/dashboard").get_json()
    unread = first.get_json()["counts"]["unread_notifications"]
    assert after["counts"]["unread_notifications"] == unread + 1
    assert after == _plain(api, monkeypatch)
    # and a commit of something else (another user's notice) also ends what was kept
    other = busy.users["lawyer"]  # never the caller (a lawyer here is `busy.second`)
    notify(other.id, "assigned_to_project", busy.project, busy.project.id)
    db.session.commit()
    with statements() as seen:
        assert api.get("/api/v1/dashboard").get_json() == after
    assert [s for s in seen if "notifications" in s]


@pytest.fixture
def reading() -> Any:
    """Transactions begin as a GET request's do (SQLite: DEFERRED; one begun to write is not
    told a state)."""
    defer_reads(True)
    try:
        yield
    finally:
        defer_reads(False)


def test_state_changes_with_any_commit_and_is_not_told_mid_write(busy, reading):
    db.session.commit()
    before = committed_state()
    assert before is not None
    db.session.rollback()
    # nothing committed in between: the same (on PostgreSQL another test's transaction on the
    # same server may end in between; asked again)
    for _ in range(50):
        now = committed_state()
        db.session.rollback()
        if now == before:
            break
        before = now
    assert now == before
    # another connection commits
    with db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE projects SET title = title || '!' WHERE id = :i"),
            {"i": busy.project.id},
        )
    assert committed_state() != before
    db.session.rollback()
    # unflushed changes, or a transaction that has written: not told
    busy.project.title = "Changed"
    assert committed_state() is None
    db.session.flush()
    assert committed_state() is None
    db.session.rollback()


def test_kept_results_are_computed_again_when_the_state_cannot_be_told(monkeypatch):
    kept: KeptWhileUnchanged[int] = KeptWhileUnchanged(4)
    runs: list[int] = []
    states = iter([("s", 1), ("s", 1), ("s", 2), None])
    monkeypatch.setattr(_DB, "committed_state", lambda: next(states))
    monkeypatch.setattr(_DB, "read_from_now", lambda: None)

    def compute() -> int:
        runs.append(1)
        return len(runs)

    assert [kept.get("k", compute) for _ in range(4)] == [1, 1, 2, 3]


def test_a_savepoint_is_never_told_a_state(busy, reading):
    db.session.commit()
    assert committed_state() is not None
    with db.session.begin_nested():
        assert committed_state() is None
    db.session.rollback()


def _kept_at(states: list[Any], monkeypatch: pytest.MonkeyPatch, **bounds: Any) -> Any:
    kept: KeptWhileUnchanged[bytes] = KeptWhileUnchanged(bounds.pop("size", 4), **bounds)
    told = iter(states)
    monkeypatch.setattr(_DB, "committed_state", lambda: next(told))
    monkeypatch.setattr(_DB, "read_from_now", lambda: None)
    return kept


def test_a_new_state_empties_what_was_kept_before_computing(monkeypatch):
    kept = _kept_at([("s", 1), ("s", 1), ("s", 2), ("s", 2)], monkeypatch)
    assert kept.get("a", lambda: b"a1") == b"a1"
    assert kept.get("b", lambda: b"b1") == b"b1"
    assert len(kept) == 2

    def at_two() -> bytes:
        assert len(kept) == 0  # nothing of the old state is in memory while computing
        return b"a2"

    assert kept.get("a", at_two) == b"a2"
    assert len(kept) == 1
    assert kept.get("a", lambda: b"never") == b"a2"


def test_kept_results_are_bounded_by_their_weight(monkeypatch):
    kept = _kept_at([("s", 1)] * 5, monkeypatch, size=8, max_weight=10, weigh=len)
    kept.get("a", lambda: b"aaaa")
    kept.get("b", lambda: b"bbbb")
    kept.get("c", lambda: b"cccc")  # 12 bytes: the oldest goes
    assert len(kept) == 2
    assert kept.get("a", lambda: b"AAAA") == b"AAAA"  # computed again
    kept.get("d", lambda: b"d" * 11)  # heavier than the bound alone: not kept
    assert len(kept) == 2


def _sqlite_only() -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's watcher connections")


def test_a_new_watcher_is_another_state(busy, reading):
    _sqlite_only()
    db.session.commit()
    _DB._forget_after_fork()  # as in a child process: the watchers are opened again
    before = committed_state()
    db.session.rollback()
    _DB._forget_after_fork()  # and again, with nothing committed in between
    # a new connection's `data_version` starts again: nothing told before may match
    assert committed_state() != before
    db.session.rollback()


def test_a_child_process_keeps_nothing_of_its_parent(monkeypatch):
    kept = _kept_at([("s", 1)], monkeypatch)
    kept.get("a", lambda: b"a")
    assert len(kept) == 1
    pid = os.fork()
    if pid == 0:  # the child: nothing kept, no watcher of the parent's
        os._exit(0 if len(kept) == 0 and not _DB._WATCHERS else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert len(kept) == 1  # the parent's own are untouched


def _commit_to(path: Any, value: int) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE IF NOT EXISTS t (v INTEGER)")
        conn.execute("INSERT INTO t VALUES (?)", (value,))
    conn.close()


def test_a_file_put_in_place_of_the_database_is_another_state(tmp_path):
    path = str(tmp_path / "a.db")
    _commit_to(path, 1)
    before = _DB._sqlite_state(path)
    assert _DB._sqlite_state(path) == before
    other = str(tmp_path / "b.db")
    _commit_to(other, 2)
    os.replace(other, path)
    after = _DB._sqlite_state(path)
    assert after != before
    # the watcher now reads the new file: a commit to it is seen
    _commit_to(path, 3)
    assert _DB._sqlite_state(path) != after
    # no file at the path: no state, and no empty file made there
    os.remove(path)
    assert _DB._sqlite_state(path) is None
    assert not os.path.exists(path)
    assert path not in _DB._WATCHERS


def test_disposing_of_the_engine_closes_its_watchers(tmp_path):
    path = str(tmp_path / "a.db")
    _commit_to(path, 1)
    engine = sa.create_engine(f"sqlite:///{path}")
    _DB._sqlite_state(path)
    watcher = _DB._WATCHERS[path]
    engine.dispose()
    assert path not in _DB._WATCHERS
    with pytest.raises(sqlite3.ProgrammingError):  # closed
        watcher.conn.execute("SELECT 1")
