"""The required second factor (issue 21, finding 2; ASVS 6.3.3): the roles of TRACKER_MFA_ROLES
reach only the enrolment page until they have one, the API refuses them a token, recovery
codes work once, TOTP codes work once, and an empty TRACKER_MFA_ROLES turns the rule off."""

from __future__ import annotations

import logging
import re
from typing import Any

import pyotp
import pytest
import sqlalchemy as sa

from tests.support import (
    ROLES,
    TEST_PASSWORD,
    audit_actions,
    csrf_token,
    database_url,
    make_test_app,
    sign_in,
    totp_code,
)
from tracker.auth import mfa, recovery
from tracker.auth.models import RecoveryCode, User
from tracker.db import db

HELD = {"admin", "lawyer", "auditor"}
ENROL = "/account/second-factor"
#: pages an unenrolled account of a held role must not reach (HTML and API)
PAGES = ["/", "/projects", "/account", "/admin/users", "/audit", "/deadlines"]


def _token(client: Any, email: str, otp: str | None = None) -> Any:
    return client.post(
        "/api/v1/auth/token", json={"email": email, "password": TEST_PASSWORD, "otp": otp}
    )


def _enrol(client: Any) -> list[str]:
    """Enrol the signed-in account's authenticator on the enrolment page; its recovery codes."""
    page = client.get(ENROL).get_data(as_text=True)
    secret = re.search(r'<code class="secret"[^>]*>([A-Z2-7]+)</code>', page).group(1)
    response = client.post(
        ENROL,
        data={
            "csrf_token": csrf_token(client, ENROL),
            "totp-otp": pyotp.TOTP(secret).now(),
            "totp-submit": "1",
        },
    )
    assert response.status_code == 200
    return re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.get_data(as_text=True))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_held_to_the_rule_or_not(role, client, make_user):
    user = make_user(role, second_factor=False)
    assert sign_in(client, user.email).status_code == 302
    for path in PAGES:
        response = client.get(path)
        if role in HELD:
            assert response.status_code == 302, path
            assert response.headers["Location"] == ENROL, path
        else:
            assert response.headers.get("Location") != ENROL, path
    api = client.get("/api/v1/me")
    assert api.status_code == (403 if role in HELD else 200)
    token = _token(client.application.test_client(), user.email)
    assert token.status_code == (403 if role in HELD else 201)


def test_the_enrolment_page_and_sign_out_stay_reachable(client, make_user):
    user = make_user("lawyer", second_factor=False)
    sign_in(client, user.email)
    page = client.get(ENROL)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'<figure class="qr"[^>]*>\s*<svg', html)  # drawn here: no request out
    assert 'src="http' not in html and "data:image" not in html
    assert "Your role must sign in with a second factor" in html
    static = client.get("/static/css/app.css")
    assert static.status_code == 200
    static.close()
    out = client.post("/logout", data={"csrf_token": csrf_token(client, ENROL)})
    assert out.status_code == 302 and out.headers["Location"] == "/login"
    assert client.get(ENROL).headers["Location"].startswith("/login")


def test_the_api_says_to_enrol_first(client, make_user, api_as):
    user = make_user("admin", second_factor=False)
    refused = _token(client, user.email)
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert body["type"] == mfa.ENROL_FIRST_TYPE and body["code"] == mfa.ENROL_FIRST_CODE
    assert "2단계 인증" in body["detail"] and body["status"] == 403  # Korean unless asked
    english = client.post(
        "/api/v1/auth/token",
        json={"email": user.email, "password": TEST_PASSWORD},
        headers={"Accept-Language": "en"},
    )
    assert "must sign in with a second factor" in english.get_json()["detail"]
    # a wrong password still answers 401: the enrolment state is told only to the password
    wrong = client.post("/api/v1/auth/token", json={"email": user.email, "password": "x" * 12})
    assert wrong.status_code == 401
    # a token made before the rule (or by hand) does not get past it either
    old = api_as(user).get("/api/v1/projects")
    assert old.status_code == 403 and old.get_json()["code"] == mfa.ENROL_FIRST_CODE
    # enrolled: the token needs the code, then works
    browser = client.application.test_client()
    sign_in(browser, user.email)
    _enrol(browser)
    assert _token(client, user.email).status_code == 401
    assert _token(client, user.email, totp_code(user.email)).status_code == 201


def test_enrolment_shows_ten_recovery_codes_once_and_stores_only_hashes(client, make_user):
    user = make_user("auditor", second_factor=False)
    sign_in(client, user.email)
    codes = _enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/").status_code == 200  # enrolled: the gate opens
    page = client.get(ENROL).get_data(as_text=True)
    assert not any(c in page for c in codes)  # shown once
    assert "10 unused recovery codes left" in page
    stored = db.session.execute(sa.select(RecoveryCode.code_hash)).scalars().all()
    assert len(stored) == 10
    for code in codes:
        assert code not in stored and recovery.normalise(code) not in stored
        assert recovery.code_hash(code) in stored
    events = audit_actions("auth.recovery_codes_created") + audit_actions("auth.totp_enrolled")
    assert len(events) == 2
    for event in events:
        assert not any(c in str(event.detail) for c in codes)


def _second_step(client: Any, email: str, code: str) -> Any:
    client.post(
        "/login", data={"email": email, "password": TEST_PASSWORD, "csrf_token": csrf_token(client)}
    )
    token = csrf_token(client, "/login/totp")
    return client.post("/login/totp", data={"otp": code, "csrf_token": token})


def test_a_recovery_code_signs_in_once(app, make_user):
    user = make_user("lawyer")
    codes = recovery.replace_codes(user)
    db.session.commit()
    first = _second_step(app.test_client(), user.email, codes[0].upper().replace("-", " "))
    assert first.status_code == 302 and first.headers["Location"] == "/"
    again = _second_step(app.test_client(), user.email, codes[0])
    assert again.status_code == 401
    # the API takes one as its `otp` as well, once
    assert _token(app.test_client(), user.email, codes[1]).status_code == 201
    assert _token(app.test_client(), user.email, codes[1]).status_code == 401
    used = audit_actions("auth.recovery_code_used")
    assert len(used) == 2 and used[-1].detail == {"left": 8}
    assert recovery.codes_left(db.session.get(User, user.id)) == 8


def test_new_recovery_codes_replace_the_old_ones(client, make_user):
    user = make_user("admin")
    old = recovery.replace_codes(user)
    db.session.commit()
    sign_in(client, user.email)
    token = csrf_token(client, ENROL)
    response = client.post("/account/recovery-codes", data={"csrf_token": token})
    assert response.status_code == 200
    new = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert _second_step(client.application.test_client(), user.email, old[0]).status_code == 401
    assert _second_step(client.application.test_client(), user.email, new[0]).status_code == 302


def test_a_totp_code_signs_in_once(app, make_user):
    user = make_user("lawyer")
    code = totp_code(user.email)
    assert _second_step(app.test_client(), user.email, code).status_code == 302
    replay = _second_step(app.test_client(), user.email, code)
    assert replay.status_code == 401
    failed = audit_actions("auth.sign_in_failed")
    assert failed[-1].detail == {"reason": "otp"} and code not in str(failed[-1].detail)


def test_an_empty_role_list_turns_the_rule_off(client, make_user, monkeypatch):
    monkeypatch.setitem(client.application.config, "TRACKER_MFA_ROLES", "")
    user = make_user("admin", second_factor=False)
    sign_in(client, user.email)
    assert client.get("/").status_code == 200
    assert _token(client, user.email).status_code == 201


def test_the_start_up_log_says_when_the_rule_is_off(tmp_path_factory, worker_id, caplog):
    url = database_url(tmp_path_factory, worker_id, "mfaoff")
    with caplog.at_level(logging.INFO, logger="tracker.auth.mfa_views"):
        make_test_app(tmp_path_factory, url, TRACKER_MFA_ROLES="")
        make_test_app(tmp_path_factory, url)
    messages = [r.getMessage() for r in caplog.records if r.name == "tracker.auth.mfa_views"]
    assert any("TRACKER_MFA_ROLES is empty" in m for m in messages)
    assert any("required for: admin, auditor, lawyer" in m for m in messages)
    with pytest.raises(ValueError, match="unknown roles"):
        make_test_app(tmp_path_factory, url, TRACKER_MFA_ROLES="admin,root")


def test_the_demo_logins_come_enrolled(app):
    from tracker.demo import demo_logins, load_demo

    load_demo()
    for email, role in demo_logins():
        user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one()
        assert user.totp_enrolled == (role in HELD), email


def test_flask_demo_says_how_to_sign_in(app):
    from tracker.demo import demo_command, demo_totp_seed

    output = app.test_cli_runner().invoke(demo_command).output
    for email in ("admin@tracker.example", "lawyer@tracker.example", "auditor@tracker.example"):
        line = next(line for line in output.splitlines() if email in line)
        assert f"authenticator key {demo_totp_seed(email)}" in line
    company = next(line for line in output.splitlines() if "company@tracker.example" in line)
    assert "authenticator key" not in company
    assert "six-digit code after the password" in output
