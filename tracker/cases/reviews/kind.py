"""Risk reviews as a record kind (`tracker.records`): labelled by their level, never by their
answers; the validity of the latest approved review is a deadline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker import policy
from tracker.auth.models import User
from tracker.cases import labels
from tracker.cases.projects.models import Project
from tracker.cases.reviews.level import current_review_id
from tracker.cases.reviews.models import ProjectRiskLevel, RiskReview
from tracker.cases.reviews.service import awaiting_decision
from tracker.db import db
from tracker.i18n import format_day, in_every_language
from tracker.records import (
    BoardPart,
    DeadlineSource,
    Files,
    Label,
    Page,
    RecordKind,
    Rows,
    SearchText,
    Waiting,
    queue_total,
)
from tracker.records.deadlines import due_by, row
from tracker.records.pages import ProjectId, waiting_row


def _expiry(
    visible: sa.ColumnElement[bool], _today: dt.date, until: dt.date | None
) -> sa.Select[Any]:
    """The validity of each project's latest approved review (the one that is, or was last,
    current): when it lapses the project has no current review. Read from the stored levels
    (`ProjectRiskLevel`: one row per reviewed project, its latest approved review), so no
    review is compared with the project's others."""
    stored = ProjectRiskLevel
    return (
        sa.select(
            *row(
                "review_expiry",
                stored.valid_until,
                Project.title,
                stored.project_id,
                "risk_review",
                stored.review_id,
                sa.false(),
            )
        )
        .join(Project, Project.id == stored.project_id)
        .where(visible, due_by(stored.valid_until, until))
    )


def _to_decide(user: User, _today: dt.date) -> Rows:
    return awaiting_decision(user).with_only_columns(
        sa.literal_column("'risk_review'").label("type"),
        RiskReview.id,
        RiskReview.project_id,
        (Project.code + " · " + Project.title).label("title"),
        RiskReview.created_at.label("since"),
        RiskReview.level,
        queue_total(),
    )


def without_current_review(user: User, today: dt.date) -> Rows:
    """Active projects in scope with no approved review valid today (items of type project),
    by code; a zone's counted on their own (from `projects(zone_id, status, code)` and each
    project's stored level)."""
    zone = policy.scope_zone(user)
    if zone is not None:
        # no stored level valid today, said as NOT EXISTS: PostgreSQL estimates the zone's
        # anti-join (it took the scalar subquery for 0.5 % of the zone and sorted all of it)
        none = ~sa.exists().where(
            ProjectRiskLevel.project_id == Project.id, ProjectRiskLevel.valid_until >= today
        )
    else:  # a lawyer's or a company's few projects: each looked up (an anti-join hashed
        # every stored level)
        none = current_review_id(today).is_(None)
    unreviewed = (policy.visible_projects(user), Project.status == "active", none)
    counted = sa.select(sa.func.count()).select_from(Project).where(*unreviewed)
    return (
        sa.select(
            sa.literal_column("'project'").label("type"),
            Project.id,
            Project.id.label("project_id"),
            (Project.code + " · " + Project.title).label("title"),
            Project.created_at.label("since"),
            # a zone's (an operator's) counted on its own from the indexes; a lawyer's or a
            # company's few projects by the window over them
            queue_total(counted if zone is not None else None),
        )
        .where(*unreviewed)
        .order_by(Project.code)
    )


def _current(project_id: ProjectId, today: dt.date) -> sa.Select[Any]:
    """The project's current review (none when no approved review is valid today)."""
    return (
        sa.select(RiskReview)
        .join(Project, Project.id == RiskReview.project_id)
        .where(Project.id == project_id, RiskReview.id == current_review_id(today))
    )


def _submitted(project_id: ProjectId) -> sa.Select[Any]:
    r = RiskReview
    return waiting_row("risk_review", r.id, r.level, r.status, r.created_at).where(
        r.project_id == project_id, r.status.in_(("submitted",))
    )


def _search(review: RiskReview) -> Iterable[SearchText]:
    # its level and its author's name once submitted (a draft is its author's alone); never
    # the conditions (sealed at rest) nor the answers
    if review.status == "draft":
        return
    author = db.session.get(User, review.author_id)
    text = search_text(review.level, author.name if author else None)
    yield SearchText("risk_review", "review.view_result", text)


def search_text(level: str | None, author: str | None) -> str:
    """What finds a submitted review: its level as people say it in both languages (never the
    stored code) and its author's name."""
    said = in_every_language(lambda: labels.risk_label(level)) if level else ""
    return f"{said} {author or ''}".strip()


def _named(day: str | None, level: str | None) -> str:
    """ "2026. 12. 6. · High": the day it was decided (written, while undecided) and its
    level (never its answers nor its conditions)."""
    return " · ".join(p for p in (format_day(day), labels.label(level) if level else "") if p)


KIND = RecordKind(
    type="risk_review",
    model=RiskReview,
    name=_l("Risk review"),
    label=Label(
        (sa.func.coalesce(RiskReview.decided_at, RiskReview.created_at), RiskReview.level),
        "review.view_result",
        text=_named,
    ),
    page=Page("reviews.review_detail", "review_id"),
    api="api_reviews.get_review",
    view_action="review.view_result",
    files=Files("review", "review.view_answers"),
    deadlines=(DeadlineSource("review.view_result", _expiry, zone_copy=ProjectRiskLevel.zone_id),),
    deadline_kinds={"review_expiry": _l("Risk review expiry")},
    queues={
        "reviews_to_decide": _to_decide,
        "projects_without_current_review": without_current_review,
    },
    # every reader of the project's page sees its current risk status
    board={"current_review": BoardPart(None, _current, one=True)},
    waiting=Waiting("review.view_result", _submitted),
    search=_search,
)
