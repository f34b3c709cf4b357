"""An approval's "valid until" offers one year from today, with a hint that says so."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.support import ROLES
from tracker import clock
from tracker.cases.reviews.service import default_valid_until
from tracker.db import db


def test_the_decider_gets_one_year_from_today_and_a_hint(
    world, browser_as, submitted, second_lawyer
):
    html = browser_as(second_lawyer).get(f"/reviews/{submitted.id}").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="valid_until"[^>]*>', html)
    assert field, "the decision form has a valid-until field"
    year = default_valid_until(clock.today())
    assert f'value="{year.isoformat()}"' in field.group(0)
    assert 'aria-describedby="valid_until-hint"' in field.group(0)
    assert 'id="valid_until-hint"' in html and "one year from today" in html


def test_the_hint_in_korean(world, browser_as, submitted, second_lawyer):
    second_lawyer.locale = "ko"
    db.session.commit()
    html = browser_as(second_lawyer).get(f"/reviews/{submitted.id}").get_data(as_text=True)
    assert "오늘부터 1년" in html


@pytest.mark.parametrize("role", ROLES)
def test_nobody_else_gets_the_decision_form(world, browser_as, submitted, role):
    response = browser_as(world.users[role]).get(f"/reviews/{submitted.id}")
    assert 'name="valid_until"' not in response.get_data(as_text=True)  # the author included


@pytest.mark.parametrize(
    ("today", "year_later"),
    [
        (dt.date(2026, 12, 7), dt.date(2027, 12, 7)),
        (dt.date(2028, 2, 29), dt.date(2029, 2, 28)),
    ],
)
def test_one_year_later(today, year_later):
    assert default_valid_until(today) == year_later
