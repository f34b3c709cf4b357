"""The audit tail after the last checkpoint (finding 9 of issue 11): `audit verify` says what is
unprotected and `--strict` fails on it; the app appends checkpoints itself after commits, so a
cut tail with a rewound head no longer goes unseen."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import current_app

from tracker.audit import checkpoints
from tracker.audit.models import AuditEvent, AuditHead
from tracker.audit.service import record, seal
from tracker.audit.verify import verify_chain
from tracker.db import db


@pytest.fixture
def auto(app: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """`auto(events, minutes)`: turn the automatic checkpoints on for this test."""

    def set_(events: int = 0, minutes: int = 0) -> None:
        monkeypatch.setitem(app.config, "TRACKER_AUDIT_CHECKPOINT_EVERY_EVENTS", events)
        monkeypatch.setitem(app.config, "TRACKER_AUDIT_CHECKPOINT_EVERY_MINUTES", minutes)

    return set_


def events(n: int, start: int = 0) -> list[AuditEvent]:
    found = [record(f"test.event{i}", object_type="test", object_id=i) for i in range(start, n)]
    seal()  # their places in the chain (the app seals at the commit)
    return found


def run(runner: Any, *args: str) -> Any:
    db.session.commit()  # the CLI reads through its own session on the same connection
    return runner.invoke(args=["audit", *args])


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def verify(path: Path) -> Any:
    db.session.expire_all()
    return verify_chain(current_app.extensions["tracker_keys"].audit_key, path)


# --- what verify says ------------------------------------------------------------------------


def test_verify_names_a_missing_checkpoint_and_strict_fails(runner, checkpoint, auto):
    auto(events=100, minutes=10)
    events(4)
    out = run(runner, "verify")
    assert out.exit_code == 0, out.output
    assert "no checkpoint" in out.output and "4 events could be cut unseen" in out.output
    strict = run(runner, "verify", "--strict")
    assert strict.exit_code == 1 and "there is no checkpoint" in strict.output


def test_empty_chain_without_checkpoint_passes_strict(runner, checkpoint):
    assert run(runner, "verify", "--strict").exit_code == 0


def test_verify_counts_the_events_after_the_checkpoint(runner, checkpoint, auto):
    auto(events=3, minutes=0)
    events(2)
    assert run(runner, "checkpoint").exit_code == 0
    events(5, start=2)
    out = run(runner, "verify", "--strict")
    assert out.exit_code == 0, out.output
    assert "last checkpoint: event 2" in out.output and "3 events after it" in out.output
    events(6, start=5)
    out = run(runner, "verify", "--strict")
    assert out.exit_code == 1 and "4 events after it (bound 3)" in out.output
    assert run(runner, "verify").exit_code == 0  # reported, not fatal, without --strict


def test_strict_fails_on_an_old_checkpoint_with_events_after_it(runner, checkpoint, auto):
    auto(events=0, minutes=10)
    first = events(3)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    line = {"seq": first[1].seq, "mac": first[1].mac, "at": old.isoformat()}
    checkpoint.write_text(json.dumps(line) + "\n")
    out = run(runner, "verify", "--strict")
    assert out.exit_code == 1 and "120 minutes old (bound 10 minutes)" in out.output
    assert "1 events after it" in run(runner, "verify").output
    # once checkpointed again nothing is left unprotected, however old the first one is
    assert run(runner, "checkpoint").exit_code == 0
    assert run(runner, "verify", "--strict").exit_code == 0


def test_checkpoints_are_appended_never_rewritten(runner, checkpoint):
    events(2)
    assert run(runner, "checkpoint").exit_code == 0
    first = checkpoint.read_bytes()
    events(3, start=2)
    assert run(runner, "checkpoint").exit_code == 0
    assert checkpoint.read_bytes().startswith(first)
    assert [c["seq"] for c in lines(checkpoint)] == [2, 3]
    assert stat.S_IMODE(os.stat(checkpoint).st_mode) == 0o600


def test_every_checkpoint_line_is_checked(runner, checkpoint):
    """An earlier checkpoint pins its event too: rewriting the chain below the latest
    checkpoint is caught even if the attacker could fake the latest one."""
    chain = events(4)
    checkpoint.write_text(
        json.dumps({"seq": 2, "mac": "e" * 64, "at": "2026-01-01T00:00:00+00:00"})
        + "\n"
        + json.dumps({"seq": 4, "mac": chain[3].mac, "at": "2026-01-02T00:00:00+00:00"})
        + "\n"
    )
    result = verify(checkpoint)
    assert result.problem is not None and result.problem.kind == "checkpoint_mismatch"
    assert result.problem.seq == 2


def test_a_torn_last_line_is_not_glued_to_the_next(checkpoint):
    checkpoint.write_text('{"seq": 1, "mac"')
    checkpoints.append(checkpoint, 3, "a" * 64)
    assert checkpoint.read_text().splitlines()[-1].startswith('{"seq":3')


# --- the app writes checkpoints itself ---------------------------------------------------------


def _commit_events(n: int, start: int = 0) -> None:
    for i in range(start, n):
        record(f"test.event{i}", object_type="test", object_id=i)
        db.session.commit()


@pytest.mark.real_commits
def test_app_appends_a_checkpoint_every_n_events(checkpoint, auto):
    auto(events=3, minutes=0)
    _commit_events(2)
    assert not checkpoint.exists()
    _commit_events(3, start=2)
    assert [c["seq"] for c in lines(checkpoint)] == [3]
    head = db.session.get(AuditHead, 1)
    assert lines(checkpoint)[0]["mac"] == head.mac
    _commit_events(6, start=3)
    assert [c["seq"] for c in lines(checkpoint)] == [3, 6]
    # a transaction that rolls back leaves no checkpoint behind
    record("test.rolled_back")
    db.session.rollback()
    _commit_events(8, start=6)
    assert [c["seq"] for c in lines(checkpoint)] == [3, 6]
    assert verify(checkpoint).intact


@pytest.mark.real_commits
def test_app_appends_a_checkpoint_after_m_minutes(checkpoint, auto):
    auto(events=0, minutes=10)
    _commit_events(1)  # no checkpoint yet: the first commit writes one
    assert [c["seq"] for c in lines(checkpoint)] == [1]
    _commit_events(3, start=1)  # within ten minutes of it: none
    assert [c["seq"] for c in lines(checkpoint)] == [1]
    # the same first checkpoint, but from twenty minutes ago (as if time had passed)
    first = lines(checkpoint)[0]
    first["at"] = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)).isoformat()
    checkpoint.write_text(json.dumps(first) + "\n")
    current_app.extensions.pop(checkpoints.KNOWN, None)
    _commit_events(4, start=3)
    assert [c["seq"] for c in lines(checkpoint)] == [1, 4]


@pytest.mark.real_commits
def test_cut_tail_with_rewound_head_is_seen_without_a_manual_checkpoint(checkpoint, auto, runner):
    """The finding: the events after the last checkpoint were cut and the head wound back, and
    `audit verify` said the chain was intact. Now the app has checkpointed on its own."""
    auto(events=5, minutes=0)
    _commit_events(7)
    assert run(runner, "verify", "--strict").exit_code == 0
    kept = db.session.execute(sa.select(AuditEvent).where(AuditEvent.seq == 3)).scalar_one()
    # the attacker, holding only the database, removes events 4-7 and rewinds the head
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.seq > 3))
    db.session.execute(sa.update(AuditHead).where(AuditHead.id == 1).values(seq=3, mac=kept.mac))
    db.session.commit()
    result = verify(checkpoint)
    assert result.problem is not None and result.problem.kind == "truncated"
    assert result.problem.seq == 4
    out = run(runner, "verify")
    assert out.exit_code == 1 and "truncated" in out.output
