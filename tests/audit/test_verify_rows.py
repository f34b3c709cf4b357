"""The verifier's fast MAC over plain rows is the appender's MAC over ORM events, byte for
byte (Korean text, nested details, no actor, IPv6)."""

import sqlalchemy as sa

from tracker import keys
from tracker.audit import verify
from tracker.audit.models import AuditEvent
from tracker.audit.service import compute_mac, record
from tracker.db import db


def test_row_mac_is_the_service_mac(app, world):
    record("test.one", world.project, detail={"제목": "김치냉장고", "n": [1, {"b": None}]})
    record("test.two", actor_id=None, detail={})
    record("test.three", object_type="x", object_id=7, detail={"z": "ü", "a": 1.5})
    db.session.flush()
    key = keys.require(app).audit_key
    events = db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
    rows = list(verify._events(None))
    assert [r.seq for r in rows] == [e.seq for e in events] and len(rows) >= 3
    previous = "00" * 32
    for event, row in zip(events, rows, strict=True):
        assert verify._mac(key, previous, row) == compute_mac(key, previous, event) == event.mac
        previous = event.mac
