"""Many threads deciding the same requests and appending audit events at once: exactly one
decision per request and one unbroken chain (real commits, several connections)."""

from __future__ import annotations

import functools
import threading

import pytest
import sqlalchemy as sa
from flask import current_app

from tests.support import run_in_threads, transfer_draft
from tracker.audit import sealer
from tracker.audit.models import AuditEvent
from tracker.audit.service import record
from tracker.audit.verify import verify_chain
from tracker.auth.models import User
from tracker.db import db
from tracker.errors import StateConflict
from tracker.transfers import service
from tracker.transfers.models import TransferRequest

REQUESTS, DECIDERS, APPENDERS, APPENDS = 4, 5, 4, 10


@pytest.mark.real_commits
def test_one_decision_per_request_and_one_chain(app, gate_world, runner):
    w = gate_world
    ids = []
    for _ in range(REQUESTS):
        t = service.file_transfer(w.users["company"], w.project, transfer_draft(w))
        ids.append(t.id)
    operator_id = w.users["operator"].id
    db.session.commit()

    barrier = threading.Barrier(REQUESTS * DECIDERS + APPENDERS)
    wins: list[tuple[int, str]] = []
    conflicts: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def decider(tid: int, n: int) -> None:
        decision = "approve" if n % 2 == 0 else "deny"
        try:
            with app.test_request_context():
                barrier.wait()
                try:
                    operator = db.session.get(User, operator_id)
                    transfer = db.session.get(TransferRequest, tid)
                    service.decide_transfer(operator, transfer, decision, f"note {n}")
                    db.session.commit()
                    with lock:
                        wins.append((tid, decision))
                except StateConflict:
                    db.session.rollback()
                    with lock:
                        conflicts.append(tid)
                finally:
                    db.session.remove()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def appender(n: int) -> None:
        try:
            with app.test_request_context():
                barrier.wait()
                for i in range(APPENDS):
                    record("test.concurrent", object_type="thread", object_id=n, detail={"i": i})
                    db.session.commit()
                db.session.remove()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    run_in_threads(
        *[functools.partial(decider, tid, n) for tid in ids for n in range(DECIDERS)],
        *[functools.partial(appender, n) for n in range(APPENDERS)],
    )

    assert errors == []
    assert sorted(tid for tid, _ in wins) == sorted(ids)  # exactly one winner per request
    assert len(conflicts) == REQUESTS * (DECIDERS - 1)
    db.session.expire_all()
    for tid, decision in wins:
        transfer = db.session.get(TransferRequest, tid)
        assert transfer.status == service.DECISIONS[decision]
        decided = db.session.execute(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "transfer.decided", AuditEvent.object_id == tid)
        ).scalar_one()
        assert decided == 1
    appended = db.session.execute(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "test.concurrent")
    ).scalar_one()
    assert appended == APPENDERS * APPENDS
    assert sealer.settle()  # PostgreSQL: the sealer thread seals what writers left to it
    result = verify_chain(current_app.extensions["tracker_keys"].audit_key)
    assert result.intact, result.problem
    assert result.events >= APPENDERS * APPENDS + REQUESTS * 3
    db.session.commit()
    out = runner.invoke(args=["audit", "verify"])
    assert out.exit_code == 0, out.output
