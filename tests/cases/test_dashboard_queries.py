"""The dashboard queries: submitted disclosures and reviews, overdue follow-ups, per role and
scope."""

import datetime as dt

import pytest

from tests.support import ROLES, assign_second_lawyer, make_disclosure, make_review, make_session
from tracker import clock
from tracker.cases.disclosures import service as disclosures
from tracker.cases.reviews import service as risk
from tracker.cases.sessions import service as advice
from tracker.db import db


def _ids(stmt):
    return [row.id for row in db.session.execute(stmt).scalars()]


@pytest.mark.parametrize("role", ROLES)
def test_awaiting_and_overdue_per_role(world, make_user, role):
    d = make_disclosure(world.project, world.users["company"])
    r = make_review(world.project, world.users["lawyer"])
    s = make_session(world.project, world.users["lawyer"])  # its follow-up is due 2026-10-15
    today = s.follow_ups[0].due_on + dt.timedelta(days=1)
    user = world.users[role]
    assert _ids(disclosures.awaiting_decision(user)) == (
        [d.id] if role in ("lawyer", "company", "auditor") else []
    )
    # the in-scope lawyer wrote the review, so it waits for someone else
    assert _ids(risk.awaiting_decision(user)) == []
    assert _ids(advice.overdue_follow_ups(user, today)) == (
        [s.follow_ups[0].id] if role in ("lawyer", "company") else []
    )
    assert _ids(advice.overdue_follow_ups(user, s.follow_ups[0].due_on)) == []
    second = assign_second_lawyer(world.project, make_user)
    assert _ids(risk.awaiting_decision(second)) == [r.id]


@pytest.mark.parametrize("role", ["lawyer", "company", "operator"])
def test_outsiders_see_nothing(world, role):
    make_disclosure(world.project, world.users["company"])
    make_review(world.project, world.users["lawyer"])
    make_session(world.project, world.users["lawyer"])
    outsider = world.outsiders[role]
    assert _ids(disclosures.awaiting_decision(outsider)) == []
    assert _ids(risk.awaiting_decision(outsider)) == []
    assert _ids(advice.overdue_follow_ups(outsider, clock.today())) == []
