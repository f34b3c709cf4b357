"""A user's secret iCalendar feed: issue (and so rotate), revoke, find the user by secret.

Only the SHA-256 of the 256-bit secret is stored (`User.calendar_secret_hash`); the secret is
shown once, in the answer that issues it. Issuing a new one replaces the old (a rotated URL
answers 404); revoking removes it. Both are audited, never with the secret or its hash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import url_for

from tracker import clock, records
from tracker.audit.service import record
from tracker.auth.models import User
from tracker.auth.service import require_recent_sign_in
from tracker.db import db
from tracker.deadlines import calendar, service
from tracker.i18n import zone_of
from tracker.web.links import absolute, site_root


def feed_url(secret: str) -> str:
    return absolute(url_for("deadlines.calendar_feed", secret=secret))


def issue_feed(user: User, password: str | None = None) -> str:
    """A new feed secret for `user` (any earlier one stops working); the URL to subscribe to.
    The address outlives the session or token that asks for it, so it needs a recent sign-in
    or the password (SignInAgain, from `require_recent_sign_in`)."""
    require_recent_sign_in(user, password)
    secret = calendar.new_secret()
    rotated = user.calendar_secret_hash is not None
    user.calendar_secret_hash = calendar.hash_secret(secret)
    db.session.flush()
    record("calendar.issued", user, detail={"rotated": rotated})
    return feed_url(secret)


def revoke_feed(user: User) -> bool:
    """Remove the user's feed; False when there was none (nothing audited then)."""
    if user.calendar_secret_hash is None:
        return False
    user.calendar_secret_hash = None
    db.session.flush()
    record("calendar.revoked", user)
    return True


def user_for_secret(secret: str) -> User | None:
    """The active user whose feed this secret opens, or None (malformed, unknown, revoked,
    rotated, or the account is deactivated)."""
    if not calendar.well_formed_secret(secret):
        return None
    return db.session.execute(
        sa.select(User).where(
            User.calendar_secret_hash == calendar.hash_secret(secret), User.active.is_(True)
        )
    ).scalar_one_or_none()


def link(item: Mapping[str, Any]) -> str:
    """The page a deadline item comes from (absolute)."""
    return absolute(page_of(item))


def page_of(item: Mapping[str, Any]) -> str:
    """The path of the page a deadline item comes from (its record's, else its project's)."""
    return records.page_of_record(
        item["source_type"], item["source_id"], item["project_id"], item.get("parent_id")
    )


def feed_for(user: User, today: dt.date | None = None) -> bytes:
    """The user's feed: every deadline in their scope, labels in their locale."""
    today = today or clock.today()
    items = service.deadlines(user, today)
    host = urlsplit(site_root()).hostname or "tracker"
    return calendar.build_calendar(
        items,
        host=host,
        locale=user.locale,
        link=link,
        time_zone=zone_of(user).key,
        today=today,
    )
