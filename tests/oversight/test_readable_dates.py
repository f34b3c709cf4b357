"""Dates stored as ISO text (an audit event's detail, a check's parameters) reach a person as
they write dates in their language and zone, never as `2026-12-07`."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from tracker.oversight.actions import detail_items
from tracker.transfers.gate import check_detail


@pytest.mark.parametrize(
    ("locale", "day", "moment"),
    [
        ("en", "Dec 21, 2026", "Dec 7, 2026 1:30\u202fAM"),  # CLDR: a narrow space before AM
        ("ko", "2026. 12. 21.", "2026. 12. 7. 오전 1:30"),
    ],
)
def test_the_audit_detail_reads_dates_and_times(app, locale, day, moment):
    detail = {
        "planned_on": "2026-12-21",
        "at": "2026-12-06T16:30:00+00:00",
        "reason": "2026-13-45",  # shaped like a date, but none: left as it is
        "channel": "e-mail",
    }
    with app.test_request_context("/"), force_locale(locale):
        items = dict(detail_items(detail))
    values = set(items.values())
    assert day in values and moment in values  # Seoul: 16:30 UTC is 01:30 the next day
    assert "2026-12-21" not in values and "2026-13-45" in values


def test_a_checks_sentence_reads_its_dates(app):
    check = {
        "code": "nda_active",
        "ok": True,
        "params": {
            "reason": "ok",
            "nda_id": 3,
            "partner": "Kiel Maritime",
            "expires_on": "2027-02-05",
            "planned_on": "2026-12-21",
        },
    }
    with app.test_request_context("/"), force_locale("en"):
        sentence = check_detail(check)
    assert "runs until Feb 5, 2027, after the planned date Dec 21, 2026." in sentence
    with app.test_request_context("/"), force_locale("ko"):
        assert "2027. 2. 5." in check_detail(check)
