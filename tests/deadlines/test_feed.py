"""The secret iCalendar feed: issue, rotate, revoke (API and account page), the public .ics."""

from __future__ import annotations

import re

import icalendar
import pytest

from tests.support import ROLES, audit_actions, csrf_token
from tracker.auth.models import User
from tracker.db import db
from tracker.deadlines import calendar as ical


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_issue_parse_rotate_revoke(deadline_world, api_as, client):
    w = deadline_world
    api = api_as(w.users["lawyer"])
    r = api.post("/api/v1/me/calendar")
    assert r.status_code == 201
    url = r.get_json()["url"]
    secret = re.search(r"/calendar/([A-Za-z0-9_-]{43})\.ics$", url).group(1)
    user = db.session.get(User, w.users["lawyer"].id)
    db.session.refresh(user)
    assert user.calendar_secret_hash == ical.hash_secret(secret) != secret

    feed = client.get(_path(url))
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert "no-store" in feed.headers["Cache-Control"]
    cal = icalendar.Calendar.from_ical(feed.data)
    events = [c for c in cal.walk() if c.name == "VEVENT"]
    summaries = [str(e["summary"]) for e in events]
    assert any("IN late follow-up" in s for s in summaries)
    assert not any("OUT" in s for s in summaries)
    assert "CANARY" not in feed.get_data(as_text=True)
    uids = [str(e["uid"]) for e in events]
    assert len(uids) == len(set(uids))
    again = icalendar.Calendar.from_ical(client.get(_path(url)).data)
    assert [str(e["uid"]) for e in again.walk() if e.name == "VEVENT"] == uids  # stable

    rotated = api.post("/api/v1/me/calendar").get_json()["url"]
    assert rotated != url
    assert client.get(_path(url)).status_code == 404
    assert client.get(_path(rotated)).status_code == 200

    assert api.delete("/api/v1/me/calendar").status_code == 204
    assert client.get(_path(rotated)).status_code == 404

    events = audit_actions("calendar.issued") + audit_actions("calendar.revoked")
    assert len(events) == 3
    for event in events:
        assert secret not in str(event.detail) and "hash" not in str(event.detail)


@pytest.mark.parametrize("secret", ["x", "A" * 43, "../../etc", "A" * 44, "%00" * 10])
def test_unknown_or_malformed_secrets_are_404(client, secret):
    assert client.get(f"/calendar/{secret}.ics").status_code == 404


def test_a_deactivated_user_s_feed_is_gone(deadline_world, api_as, client):
    user = deadline_world.users["company"]
    url = api_as(user).post("/api/v1/me/calendar").get_json()["url"]
    user.active = False
    db.session.commit()
    assert client.get(_path(url)).status_code == 404


def test_a_password_change_ends_the_feed(deadline_world, api_as, client):
    """An address copied from a compromised account stops working when its password changes
    (as its sessions and tokens do)."""
    from tracker.auth import service as auth_service

    user = deadline_world.users["lawyer"]
    url = api_as(user).post("/api/v1/me/calendar").get_json()["url"]
    assert client.get(_path(url)).status_code == 200
    auth_service.end_all_sessions(user)
    db.session.commit()
    assert client.get(_path(url)).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_a_feed_of_its_own_scope(deadline_world, api_as, client, role):
    w = deadline_world
    url = api_as(w.users[role]).post("/api/v1/me/calendar").get_json()["url"]
    text = client.get(_path(url)).get_data(as_text=True)
    assert "BEGIN:VCALENDAR" in text
    assert ("OUT software" in text) == (role in ("admin", "auditor"))
    assert ("follow-up" in text) == (role in ("lawyer", "company"))


def test_the_account_page_creates_rotates_and_revokes(deadline_world, browser_as, client):
    browser = browser_as(deadline_world.users["operator"])
    page = browser.get("/account").get_data(as_text=True)
    assert "Create a calendar address" in page
    token = csrf_token(browser, "/account")
    assert browser.post("/account/calendar").status_code == 400  # no CSRF token
    shown = browser.post("/account/calendar", data={"csrf_token": token})
    assert shown.status_code == 200
    url = re.search(r"https?://[^<\s]+\.ics", shown.get_data(as_text=True)).group(0)
    assert client.get(_path(url)).status_code == 200
    assert "Replace the calendar address" in browser.get("/account").get_data(as_text=True)
    revoked = browser.post("/account/calendar/revoke", data={"csrf_token": token})
    assert revoked.status_code == 302
    assert client.get(_path(url)).status_code == 404


def test_calendar_endpoints_need_a_signed_in_user(client):
    assert client.post("/api/v1/me/calendar").status_code == 401
    assert client.delete("/api/v1/me/calendar").status_code == 401
