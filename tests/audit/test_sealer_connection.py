"""The process's sealer seals on a connection of its own, kept between passes: a pass takes
nothing from the application's pool (whose checkout pings the server and whose return rolls
back), its round trips are BEGIN, the lock, the head with the queue, the places with the
head's move and COMMIT; a checkpoint due after a pass is read on the same connection."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from tracker.audit import sealer, sealing
from tracker.audit.models import AuditHead
from tracker.audit.service import record
from tracker.db import db

pytestmark = [
    pytest.mark.real_commits,
    pytest.mark.skipif(
        "postgresql" not in (os.environ.get("TRACKER_TEST_DATABASE_URL") or ""),
        reason="PostgreSQL's sealer thread (SQLite: the single writer seals its own events)",
    ),
]


def _leave_unsealed(n: int) -> None:
    """Commit `n` events as writers that found the seal lock taken leave them."""
    for i in range(n):
        record("test.left", object_type="test", object_id=i)
        db.session.info.pop(sealing.APPENDED)
        db.session.commit()


class _Counted:
    """While in use: checkouts from the application's pool, rollbacks of any connection (the
    pool's at a return among them), statements of any engine."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.checkouts = self.rollbacks = 0
        self.active = False
        self.statements: list[str] = []
        rollback = psycopg.Connection.rollback

        def counted(connection: psycopg.Connection[Any]) -> None:
            self.rollbacks += self.active
            rollback(connection)

        monkeypatch.setattr(psycopg.Connection, "rollback", counted)

    def __enter__(self) -> _Counted:
        sa.event.listen(db.engine.pool, "checkout", self._checkout)
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", self._statement)
        self.active = True
        return self

    def __exit__(self, *exc: object) -> None:
        sa.event.remove(db.engine.pool, "checkout", self._checkout)
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", self._statement)
        self.active = False

    def _checkout(self, *_args: object) -> None:
        self.checkouts += 1

    def _statement(self, _conn: object, _cursor: object, statement: str, *_args: object) -> None:
        self.statements.append(statement)


def test_a_pass_takes_nothing_from_the_application_s_pool(app, monkeypatch):
    own, seen, again = sealer.Sealer(app, db.engine), _Counted(monkeypatch), _Counted(monkeypatch)
    _leave_unsealed(2)
    try:
        own.connection().close()  # opened (the dialect's first look at the server) and kept
        with seen:
            own._pass()
        _leave_unsealed(1)
        with again:
            own._pass()
        connection = own.connection()
        one = connection.engine.pool
        connection.close()
    finally:
        own.close()
    assert db.session.get(AuditHead, 1).seq == 3 and sealing.unsealed(db.session) == 0
    assert seen.checkouts == again.checkouts == 0  # none from the application's pool: no ping
    assert seen.rollbacks == again.rollbacks == 0  # none at the return: the pass committed
    assert one.size() == 1 and not one._pre_ping  # type: ignore[attr-defined]
    # per pass: the lock, the head with the queue, the places with the head's move
    for one_pass in (seen.statements, again.statements):
        assert len(one_pass) == 3 and "pg_advisory_xact_lock" in one_pass[0], one_pass


def test_a_checkpoint_due_after_a_pass_is_read_on_the_sealer_s_connection(
    app, checkpoint, monkeypatch
):
    monkeypatch.setitem(app.config, "TRACKER_AUDIT_CHECKPOINT_EVERY_EVENTS", 2)
    own = sealer.Sealer(app, db.engine)
    _leave_unsealed(2)
    try:
        own.connection().close()
        with _Counted(monkeypatch) as seen:
            own._pass()
    finally:
        own.close()
    assert seen.checkouts == 0 and seen.rollbacks == 0
    lines = [json.loads(line) for line in checkpoint.read_text().splitlines()]
    assert [line["seq"] for line in lines] == [2]
    assert lines[0]["mac"] == db.session.get(AuditHead, 1).mac


def test_wakes_while_the_sealer_waits_for_the_lock_are_answered_by_that_pass(app):
    """Writers commit three events while another holds the seal lock, waking the sealer three
    times: the sealer, waiting for the lock, seals all three in one pass at the release and
    makes no second pass for them (the lead's last pass, which finds the queue empty and lets
    the lead go, seals nothing)."""
    holder = db.engine.connect()
    holder.execute(sealing.LOCK)
    passes: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "pg_advisory_xact_lock" in statement or statement.startswith("WITH placed AS"):
            passes.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    try:
        _append(1)
        _until_the_sealer_waits()
        _append(2)
    finally:
        holder.rollback()
        holder.close()
        assert sealer.settle()
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)
    assert db.session.get(AuditHead, 1).seq == 3 and sealing.unsealed(db.session) == 0
    locks = [one for one in passes if "pg_advisory_xact_lock" in one]
    assert len(locks) == 2 and len(passes) == 3, passes  # one pass sealed; the lead's last


def _append(n: int) -> None:
    for i in range(n):
        record("test.while_held", object_type="test", object_id=i)
        db.session.commit()


def _until_the_sealer_waits() -> None:
    waiting = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND wait_event = 'advisory' AND datname = current_database()"
    )
    deadline = time.monotonic() + 30
    while not db.session.execute(waiting).scalar():
        db.session.rollback()
        assert time.monotonic() < deadline, "the sealer never waited for the lock"
        time.sleep(0.02)
    db.session.rollback()


def test_the_sealer_s_connection_keeps_the_application_s_options_and_reads_committed(
    app, monkeypatch
):
    """Whatever the server's default isolation, the sealer reads in READ COMMITTED (its pass
    answers the wakes that came while it waited for the lock: it must see their commits), and
    what the application's engine options set (here a name and a default isolation through
    `connect_args`) holds on its connection too."""
    options = {
        "pool_pre_ping": True,
        "hide_parameters": True,
        "connect_args": {
            "application_name": "tracker-sealer-test",
            "options": "-c default_transaction_isolation=repeatable\\ read",
        },
    }
    monkeypatch.setitem(app.config, "SQLALCHEMY_ENGINE_OPTIONS", options)
    own = sealer.Sealer(app, db.engine)
    try:
        with own.connection() as conn, conn.begin():
            level = conn.execute(sa.text("SHOW transaction_isolation")).scalar_one()
            name = conn.execute(sa.text("SHOW application_name")).scalar_one()
            default = conn.execute(sa.text("SHOW default_transaction_isolation")).scalar_one()
            hidden = conn.engine.hide_parameters
    finally:
        own.close()
    assert default == "repeatable read"  # the server's default for this connection
    assert level == "read committed"
    assert name == "tracker-sealer-test" and hidden
