"""The sign-in lock-out, counted per submitted e-mail address (issue 11, finding 7).

Every failed sign-in counts against the address it named, whether an account has it or not,
so after LOGIN_MAX_FAILURES failures within LOGIN_FAILURE_WINDOW_SECONDS both answer 429 alike
and the lock-out tells nobody which addresses have accounts. The counter is keyed by an HMAC of
the normalised address under the secret key (the table names nobody, and holds across workers).

A lock ends when its window has passed, when an admin sets a new password for the account, or
when the account's password comes with a fresh code of its enrolled second factor (which a
stranger guessing passwords does not have). A correct password alone does not end it: that is
exactly what a guesser submits. See docs/decisions.md for the trade-off.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from tracker.auth.models import SignInFailure
from tracker.db import db, utcnow


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _address_hmac(label: bytes, email: str) -> str:
    """HMAC-SHA256 of the normalised address under the secret key, `label` first: each use
    has its own label, so one value cannot be matched against another's."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    message = label + b"\x00" + normalise_email(email).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def email_key(email: str) -> str:
    """The lock-out counter's key for `email`."""
    return _address_hmac(b"tracker sign-in lock-out", email)


def audit_key(email: str) -> str:
    """What the trail stores of an address no account has (issue 21, finding 8): the text
    typed may be a password, so only this keyed hash; equal failures still group together."""
    return _address_hmac(b"tracker sign-in audit", email)


def _window() -> dt.timedelta:
    return dt.timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"])


def locked_for(email: str) -> int | None:
    """Seconds until sign-ins naming `email` are taken again, or None when it is not locked."""
    row = db.session.execute(
        sa.select(SignInFailure.failures, SignInFailure.window_start).where(
            SignInFailure.key == email_key(email)
        )
    ).first()
    if row is None or row.failures < current_app.config["LOGIN_MAX_FAILURES"]:
        return None
    remaining = (row.window_start + _window() - utcnow()).total_seconds()
    return int(remaining) + 1 if remaining > 0 else None


def count_failure(email: str) -> int:
    """Count one failure against `email` (a new window when the last one has passed); one
    statement, so concurrent failures on several workers all count. Returns the count."""
    now = utcnow()
    sweep(now)  # expired counters go (indexed; keeps a spray of made-up addresses small)
    table = cast(sa.Table, SignInFailure.__table__)
    dialect = db.session.get_bind().dialect.name  # the connection this session writes on
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    expired = table.c.window_start < now - _window()
    statement = (
        insert(table)
        .values(key=email_key(email), failures=1, window_start=now)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "failures": sa.case((expired, 1), else_=table.c.failures + 1),
                "window_start": sa.case((expired, now), else_=table.c.window_start),
            },
        )
        .returning(table.c.failures)
    )
    return int(db.session.execute(statement).scalar_one())


def clear(email: str) -> None:
    """End any lock on `email` (a successful sign-in, or an admin's new password)."""
    db.session.execute(sa.delete(SignInFailure).where(SignInFailure.key == email_key(email)))


def sweep(now: dt.datetime | None = None) -> int:
    """Remove counters whose window has passed (they count nothing any more)."""
    cutoff = (now or utcnow()) - _window()
    result = db.session.execute(sa.delete(SignInFailure).where(SignInFailure.window_start < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
