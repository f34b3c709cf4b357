"""Appends queue unsealed; the sealer chains them: linear and gap-free under concurrent
writers (SQLite and PostgreSQL), a rolled-back writer leaves no hole, an event left unsealed
by a killed writer is sealed by the next one (or `audit seal` / `audit verify`), an unsealed
row written without the audit key is named and never chained, and the chain written before
sealing existed (form 1) stays valid beside the new events."""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from flask import current_app

from tests.support import run_in_threads
from tracker.audit import sealer, sealing
from tracker.audit.models import FORM_JSON, GENESIS_MAC, AuditEvent, AuditHead
from tracker.audit.service import canonical, record, seal
from tracker.audit.verify import verify_chain
from tracker.db import db, utcnow

pytestmark = pytest.mark.real_commits

WRITERS = 8
EACH = 15


def _key() -> bytes:
    return current_app.extensions["tracker_keys"].audit_key


def _chain() -> list[tuple[int | None, int]]:
    db.session.expire_all()
    rows = db.session.execute(sa.select(AuditEvent.seq, AuditEvent.id).order_by(AuditEvent.id))
    return [(r.seq, r.id) for r in rows]


def _verify() -> Any:
    db.session.expire_all()
    return verify_chain(_key(), None)


def _leave_unsealed(action: str) -> None:
    """Commit an event as a writer killed between its commit and its seal leaves it."""
    record(action, object_type="test", object_id=1)
    db.session.info.pop(sealing.APPENDED)
    db.session.commit()


def test_concurrent_writers_keep_one_linear_gap_free_chain(app):
    """8 writers append at once, every third transaction rolls back: every committed event
    is sealed exactly once, at seq 1..n, n = the commits, in no particular writer's order."""
    start = threading.Barrier(WRITERS)
    committed = [0] * WRITERS

    def writer(i: int) -> None:
        with app.app_context():
            start.wait()
            for n in range(EACH):
                record("test.concurrent", object_type="test", object_id=i, detail={"n": n})
                if n % 3 == 2:
                    db.session.rollback()  # its id is used up; the chain never sees it
                    continue
                db.session.commit()
                committed[i] += 1
            db.session.remove()

    run_in_threads(*[lambda i=i: writer(i) for i in range(WRITERS)], timeout=120)
    assert sealer.settle()  # the process's sealer seals what writers left while it sealed
    chain = _chain()
    assert len(chain) == sum(committed) == WRITERS * (EACH - EACH // 3)
    assert all(seq is not None for seq, _ in chain)  # no writer's event left behind
    assert sorted(seq for seq, _ in chain) == list(range(1, len(chain) + 1))
    if db.engine.dialect.name == "postgresql":  # SQLite hands a rolled-back rowid out again
        ids = [ident for _, ident in chain]
        assert max(ids) - min(ids) + 1 > len(ids)  # the rolled-back ids: holes in the ids only
    result = _verify()
    assert result.intact and result.events == len(chain) and result.head_seq == len(chain)
    assert result.unsealed == 0


def test_an_event_a_killed_writer_left_unsealed_is_sealed_by_the_next_writer(app):
    _leave_unsealed("test.killed")
    assert _chain() == [(None, _chain()[0][1])]
    result = _verify()
    assert result.intact and result.events == 0 and result.unsealed == 1
    # nothing reads an unsealed event: the audit pages show the chain only
    from tracker.audit.service import AuditFilters, events_query

    assert db.session.execute(events_query(AuditFilters())).first() is None
    record("test.next", object_type="test", object_id=2)
    db.session.commit()
    chain = _chain()
    assert [seq for seq, _ in chain] == [1, 2]  # in append order: the killed writer's first
    assert _verify().intact and _verify().unsealed == 0


def test_audit_seal_and_verify_seal_what_was_left(app, runner):
    _leave_unsealed("test.killed1")
    out = runner.invoke(args=["audit", "verify", "--no-seal"])
    assert out.exit_code == 0, out.output
    assert "1 events are not sealed" in out.output
    assert runner.invoke(args=["audit", "seal"]).output.startswith("1 events sealed")
    _leave_unsealed("test.killed2")
    out = runner.invoke(args=["audit", "verify"])
    assert out.exit_code == 0, out.output
    assert "1 events were waiting to be sealed and are sealed now" in out.output
    assert [seq for seq, _ in _chain()] == [1, 2]


def test_an_unsealed_row_without_the_key_is_named_never_chained(app, runner):
    record("test.real", object_type="test", object_id=1)
    db.session.commit()
    with db.engine.begin() as conn:
        conn.execute(
            sa.insert(AuditEvent.__table__).values(
                at=sa.func.current_timestamp(), action="auth.login", detail={}, mac="ab" * 32
            )
        )
    result = _verify()
    assert result.problem is not None and result.problem.kind == "forged"
    out = runner.invoke(args=["audit", "verify"])
    assert out.exit_code == 1 and "forged" in out.output
    assert "were not written with the audit key" in out.output
    record("test.after", object_type="test", object_id=2)
    db.session.commit()  # the next writer seals around it
    assert sorted(s for s, _ in _chain() if s is not None) == [1, 2]
    assert [s for s, _ in _chain()].count(None) == 1


def test_the_chain_written_before_sealing_stays_valid(app):
    """Events of form 1 (the JSON encoding, MACed at the append) followed by sealed ones."""
    key, mac = _key(), GENESIS_MAC
    with app.test_request_context():
        for seq in (1, 2):
            event = AuditEvent(
                seq=seq,
                at=utcnow(),
                action="test.legacy",
                detail={"n": seq, "k": "한"},
                form=FORM_JSON,
                mac="",
            )
            db.session.add(event)
            db.session.flush()
            db.session.refresh(event)  # the time as the column gives it back
            message = bytes.fromhex(mac) + canonical(event)
            mac = event.mac = hmac.new(key, message, hashlib.sha256).hexdigest()
        db.session.execute(sa.update(AuditHead).where(AuditHead.id == 1).values(seq=2, mac=mac))
        db.session.info.pop(sealing.APPENDED, None)
        db.session.commit()
    record("test.new", object_type="test", object_id=3)
    db.session.commit()
    result = _verify()
    assert result.intact and result.events == 3, result.problem
    db.session.execute(
        sa.update(AuditEvent).where(AuditEvent.seq == 2).values(detail={"n": 9, "k": "한"})
    )
    db.session.commit()
    result = _verify()
    assert result.problem is not None and result.problem.kind == "edited"
    assert result.problem.seq == 2


def test_seal_waits_for_the_lock_and_takes_what_the_holder_left(app):
    """`seal()` (the CLI's) waits for a sealer that holds the lock, then seals what is left."""
    _leave_unsealed("test.a")
    done = seal()
    db.session.commit()
    assert done.count == 1 and not done.refused
    assert _chain()[0][0] == 1
    assert db.session.get(AuditHead, 1).seq == 1


@pytest.mark.skipif(
    "postgresql" not in (os.environ.get("TRACKER_TEST_DATABASE_URL") or ""),
    reason="PostgreSQL's seal lock (SQLite: the single writer's lock is the seal lock)",
)
def test_a_writer_never_waits_for_the_seal_lock(app):
    """While another holds the seal lock, a writer commits at once, unsealed; its process's
    sealer waits for the lock and seals it at the release, with no other writer."""
    holder = db.engine.connect()
    holder.execute(sa.select(sa.func.pg_advisory_xact_lock(sealing.SEAL_LOCK)))
    try:

        def write() -> None:
            with app.app_context():
                record("test.while_held", object_type="test", object_id=1)
                db.session.commit()
                db.session.remove()

        writer = threading.Thread(target=write)
        writer.start()
        writer.join(timeout=30)
        assert not writer.is_alive(), "the writer waited for the seal lock"
        assert [seq for seq, _ in _chain()] == [None]
        assert _verify().unsealed == 1
    finally:
        holder.rollback()
        holder.close()
    assert sealer.settle()  # the sealer waited for the lock, took it at the release
    assert [seq for seq, _ in _chain()] == [1]
    record("test.after_release", object_type="test", object_id=2)
    db.session.commit()
    assert sealer.settle()
    assert [seq for seq, _ in _chain()] == [1, 2]
    assert _verify().intact
