"""The iCalendar feed (RFC 5545) of a user's deadlines, and its secret.

`build_calendar(items, host=...)` turns deadline items (the API's shape: kind, due_on, title,
project_id, source_type, source_id, done, overdue, derived, rule; derived items may carry their
`key`) into one all-day VEVENT each. The UID is derived from what the deadline *is* (its source
record, kind and rule key), never from its date, so a calendar app updates an event whose date
moved rather than adding a second one. Only the kind, the title the user may see, the project's
code and the due date go into an event: no notes or other record text. The description is for a
person: the due date as the reader writes it ("2026년 12월 7일 (월)", "Mon 7 Dec 2026") and the
project; the calendar names the reader's time zone (X-WR-TIMEZONE), the deadlines stay all-day
dates and the stamp is UTC (`Z`, for the machines).

The feed URL carries a 256-bit secret; only its SHA-256 is stored (`hash_secret`), so a database
reader cannot rebuild a feed URL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import icalendar
from flask_babel import force_locale
from flask_babel import gettext as _

from tracker.deadlines.labels import in_grace_until, kind_label, where
from tracker.i18n import DEFAULT_TIME_ZONE, letter_day

PRODID = "-//Tracker//Deadlines//EN"
SECRET_BYTES = 32  # 256 bits
SECRET_LENGTH = 43  # len(token_urlsafe(32))


def new_secret() -> str:
    """A fresh feed secret: 256 random bits, URL-safe base64 without padding."""
    return secrets.token_urlsafe(SECRET_BYTES)


def hash_secret(secret: str) -> str:
    """What is stored for a feed secret: its SHA-256, hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    """Whether `secret` is the one whose hash is stored (constant-time comparison)."""
    return hmac.compare_digest(hash_secret(secret), stored_hash)


def well_formed_secret(secret: str) -> bool:
    """A cheap check before any lookup: the shape `new_secret` produces."""
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    return len(secret) == SECRET_LENGTH and set(secret) <= alphabet


def event_uid(item: Mapping[str, Any], host: str) -> str:
    """Stable across builds and date changes: source record, kind and rule key."""
    what = item.get("key") or item.get("rule") or ""
    ident = f"{item['source_type']}|{item['source_id']}|{item['kind']}|{what}"
    return f"{hashlib.sha256(ident.encode('utf-8')).hexdigest()[:32]}@{host}"


def _due(item: Mapping[str, Any]) -> dt.date:
    due = item["due_on"]
    if isinstance(due, dt.datetime):
        return due.date()
    if isinstance(due, dt.date):
        return due
    return dt.date.fromisoformat(str(due))


def build_calendar(
    items: Iterable[Mapping[str, Any]],
    *,
    host: str,
    locale: str | None = None,
    stamp: dt.datetime | None = None,
    link: Callable[[Mapping[str, Any]], str | None] | None = None,
    time_zone: str = DEFAULT_TIME_ZONE,
    today: dt.date | None = None,
) -> bytes:
    """The feed as RFC 5545 bytes; labels and dates in `locale` (the current one when None),
    the calendar in the reader's `time_zone`; "in grace until" as of `today` when given."""
    if locale is None:
        return _build(items, host, stamp, link, time_zone, today)
    with force_locale(locale):
        return _build(items, host, stamp, link, time_zone, today)


def _description(item: Mapping[str, Any], due: dt.date, today: dt.date | None) -> str:
    """What a person reads in the event: the due date, the project (and office), the grace."""
    lines = [_("Due: %(day)s", day=letter_day(due))]
    if where(item):
        lines.append(where(item))
    grace = in_grace_until(item, today) if today is not None else None
    if grace is not None:
        lines.append(_("in grace until %(d)s", d=letter_day(grace)))
    return "\n".join(lines)


def _build(
    items: Iterable[Mapping[str, Any]],
    host: str,
    stamp: dt.datetime | None,
    link: Callable[[Mapping[str, Any]], str | None] | None,
    time_zone: str,
    today: dt.date | None,
) -> bytes:
    stamp = (stamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("Tracker deadlines"))
    cal.add("x-wr-timezone", time_zone)
    for item in items:
        due = _due(item)
        summary = f"{kind_label(item['kind'])}: {item['title']}"
        if where(item):
            summary = f"[{where(item)}] {summary}"
        if item.get("done"):
            summary = _("Done: %(summary)s", summary=summary)
        event = icalendar.Event()
        event.add("uid", event_uid(item, host))
        event.add("dtstamp", stamp)
        event.add("dtstart", due)  # a date: VALUE=DATE, all day
        event.add("dtend", due + dt.timedelta(days=1))
        event.add("summary", summary)
        event.add("description", _description(item, due, today))
        event.add("transp", "TRANSPARENT")
        url = link(item) if link else None
        if url:
            event.add("url", url)
        cal.add_component(event)
    return cal.to_ical()
