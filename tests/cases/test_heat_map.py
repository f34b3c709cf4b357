"""The heat map of the projects a user sees: one cell per current review, the rest unreviewed."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tracker import clock
from tracker.cases.reviews.level import heat_map
from tracker.cases.reviews.models import ProjectRiskLevel, RiskReview
from tracker.dashboard.service import operator_heat_map
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


def _generic(user):
    """The heat map joined project by project (no stored zone or scores read)."""
    return heat_map(visible_projects(user), clock.today())


def test_a_zones_heat_map_from_the_stored_levels_is_the_joined_one(world, make_project):
    lawyer = world.users["lawyer"]
    second = make_project(zone=world.zone, company=world.company)
    make_project(zone=world.zone, company=world.company)  # never reviewed
    elsewhere = make_project(company=world.company)
    _review(world.project, lawyer, 2, 3, valid_days=-1)  # expired
    _review(second, lawyer, 4, 5)
    _review(elsewhere, lawyer, 4, 5)  # another zone
    operator = world.users["operator"]
    board = operator_heat_map(operator, clock.today())
    assert board == _generic(operator)
    assert board["cells"][3][4] == 1 and board["unreviewed"] == 2
    admin = world.users["admin"]
    assert operator_heat_map(admin, clock.today()) == _generic(admin)
    stored = db.session.get(ProjectRiskLevel, second.id)
    assert (stored.zone_id, stored.likelihood, stored.impact) == (world.zone.id, 4, 5)


def test_a_project_moved_to_another_zone_takes_its_stored_level_along(world):
    _review(world.project, world.users["lawyer"], 3, 2)
    operator, other = world.users["operator"], world.outsiders["operator"]
    assert operator_heat_map(operator, clock.today())["cells"][2][1] == 1
    world.project.zone_id = other.zone_id
    db.session.flush()
    db.session.expire_all()
    assert db.session.get(ProjectRiskLevel, world.project.id).zone_id == other.zone_id
    assert operator_heat_map(operator, clock.today())["cells"][2][1] == 0
    moved = operator_heat_map(other, clock.today())
    assert moved["cells"][2][1] == 1 and moved == _generic(other)


def test_a_decided_reviews_new_scores_reach_the_stored_level(world):
    review = _review(world.project, world.users["lawyer"], 1, 1)
    review.likelihood, review.impact = 5, 4
    db.session.flush()
    db.session.expire_all()
    stored = db.session.get(ProjectRiskLevel, world.project.id)
    assert (stored.likelihood, stored.impact) == (5, 4)
    assert operator_heat_map(world.users["operator"], clock.today())["cells"][4][3] == 1
