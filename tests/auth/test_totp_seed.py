"""The seed offered for TOTP enrolment stays on the server: the session cookie is signed, not
encrypted, and never holds it (finding 9 of issue 21)."""

from __future__ import annotations

import base64
import re
import zlib
from typing import Any

import pyotp

from tests.support import csrf_token
from tracker.auth import totp
from tracker.auth.models import User
from tracker.db import db

COOKIE = "tracker_session"
ENROL = "/account/second-factor"


def _shown_seed(client: Any) -> str:
    html = client.get(ENROL).get_data(as_text=True)
    return re.search(r'<code class="secret"[^>]*>([A-Z2-7]+)</code>', html).group(1)


def _cookie_payload(client: Any) -> str:
    """What anybody holding the cookie reads: its payload, base64-decoded (and inflated)."""
    value = client.get_cookie(COOKIE).value
    compressed = value.startswith(".")
    payload = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return (zlib.decompress(raw) if compressed else raw).decode()


def test_the_cookie_never_holds_the_seed(make_user: Any, browser_as: Any) -> None:
    user = make_user("lawyer", second_factor=False)
    client = browser_as(user)
    seed = _shown_seed(client)
    payload = _cookie_payload(client)
    assert "_fresh" in payload  # the cookie was read (Flask-Login's flag is in it)
    assert seed not in payload and seed.lower() not in payload.lower()
    with client.session_transaction() as stored:
        assert seed not in str(dict(stored))
    assert _shown_seed(client) == seed  # the same seed on every page of the enrolment

    response = client.post(
        ENROL,
        data={
            "csrf_token": csrf_token(client, ENROL),
            "totp-otp": pyotp.TOTP(seed).now(),
            "totp-submit": "1",
        },
    )
    assert response.status_code == 200  # the recovery codes, shown once
    db.session.expire_all()
    assert totp.totp_secret(db.session.get(User, user.id)) == seed
    assert seed not in _cookie_payload(client)


def test_each_enrolment_offers_its_own_seed(make_user: Any, browser_as: Any) -> None:
    user = make_user("company")
    first, second = browser_as(user), browser_as(user)
    assert _shown_seed(first) != _shown_seed(second)
    other = browser_as(make_user("company"))
    assert len({_shown_seed(first), _shown_seed(other)}) == 2
