"""Each person reads times in their own time zone: `time_zone` on `GET/PATCH /api/v1/me`
and the account page, one formatting helper for every page, "today" where the reader is."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from babel.dates import format_date

from tests.support import ROLES, audit_actions, csrf_token, fresh
from tracker import clock
from tracker.auth.models import User
from tracker.db import db
from tracker.i18n import format_day, format_when, reader_today

MOMENT = dt.datetime(2026, 12, 6, 15, 19, 44, tzinfo=dt.UTC)


class Reader:
    def __init__(self, time_zone: str) -> None:
        self.time_zone = time_zone


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_and_sets_its_time_zone(world, api_as, role):
    me = world.users[role]
    api = api_as(me)
    assert api.get("/api/v1/me").get_json()["time_zone"] == "Asia/Seoul"
    response = api.patch("/api/v1/me", json={"time_zone": "Europe/Berlin"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["time_zone"] == "Europe/Berlin"
    assert fresh(User, me.id).time_zone == "Europe/Berlin"
    (event,) = audit_actions("user.preferences_changed")
    assert event.detail == {"fields": ["time_zone"]}  # the names, never the values


@pytest.mark.parametrize(
    "body",
    [
        {"time_zone": "Mars/Olympus"},
        {"time_zone": "asia/seoul"},
        {"time_zone": ""},
        {"time_zone": 9},
        {"time_zone": None},
        {"time_zone": "Asia/Seoul\x00"},
        {"time_zone": "x" * 5000},
        {"locale": "fr"},
        {"role": "admin"},  # nobody raises their own role here
    ],
)
def test_a_bad_time_zone_is_refused_and_nothing_changes(world, api_as, body):
    me = world.users["company"]
    before = (me.time_zone, me.role, me.locale)
    response = api_as(me).patch("/api/v1/me", json=body)
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("application/problem+json")
    again = fresh(User, me.id)
    assert (again.time_zone, again.role, again.locale) == before
    assert not audit_actions("user.preferences_changed")


def test_malformed_json_is_a_problem_not_a_500(world, api_as):
    api = api_as(world.users["lawyer"])
    response = api.patch(
        "/api/v1/me", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422)


def test_anonymous_cannot_read_or_set_a_time_zone(client):
    assert client.get("/api/v1/me").status_code == 401
    assert client.patch("/api/v1/me", json={"time_zone": "UTC"}).status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_the_account_page_sets_the_time_zone(world, browser_as, role):
    me = world.users[role]
    me.locale = "ko"
    db.session.flush()
    browser = browser_as(me)
    page = browser.get("/account").get_data(as_text=True)
    assert 'name="prefs-time_zone"' in page and "독일(베를린) 시간" in page  # named in Korean
    token = csrf_token(browser, "/account")
    form = {"csrf_token": token, "prefs-locale": "ko", "prefs-submit": "1"}
    response = browser.post("/account", data={**form, "prefs-time_zone": "America/New_York"})
    assert response.status_code == 302
    assert fresh(User, me.id).time_zone == "America/New_York"
    refused = browser.post("/account", data={**form, "prefs-time_zone": "Nowhere/Atlantis"})
    assert refused.status_code == 422
    assert "알 수 없는 시간대" in refused.get_data(as_text=True)
    assert fresh(User, me.id).time_zone == "America/New_York"


def test_one_helper_writes_a_moment_in_the_readers_zone_and_language(app):
    with app.test_request_context():
        seoul, berlin = Reader("Asia/Seoul"), Reader("Europe/Berlin")
        # 15:19 UTC is already the next morning in Seoul: the day follows the zone
        assert format_when(MOMENT, "ko", user=seoul) == "2026. 12. 7. 오전 12:19"
        assert format_when(MOMENT, "en", user=seoul) == "Dec 7, 2026 12:19\u202fAM"
        # another zone than the firm's says its offset
        assert format_when(MOMENT, "ko", user=berlin) == "2026. 12. 6. 오후 4:19 (+01:00)"
        assert format_day(MOMENT, "en", user=berlin) == "Dec 6, 2026"
        assert format_day(MOMENT, "ko", user=seoul) == "2026. 12. 7."
        assert format_when(None) == "" and format_day(None) == ""
        assert format_day("2026-12-06", "ko") == "2026. 12. 6."


def test_today_is_the_readers_date(world, browser_as):
    me = world.users["lawyer"]
    me.locale, me.time_zone = "en", "Pacific/Honolulu"
    db.session.flush()
    page = browser_as(me).get("/").get_data(as_text=True)
    local = clock.now().astimezone(zoneinfo.ZoneInfo("Pacific/Honolulu")).date()
    assert local == reader_today(me)
    # the suite runs at noon in Seoul: the previous evening in Honolulu
    assert local < clock.today()
    assert f"Today is {format_date(local, 'medium', locale='en')}." in page


def test_exports_write_times_in_the_readers_zone(world, api_as):
    me = world.users["admin"]
    me.time_zone = "Europe/Berlin"
    db.session.commit()
    offset = clock.now().astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).isoformat()[-6:]
    body = api_as(me).get("/api/v1/projects?format=csv").get_data(as_text=True)
    header, row = body.lstrip("\ufeff").splitlines()[:2]
    assert f"Created at ({offset})" in header and "(UTC)" not in header
    assert row.count(offset) >= 1  # the value carries the same offset
    local = world.project.created_at.astimezone(zoneinfo.ZoneInfo("Europe/Berlin"))
    assert local.strftime("%Y-%m-%d %H:%M") in body
