"""`audit verify` finds every kind of tampering; `audit checkpoint` pins the head."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import current_app

from tracker.audit.models import AuditEvent, AuditHead
from tracker.audit.service import record, seal
from tracker.audit.verify import verify_chain
from tracker.db import db


@pytest.fixture
def checkpoint(app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "checkpoint.json"
    monkeypatch.setitem(app.config, "TRACKER_AUDIT_CHECKPOINT_FILE", str(path))
    return path


@pytest.fixture
def chain(make_user: Any) -> list[AuditEvent]:
    user = make_user("lawyer")
    events = [record(f"test.event{i}", user, detail={"n": i}) for i in range(6)]
    seal()  # the events take their places in the chain (at the commit in the app)
    return events


def key() -> bytes:
    return current_app.extensions["tracker_keys"].audit_key


def verify(path: Path | None = None) -> Any:
    db.session.expire_all()
    return verify_chain(key(), path)


def run(runner: Any, *args: str) -> Any:
    db.session.commit()  # the CLI reads through its own session on the same connection
    return runner.invoke(args=["audit", *args])


def test_intact_chain(chain, runner, checkpoint):
    result = verify()
    assert result.intact and result.events == 6 and result.head_seq == 6
    out = run(runner, "verify")
    assert out.exit_code == 0, out.output
    assert "intact" in out.output


def test_empty_chain_is_intact():
    assert verify().intact


def test_edited_event(chain, runner, checkpoint):
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.seq == 3).values(detail={"n": 99}))
    result = verify()
    assert result.problem.kind == "edited" and result.problem.seq == 3
    out = run(runner, "verify")
    assert out.exit_code == 1
    assert "event 3" in out.output and "edited" in out.output


def test_edited_action_or_actor(chain):
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.seq == 5).values(actor_id=4242))
    assert verify().problem.seq == 5


def test_deleted_event(chain, runner, checkpoint):
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.seq == 4))
    result = verify()
    assert result.problem.kind == "deleted" and result.problem.seq == 4
    out = run(runner, "verify")
    assert out.exit_code == 1 and "event 4" in out.output


def test_reordered_events(chain, runner, checkpoint):
    a, b = chain[1], chain[2]  # seq 2 and 3 swap places
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == a.id).values(seq=-1))
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == b.id).values(seq=2))
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == a.id).values(seq=3))
    result = verify()
    assert result.problem.kind == "reordered" and result.problem.seq == 2
    assert run(runner, "verify").exit_code == 1


def test_cut_tail_with_head_reset_is_caught_by_the_checkpoint(chain, runner, checkpoint):
    out = run(runner, "checkpoint")
    assert out.exit_code == 0, out.output
    saved = json.loads(checkpoint.read_text())
    assert saved["seq"] == 6 and saved["mac"] == chain[-1].mac and "at" in saved
    assert stat.S_IMODE(os.stat(checkpoint).st_mode) == 0o600
    # the attacker removes the last two events and winds the head back to match
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.seq > 4))
    db.session.execute(
        sa.update(AuditHead).where(AuditHead.id == 1).values(seq=4, mac=chain[3].mac)
    )
    result = verify(checkpoint)
    assert result.problem.kind == "truncated" and result.problem.seq == 5
    out = run(runner, "verify")
    assert out.exit_code == 1 and "truncated" in out.output


def test_cut_tail_without_head_reset(chain):
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.seq == 6))
    result = verify()
    assert result.problem.kind == "truncated" and result.problem.seq == 6


def test_events_after_the_checkpoint_are_fine(chain, runner, checkpoint, make_user):
    assert run(runner, "checkpoint").exit_code == 0
    record("test.later", make_user("admin"))
    assert verify(checkpoint).intact
    assert run(runner, "verify").exit_code == 0


def test_rewritten_chain_differs_from_the_checkpoint(chain, runner, checkpoint):
    assert run(runner, "checkpoint").exit_code == 0
    data = json.loads(checkpoint.read_text())
    data["mac"] = "f" * 64
    checkpoint.write_text(json.dumps(data))
    assert verify(checkpoint).problem.kind == "checkpoint_mismatch"


def test_checkpoint_refuses_a_broken_chain(chain, runner, checkpoint):
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.seq == 2))
    out = run(runner, "checkpoint")
    assert out.exit_code == 1
    assert not checkpoint.exists()


def test_forged_mac_without_the_key(chain):
    import hashlib
    import hmac

    from tracker.audit.service import canonical

    event = db.session.get(AuditEvent, chain[2].id)
    event.detail = {"n": 1000}
    event.mac = hmac.new(
        b"wrong key", bytes.fromhex(chain[1].mac) + canonical(event), hashlib.sha256
    ).hexdigest()
    db.session.flush()
    assert verify().problem.seq == 3


@pytest.mark.parametrize("content", ["not json", "{}", '{"seq": "6", "mac": 1}', "[]"])
def test_damaged_checkpoint_fails_verification(chain, runner, checkpoint, content):
    checkpoint.write_text(content)
    assert verify(checkpoint).problem.kind == "checkpoint_unreadable"
    out = run(runner, "verify")
    assert out.exit_code == 1 and "checkpoint" in out.output


@pytest.mark.parametrize("seq", [0, -7])
def test_event_slipped_in_before_the_chain(chain, runner, checkpoint, seq):
    """An event written outside the sequence (seq 0 or below) is not silently skipped."""
    forged = AuditEvent(
        seq=seq,
        at=chain[0].at,
        actor_id=None,
        action="auth.login",
        object_type=None,
        object_id=None,
        ip=None,
        detail={},
        mac="0" * 64,
    )
    db.session.add(forged)
    db.session.flush()
    result = verify()
    assert result.problem is not None and result.problem.kind == "inserted"
    assert result.problem.seq == seq and result.problem.event_id == forged.id
    out = run(runner, "verify")
    assert out.exit_code == 1 and f"event {seq}" in out.output


def test_detail_with_integer_keys_verifies(make_user):
    """The MAC covers the detail as the JSON column gives it back (keys as strings)."""
    user = make_user("lawyer")
    event = record("test.keys", user, detail={"by_id": {2: "a", 10: "b"}, 3: "mixed"})
    assert event.detail == {"by_id": {"2": "a", "10": "b"}, "3": "mixed"}
    assert verify().intact


def test_missing_head_row_is_named(chain, runner, checkpoint):
    db.session.execute(sa.delete(AuditHead))
    result = verify()
    assert result.problem is not None and result.problem.kind == "head_missing"
    out = run(runner, "verify")
    assert out.exit_code == 1 and "head_missing" in out.output
    assert run(runner, "checkpoint").exit_code == 1 and not checkpoint.exists()
