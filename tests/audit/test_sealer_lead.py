"""One sealer leads at a time across processes (PostgreSQL): a sealer that finds the lead taken
makes no pass and its writers leave their events without trying the seal lock; the leader's
lock statement takes the seal lock before it lets the lead go, so a try that failed is
answered by the queue read after it; a leader gone without its pass leaves the events only
until the lead is tried again. Another process's leader is played here by a connection of the
test holding the lead lock."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from tracker.audit import sealer, sealing
from tracker.audit.models import AuditHead
from tracker.audit.service import record
from tracker.audit.verify import verify_chain
from tracker.db import db

pytestmark = [
    pytest.mark.real_commits,
    pytest.mark.skipif(
        "postgresql" not in (os.environ.get("TRACKER_TEST_DATABASE_URL") or ""),
        reason="PostgreSQL's sealer thread (SQLite: the single writer seals its own events)",
    ),
]

TRY_LEAD = sa.select(sa.func.pg_try_advisory_lock(sealer.LEAD_LOCK))


def _append(action: str) -> list[str]:
    """One event, committed; the statements the writer ran for it."""
    seen: list[str] = []

    def statement(_conn: object, _cursor: object, text: str, *_args: object) -> None:
        seen.append(text)

    sa.event.listen(db.engine, "before_cursor_execute", statement)
    try:
        record(action, object_type="test", object_id=1)
        db.session.commit()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", statement)
    return seen


def _unsealed() -> int:
    count = sealing.unsealed(db.session)
    db.session.rollback()
    return count


def _until(found: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not found():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def _sealer_waits_for_the_seal_lock() -> bool:
    waiting = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND wait_event = 'advisory' AND datname = current_database()"
    )
    found = bool(db.session.execute(waiting).scalar())
    db.session.rollback()
    return found


def test_while_another_leads_no_pass_is_made_and_a_leader_gone_is_made_up_for(app, monkeypatch):
    # the lead tried again 5 s after a try (not 0.5 s): the steps below are not raced by it
    monkeypatch.setattr(sealer, "RECHECK_SECONDS", 5)
    other = db.engine.connect()
    other.execute(sa.select(sa.func.pg_advisory_lock(sealer.LEAD_LOCK)))  # another process leads
    other.execute(sealing.LOCK)  # and seals (so the writer leaves its event)
    try:
        _append("test.left_to_the_leader")
        found = sealer.current(db.engine)
        assert found is not None
        _until(lambda: found.led_elsewhere, "the sealer never tried the lead")
        other.rollback()  # the seal lock let go; the lead kept (a session lock)
        time.sleep(0.3)
        assert _unsealed() == 1  # no pass of this process: the leader's next pass seals it
        statements = _append("test.while_led")
        assert not any("advisory" in one for one in statements), statements  # no try-lock
        assert _unsealed() == 2
    finally:
        other.invalidate()  # the leader gone without its pass (killed): its connection's end
        other.close()  # lets the lead go
    # tried again RECHECK_SECONDS after the last try (no settle to hurry it): this sealer leads
    _until(lambda: _unsealed() == 0, "the events left to a leader gone were never sealed", 20)
    assert db.session.get(AuditHead, 1).seq == 2
    result = verify_chain(sealing._key(), None)
    assert result.intact and result.events == 2


def test_the_leader_holds_the_lead_while_it_waits_and_lets_it_go_after(app):
    """A try of the lead while the leader waits for the seal lock fails: the leader's queue read
    comes after it (its lock statement takes the seal lock, then lets the lead go). After a
    pass that sealed nothing the lead stays let go."""
    holder = db.engine.connect()
    holder.execute(sealing.LOCK)
    third = db.engine.connect()
    try:
        _append("test.first")  # left (the seal lock is held): this process's sealer leads
        _until(_sealer_waits_for_the_seal_lock, "the sealer never waited for the seal lock")
        assert third.execute(TRY_LEAD).scalar() is False  # the waiting leader holds the lead
        third.rollback()
    finally:
        holder.rollback()
        holder.close()
    try:
        assert sealer.settle()
        assert _unsealed() == 0 and db.session.get(AuditHead, 1).seq == 1
        db.session.rollback()
        assert third.execute(TRY_LEAD).scalar() is True  # let go after the empty pass
        third.execute(sa.select(sa.func.pg_advisory_unlock(sealer.LEAD_LOCK)))
        third.rollback()
    finally:
        third.close()
    assert sealer.current(db.engine).led_elsewhere is False  # type: ignore[union-attr]


def test_a_lead_held_and_never_let_go_does_not_keep_events_unsealed(app, monkeypatch):
    """A leader that holds the lead and makes no pass (stalled, or its lock left on a server
    connection that a transaction pooler gave to another client): found taken at two tries in
    a row, the lead is not relied on; this process's sealer seals without it."""
    monkeypatch.setattr(sealer, "RECHECK_SECONDS", 0.2)
    other = db.engine.connect()
    other.execute(sa.select(sa.func.pg_advisory_lock(sealer.LEAD_LOCK)))  # leads, never lets go
    other.execute(sealing.LOCK)  # and seals for now (so the writer leaves its event)
    try:
        _append("test.left_to_a_stalled_leader")
        found = sealer.current(db.engine)
        assert found is not None
        _until(lambda: found.led_elsewhere, "the sealer never tried the lead")
        other.rollback()  # the seal lock let go; the lead held on
        _until(lambda: _unsealed() == 0, "a lead never let go kept the event unsealed", 20)
        assert other.execute(TRY_LEAD).scalar() is True  # the lead is still the other's
        other.rollback()
    finally:
        other.invalidate()
        other.close()
    assert db.session.get(AuditHead, 1).seq == 1
    assert verify_chain(sealing._key(), None).intact


def test_a_sealer_whose_connection_broke_seals_on_a_new_one(app):
    """The server ends the sealer's connection (a restart, a failover): the next try of the
    lead fails on it, the connection is dropped, and the retry seals on a new one."""
    holder = db.engine.connect()
    holder.execute(sealing.LOCK)
    try:
        _append("test.first")  # left (the seal lock is held): this process's sealer leads
        _until(_sealer_waits_for_the_seal_lock, "the sealer never waited for the seal lock")
    finally:
        holder.rollback()
    assert sealer.settle() and _unsealed() == 0
    found = sealer.current(db.engine)
    assert found is not None
    with found.connection() as own, own.begin():  # idle now: its pool's one connection
        pid = own.execute(sa.select(sa.func.pg_backend_pid())).scalar()
    db.session.execute(sa.select(sa.func.pg_terminate_backend(pid)))
    db.session.rollback()
    try:
        holder.execute(sealing.LOCK)
        _append("test.after_the_break")  # left again: the sealer tries the lead on its old one
        holder.rollback()
    finally:
        holder.close()
    _until(lambda: _unsealed() == 0, "a sealer whose connection broke never sealed again", 20)
    assert db.session.get(AuditHead, 1).seq == 2
    assert verify_chain(sealing._key(), None).intact
