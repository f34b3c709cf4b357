"""Issue 21, finding 6: the sign-in limit per address is one budget shared by `/login`,
`/login/totp` and `POST /api/v1/auth/token` (each allowed its own 30 before)."""

from __future__ import annotations

import pytest

from tests.support import csrf_token, sign_in


@pytest.fixture
def three_per_address(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT", "3 per 15 minutes")


def _token(client, email):
    return client.post("/api/v1/auth/token", json={"email": email, "password": "wrong guess 1"})


def _totp(client):
    return client.post("/login/totp", data={"otp": "000000", "csrf_token": csrf_token(client)})


def test_the_endpoints_share_one_budget(app, three_per_address):
    client = app.test_client()
    codes = [
        sign_in(client, "a@example.test", "wrong guess 1").status_code,
        _token(client, "b@example.test").status_code,
        sign_in(client, "c@example.test", "wrong guess 1").status_code,
    ]
    assert codes == [401, 401, 401]
    assert _token(client, "d@example.test").status_code == 429
    assert sign_in(client, "e@example.test", "wrong guess 1").status_code == 429
    assert _totp(client).status_code == 429


def test_api_failures_use_up_the_forms_budget(app, three_per_address):
    client = app.test_client()
    assert [_token(client, f"x{i}@example.test").status_code for i in range(3)] == [401] * 3
    assert sign_in(client, "y@example.test", "wrong guess 1").status_code == 429


def test_another_address_keeps_its_own_budget(app, three_per_address):
    client = app.test_client()
    for i in range(3):
        _token(client, f"x{i}@example.test")
    other = app.test_client()
    r = other.post(
        "/api/v1/auth/token",
        json={"email": "z@example.test", "password": "wrong guess 1"},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert r.status_code == 401
