"""A project's current risk level: its latest approved review, until that review expires."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from tracker.cases.projects.models import Project
from tracker.cases.projects.zone_copy import keep_zone_copy
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


def heat_map(
    visible: sa.ColumnElement[bool],
    today: dt.date,
    levels: sa.ColumnElement[bool] | None = None,
) -> dict[str, Any]:
    """The 5 × 5 likelihood × impact heat map of the projects matching `visible` (the
    policy's `visible_projects(user)`, narrowed as the caller likes): `{"cells": rows
    likelihood 1–5 × columns impact 1–5, "unreviewed": n}`, each project with a current
    review counted once in its cell. One statement.

    `levels`, when given, is the condition on the stored levels that selects exactly those of
    the projects `visible` matches (a zone's: `ProjectRiskLevel.zone_id == zone`; everyone's:
    true): the cells are then counted from the levels' index alone, the projects from theirs,
    and the unreviewed are the projects less those in a cell."""
    return heat_counts(heat_statement(visible, today, levels))


def scope_levels(
    visible: sa.ColumnElement[bool], zone: int | None
) -> sa.ColumnElement[bool] | None:
    """The condition on the stored levels that selects exactly those of the projects
    `visible` matches, where one exists (`heat_map`'s `levels`): a zone scope's (`zone`, the
    policy's `scope_zone`) by the levels' copy of the zone, everyone's as no condition; None
    for any other scope."""
    if zone is not None:
        return ProjectRiskLevel.zone_id == zone
    if isinstance(visible, sa.sql.elements.True_):
        return sa.true()
    return None


def heat_counts(statement: Any) -> dict[str, Any]:
    """`heat_map`'s answer from its statement (`heat_statement`, which a caller may keep)."""
    rows = db.session.execute(statement)
    cells = [[0] * 5 for _ in range(5)]
    unreviewed = 0
    everyone = None
    for likelihood, impact, count in rows:
        if likelihood == 0:  # every project of the scope (`levels` given)
            everyone = count
        elif likelihood is None or impact is None:  # no current review (one is scored)
            unreviewed += count
        else:
            cells[likelihood - 1][impact - 1] += count
    if everyone is not None:
        unreviewed = everyone - sum(map(sum, cells))
    return {"cells": cells, "unreviewed": unreviewed}


def heat_statement(
    visible: sa.ColumnElement[bool], today: dt.date, levels: sa.ColumnElement[bool] | None
) -> Any:
    """The projects matching `visible` counted by their current review's scores, read from
    the stored levels (which carry the review's scores): with `levels`, the scored levels
    still valid and a row (0, 0, every project of the scope); without, each project joined to
    its level (a row of NULL scores: those with none)."""
    stored = ProjectRiskLevel
    if levels is None:
        current = (
            sa.select(stored.likelihood, stored.impact)
            .select_from(Project)
            .outerjoin(
                stored, sa.and_(stored.project_id == Project.id, stored.valid_until >= today)
            )
            .where(visible)
            .subquery()
        )
        return sa.select(current.c.likelihood, current.c.impact, sa.func.count()).group_by(
            current.c.likelihood, current.c.impact
        )
    scored = (
        sa.select(stored.likelihood, stored.impact, sa.func.count())
        .where(
            levels,
            stored.valid_until >= today,
            stored.likelihood.is_not(None),
            stored.impact.is_not(None),
        )
        .group_by(stored.likelihood, stored.impact)
    )
    everyone = sa.select(sa.literal(0), sa.literal(0), sa.func.count()).where(visible)
    return sa.union_all(scored, everyone.select_from(Project))


def store_current_level(connection: sa.Connection, project_id: int) -> None:
    """Store `project_id`'s current level: its latest approved review's level, validity and
    scores, and the project's zone (no row when it has none). Runs on every review written
    (`_keep_in_step`), in the same transaction; migration 0018 filled it for the reviews
    before it (0029 the zone and scores)."""
    stored: Any = ProjectRiskLevel.__table__
    connection.execute(sa.delete(stored).where(stored.c.project_id == project_id))
    zone = sa.select(Project.zone_id).where(Project.id == project_id).scalar_subquery()
    latest = (
        sa.select(
            RiskReview.project_id,
            RiskReview.id,
            RiskReview.level,
            RiskReview.valid_until,
            zone,
            RiskReview.likelihood,
            RiskReview.impact,
        )
        .where(RiskReview.project_id == project_id, RiskReview.status == "approved")
        .order_by(RiskReview.decided_at.desc(), RiskReview.id.desc())
        .limit(1)
    )
    columns = ["project_id", "review_id", "level", "valid_until", "zone_id", "likelihood", "impact"]
    connection.execute(sa.insert(stored).from_select(columns, latest))


#: a project moved to another zone takes its stored level along (`zone_id` is a copy; its
#: rows are written with the zone by `store_current_level`)
keep_zone_copy(ProjectRiskLevel, on_write=False)


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
