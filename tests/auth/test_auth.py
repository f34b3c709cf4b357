"""Signing in and out, throttling, sessions ended on the server, bearer tokens, TOTP."""

import datetime as dt
import re
import time
from urllib.parse import quote

import pyotp
import sqlalchemy as sa

from tests.support import (
    TEST_PASSWORD,
    csrf_token,
    make_test_app,
    sign_in,
    statements,
    totp_code,
)
from tracker.audit.models import AuditEvent
from tracker.auth import lockout, service, totp
from tracker.auth.models import ApiToken, SignInFailure, User, UserSession
from tracker.db import db, utcnow


def _token(client, email, password=TEST_PASSWORD, otp=None):
    body = {"email": email, "password": password}
    if otp is not None:
        body["otp"] = otp
    return client.post("/api/v1/auth/token", json=body)


def _events(action):
    return (
        db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars().all()
    )


# --- HTML sign-in ----------------------------------------------------------------------------


def test_sign_in_success_creates_a_server_side_session(client, make_user):
    user = make_user("lawyer", email="Kim@Example.test")
    response = sign_in(client, "KIM@example.TEST")  # case-insensitive
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert (
        db.session.execute(
            sa.select(sa.func.count())
            .select_from(UserSession)
            .where(UserSession.user_id == user.id)
        ).scalar_one()
        == 1
    )
    assert _events("auth.sign_in")[-1].object_id == user.id


def test_unknown_email_and_wrong_password_get_the_same_answer(client, make_user):
    make_user("lawyer", email="known@example.test")
    wrong = sign_in(client, "known@example.test", "wrong password here")
    unknown = sign_in(client, "nobody@example.test", "wrong password here")
    assert wrong.status_code == unknown.status_code == 401
    alert = re.compile(r'role="alert">([^<]+)<')
    message = alert.search(wrong.get_data(as_text=True)).group(1)
    assert message == alert.search(unknown.get_data(as_text=True)).group(1)
    assert message == "이메일, 비밀번호 또는 코드가 올바르지 않습니다."
    api_wrong = _token(client, "known@example.test", "wrong password here")
    api_unknown = _token(client, "nobody@example.test", "wrong password here")
    assert api_wrong.status_code == api_unknown.status_code == 401
    assert api_wrong.get_json() == api_unknown.get_json()
    # every failure is audited, without the password
    failures = _events("auth.sign_in_failed")
    assert len(failures) == 4
    assert all("wrong password" not in str(e.detail) for e in failures)


def test_login_form_needs_csrf(client, make_user):
    user = make_user("lawyer")
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert client.get("/", follow_redirects=False).status_code == 302  # not signed in


def test_throttling_one_account_does_not_lock_out_another(client, make_user):
    victim = make_user("lawyer")
    other = make_user("lawyer")
    for _ in range(5):
        assert sign_in(client, victim.email, "wrong password here").status_code == 401
    # the sixth attempt is refused even with the right password
    refused = sign_in(client, victim.email)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    api = _token(client, victim.email)
    assert api.status_code == 429
    assert api.mimetype == "application/problem+json"
    assert int(api.headers["Retry-After"]) > 0
    # another account from the same address is not locked out
    assert sign_in(app_client(client), other.email).status_code == 302
    assert _events("auth.sign_in_throttled")


def app_client(client):
    return client.application.test_client()


def test_throttle_window_expires(client, make_user):
    user = make_user("lawyer")
    for _ in range(5):
        _token(client, user.email, "wrong password here")
    assert _token(client, user.email).status_code == 429
    db.session.execute(
        sa.update(SignInFailure).values(window_start=utcnow() - dt.timedelta(minutes=16))
    )
    db.session.commit()
    assert _token(client, user.email, otp=totp_code(user.email)).status_code == 201


def test_throttle_counts_live_in_the_database(client, make_user):
    user = make_user("lawyer")
    for _ in range(3):
        _token(client, user.email, "wrong password here")
    key = lockout.email_key(user.email)
    db.session.expire_all()
    assert db.session.get(SignInFailure, key).failures == 3
    assert _token(client, user.email, otp=totp_code(user.email)).status_code == 201
    db.session.expire_all()
    assert db.session.get(SignInFailure, key) is None


def test_per_address_limit(app, make_user):
    user = make_user("lawyer")
    app.config["LOGIN_ADDRESS_LIMIT"] = "3 per 15 minutes"
    try:
        client = app.test_client()
        codes = [
            _token(client, f"nobody{i}@example.test", "wrong password here").status_code
            for i in range(4)
        ]
        assert codes == [401, 401, 401, 429]
        assert _token(client, user.email).status_code == 429
    finally:
        app.config["LOGIN_ADDRESS_LIMIT"] = "1000 per 15 minutes"


def test_inactive_user_cannot_sign_in(client, make_user):
    user = make_user("lawyer", active=False)
    assert sign_in(client, user.email).status_code == 401
    assert _token(client, user.email).status_code == 401


# --- sessions end on the server ---------------------------------------------------------------


def _cookie(client):
    return client.get_cookie("tracker_session").value


def test_cookie_replay_after_sign_out_is_refused(app, make_user, browser_as):
    user = make_user("lawyer")
    client = browser_as(user)
    captured = _cookie(client)
    token = csrf_token(client, "/account")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("tracker_session", captured)
    response = thief.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert thief.get("/api/v1/me").status_code == 401


def test_sign_out_needs_csrf(make_user, browser_as):
    client = browser_as(make_user("lawyer"))
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200


def test_password_change_ends_every_session_and_token(app, make_user, browser_as, api_as):
    user = make_user("lawyer")
    other_browser = browser_as(user)
    api = api_as(user)
    client = browser_as(user)
    token = csrf_token(client, "/account")
    response = client.post(
        "/account",
        data={
            "csrf_token": token,
            "pw-current": TEST_PASSWORD,
            "pw-new": "a brand new passphrase",
            "pw-submit": "1",
        },
    )
    assert response.status_code == 302
    assert other_browser.get("/api/v1/me").status_code == 401
    assert api.get("/api/v1/me").status_code == 401
    assert sign_in(app.test_client(), user.email, "a brand new passphrase").status_code == 302


def test_password_change_needs_the_current_password(make_user, browser_as):
    user = make_user("lawyer")
    client = browser_as(user)
    token = csrf_token(client, "/account")
    response = client.post(
        "/account",
        data={
            "csrf_token": token,
            "pw-current": "not my password",
            "pw-new": "a brand new passphrase",
            "pw-submit": "1",
        },
    )
    assert response.status_code == 422
    assert client.get("/api/v1/me").status_code == 200


def test_disabling_a_user_ends_their_sessions_and_tokens(make_user, browser_as, api_as):
    admin = make_user("admin")
    user = make_user("lawyer")
    victim_browser = browser_as(user)
    victim_api = api_as(user)
    response = api_as(admin).patch(f"/api/v1/users/{user.id}", json={"active": False})
    assert response.status_code == 200
    assert victim_browser.get("/api/v1/me").status_code == 401
    assert victim_api.get("/api/v1/me").status_code == 401


def test_idle_session_times_out(app, make_user, browser_as):
    user = make_user("lawyer")
    client = browser_as(user)
    row = db.session.execute(
        sa.select(UserSession).where(UserSession.user_id == user.id)
    ).scalar_one()
    row.last_seen_at = utcnow() - dt.timedelta(minutes=31)
    db.session.commit()
    assert client.get("/api/v1/me").status_code == 401


def test_absolute_session_time_out(make_user, browser_as):
    user = make_user("lawyer")
    client = browser_as(user)
    row = db.session.execute(
        sa.select(UserSession).where(UserSession.user_id == user.id)
    ).scalar_one()
    row.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me").status_code == 401


def test_cookie_flags(make_user, client):
    user = make_user("lawyer")
    response = sign_in(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- bearer tokens ----------------------------------------------------------------------------


def test_token_issue_and_me(client, make_user):
    user = make_user("company")
    response = _token(client, user.email)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token", "expires_at"}
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.get_json() | {} == {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": "company",
        "organization_id": user.organization_id,
        "zone_id": None,
        "locale": "en",
        "time_zone": "Asia/Seoul",
        "totp_enrolled": False,
    }
    # only the hash is stored
    stored = db.session.execute(sa.select(ApiToken.token_hash)).scalars().all()
    assert body["token"] not in stored
    assert service.token_hash(body["token"]) in stored


def test_a_bearer_token_and_its_user_are_read_in_one_statement(client, make_user):
    user = make_user("company")
    user_id, token = user.id, _token(client, user.email).get_json()["token"]
    db.session.commit()
    db.session.expunge_all()  # as a new request: neither the token nor the user loaded yet
    with statements() as seen:
        row = service.token_row(token)
        assert row is not None and row.user.id == user_id and row.user.active
    assert len([sql for sql in seen if sql.startswith("SELECT")]) == 1
    # the checks are unchanged: a deactivated user's token is refused
    db.session.execute(sa.update(User).where(User.id == user_id).values(active=False))
    db.session.commit()
    db.session.expunge_all()
    assert service.token_row(token) is None


def test_token_revocation_is_immediate(client, make_user):
    user = make_user("lawyer")
    token = _token(client, user.email, otp=totp_code(user.email)).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_expired_token_is_refused(client, make_user):
    user = make_user("lawyer")
    token = _token(client, user.email, otp=totp_code(user.email)).get_json()["token"]
    row = db.session.execute(
        sa.select(ApiToken).where(ApiToken.token_hash == service.token_hash(token))
    ).scalar_one()
    row.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_bearer_calls_need_no_csrf(make_user, api_as):
    admin = make_user("admin")
    response = api_as(admin).post(
        "/api/v1/zones", json={"code": "T-1", "name_en": "Test zone", "name_ko": "시험 특구"}
    )
    assert response.status_code == 201


def test_cookie_api_writes_need_the_csrf_header(make_user, browser_as):
    client = browser_as(make_user("admin"))
    body = {"code": "T-2", "name_en": "Test zone", "name_ko": "시험 특구"}
    refused = client.post("/api/v1/zones", json=body)
    assert refused.status_code == 400
    assert refused.mimetype == "application/problem+json"
    token = csrf_token(client, "/account")
    accepted = client.post("/api/v1/zones", json=body, headers={"X-CSRFToken": token})
    assert accepted.status_code == 201


# --- TOTP -----------------------------------------------------------------------------------


def _enrol(user):
    secret = pyotp.random_base32()
    assert totp.enrol_totp(user, secret, pyotp.TOTP(secret).now())
    user.totp_last_step = int(time.time() // 30) - 5  # so the current code is still unused
    db.session.commit()
    return secret


def test_totp_required_once_enrolled(client, make_user):
    user = make_user("lawyer")
    secret = _enrol(user)
    first = client.post(
        "/login",
        data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert first.status_code == 302 and first.headers["Location"].endswith("/login/totp")
    # not signed in yet
    assert client.get("/api/v1/me").status_code == 401
    token = csrf_token(client, "/login/totp")
    wrong = client.post("/login/totp", data={"csrf_token": token, "otp": "000000"})
    assert wrong.status_code == 401
    code = pyotp.TOTP(secret).now()
    ok = client.post("/login/totp", data={"csrf_token": token, "otp": code})
    assert ok.status_code == 302
    assert client.get("/api/v1/me").status_code == 200


def test_totp_codes_are_single_use(client, make_user):
    user = make_user("admin")
    secret = _enrol(user)
    assert _token(client, user.email, otp="").status_code == 401  # code missing
    code = pyotp.TOTP(secret).now()
    assert _token(client, user.email, otp=code).status_code == 201
    assert _token(client, user.email, otp=code).status_code == 401  # replayed


def test_admins_and_lawyers_keep_their_second_factor(make_user):
    import pytest

    for role in ("admin", "lawyer"):
        user = make_user(role)
        _enrol(user)
        with pytest.raises(PermissionError):
            totp.remove_totp(user)
    company = make_user("company")
    _enrol(company)
    totp.remove_totp(company)
    assert not company.totp_enrolled


def test_totp_secret_is_sealed(make_user):
    user = make_user("lawyer")
    secret = _enrol(user)
    assert secret.encode() not in user.totp_secret_sealed
    assert totp.totp_secret(user) == secret


def test_totp_enrolment_page(make_user, browser_as):
    user = make_user("lawyer", second_factor=False)
    client = browser_as(user)
    page = client.get("/account/second-factor").get_data(as_text=True)
    # the QR code and the key, not the provisioning address (a code, not words: issue 19)
    assert 'class="qr"' in page and "otpauth://" not in page
    secret = re.search(r'<code class="secret"[^>]*>([A-Z2-7]+)</code>', page).group(1)
    token = csrf_token(client, "/account/second-factor")
    response = client.post(
        "/account/second-factor",
        data={"csrf_token": token, "totp-otp": pyotp.TOTP(secret).now(), "totp-submit": "1"},
    )
    assert response.status_code == 200  # the recovery codes, shown once
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_enrolled


def test_per_address_limit_in_redis(tmp_path_factory, make_user):
    """Production keeps the per-address counters in Redis, shared by every instance."""
    import os
    import uuid

    import redis

    url = os.environ.get("TRACKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    assert redis.Redis.from_url(url).ping()
    prefix = f"test-{uuid.uuid4().hex}"
    app = make_test_app(
        tmp_path_factory,
        "sqlite://",
        RATELIMIT_STORAGE_URI=url,
        RATELIMIT_KEY_PREFIX=prefix,
        LOGIN_ADDRESS_LIMIT="2 per 15 minutes",
    )
    first, second = app.test_client(), app.test_client()  # two "instances" of one address
    body = {"email": "nobody@example.test", "password": "wrong password here"}
    assert first.post("/api/v1/auth/token", json=body).status_code == 401
    assert second.post("/api/v1/auth/token", json=body).status_code == 401
    assert first.post("/api/v1/auth/token", json=body).status_code == 429
    keys = redis.Redis.from_url(url).keys(f"*{prefix}*")
    assert keys
    redis.Redis.from_url(url).delete(*keys)


def test_totp_seeds_follow_a_kek_rotation(app, make_user):
    """`keys rotate` re-seals TOTP seeds too, so the old KEK can leave the key file."""
    from tracker import keys

    user = make_user("lawyer")
    secret = _enrol(user)
    path = keys.current().path
    saved = path.read_text()
    ring = keys.load(path)
    old_id, new_id = ring.active_kek_id, keys.new_kek_id()
    ring.keks[new_id], ring.active_kek_id = b"\x07" * 32, new_id
    keys.write(ring, path, overwrite=True)
    try:
        assert totp.totp_secrets_on_old_keys() == 1
        assert totp.reseal_totp_secrets() == (1, 0)
        assert keys.current().sealed_kek_id(user.totp_secret_sealed) == new_id
        del ring.keks[old_id]  # the old key can go once nothing uses it
        keys.write(ring, path, overwrite=True)
        assert totp.totp_secret(user) == secret
    finally:  # the key file is the test app's: put it back
        keys.write_private_file(path, saved)
        keys.current()


def test_sign_in_never_redirects_off_site(client, make_user):
    user = make_user("company")  # no second step: the password's answer is the redirect
    for target in (
        "//evil.example/x",
        "/\\evil.example/x",
        "https://evil.example/",
        "/\tevil",
        "/ok\n",
    ):
        c = client.application.test_client()
        token = csrf_token(c)
        response = c.post(
            "/login?next=" + quote(target),
            data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "/", target
    c = client.application.test_client()
    token = csrf_token(c)
    response = c.post(
        "/login?next=/projects%3Fstatus%3Dactive",
        data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/projects?status=active"
