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
