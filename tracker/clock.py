"""The one place business rules read the date and time (tests move it with monkeypatch)."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today in Korea, where the projects, deadlines and NDAs live."""
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=9))).date()
