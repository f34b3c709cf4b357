"""The API's dashboard is kept per caller while nothing is committed (`KeptWhileUnchanged`):
served again, it is the plain computation's document for every role; any commit, by any
connection, makes the next request compute it anew; a transaction that has written (or holds
unflushed changes) never reads or keeps one."""

from __future__ import annotations

import importlib
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


def _served_kept(api: Any, body: bytes) -> bool:
    """Whether the dashboard is served again from what was kept (none of its own statements
    run), answering `body` each time. On PostgreSQL the state is the whole server's snapshot:
    another test's transaction (pytest-xdist) may end in between, so it is asked again."""
    for _ in range(50):
        with statements() as seen:
            again = api.get("/api/v1/dashboard")
        assert again.status_code == 200
        assert again.get_data() == body
        if not [s for s in seen if any(t in s for t in _DASHBOARD_TABLES)]:
            return True
    return False


@pytest.mark.parametrize("role", ROLES)
def test_kept_until_a_commit_and_the_plain_document(busy, api_as, monkeypatch, role):
    user = busy.second if role == "lawyer" else busy.users[role]
    db.session.commit()
    api = api_as(user)
    first = api.get("/api/v1/dashboard")
    assert first.status_code == 200
    assert _served_kept(api, first.get_data())
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
