"""A checkpoint names its trail (the MAC of its event 1), so the checkpoint file of another
database reads as another trail's, not as "BROKEN at event 1" (finding 10 of issue 21); a real
cut or edit of this trail is still BROKEN."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tests.audit.test_checkpoints import events, lines, run, verify
from tracker.audit.models import GENESIS_MAC, AuditEvent, AuditHead
from tracker.audit.service import record
from tracker.db import db


def _start_over() -> None:
    """What another database is: a trail of its own from event 1 (same key file)."""
    db.session.execute(sa.delete(AuditEvent))
    db.session.execute(sa.update(AuditHead).where(AuditHead.id == 1).values(seq=0, mac=GENESIS_MAC))
    db.session.flush()


def _first_mac() -> str:
    return str(db.session.execute(sa.select(AuditEvent.mac).where(AuditEvent.seq == 1)).scalar())


def test_a_checkpoint_names_its_trail(runner, checkpoint):
    events(3)
    assert run(runner, "checkpoint").exit_code == 0
    (line,) = lines(checkpoint)
    assert line["seq"] == 3 and line["chain"] == _first_mac()


def test_the_checkpoint_file_of_another_trail_is_foreign_not_broken(runner, checkpoint):
    for i in range(2):
        record("test.other_trail", object_type="test", object_id=i)
    assert run(runner, "checkpoint").exit_code == 0  # the other database's checkpoint
    _start_over()
    events(3)
    result = verify(checkpoint)
    assert result.problem is None and result.foreign == 1
    out = run(runner, "verify")
    assert out.exit_code == 0, out.output
    assert "BROKEN" not in out.output
    assert "this checkpoint file belongs to another trail" in out.output
    strict = run(runner, "verify", "--strict")
    assert strict.exit_code == 1 and "belongs to another trail" in strict.output
    # this trail's own checkpoint goes beside the other's and protects it
    assert run(runner, "checkpoint").exit_code == 0
    strict = run(runner, "verify", "--strict")
    assert strict.exit_code == 0, strict.output
    assert "also holds 1 checkpoints of another trail" in strict.output


def test_a_cut_tail_is_still_broken(runner, checkpoint):
    chain = events(5)
    assert run(runner, "checkpoint").exit_code == 0
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.seq > 2))
    db.session.execute(
        sa.update(AuditHead).where(AuditHead.id == 1).values(seq=2, mac=chain[1].mac)
    )
    assert verify(checkpoint).problem.kind == "truncated"
    out = run(runner, "verify")
    assert out.exit_code == 1 and "BROKEN (truncated)" in out.output


def test_a_trail_cut_to_nothing_is_still_broken(runner, checkpoint):
    events(3)
    assert run(runner, "checkpoint").exit_code == 0
    _start_over()  # no event 1 left: nothing names another trail
    result = verify(checkpoint)
    assert result.problem is not None and result.problem.kind == "truncated"
    assert result.foreign == 0


def test_an_edited_first_event_is_still_broken(runner, checkpoint):
    """Without the audit key a new event 1 cannot have a right MAC: a changed name of the
    trail is an edit, not another trail."""
    events(3)
    assert run(runner, "checkpoint").exit_code == 0
    db.session.execute(
        sa.update(AuditEvent).where(AuditEvent.seq == 1).values(action="x", mac="f" * 64)
    )
    result = verify(checkpoint)
    assert result.problem is not None and result.problem.kind == "edited"
    assert result.problem.seq == 1
    out = run(runner, "verify")
    assert out.exit_code == 1 and "BROKEN (edited) at event 1" in out.output


@pytest.mark.real_commits
def test_the_app_names_the_trail_and_counts_only_its_own(checkpoint, monkeypatch, app):
    monkeypatch.setitem(app.config, "TRACKER_AUDIT_CHECKPOINT_EVERY_EVENTS", 3)
    monkeypatch.setitem(app.config, "TRACKER_AUDIT_CHECKPOINT_EVERY_MINUTES", 0)
    # another trail's checkpoint far ahead must not hold this trail's back
    foreign = {"seq": 900, "mac": "a" * 64, "at": "2026-01-01T00:00:00+00:00", "chain": "b" * 64}
    checkpoint.write_text(json.dumps(foreign) + "\n")
    for i in range(3):
        record(f"test.event{i}", object_type="test", object_id=i)
        db.session.commit()
    ours = lines(checkpoint)[1:]
    assert [(c["seq"], c["chain"]) for c in ours] == [(3, _first_mac())]
    assert verify(checkpoint).foreign == 1
