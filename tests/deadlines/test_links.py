"""Absolute links in e-mail digests and calendar feeds: TRACKER_BASE_URL with or without a path
and a trailing slash, the application mounted at the root or under a path, never a path prefix
twice (the digest's own test is in test_notify.py)."""

from __future__ import annotations

import re

import icalendar
import pytest
from flask import url_for

from tracker.deadlines import feeds
from tracker.web.links import absolute, site_root

SECRET = "A" * 43
BASES = [
    ("https://example.org/tracker", "https://example.org/tracker"),
    ("https://example.org/tracker/", "https://example.org/tracker"),
    ("https://example.org", "https://example.org"),
    ("https://example.org/", "https://example.org"),
]


@pytest.mark.parametrize(("base", "root"), BASES)
def test_links_under_the_configured_address(app, monkeypatch, base, root):
    monkeypatch.setitem(app.config, "TRACKER_BASE_URL", base)
    expected = f"{root}/calendar/{SECRET}.ics"
    # `notify` builds its request context from the base URL (its path becomes the mount point)
    with app.test_request_context(base_url=base):
        assert site_root() == root
        assert feeds.feed_url(SECRET) == expected
        assert absolute("/") == root + "/"
    # a request of the application mounted under the base URL's path (SCRIPT_NAME)
    mount = root.removeprefix("https://example.org")
    with app.test_request_context("/", base_url=f"https://internal:8000{mount}"):
        assert feeds.feed_url(SECRET) == expected
    # a proxy that strips the path before the application sees the request
    with app.test_request_context("/", base_url="http://127.0.0.1:8000"):
        assert feeds.feed_url(SECRET) == expected


@pytest.mark.parametrize("mount", ["", "/tracker"])
def test_without_a_configured_address_the_requests_own_is_used(app, monkeypatch, mount):
    monkeypatch.setitem(app.config, "TRACKER_BASE_URL", None)
    with app.test_request_context("/", base_url=f"https://host.example{mount}"):
        assert url_for("deadlines.calendar_feed", secret=SECRET).startswith(f"{mount}/calendar")
        assert feeds.feed_url(SECRET) == f"https://host.example{mount}/calendar/{SECRET}.ics"


@pytest.mark.parametrize(("base", "root"), BASES[:2])
def test_the_calendar_address_and_its_event_links_carry_the_path_once(
    deadline_world, api_as, client, app, monkeypatch, base, root
):
    monkeypatch.setitem(app.config, "TRACKER_BASE_URL", base)
    url = api_as(deadline_world.users["lawyer"]).post("/api/v1/me/calendar").get_json()["url"]
    assert re.fullmatch(rf"{re.escape(root)}/calendar/[A-Za-z0-9_-]{{43}}\.ics", url)
    # the feed as the proxy passes it on: mounted under /tracker
    path = url.removeprefix(root)
    feed = client.get(path, environ_overrides={"SCRIPT_NAME": "/tracker"})
    assert feed.status_code == 200
    events = [c for c in icalendar.Calendar.from_ical(feed.data).walk() if c.name == "VEVENT"]
    links = [str(e["url"]) for e in events if "url" in e]
    assert links and all(link.startswith(f"{root}/") for link in links)
    assert not any("/tracker/tracker" in link for link in links)
