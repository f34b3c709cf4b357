"""The one place business rules read the date and time (tests move it with monkeypatch)."""

from __future__ import annotations

import datetime as dt

#: the deployment's time zone: Korea, where the projects, deadlines and NDAs live
LOCAL_TZ = dt.timezone(dt.timedelta(hours=9))


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def local_date(at: dt.datetime) -> dt.date:
    """The day `at` (an aware time) falls on in Korea: 23:00 UTC is already the next day."""
    return at.astimezone(LOCAL_TZ).date()


def today() -> dt.date:
    """Today in Korea, where the projects, deadlines and NDAs live."""
    return local_date(now())
