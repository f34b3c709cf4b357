"""A project's summary page as its dashboard: risk status, NDA coverage per partner, open
follow-ups, items waiting for a decision and recent activity, each within what the viewer may
see (the policy decides per part; a fixed number of statements)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from tracker import policy, records
from tracker.audit import service as audit
from tracker.audit import types
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.cases.disclosures.models import Disclosure
from tracker.cases.projects.models import Project
from tracker.cases.reviews.level import current_review_id
from tracker.cases.reviews.models import RiskReview
from tracker.cases.sessions.models import AdvisorySession, FollowUp
from tracker.db import db
from tracker.deadlines.service import deadline_query, item
from tracker.oversight import actions, trail
from tracker.transfers.models import UNDECIDED, TransferRequest
from tracker.transfers.overview import PartnerCoverage, project_statuses

RECENT_EVENTS = 15
NEXT_DEADLINES = 10


@dataclass
class ProjectBoard:
    current_review: RiskReview | None = None
    coverage: list[PartnerCoverage] = field(default_factory=list)
    follow_ups: list[FollowUp] | None = None
    waiting: list[dict[str, Any]] = field(default_factory=list)
    events: list[Activity] | None = None
    #: the project's next open deadlines (overdue ones first), as the viewer may see them
    deadlines: list[dict[str, Any]] = field(default_factory=list)


def _current_review(project: Project, today: dt.date) -> RiskReview | None:
    return db.session.execute(
        sa.select(RiskReview)
        .join(Project, Project.id == RiskReview.project_id)
        .where(Project.id == project.id, RiskReview.id == current_review_id(today))
    ).scalar_one_or_none()


def _open_follow_ups(project: Project) -> list[FollowUp]:
    return list(
        db.session.execute(
            sa.select(FollowUp)
            .join(AdvisorySession, AdvisorySession.id == FollowUp.session_id)
            .where(AdvisorySession.project_id == project.id, FollowUp.done.is_(False))
            .order_by(FollowUp.due_on, FollowUp.id)
        ).scalars()
    )


def _columns(kind: str, *columns: Any) -> sa.Select[Any]:
    """One kind's rows of the union: plain text for title and status (their enum types
    differ per kind), labelled alike."""
    record_id, title, status, since = columns
    return sa.select(
        sa.literal_column(f"'{kind}'").label("type"),
        record_id.label("id"),
        sa.type_coerce(title, sa.String).label("title"),
        sa.type_coerce(status, sa.String).label("status"),
        since.label("since"),
    )


def _waiting(user: User, project: Project) -> list[dict[str, Any]]:
    """Submitted disclosures and reviews and undecided requests of the project, as far as
    the user may see each kind; one statement."""
    kinds: list[tuple[str, str, Any, Any, tuple[str, ...]]] = [
        ("disclosure.read", "disclosure", Disclosure, Disclosure.title, ("submitted",)),
        ("review.view_result", "risk_review", RiskReview, RiskReview.level, ("submitted",)),
        ("transfer.view", "transfer", TransferRequest, TransferRequest.purpose, UNDECIDED),
    ]
    parts = [
        _columns(kind, model.id, title, model.status, model.created_at).where(
            model.project_id == project.id, model.status.in_(statuses)
        )
        for action, kind, model, title, statuses in kinds
        if policy.can(user, action, project)
    ]
    if not parts:
        return []
    union = sa.union_all(*parts).subquery()
    rows = db.session.execute(sa.select(union).order_by(union.c.since, union.c.id))
    return [dict(row._mapping) for row in rows]


@dataclass
class Activity:
    """One line of a project's recent activity, as the audit page words it."""

    at: dt.datetime
    action: str
    actor: str | None
    label: str | None
    link: str | None


def _activity(user: User, project: Project) -> list[Activity] | None:
    """The latest audit events of the project and its records: admins and auditors all of
    them, lawyers their own (policy.audit_reader); None for roles that may not read the
    audit."""
    if not (policy.can(user, "audit.view") or policy.can(user, "audit.view_own", project)):
        return None
    of_project = [
        sa.and_(types.type_condition(Project.__audit_type__), AuditEvent.object_id == project.id)
    ]
    # the records of a project whose audit events are the project's activity
    for model in (k.model for k in records.kinds() if k.activity):
        ids = sa.select(model.id).where(model.project_id == project.id)
        of_project.append(
            sa.and_(types.type_condition(model.__audit_type__), AuditEvent.object_id.in_(ids))
        )
    stmt = audit.events_query(audit.AuditFilters(), policy.audit_reader(user))
    stmt = trail.event_columns(stmt.where(sa.or_(*of_project))).limit(RECENT_EVENTS)
    return [
        Activity(
            e.at,
            actions.action_label(e.action),
            (e.actor or {}).get("name"),
            (e.object or {}).get("label"),
            e.link,
        )
        for e in trail.readable(user, db.session.execute(stmt).all())
    ]


def _deadlines(user: User, project: Project, today: dt.date) -> list[dict[str, Any]]:
    """The project's next open deadlines from the deadline engine (the viewer's scope and
    role decide which sources count), one statement."""
    stmt = deadline_query(user, today, project_id=project.id, done=False)
    return [item(row) for row in db.session.execute(stmt.limit(NEXT_DEADLINES))]


def project_board(user: User, project: Project, today: dt.date) -> ProjectBoard:
    """What the project's summary page shows `user` (in scope: the caller checked)."""
    statuses = project_statuses(user, [Project.id == project.id], today)
    return ProjectBoard(
        current_review=_current_review(project, today),
        coverage=statuses[0].partners if statuses else [],
        follow_ups=(
            _open_follow_ups(project) if policy.can(user, "session.view_advice", project) else None
        ),
        waiting=_waiting(user, project),
        events=_activity(user, project),
        deadlines=_deadlines(user, project, today),
    )
