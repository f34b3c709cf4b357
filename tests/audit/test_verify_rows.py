"""The verifier's MAC over plain rows (the detail as its stored text) is the sealer's, byte for
byte (Korean text, nested details, no actor, IPv6), and the writer's pending MAC covers the
same fields as the database gives them back."""

import sqlalchemy as sa

from tracker import keys
from tracker.audit import sealing, verify
from tracker.audit.models import FORM_FIELDS, GENESIS_MAC, AuditEvent
from tracker.audit.service import record, seal
from tracker.db import db


def test_row_mac_is_the_sealer_mac(app, world):
    record("test.one", world.project, detail={"제목": "김치냉장고", "n": [1, {"b": None}]})
    record("test.two", actor_id=None, detail={})
    record("test.three", object_type="x", object_id=7, detail={"z": "ü", "a": 1.5})
    db.session.flush()
    key = keys.require(app).audit_key
    unsealed = db.session.execute(
        sa.select(AuditEvent.id, AuditEvent.mac, *sealing.BODY_COLUMNS).where(
            AuditEvent.seq.is_(None)
        )
    ).all()
    assert len(unsealed) >= 3
    assert all(sealing.pending_mac(key, row) == row.mac for row in unsealed)
    seal()
    db.session.expire_all()
    events = db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
    rows = list(verify._events(None))
    assert [r.seq for r in rows] == [e.seq for e in events] == list(range(1, len(rows) + 1))
    previous = GENESIS_MAC
    for event, row in zip(events, rows, strict=True):
        assert row.form == FORM_FIELDS
        assert verify._mac(key, previous, row) == event.mac
        previous = event.mac


def test_the_database_makes_the_same_body(app, world):
    """The verifier's plain run hashes the body the database makes
    (`sealing.body_bytes_sql`): it is `sealing.body` byte for byte, for Korean and astral
    text, no actor or object, an address, a time with no microseconds (else every event would
    take the slow check)."""
    import datetime as dt

    record("test.한글", world.project, detail={"제목": "김치😀", "n": [1, {"b": None}]})
    record("test.none", actor_id=None, detail={})
    event = record("test.ip", object_type="파일😀", object_id=7, detail={"z": "ü\n"})
    seal()
    at = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)  # the MAC need not hold: bodies only
    db.session.execute(
        sa.update(AuditEvent).where(AuditEvent.id == event.id).values(ip="2001:db8::1", at=at)
    )
    body = sealing.body_bytes_sql(db.session.get_bind().dialect.name)
    assert body is not None
    rows = db.session.execute(
        sa.select(*verify._COLUMNS, body).where(AuditEvent.seq.is_not(None)).order_by("seq")
    ).all()
    assert len(rows) >= 3
    for row in rows:
        assert bytes(row.body) == sealing.body(row.seq, row)
    # the same bytes as the plain run reads them (the driver's own cursor)
    read = [row for batch in verify._lean_batches(None, body) for row in batch]
    assert [(seq, bytes(found)) for seq, _form, _mac, found in read] == [
        (row.seq, sealing.body(row.seq, row)) for row in rows
    ]
    assert all(type(found) is bytes for *_, found in read)
