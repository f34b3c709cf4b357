"""The heat map of the projects a user sees: one cell per current review, the rest unreviewed."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tracker import clock
from tracker.cases.reviews.level import heat_map
from tracker.cases.reviews.models import RiskReview
from tracker.db import db, utcnow
from tracker.policy import visible_projects


def _review(project, author, likelihood, impact, *, status="approved", valid_days=30):
    review = RiskReview(
        project_id=project.id,
        catalogue_version="2026.1",
        answers={},
        likelihood=likelihood,
        impact=impact,
        score=likelihood * impact,
        level="medium",
        status=status,
        author_id=author.id,
        decided_at=utcnow(),
        valid_until=clock.today() + dt.timedelta(days=valid_days),
    )
    db.session.add(review)
    db.session.flush()
    return review


def test_cells_count_current_reviews_once(world, make_project):
    lawyer = world.users["lawyer"]
    second = make_project(zone=world.project.zone, company=world.project.company)
    third = make_project(zone=world.project.zone, company=world.project.company)
    _review(world.project, lawyer, 2, 3, valid_days=-1)  # expired: not current
    _review(world.project, lawyer, 4, 5)
    _review(second, lawyer, 1, 1, status="submitted")  # not approved
    _review(third, lawyer, 4, 5)
    result = heat_map(visible_projects(world.users["admin"]), clock.today())
    total = sum(map(sum, result["cells"]))
    assert result["cells"][3][4] == 2
    assert total == 2
    projects = db.session.execute(
        sa.select(sa.func.count()).select_from(sa.text("projects"))
    ).scalar_one()
    assert result["unreviewed"] == projects - 2


def test_scope_is_the_callers(world):
    _review(world.project, world.users["lawyer"], 3, 3)
    outsider = heat_map(visible_projects(world.outsiders["lawyer"]), clock.today())
    assert sum(map(sum, outsider["cells"])) == 0
    inside = heat_map(visible_projects(world.users["operator"]), clock.today())
    assert inside["cells"][2][2] == 1
