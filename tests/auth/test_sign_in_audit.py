"""Issue 21, finding 8: a failed sign-in stored the typed identifier in the audit detail, so a
password typed in the e-mail field was readable by admins and auditors and in exports. The
event names the account when the address has one, else a keyed hash labelled "unknown
address"; the typed text is nowhere in the trail, its page or its exports."""

from __future__ import annotations

import sqlalchemy as sa

from tests.support import sign_in
from tracker.audit.models import AuditEvent
from tracker.auth import lockout
from tracker.db import db

TYPED = "Hunter2-Correct-Horse!"


def _failures():
    stmt = sa.select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")
    return db.session.execute(stmt.order_by(AuditEvent.seq)).scalars().all()


def test_an_unknown_identifier_is_stored_as_a_keyed_hash(app, client):
    assert sign_in(client, TYPED, "wrong password here").status_code in (400, 401)
    client.post("/api/v1/auth/token", json={"email": TYPED, "password": "wrong password 1"})
    events = _failures()
    assert events
    for event in events:
        assert TYPED.lower() not in str(event.detail).lower()
        assert event.object_id is None
        assert event.detail["address"] == "unknown"
        key = event.detail["address_key"]
        assert len(key) == 64 and key != lockout.email_key(TYPED)
    assert len({e.detail["address_key"] for e in events}) == 1  # the same address, one key


def test_a_known_address_names_the_account_only(make_user, client):
    user = make_user("lawyer", email="known.person@example.test")
    assert sign_in(client, "  Known.Person@example.test ", "wrong password 1").status_code == 401
    (event,) = _failures()
    assert event.object_type == "user" and event.object_id == user.id
    assert "known.person" not in str(event.detail).lower()
    assert event.detail == {"reason": "credentials"}


def test_the_trail_reads_unknown_address_and_never_the_typed_text(client, make_user, browser_as):
    client.post("/api/v1/auth/token", json={"email": TYPED, "password": "wrong password 1"})
    admin = browser_as(make_user("admin", locale="en"))
    page = admin.get("/audit?action=auth.sign_in_failed").get_data(as_text=True)
    assert "unknown address" in page and TYPED.lower() not in page.lower()
    export = admin.get("/audit?action=auth.sign_in_failed&format=csv").get_data(as_text=True)
    assert "unknown address" in export and TYPED.lower() not in export.lower()
