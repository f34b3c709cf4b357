"""Passkeys (WebAuthn) as the second factor, checked with a software authenticator (real
ES256 signatures; tests/ui/test_passkey_browser.py drives Chromium's): registration on the
enrolment page, the sign-in step, single-use short-lived challenges, cloned keys, removal,
and bad answers refused with 4xx and nothing stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
import time_machine

from tests.auth.authenticator import SoftAuthenticator
from tests.support import TEST_PASSWORD, audit_actions, count, csrf_token, sign_in
from tracker.auth.models import Passkey, RecoveryCode, WebAuthnChallenge
from tracker.db import db

ORIGIN = "http://localhost"  # the test client's host
ENROL = "/account/second-factor"


def _headers(client: Any, page: str = ENROL) -> dict[str, str]:
    return {"X-CSRFToken": csrf_token(client, page)}


def _register(client: Any, device: SoftAuthenticator, name: str = "Laptop") -> Any:
    headers = _headers(client)
    options = client.post("/account/passkeys/options", headers=headers)
    assert options.status_code == 200, options.get_data(as_text=True)
    credential = device.register(options.get_json())
    return client.post(
        "/account/passkeys", json={"name": name, "credential": credential}, headers=headers
    )


def _password_step(client: Any, email: str) -> None:
    response = client.post(
        "/login", data={"email": email, "password": TEST_PASSWORD, "csrf_token": csrf_token(client)}
    )
    assert response.headers["Location"] == "/login/totp"


def _passkey_step(client: Any, device: SoftAuthenticator, **kw: Any) -> Any:
    headers = _headers(client, "/login/totp")
    options = client.post("/login/passkey/options", headers=headers)
    assert options.status_code == 200, options.get_data(as_text=True)
    return client.post(
        "/login/passkey",
        json={"credential": device.sign_in(options.get_json(), **kw)},
        headers=headers,
    )


def test_a_passkey_enrols_and_signs_in(app, make_user):
    user = make_user("lawyer", second_factor=False)
    client = app.test_client()
    sign_in(client, user.email)
    assert client.get("/").headers["Location"] == ENROL
    device = SoftAuthenticator(ORIGIN)
    added = _register(client, device)
    assert added.status_code == 201
    codes = added.get_json()["recovery_codes"]
    assert len(codes) == 10  # its first second factor: the recovery codes, this once
    assert client.get("/").status_code == 200  # the gate opens
    key = db.session.execute(sa.select(Passkey)).scalar_one()
    assert (key.user_id, key.name, key.transports) == (user.id, "Laptop", "internal")
    assert key.credential_id == device.credential_id
    # a second passkey brings no new codes
    assert _register(client, SoftAuthenticator(ORIGIN), "Phone").get_json()["recovery_codes"] == []

    fresh = app.test_client()
    _password_step(fresh, user.email)
    page = fresh.get("/login/totp").get_data(as_text=True)
    assert 'id="passkey-use"' in page
    done = _passkey_step(fresh, device)
    assert done.status_code == 200 and done.get_json() == {"next": "/"}
    assert fresh.get("/api/v1/me").get_json()["id"] == user.id
    db.session.expire_all()
    key = db.session.get(Passkey, key.id)
    assert key.sign_count == 1 and key.last_used_at is not None
    for action in ("auth.passkey_added", "auth.passkey_used"):
        events = audit_actions(action)
        assert events and set(events[0].detail) == {"passkey"}
    assert audit_actions("auth.sign_in")[-1].detail == {"method": "passkey"}


def _enrolled(app: Any, make_user: Any) -> tuple[Any, SoftAuthenticator]:
    user = make_user("admin")
    client = app.test_client()
    sign_in(client, user.email)
    device = SoftAuthenticator(ORIGIN)
    assert _register(client, device).status_code == 201
    return user, device


def test_a_challenge_works_once(app, make_user):
    user, device = _enrolled(app, make_user)
    client = app.test_client()
    _password_step(client, user.email)
    headers = _headers(client, "/login/totp")
    options = client.post("/login/passkey/options", headers=headers).get_json()
    answer = device.sign_in(options)
    with client.session_transaction() as stored:
        ticket = stored["passkey_sign_in"]
    ok = client.post("/login/passkey", json={"credential": answer}, headers=headers)
    assert ok.status_code == 200
    # the same answer under the same ticket, from another sign-in of the account: refused
    other = app.test_client()
    _password_step(other, user.email)
    with other.session_transaction() as stored:
        stored["passkey_sign_in"] = ticket
    replay = other.post(
        "/login/passkey", json={"credential": answer}, headers=_headers(other, "/login/totp")
    )
    assert replay.status_code == 400
    assert other.get("/api/v1/me").status_code == 401
    assert count(WebAuthnChallenge) == 0


def test_a_challenge_expires(app, make_user):
    user, device = _enrolled(app, make_user)
    client = app.test_client()
    _password_step(client, user.email)
    headers = _headers(client, "/login/totp")
    options = client.post("/login/passkey/options", headers=headers).get_json()
    with time_machine.travel(dt.timedelta(minutes=3)):  # the step waits 5, a challenge 2
        late = client.post(
            "/login/passkey", json={"credential": device.sign_in(options)}, headers=headers
        )
    assert late.status_code == 400
    assert client.get("/api/v1/me").status_code == 401


def test_a_cloned_key_is_refused(app, make_user):
    user, device = _enrolled(app, make_user)
    first = app.test_client()
    _password_step(first, user.email)
    assert _passkey_step(first, device).status_code == 200
    clone = app.test_client()
    _password_step(clone, user.email)
    device.sign_count = 0  # a copy of the key whose counter is behind
    refused = _passkey_step(clone, device, count_up=False)
    assert refused.status_code == 400
    assert audit_actions("auth.sign_in_failed")[-1].detail == {"reason": "passkey"}


def test_bad_answers_are_refused_and_store_nothing(app, make_user):
    user, device = _enrolled(app, make_user)
    client = app.test_client()
    sign_in(client, user.email)
    headers = _headers(client)
    keys, codes = count(Passkey), count(RecoveryCode)
    good = device.register(client.post("/account/passkeys/options", headers=headers).get_json())
    bad_bodies: list[Any] = [
        "not json",
        [1, 2],
        {"name": "x"},
        {"name": "x", "credential": "text"},
        {"name": 5, "credential": good},
        {"name": "a\u0000b", "credential": good},
        {"name": "x" * 101, "credential": good},
        {"name": "x", "credential": {**good, "rawId": "%%%"}},
        {"name": "x", "credential": {**good, "response": {"clientDataJSON": "e30"}}},
        {"name": "x", "credential": {**good, "type": 7}},
        {"name": "x", "credential": {}},
    ]
    for body in bad_bodies:
        kw = (
            {"data": body, "content_type": "application/json"}
            if isinstance(body, str)
            else {"json": body}
        )
        response = client.post("/account/passkeys", headers=headers, **kw)
        assert 400 <= response.status_code < 500, (body, response.status_code)
    # a good answer to a challenge that was never issued to this session
    stale = client.post(
        "/account/passkeys", json={"name": "x", "credential": good}, headers=headers
    )
    assert stale.status_code == 400
    # an answer made for another origin
    options = client.post("/account/passkeys/options", headers=headers).get_json()
    foreign = SoftAuthenticator("http://evil.example").register(options)
    assert (
        client.post(
            "/account/passkeys", json={"name": "x", "credential": foreign}, headers=headers
        ).status_code
        == 400
    )
    assert (count(Passkey), count(RecoveryCode)) == (keys, codes)

    fresh = app.test_client()
    no_step = fresh.post(
        "/login/passkey", json={"credential": {}}, headers=_headers(fresh, "/login")
    )
    assert no_step.status_code == 401
    _password_step(fresh, user.email)
    step_headers = _headers(fresh, "/login/totp")
    fresh.post("/login/passkey/options", headers=step_headers)
    for body in (
        {"credential": "x"},
        {"credential": {"rawId": 5}},
        {"credential": {"rawId": "AAAA"}},
    ):
        assert fresh.post("/login/passkey", json=body, headers=step_headers).status_code == 400
    no_csrf = fresh.post("/login/passkey", json={"credential": {}})
    assert no_csrf.status_code == 400
    assert fresh.get("/api/v1/me").status_code == 401


def test_removing_a_passkey(app, make_user):
    user = make_user("lawyer", second_factor=False)
    client = app.test_client()
    sign_in(client, user.email)
    _register(client, SoftAuthenticator(ORIGIN))
    key = db.session.execute(sa.select(Passkey)).scalar_one()
    token = csrf_token(client, ENROL)
    # the only second factor of a lawyer stays
    kept = client.post(f"/account/passkeys/{key.id}/delete", data={"csrf_token": token})
    assert kept.status_code == 303 and count(Passkey) == 1
    _register(client, SoftAuthenticator(ORIGIN), "Spare")
    gone = client.post(f"/account/passkeys/{key.id}/delete", data={"csrf_token": token})
    assert gone.status_code == 302 and count(Passkey) == 1
    assert audit_actions("auth.passkey_removed")[0].detail == {"passkey": key.id}
    # someone else's passkey: 404, as if there were none
    other = make_user("admin")
    stranger = app.test_client()
    sign_in(stranger, other.email)
    spare = db.session.execute(sa.select(Passkey)).scalar_one()
    refused = stranger.post(
        f"/account/passkeys/{spare.id}/delete", data={"csrf_token": csrf_token(stranger, ENROL)}
    )
    assert refused.status_code == 404 and count(Passkey) == 1
