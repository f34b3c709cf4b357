"""Sessions proof: a cookie or bearer token captured before sign-out, a password change,
disabling or deleting the user no longer works in anybody's hands; signing in issues a new
session id (no fixation); the idle and absolute time-outs hold on a patched clock; production
cookies carry Secure, HttpOnly and SameSite=Lax."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.support import TEST_PASSWORD, csrf_token, sign_in
from tracker import create_app
from tracker.auth import service as auth_service
from tracker.auth.models import ApiToken, User, UserSession
from tracker.db import db
from tracker.errors import ConfigurationError

COOKIE = "tracker_session"


class Captured:
    """What a thief copied from a signed-in user: the session cookie and a bearer token."""

    def __init__(self, app: Flask, user: User, browser: Any) -> None:
        self.app = app
        self.cookie = browser.get_cookie(COOKIE).value
        self.token, _row = auth_service.issue_token(user)
        db.session.commit()
        assert self.works() == (200, 200)

    def works(self) -> tuple[int, int]:
        """The answers of /api/v1/me to the replayed cookie and to the replayed token."""
        thief = self.app.test_client()
        thief.set_cookie(COOKIE, self.cookie)
        by_cookie = thief.get("/api/v1/me").status_code
        by_token = (
            self.app.test_client()
            .get("/api/v1/me", headers={"Authorization": f"Bearer {self.token}"})
            .status_code
        )
        return by_cookie, by_token


def _change_password(browser: Any) -> Any:
    return browser.post(
        "/account",
        data={
            "csrf_token": csrf_token(browser, "/account"),
            "pw-current": TEST_PASSWORD,
            "pw-new": "an entirely different passphrase",
            "pw-submit": "1",
        },
    )


def test_replay_after_sign_out(app: Flask, make_user: Any, browser_as: Any) -> None:
    user = make_user("lawyer")
    browser = browser_as(user)
    captured = Captured(app, user, browser)
    response = browser.post(
        "/account/sign-out-everywhere", data={"csrf_token": csrf_token(browser, "/account")}
    )
    assert response.status_code == 302
    assert captured.works() == (401, 401)


def test_replay_of_the_cookie_after_a_plain_sign_out(
    app: Flask, make_user: Any, browser_as: Any
) -> None:
    user = make_user("company")
    browser = browser_as(user)
    captured = Captured(app, user, browser)
    assert (
        browser.post("/logout", data={"csrf_token": csrf_token(browser, "/account")}).status_code
        == 302
    )
    by_cookie, _by_token = captured.works()
    assert by_cookie == 401  # the token is a separate credential; revoking it is tested below


def test_replay_of_a_token_after_its_revocation(app: Flask, make_user: Any) -> None:
    user = make_user("operator")
    token, _row = auth_service.issue_token(user)
    db.session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    assert app.test_client().delete("/api/v1/auth/token", headers=auth).status_code == 204
    assert app.test_client().get("/api/v1/me", headers=auth).status_code == 401


def test_replay_after_password_change(app: Flask, make_user: Any, browser_as: Any) -> None:
    user = make_user("lawyer")
    captured = Captured(app, user, browser_as(user))
    assert _change_password(browser_as(user)).status_code == 302
    assert captured.works() == (401, 401)


def test_replay_after_disabling(app: Flask, make_user: Any, browser_as: Any, api_as: Any) -> None:
    user = make_user("company")
    captured = Captured(app, user, browser_as(user))
    response = api_as(make_user("admin")).patch(f"/api/v1/users/{user.id}", json={"active": False})
    assert response.status_code == 200
    assert captured.works() == (401, 401)


def test_replay_after_deleting(app: Flask, make_user: Any, browser_as: Any) -> None:
    # no route deletes an account (the audit trail names its actors); an operator may remove
    # the row in the database, and whatever was captured must die with it
    user = make_user("auditor")
    captured = Captured(app, user, browser_as(user))
    db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id))
    db.session.execute(sa.delete(ApiToken).where(ApiToken.user_id == user.id))
    db.session.execute(sa.delete(User).where(User.id == user.id))
    db.session.commit()
    assert captured.works() == (401, 401)


def test_sign_in_issues_a_new_session_id(app: Flask, make_user: Any) -> None:
    """Fixation: a cookie planted before sign-in is not the cookie that signs in."""
    user = make_user("lawyer")
    attacker = app.test_client()
    attacker.get("/login")
    planted = attacker.get_cookie(COOKIE).value
    victim = app.test_client()
    victim.set_cookie(COOKIE, planted)
    assert sign_in(victim, user.email).status_code == 302
    assert victim.get_cookie(COOKIE).value != planted
    assert victim.get("/api/v1/me").status_code == 200
    assert attacker.get("/api/v1/me").status_code == 401
    # and signing in again replaces the server-side session rather than reusing it
    first = victim.get_cookie(COOKIE).value
    assert sign_in(app.test_client(), user.email).status_code == 302
    again = app.test_client()
    assert sign_in(again, user.email).status_code == 302
    assert again.get_cookie(COOKIE).value != first


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = dt.datetime.now(dt.UTC)
        monkeypatch.setattr(auth_service, "utcnow", lambda: self.now)

    def advance(self, **kw: float) -> None:
        self.now += dt.timedelta(**kw)


def test_idle_time_out_on_the_clock(app: Flask, make_user: Any, monkeypatch: Any) -> None:
    clock = Clock(monkeypatch)
    idle = app.config["SESSION_IDLE_MINUTES"]
    browser = app.test_client()
    assert sign_in(browser, make_user("lawyer").email).status_code == 302
    clock.advance(minutes=idle - 1)
    assert browser.get("/api/v1/me").status_code == 200  # activity resets the idle timer
    clock.advance(minutes=idle - 1)
    assert browser.get("/api/v1/me").status_code == 200
    clock.advance(minutes=idle + 1)
    assert browser.get("/api/v1/me").status_code == 401
    clock.advance(minutes=-idle - 1)  # the session is gone, not merely asleep
    assert browser.get("/api/v1/me").status_code == 401


def test_absolute_time_out_on_the_clock(app: Flask, make_user: Any, monkeypatch: Any) -> None:
    clock = Clock(monkeypatch)
    idle = app.config["SESSION_IDLE_MINUTES"]
    hours = app.config["SESSION_ABSOLUTE_HOURS"]
    browser = app.test_client()
    assert sign_in(browser, make_user("company").email).status_code == 302
    steps = int(hours * 60 // (idle - 5))
    for _ in range(steps):  # busy all the time, never idle
        clock.advance(minutes=idle - 5)
        assert browser.get("/api/v1/me").status_code == 200
    clock.advance(minutes=idle - 5)
    assert browser.get("/api/v1/me").status_code == 401


def _production_app(tmp_path_factory: Any) -> Flask:
    """A real `create_app()` in production mode (Flask's own defaults included)."""
    instance = tmp_path_factory.mktemp("prod")
    return create_app(
        {
            "TRACKER_ENV": "production",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'p.db'}",
            "SECRET_KEY": "test-only-secret-key",
            "TRACKER_KEY_FILE": str(instance / "keys.json"),
            "TRACKER_BLOB_DIR": str(instance / "blobs"),
            "TRACKER_AUDIT_CHECKPOINT_FILE": str(instance / "audit-checkpoint.json"),
            "TRACKER_REDIS_URL": "redis://127.0.0.1:6379/3",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )


def test_production_session_cookie_is_secure(tmp_path_factory: Any) -> None:
    app = _production_app(tmp_path_factory)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/login")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie


def test_production_session_cookie_flags(tmp_path_factory: Any) -> None:
    app = _production_app(tmp_path_factory)
    response = app.test_client().get("/login")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"__Host-{COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def _attributes(set_cookie: str) -> dict[str, str]:
    name_value, *attributes = (part.strip() for part in set_cookie.split(";"))
    found = {"name": name_value.partition("=")[0]}
    for attribute in attributes:
        key, _, value = attribute.partition("=")
        found[key.lower()] = value
    return found


def test_production_session_cookie_has_the_host_prefix(tmp_path_factory: Any) -> None:
    """ASVS 3.3.1: `__Host-`, Secure, Path=/ and no Domain, or the browser drops it (finding 9
    of issue 21)."""
    app = _production_app(tmp_path_factory)
    cookie = _attributes(app.test_client().get("/login").headers["Set-Cookie"])
    assert cookie["name"] == "__Host-tracker_session"
    assert "secure" in cookie and cookie["path"] == "/" and "domain" not in cookie


def test_plain_http_keeps_the_plain_cookie_name(app: Flask) -> None:
    """Browsers refuse `__Host-` without Secure: development and tests over http keep it plain."""
    assert app.config["SESSION_COOKIE_SECURE"] is False
    cookie = _attributes(app.test_client().get("/login").headers["Set-Cookie"])
    assert cookie["name"] == COOKIE and "secure" not in cookie and "domain" not in cookie


def test_the_host_prefix_refuses_a_cookie_domain(tmp_path_factory: Any) -> None:
    instance = tmp_path_factory.mktemp("prod-domain")
    with pytest.raises(ConfigurationError, match="SESSION_COOKIE_DOMAIN"):
        create_app(
            {
                "TRACKER_ENV": "production",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'p.db'}",
                "SECRET_KEY": "test-only-secret-key",
                "TRACKER_KEY_FILE": str(instance / "keys.json"),
                "RATELIMIT_STORAGE_URI": "memory://",
                "SESSION_COOKIE_DOMAIN": "example.kr",
            }
        )
