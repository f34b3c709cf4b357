"""A project's current risk level: its latest approved review that has not expired."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from tracker.cases.projects.models import Project
from tracker.cases.reviews.models import RiskReview
from tracker.db import db


def _current_review(column: Any, today: dt.date) -> sa.ScalarSelect[Any]:
    """Correlated subquery: `column` of `Project`'s latest approved review still valid on
    `today` (or NULL); served by the index ix_risk_reviews_current."""
    return (
        sa.select(column)
        .where(
            RiskReview.project_id == Project.id,
            RiskReview.status == "approved",
            RiskReview.valid_until >= today,
        )
        .order_by(RiskReview.decided_at.desc(), RiskReview.id.desc())
        .limit(1)
        .correlate(Project)
        .scalar_subquery()
    )


def current_review_id(today: dt.date) -> sa.ScalarSelect[int]:
    """The id of `Project`'s current review (or NULL)."""
    return _current_review(RiskReview.id, today)


def risk_level_expr(today: dt.date) -> sa.ScalarSelect[str]:
    """`Project`'s current risk level (or NULL), usable in SELECT, WHERE and ORDER BY."""
    return _current_review(RiskReview.level, today)


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


def current_levels(today: dt.date) -> sa.Subquery:
    """`(project_id, level)` of every project that has a current review, computed once for
    all projects (a window over the approved, unexpired reviews) rather than once per row: for
    filtering a whole list by level, where the correlated `risk_level_expr` would run for
    every project of the database."""
    ranked = (
        sa.select(
            RiskReview.project_id,
            RiskReview.level,
            sa.func.row_number()
            .over(
                partition_by=RiskReview.project_id,
                order_by=(RiskReview.decided_at.desc(), RiskReview.id.desc()),
            )
            .label("rank"),
        )
        .where(RiskReview.status == "approved", RiskReview.valid_until >= today)
        .subquery()
    )
    return (
        sa.select(ranked.c.project_id, ranked.c.level)
        .where(ranked.c.rank == 1)
        .subquery("current_levels")
    )
