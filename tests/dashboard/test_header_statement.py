"""Every page's header counts (items waiting, unread notices) come from one statement built
once per user and day, and built anew when what the policy reads of the user changes."""

from __future__ import annotations

import datetime as dt

from tests.dashboard.waiting import TODAY
from tracker.dashboard import service
from tracker.dashboard.service import header_counts


def test_the_statement_is_built_once_per_user_and_day(busy):
    lawyer = busy.second
    first = service._header_statement(lawyer, TODAY)
    assert service._header_statement(lawyer, TODAY) is first
    assert service._header_statement(lawyer, TODAY + dt.timedelta(days=1)) is not first
    assert service._header_statement(busy.users["lawyer"], TODAY) is not first
    assert header_counts(lawyer, TODAY) == (3, 0)  # disclosure, review, follow-up


def test_a_changed_zone_or_role_counts_anew(busy, make_zone):
    operator = busy.users["operator"]
    assert header_counts(operator, TODAY) == (1, 0)  # the zone's request to decide
    operator.zone = make_zone()
    operator.zone_id = operator.zone.id
    assert header_counts(operator, TODAY) == (0, 0)
    operator.zone_id = busy.zone.id
    assert header_counts(operator, TODAY) == (1, 0)
    operator.active = False
    assert header_counts(operator, TODAY) == (0, 0)
