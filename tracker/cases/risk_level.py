"""A project's current risk level: its latest approved review that has not expired."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tracker.cases.models import Project, RiskReview
from tracker.db import db


def current_review_id(today: dt.date) -> sa.ScalarSelect[int]:
    """Correlated subquery: the id of `Project`'s current review (or NULL)."""
    return (
        sa.select(RiskReview.id)
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


def risk_level_expr(today: dt.date) -> sa.ScalarSelect[str]:
    """Correlated subquery: `Project`'s current risk level (or NULL), usable in SELECT,
    WHERE and ORDER BY; served by the index ix_risk_reviews_current."""
    return (
        sa.select(RiskReview.level)
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


def current_risk_levels(project_ids: list[int], today: dt.date) -> dict[int, str | None]:
    """The current level of each project, in one statement."""
    if not project_ids:
        return {}
    rows = db.session.execute(
        sa.select(Project.id, risk_level_expr(today)).where(Project.id.in_(project_ids))
    )
    return {pid: level for pid, level in rows}
