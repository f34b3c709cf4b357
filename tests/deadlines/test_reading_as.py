"""A text written for someone else (an e-mail to the person a decision concerns) dates its
records in that person's zone, not in the zone of the signed-in person who decided."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from types import SimpleNamespace

from flask_login import login_user

from tests.support import moment
from tracker.i18n import format_day, reading_as

AT = moment(0).replace(hour=16, minute=30, second=0, microsecond=0)  # Seoul: the next day


def test_a_record_is_dated_for_the_reader_named(app, world):
    decider = world.users["lawyer"]
    decider.time_zone = "Asia/Seoul"
    berlin = SimpleNamespace(time_zone="Europe/Berlin")
    seoul_day = AT.astimezone(zoneinfo.ZoneInfo("Asia/Seoul")).date()
    berlin_day = AT.astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).date()
    assert seoul_day == berlin_day + dt.timedelta(days=1)
    with app.test_request_context("/"):
        login_user(decider)
        assert format_day(AT, "en") == f"{seoul_day:%b} {seoul_day.day}, {seoul_day.year}"
        with reading_as(berlin):
            assert format_day(AT, "en") == f"{berlin_day:%b} {berlin_day.day}, {berlin_day.year}"
        assert format_day(AT, "en") == f"{seoul_day:%b} {seoul_day.day}, {seoul_day.year}"
