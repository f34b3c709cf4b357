"""The sign-in lock-out counts per submitted address, known or not (issue 11, finding 7): five
failures answer 429 alike for a known and an unknown address; a password with a fresh code of
an enrolled second factor, or an admin's new password, ends a lock; a password alone does not."""

import datetime as dt
import re
import time

import pyotp
import sqlalchemy as sa

from tests.support import TEST_PASSWORD, csrf_token, totp_code
from tracker.auth import lockout, totp
from tracker.auth.models import SignInFailure
from tracker.db import db, utcnow

WRONG = "wrong password here"


def _token(client, email, password=TEST_PASSWORD, otp=None):
    body = {"email": email, "password": password}
    if otp:
        body["otp"] = otp
    return client.post("/api/v1/auth/token", json=body)


def _form(client, email, password=TEST_PASSWORD, otp=""):
    data = {"email": email, "password": password, "otp": otp, "csrf_token": csrf_token(client)}
    return client.post("/login", data=data)


def _lock(client, email):
    for _ in range(5):
        assert _token(client, email, WRONG).status_code == 401
    db.session.expire_all()


def _enrol(user):
    secret = pyotp.random_base32()
    assert totp.enrol_totp(user, secret, pyotp.TOTP(secret).now())
    user.totp_last_step = int(time.time() // 30) - 5  # the current code is still unused
    db.session.commit()
    return secret


def test_known_and_unknown_addresses_lock_alike(client, make_user, monkeypatch):
    # one instant for both locks and both answers: the minutes left must not straddle a minute
    frozen = utcnow()
    monkeypatch.setattr(lockout, "utcnow", lambda: frozen)
    known = make_user("lawyer")
    unknown = "nobody-here@example.test"
    _lock(client, known.email)
    _lock(client, unknown)
    answers = [_token(client, email, WRONG) for email in (known.email, unknown)]
    assert [a.status_code for a in answers] == [429, 429]
    assert answers[0].get_json() == answers[1].get_json()
    assert answers[0].mimetype == "application/problem+json"
    assert all(0 < int(a.headers["Retry-After"]) <= 15 * 60 for a in answers)
    pages = [_form(client, email, WRONG) for email in (known.email, unknown)]
    assert [p.status_code for p in pages] == [429, 429]
    known_page, unknown_page = (_without_tokens(p.get_data(as_text=True)) for p in pages)
    assert known_page == unknown_page.replace(unknown, known.email)


def _without_tokens(html):
    """The page without its CSRF tokens (they carry a timestamp)."""
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1", html)


def test_the_address_is_normalised_and_never_stored(client, make_user):
    user = make_user("lawyer")
    for variant in (user.email, user.email.upper(), f"  {user.email} "):
        _token(client, variant, WRONG)
    rows = db.session.execute(sa.select(SignInFailure)).scalars().all()
    assert [r.failures for r in rows] == [3]
    assert rows[0].key == lockout.email_key(user.email) and user.email not in rows[0].key
    assert len(rows[0].key) == 64


def test_a_password_alone_does_not_end_a_lock(client, make_user):
    user = make_user("lawyer")
    _lock(client, user.email)
    assert _token(client, user.email).status_code == 429  # what a lucky guesser would send
    assert _form(client, user.email).status_code == 429


def test_password_and_fresh_code_end_a_lock(client, make_user, app):
    user = make_user("lawyer")
    secret = _enrol(user)
    _lock(client, user.email)
    code = pyotp.TOTP(secret).now()
    assert _token(client, user.email).status_code == 429  # no code
    other = "000000" if code != "000000" else "111111"
    assert _token(client, user.email, otp=other).status_code == 429  # a wrong code
    assert _token(client, user.email, WRONG, otp=code).status_code == 429  # code, wrong password
    assert _token(client, user.email, otp=code).status_code == 201
    db.session.expire_all()
    assert lockout.locked_for(user.email) is None
    assert _token(client, user.email, WRONG).status_code == 401  # counting starts again


def test_the_sign_in_page_takes_the_code_once_locked(client, make_user):
    user = make_user("lawyer")
    secret = _enrol(user)
    _lock(client, user.email)
    page = _form(client, user.email)
    assert page.status_code == 429 and 'name="otp"' in page.get_data(as_text=True)
    done = _form(client, user.email, otp=pyotp.TOTP(secret).now())
    assert done.status_code == 302 and not done.headers["Location"].endswith("/login/totp")
    assert client.get("/").status_code == 200


def test_an_admins_new_password_ends_a_lock(client, make_user, api_as):
    user = make_user("company")
    _lock(client, user.email)
    admin = api_as(make_user("admin"))
    new_password = "a brand new passphrase 42"
    r = admin.patch(f"/api/v1/users/{user.id}", json={"password": new_password})
    assert r.status_code == 200, r.get_json()
    assert _token(client, user.email, new_password).status_code == 201


def test_a_lock_ends_with_its_window(client, make_user):
    user = make_user("lawyer")
    _lock(client, user.email)
    assert _token(client, user.email).status_code == 429
    db.session.execute(
        sa.update(SignInFailure).values(window_start=utcnow() - dt.timedelta(minutes=16))
    )
    db.session.commit()
    assert _token(client, user.email, otp=totp_code(user.email)).status_code == 201
    db.session.expire_all()
    assert db.session.execute(sa.select(sa.func.count()).select_from(SignInFailure)).scalar() == 0


def test_wrong_codes_lock_too(client, make_user):
    user = make_user("lawyer")
    _enrol(user)
    answers = [_token(client, user.email, otp="12345x").status_code for _ in range(5)]
    assert answers == [401, 401, 401, 401, 429]
    assert _token(client, user.email).status_code == 429
