"""A project's current risk level: its latest approved review, until that review expires."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from tracker.cases.projects.models import Project
from tracker.cases.reviews.models import ProjectRiskLevel, RiskReview
from tracker.db import db


def _current_review(column: Any, today: dt.date) -> sa.ScalarSelect[Any]:
    """Correlated subquery: `column` of `Project`'s stored current level (`ProjectRiskLevel`:
    its latest approved review) while still valid on `today`, or NULL; one primary-key
    lookup per project."""
    return (
        sa.select(column)
        .where(ProjectRiskLevel.project_id == Project.id, ProjectRiskLevel.valid_until >= today)
        .correlate(Project)
        .scalar_subquery()
    )


def current_review_id(today: dt.date) -> sa.ScalarSelect[int]:
    """The id of `Project`'s current review (or NULL)."""
    return _current_review(ProjectRiskLevel.review_id, today)


def risk_level_expr(today: dt.date) -> sa.ScalarSelect[str]:
    """`Project`'s current risk level (or NULL), usable in SELECT, WHERE and ORDER BY."""
    return _current_review(ProjectRiskLevel.level, today)


def current_risk_levels(project_ids: list[int], today: dt.date) -> dict[int, str | None]:
    """The current level of each project, in one statement."""
    if not project_ids:
        return {}
    rows = db.session.execute(
        sa.select(Project.id, risk_level_expr(today)).where(Project.id.in_(project_ids))
    )
    return {pid: level for pid, level in rows}


def heat_map(visible: sa.ColumnElement[bool], today: dt.date) -> dict[str, Any]:
    """The 5 × 5 likelihood × impact heat map of the projects matching `visible` (the
    policy's `visible_projects(user)`, narrowed as the caller likes): `{"cells": rows
    likelihood 1–5 × columns impact 1–5, "unreviewed": n}`, each project with a current
    review counted once in its cell. One statement."""
    current = current_review_id(today).label("review_id")
    projects = sa.select(Project.id, current).where(visible).subquery()
    rows = db.session.execute(
        sa.select(RiskReview.likelihood, RiskReview.impact, sa.func.count())
        .select_from(projects)
        .outerjoin(RiskReview, RiskReview.id == projects.c.review_id)
        .group_by(RiskReview.likelihood, RiskReview.impact)
    )
    cells = [[0] * 5 for _ in range(5)]
    unreviewed = 0
    for likelihood, impact, count in rows:
        if likelihood is None or impact is None:  # no current review (a current one is scored)
            unreviewed += count
        else:
            cells[likelihood - 1][impact - 1] += count
    return {"cells": cells, "unreviewed": unreviewed}


def store_current_level(connection: sa.Connection, project_id: int) -> None:
    """Store `project_id`'s current level: its latest approved review's level and validity
    (no row when it has none). Runs on every review written (`_keep_in_step`), in the same
    transaction; migration 0018 filled it for the reviews before it."""
    stored: Any = ProjectRiskLevel.__table__
    connection.execute(sa.delete(stored).where(stored.c.project_id == project_id))
    latest = (
        sa.select(RiskReview.project_id, RiskReview.id, RiskReview.level, RiskReview.valid_until)
        .where(RiskReview.project_id == project_id, RiskReview.status == "approved")
        .order_by(RiskReview.decided_at.desc(), RiskReview.id.desc())
        .limit(1)
    )
    connection.execute(
        sa.insert(stored).from_select(["project_id", "review_id", "level", "valid_until"], latest)
    )


@sa.event.listens_for(RiskReview, "after_insert")
@sa.event.listens_for(RiskReview, "after_update")
@sa.event.listens_for(RiskReview, "after_delete")
def _keep_in_step(_mapper: Any, connection: sa.Connection, review: RiskReview) -> None:
    # approving, rejecting, deleting a draft: whatever the review service (or a data import)
    # writes, the stored level follows in the same flush
    store_current_level(connection, review.project_id)


def projects_at_level(level: str, today: dt.date) -> sa.ColumnElement[bool]:
    """SQL condition on `Project`: its current level is `level` ("none": it has no current
    level), from the stored levels' index."""
    current = sa.select(ProjectRiskLevel.project_id).where(ProjectRiskLevel.valid_until >= today)
    if level == "none":
        return Project.id.not_in(current)
    return Project.id.in_(current.where(ProjectRiskLevel.level == level))
