"""What waits for a user: the work queues of API.md (dashboard and reminders).

Each queue is `[{"type", "id", "project_id", "title", "since"}]`, oldest first, inside the
user's scope and only for the roles API.md names; a title is what the role may see anyway
(a disclosure's or follow-up's title, a project's code and title, a partner's name), never a
description, note or purpose.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from tracker import policy
from tracker.auth.models import Organization, User
from tracker.cases.disclosures import service as disclosures
from tracker.cases.disclosures.models import Disclosure
from tracker.cases.projects.models import Project
from tracker.cases.reviews import service as reviews
from tracker.cases.reviews.models import RiskReview
from tracker.cases.sessions import service as sessions
from tracker.cases.sessions.models import AdvisorySession, FollowUp
from tracker.db import db
from tracker.transfers.models import UNDECIDED, TransferRequest

#: the queues of each role (API.md "Dashboard queues"; the dashboard adds
#: projects_without_current_review)
ROLE_QUEUES: dict[str, tuple[str, ...]] = {
    "lawyer": ("disclosures_to_decide", "reviews_to_decide", "overdue_follow_ups"),
    "company": ("my_requests", "overdue_follow_ups"),
    "operator": ("transfers_to_decide",),
}
#: a queue lists at most this many items (the page behind it has them all)
QUEUE_LIMIT = 50


def _items(stmt: Any, kind: str, title: Any) -> list[dict[str, Any]]:
    rows = db.session.execute(stmt.limit(QUEUE_LIMIT)).all()
    return [
        {"type": kind, "id": r.id, "project_id": r.project_id, "title": title(r), "since": r.since}
        for r in rows
    ]


def _project_title(r: Any) -> str:
    return f"{r.code} · {r.project_title}"


def disclosures_to_decide(user: User) -> list[dict[str, Any]]:
    if not policy.role_may(user.role, "disclosure.decide"):
        return []
    stmt = disclosures.awaiting_decision(user).with_only_columns(
        Disclosure.id, Disclosure.project_id, Disclosure.title, Disclosure.created_at.label("since")
    )
    return _items(stmt, "disclosure", lambda r: r.title)


def reviews_to_decide(user: User) -> list[dict[str, Any]]:
    stmt = reviews.awaiting_decision(user).with_only_columns(
        RiskReview.id,
        RiskReview.project_id,
        Project.code,
        Project.title.label("project_title"),
        RiskReview.created_at.label("since"),
    )
    return _items(stmt, "risk_review", _project_title)


def overdue_follow_ups(user: User, today: dt.date) -> list[dict[str, Any]]:
    stmt = sessions.overdue_follow_ups(user, today).with_only_columns(
        FollowUp.id, AdvisorySession.project_id, FollowUp.title, FollowUp.due_on.label("since")
    )
    return _items(stmt, "follow_up", lambda r: r.title)


def _transfers(user: User, statuses: tuple[str, ...]) -> Any:
    return (
        sa.select(
            TransferRequest.id,
            TransferRequest.project_id,
            Project.code,
            Organization.name.label("partner"),
            TransferRequest.created_at.label("since"),
        )
        .join(Project, Project.id == TransferRequest.project_id)
        .join(Organization, Organization.id == TransferRequest.partner_id)
        .where(policy.visible_projects(user), TransferRequest.status.in_(statuses))
        .order_by(TransferRequest.created_at, TransferRequest.id)
    )


def transfers_to_decide(user: User) -> list[dict[str, Any]]:
    if not policy.role_may(user.role, "transfer.decide"):
        return []
    stmt = _transfers(user, ("pending_review",))
    return _items(stmt, "transfer", lambda r: f"{r.code} → {r.partner}")


def my_requests(user: User) -> list[dict[str, Any]]:
    if user.role != policy.COMPANY:
        return []
    stmt = _transfers(user, UNDECIDED)
    return _items(stmt, "transfer", lambda r: f"{r.code} → {r.partner}")


def queues_of(user: User, today: dt.date) -> dict[str, list[dict[str, Any]]]:
    """Every queue of the user's role (empty ones included), one statement each."""
    makers = {
        "disclosures_to_decide": lambda: disclosures_to_decide(user),
        "reviews_to_decide": lambda: reviews_to_decide(user),
        "overdue_follow_ups": lambda: overdue_follow_ups(user, today),
        "transfers_to_decide": lambda: transfers_to_decide(user),
        "my_requests": lambda: my_requests(user),
    }
    if not user.active:
        return {}
    return {name: makers[name]() for name in ROLE_QUEUES.get(user.role, ())}
