"""`audit verify` over a chain longer than its batch: the plain run (the driver's own cursor, a
batch at a time, the key's HMAC pads hashed once) names every problem wherever it lies in a
batch, checks a checkpointed event in the middle of one, follows events appended while it
walks, and hashes as `hmac.digest` does."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import current_app

from tracker.audit import checkpoints, verify
from tracker.audit.models import AuditEvent
from tracker.audit.service import record, seal
from tracker.db import db

BATCH = 3


def events(n: int) -> list[AuditEvent]:
    found = [
        record(f"test.event{i}", object_type="test", object_id=i, detail={"n": i}) for i in range(n)
    ]
    seal()  # their places in the chain (the app seals at the commit)
    return found


def check(path: Path | None = None) -> verify.Result:
    db.session.expire_all()
    key = current_app.extensions["tracker_keys"].audit_key
    return verify.verify_chain(key, path, batch=BATCH)


def head() -> int:
    return int(db.session.execute(sa.select(sa.func.max(AuditEvent.seq))).scalar_one() or 0)


def test_a_chain_of_several_batches_is_intact():
    events(10)
    result = check()
    assert result.intact and result.events == head() == result.head_seq >= 10


# the first, middle and last event of a batch, the first of a later one, the last of the chain
@pytest.mark.parametrize("at", [1, 2, 3, 4, 8, 0])
def test_an_edited_event_is_named_wherever_it_lies(at):
    events(10)
    seq = at or head()
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.seq == seq).values(detail={"n": -1}))
    problem = check().problem
    assert problem is not None and (problem.kind, problem.seq) == ("edited", seq)


@pytest.mark.parametrize("seq", [3, 4, 8])
def test_a_deleted_event_is_named_wherever_it_lies(seq):
    events(10)
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.seq == seq))
    problem = check().problem
    assert problem is not None and (problem.kind, problem.seq) == ("deleted", seq)


def test_a_mac_that_is_not_hex_text_is_named_edited():
    """A stored MAC with a character outside ASCII is an edited event, not a crash of the
    walk (the plain run compared it with `hmac.compare_digest`, which refuses such text)."""
    events(10)
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.seq == 5).values(mac="é" * 64))
    problem = check().problem
    assert problem is not None and (problem.kind, problem.seq) == ("edited", 5)


# the first event of a later batch (the walk read the rest of its batch again from the
# batch before's start, as if nothing were checked yet, and named a false "inserted"), its
# middle, its last
@pytest.mark.parametrize("seq", [4, 5, 6])
def test_a_checkpoint_inside_a_batch_is_checked_and_the_walk_goes_on(tmp_path, seq):
    events(10)
    path = tmp_path / "checkpoint.json"
    mac = db.session.execute(sa.select(AuditEvent.mac).where(AuditEvent.seq == seq)).scalar_one()
    verify.write_checkpoint(path, seq, mac, checkpoints.chain_of(db.session))
    result = check(path)
    assert result.intact and result.events == head()
    verify.write_checkpoint(path, 8, "f" * 64, checkpoints.chain_of(db.session))
    problem = check(path).problem
    assert problem is not None and (problem.kind, problem.seq) == ("checkpoint_mismatch", 8)


@pytest.mark.parametrize("when", ["after the first batch", "after the last batch"])
def test_events_appended_during_the_walk_are_followed_to_the_head(monkeypatch, when):
    """Appends sealed while the plain run reads (between two batches, or after its last one,
    when only the head row shows them) are checked too: the walk ends at the head."""
    events(10)
    reads = verify._lean_batches
    appended: list[AuditEvent] = []

    def appending(*args: Any) -> Any:
        for batch in reads(*args):
            yield batch
            if when == "after the first batch" and not appended:
                appended.extend(events(4))
        if not appended:
            appended.extend(events(4))

    monkeypatch.setattr(verify, "_lean_batches", appending)
    before = head()
    result = check()
    assert len(appended) == 4 and head() == before + 4
    assert result.intact and result.events == result.head_seq == head()


def test_an_edit_among_events_appended_during_the_walk_is_named(monkeypatch):
    events(10)
    reads = verify._lean_batches
    appended: list[AuditEvent] = []

    def appending(*args: Any) -> Any:
        yield from reads(*args)
        if not appended:
            appended.extend(events(4))
            db.session.execute(
                sa.update(AuditEvent).where(AuditEvent.id == appended[2].id).values(actor_id=4242)
            )

    monkeypatch.setattr(verify, "_lean_batches", appending)
    problem = check().problem
    assert problem is not None and problem.kind == "edited"
    assert problem.event_id == appended[2].id


@pytest.mark.parametrize("key", [b"", b"k", bytes(range(32)), bytes(64), bytes(range(100))])
def test_the_pads_give_hmac_sha256(key):
    inner, outer = verify._pads(key)
    for message in (b"", b"x", b"chain" * 100):
        hashed = inner.copy()
        hashed.update(message)
        mac = outer.copy()
        mac.update(hashed.digest())
        assert mac.digest() == hmac.digest(key, message, hashlib.sha256)
