"""A calendar feed address outlives the token or session that asks for it, so creating or
rotating one needs a recent sign-in: a token issued (a browser signed in) within REAUTH_MINUTES,
or the password on the page (finding 9 of issue 21). Every role may have a feed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support import ROLES, TEST_PASSWORD, ApiClient, audit_actions, csrf_token
from tracker.auth import service as auth_service
from tracker.auth.models import User, UserSession
from tracker.db import db, utcnow

#: older than the default window of ten minutes
STALE = dt.timedelta(minutes=11)


def _feed_hash(user: User) -> str | None:
    db.session.expire_all()
    return db.session.get(User, user.id).calendar_secret_hash


def _stale_api(app: Any, user: User) -> ApiClient:
    """A client holding a live token issued eleven minutes ago."""
    token, row = auth_service.issue_token(user)
    row.created_at = utcnow() - STALE
    db.session.commit()
    return ApiClient(app.test_client(), token)


def _stale_browser(browser_as: Any, user: User) -> Any:
    """A browser whose session was signed in eleven minutes ago (and used since)."""
    browser = browser_as(user)
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user.id)
        .values(created_at=utcnow() - STALE)
    )
    db.session.commit()
    return browser


def _post_page(browser: Any, **data: str) -> Any:
    token = csrf_token(browser, "/account")
    return browser.post("/account/calendar", data={"csrf_token": token, **data})


@pytest.mark.parametrize("role", ROLES)
def test_a_fresh_token_creates_and_rotates_a_feed(role, make_user, api_as):
    user = make_user(role)
    api = api_as(user)
    assert api.post("/api/v1/me/calendar").status_code == 201
    first = _feed_hash(user)
    assert api.post("/api/v1/me/calendar").status_code == 201
    assert first is not None and _feed_hash(user) not in (None, first)


@pytest.mark.parametrize("role", ROLES)
def test_a_stale_token_neither_creates_nor_rotates_a_feed(role, app, make_user, api_as):
    user = make_user(role)
    stale = _stale_api(app, user)
    response = stale.post("/api/v1/me/calendar")
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert "sign in again" in response.get_json()["detail"]
    assert _feed_hash(user) is None
    assert api_as(user).post("/api/v1/me/calendar").status_code == 201  # a new token may
    issued = _feed_hash(user)
    assert stale.post("/api/v1/me/calendar").status_code == 403
    assert _feed_hash(user) == issued  # not rotated either
    assert stale.get("/api/v1/me").status_code == 200  # the token itself still works
    assert stale.delete("/api/v1/me/calendar").status_code == 204  # stopping a feed needs none
    assert len(audit_actions("access.denied")) == 2


@pytest.mark.parametrize("role", ROLES)
def test_a_fresh_browser_session_creates_a_feed(role, make_user, browser_as):
    user = make_user(role)
    response = _post_page(browser_as(user))
    assert response.status_code == 200 and "/calendar/" in response.get_data(as_text=True)
    assert _feed_hash(user) is not None


@pytest.mark.parametrize("role", ROLES)
def test_a_stale_browser_session_asks_for_the_password(role, make_user, browser_as):
    user = make_user(role)
    browser = _stale_browser(browser_as, user)
    prompt = _post_page(browser)
    assert prompt.status_code == 200 and 'name="password"' in prompt.get_data(as_text=True)
    assert _feed_hash(user) is None
    on_api = browser.post(
        "/api/v1/me/calendar", headers={"X-CSRFToken": csrf_token(browser, "/account")}
    )
    assert on_api.status_code == 403  # the session cookie on the API too
    wrong = _post_page(browser, password="not the password")
    assert wrong.status_code == 422 and "/calendar/" not in wrong.get_data(as_text=True)
    assert _feed_hash(user) is None
    failed = audit_actions("auth.sign_in_failed")
    assert [e.detail.get("reason") for e in failed] == ["reauthentication"]
    issued = _post_page(browser, password=TEST_PASSWORD)
    assert issued.status_code == 200 and "/calendar/" in issued.get_data(as_text=True)
    assert _feed_hash(user) is not None
