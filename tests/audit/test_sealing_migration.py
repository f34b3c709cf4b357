"""Migration 0014 down and up with a trail in the database: the downgrade seals what waits
and gives the sealed events (form 2) MACs in the first encoding, so the older release's check
(the JSON object, recomputed here from the stored rows) passes; upgraded again, the chain
verifies and new events are sealed after it."""

from __future__ import annotations

import hashlib
import hmac

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import current_app

from tests.support import database_url, make_test_app
from tracker.audit import sealing
from tracker.audit.models import GENESIS_MAC
from tracker.audit.service import canonical, record
from tracker.audit.verify import verify_chain
from tracker.db import db


def _old_release_verifies(key: bytes) -> int:
    """What the release before 0014 checked: seq 1..n, each MAC over the JSON object."""
    c = db.metadata.tables["audit_events"].c
    columns = [c.id, c.seq, c.at, c.actor_id, c.action, c.object_type, c.object_id, c.ip]
    rows = db.session.execute(sa.select(*columns, c.detail).order_by(c.seq)).all()
    mac = GENESIS_MAC
    stored = db.session.execute(sa.text("SELECT mac FROM audit_events ORDER BY seq")).scalars()
    for expected, (row, saved) in enumerate(zip(rows, stored, strict=True), 1):
        assert row.seq == expected
        mac = hmac.new(key, bytes.fromhex(mac) + canonical(row), hashlib.sha256).hexdigest()
        assert mac == saved, f"event {row.seq}"
    head = db.session.execute(sa.text("SELECT seq, mac FROM audit_head")).one()
    assert (head.seq, head.mac) == (len(rows), mac)
    return len(rows)


@pytest.mark.real_commits
def test_downgrade_rechains_in_the_first_encoding_and_upgrade_keeps_it(tmp_path_factory, worker_id):
    app = make_test_app(tmp_path_factory, database_url(tmp_path_factory, worker_id, "sealmig"))
    with app.app_context():
        flask_migrate.upgrade()
        key = current_app.extensions["tracker_keys"].audit_key
        for i in range(4):
            record("test.sealed", object_type="test", object_id=i, detail={"n": i, "k": "한"})
            db.session.commit()
        record("test.left", object_type="test", object_id=9)
        db.session.info.pop(sealing.APPENDED)  # a writer killed before its seal
        db.session.commit()
        db.session.remove()
        flask_migrate.downgrade(revision="0010")
        db.session.remove()
        assert _old_release_verifies(key) == 5
        db.session.remove()
        flask_migrate.upgrade()
        db.session.remove()
        record("test.after", object_type="test", object_id=10)
        db.session.commit()
        result = verify_chain(key, None)
        assert result.intact and result.events == 6 and result.unsealed == 0, result.problem
        db.session.remove()
        flask_migrate.downgrade(revision="base")
        db.engine.dispose()
