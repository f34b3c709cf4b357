"""The demo records: a session with privileged notes and a follow-up, an approved review valid
for a year, a submitted disclosure when the company user belongs to the project."""

import datetime as dt

import sqlalchemy as sa

from tests.support import assign_second_lawyer
from tracker import clock
from tracker.cases.demo_records import add_demo_records
from tracker.cases.disclosures.models import Disclosure
from tracker.cases.reviews.level import current_risk_levels
from tracker.cases.reviews.models import RiskReview
from tracker.cases.sessions.models import AdvisorySession
from tracker.db import db


def _all(model, project):
    return (
        db.session.execute(sa.select(model).where(model.project_id == project.id)).scalars().all()
    )


def test_demo_records_with_two_lawyers(world, make_user):
    second = assign_second_lawyer(world.project, make_user)
    add_demo_records(world.project, world.users["lawyer"], world.users["company"])
    (session,) = _all(AdvisorySession, world.project)
    assert session.privileged_notes and session.advice and session.follow_ups
    (review,) = _all(RiskReview, world.project)
    assert (review.status, review.reviewer_id) == ("approved", second.id)
    assert review.valid_until == clock.today() + dt.timedelta(days=365)
    assert current_risk_levels([world.project.id], clock.today())[world.project.id] == review.level
    (disclosure,) = _all(Disclosure, world.project)
    assert disclosure.status == "submitted"
    assert sum(i.share_pct for i in disclosure.inventors) == 100
    # running it again adds nothing
    add_demo_records(world.project, world.users["lawyer"], world.users["company"])
    assert len(_all(AdvisorySession, world.project)) == 1


def test_demo_records_with_one_lawyer_and_a_foreign_company_user(world):
    add_demo_records(world.project, world.users["lawyer"], world.outsiders["company"])
    (review,) = _all(RiskReview, world.project)
    assert review.status == "approved" and "second lawyer" in review.conditions
    assert _all(Disclosure, world.project) == []
