"""A seal longer than one batch (`seal_locked` with batches of three): the events are read and
placed batch by batch, those without a valid pending MAC refused without a gap in the chain,
a last batch wholly refused still moves the head, and a limit may end on a batch's edge."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import current_app

from tests.support import statements
from tracker.audit import sealing
from tracker.audit.models import AuditEvent, AuditHead
from tracker.audit.service import record
from tracker.audit.verify import verify_chain
from tracker.db import db

BATCH = 3


def _queue(count: int, forged: tuple[int, ...] = ()) -> list[int]:
    """`count` events left unsealed in order (those at the positions `forged` with a pending
    MAC no holder of the key wrote); their ids."""
    ids = []
    for n in range(count):
        ids.append(record(f"test.queued{n}", object_type="test", object_id=n).id)
        db.session.info.pop(sealing.APPENDED)
    for n in forged:
        db.session.execute(
            sa.update(AuditEvent).where(AuditEvent.id == ids[n]).values(mac="ab" * 32)
        )
    return ids


def _seal(limit: int | None = None) -> tuple[sealing.Sealed, list[str]]:
    key = current_app.extensions["tracker_keys"].audit_key
    with statements() as seen:
        done = sealing.seal_locked(db.session, key, limit=limit, batch=BATCH)
    return done, [s for s in seen if "audit" in s]


def _reads(seen: list[str]) -> int:
    """How many reads of the queue (in id order) `seen` holds."""
    return sum("ORDER BY" in s for s in seen)


def _places(ids: list[int]) -> list[int | None]:
    db.session.expire_all()
    rows = db.session.execute(sa.select(AuditEvent.id, AuditEvent.seq)).all()
    seqs = {row.id: row.seq for row in rows}
    return [seqs[i] for i in ids]


def _verifies_without(refused: list[int]) -> None:
    """The chain verifies once the refused rows (which verify names as forged) are gone."""
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id.in_(refused)))
    result = verify_chain(current_app.extensions["tracker_keys"].audit_key, None)
    assert result.intact and result.unsealed == 0, result.problem


@pytest.mark.parametrize(
    ("forged", "places"),
    [
        # three batches (3, 3, 2): one refused in each of the first two
        ((1, 4), [1, None, 2, 3, None, 4, 5, 6]),
        # the last batch (2) wholly refused: its places are empty, the head still moves
        ((6, 7), [1, 2, 3, 4, 5, 6, None, None]),
    ],
)
def test_a_queue_of_several_batches_is_sealed_without_a_gap(app, forged, places):
    ids = _queue(8, forged)
    done, seen = _seal()
    assert _places(ids) == places
    assert sorted(done.refused) == [ids[n] for n in forged]
    assert [seq for _, seq, _ in done.sealed] == list(range(1, 7)) and done.head == 6
    assert db.session.get(AuditHead, 1).seq == 6
    assert db.session.get(AuditHead, 1).mac == done.sealed[-1][2]
    # a SELECT per batch (the first with the head), the places of each full batch, then the
    # last batch's places with the head's move (PostgreSQL: one UPDATE each)
    assert _reads(seen) == 3
    if db.engine.dialect.name == "postgresql":
        assert len(seen) == 3 + 3, seen
        assert sum("audit_head" in s and "unnest" in s for s in seen) == 1
    _verifies_without(done.refused)


def test_a_limit_on_a_batch_s_edge_stops_there(app):
    """The limit reached with the batch: the next batch is read but none of it is sealed; the
    head moves to the last place given, and the rest waits for the next seal."""
    ids = _queue(8)
    done, seen = _seal(limit=BATCH)
    assert _reads(seen) == 2  # the first batch, and the next one found beyond the limit
    assert _places(ids) == [1, 2, 3, None, None, None, None, None]
    assert done.count == 3 and done.head == 3 and not done.refused
    assert db.session.get(AuditHead, 1).seq == 3
    done, _ = _seal(limit=BATCH)  # from the middle of the queue: again on a batch's edge
    assert _places(ids) == [1, 2, 3, 4, 5, 6, None, None]
    assert done.count == 3 and done.head == 6
    done, _ = _seal()
    assert _places(ids) == list(range(1, 9)) and done.head == 8
    _verifies_without([])
