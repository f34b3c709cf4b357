"""The caller's work: deadlines, queues per role, the heat map and counts (API.md "Work,
deadlines and reminders").

Every queue is one statement built on the record kinds' ready queries (filtered by the policy
in SQL), selecting only the columns an item shows, with its total as a window count, so the
dashboard runs a fixed number of statements however many items wait.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeAlias

import sqlalchemy as sa

from tracker import clock, policy
from tracker.auth.models import Organization, User, Zone
from tracker.cases.disclosures import service as disclosures
from tracker.cases.disclosures.models import Disclosure
from tracker.cases.projects.models import Project
from tracker.cases.reviews import service as reviews
from tracker.cases.reviews.level import current_review_id, heat_map, risk_level_expr
from tracker.cases.reviews.models import RiskReview
from tracker.cases.sessions import service as advice
from tracker.cases.sessions.models import FollowUp
from tracker.db import db
from tracker.deadlines.service import deadline_query
from tracker.deadlines.service import item as deadline_item
from tracker.transfers.gate import rendered
from tracker.transfers.models import UNDECIDED, TransferRequest

#: a queue's statement: its item columns and the total
Rows: TypeAlias = "sa.Select[*tuple[Any, ...]]"

#: the most items a queue lists (its count is the full number)
QUEUE_LIMIT = 100

#: the dashboard's deadlines: open ones due within this many days (and every overdue one)
DEADLINE_DAYS = 90
DEADLINE_LIMIT = 200

#: every queue, in the order a page shows them: the policy action that shows it to a user, and
#: whether its items wait for the user's action (the navigation's count, the e-mail digest)
QUEUE_RULES: tuple[tuple[str, str, bool], ...] = (
    ("disclosures_to_decide", "disclosure.decide", True),
    ("reviews_to_decide", "review.decide", True),
    ("my_requests", "dashboard.my_requests", True),
    ("transfers_to_decide", "transfer.decide", True),
    ("overdue_follow_ups", "session.view_advice", True),
    ("projects_without_current_review", "dashboard.unreviewed_projects", False),
)


def queues_of(user: User, *, waiting: bool = False) -> tuple[str, ...]:
    """The queues the policy shows the user, in order (`waiting`: only those whose items wait
    for the user's action)."""
    return tuple(
        name
        for name, action, waits in QUEUE_RULES
        if (waits or not waiting) and policy.may(user, action)
    )


def _total() -> sa.Label[int]:
    return sa.func.count().over().label("total")


def _disclosures(user: User, today: dt.date) -> Rows:
    return disclosures.awaiting_decision(user).with_only_columns(
        sa.literal_column("'disclosure'").label("type"),
        Disclosure.id,
        Disclosure.project_id,
        Disclosure.title,
        Disclosure.created_at.label("since"),
        _total(),
    )


def _reviews(user: User, today: dt.date) -> Rows:
    return reviews.awaiting_decision(user).with_only_columns(
        sa.literal_column("'risk_review'").label("type"),
        RiskReview.id,
        RiskReview.project_id,
        (Project.code + " · " + Project.title).label("title"),
        RiskReview.created_at.label("since"),
        RiskReview.level,
        _total(),
    )


def _follow_ups(user: User, today: dt.date) -> Rows:
    return advice.overdue_follow_ups(user, today).with_only_columns(
        sa.literal_column("'follow_up'").label("type"),
        FollowUp.id,
        Project.id.label("project_id"),
        FollowUp.title,
        FollowUp.due_on.label("since"),
        FollowUp.session_id,
        FollowUp.owner,
        _total(),
    )


def _transfers(user: User, statuses: tuple[str, ...]) -> Rows:
    return (
        sa.select(
            sa.literal_column("'transfer'").label("type"),
            TransferRequest.id,
            TransferRequest.project_id,
            (Project.code + " → " + Organization.name).label("title"),
            TransferRequest.created_at.label("since"),
            TransferRequest.status,
            TransferRequest.checks,
            TransferRequest.planned_on,
            _total(),
        )
        .join(Project, Project.id == TransferRequest.project_id)
        .join(Organization, Organization.id == TransferRequest.partner_id)
        .where(policy.visible_projects(user), TransferRequest.status.in_(statuses))
        .order_by(TransferRequest.created_at, TransferRequest.id)
    )


def _to_decide(user: User, today: dt.date) -> Rows:
    stmt = _transfers(user, ("pending_review",))
    return stmt if policy.may(user, "transfer.decide") else stmt.where(sa.false())


def _my_requests(user: User, today: dt.date) -> Rows:
    stmt = _transfers(user, UNDECIDED)
    return stmt if policy.may(user, "transfer.request") else stmt.where(sa.false())


def without_current_review(user: User, today: dt.date) -> Rows:
    """Active projects in scope with no approved review valid today."""
    return (
        sa.select(
            sa.literal_column("'project'").label("type"),
            Project.id,
            Project.id.label("project_id"),
            (Project.code + " · " + Project.title).label("title"),
            Project.created_at.label("since"),
            _total(),
        )
        .where(
            policy.visible_projects(user),
            Project.status == "active",
            current_review_id(today).is_(None),
        )
        .order_by(Project.code)
    )


_QUERIES: dict[str, Callable[[User, dt.date], Rows]] = {
    "disclosures_to_decide": _disclosures,
    "reviews_to_decide": _reviews,
    "overdue_follow_ups": _follow_ups,
    "transfers_to_decide": _to_decide,
    "my_requests": _my_requests,
    "projects_without_current_review": without_current_review,
}


def _item(row: Any) -> dict[str, Any]:
    item = dict(row._mapping)
    item.pop("total")
    since = item["since"]
    item["since"] = since.isoformat() if since is not None else None
    if "checks" in item:
        item["failed_checks"] = rendered([c for c in item.pop("checks") or [] if not c["ok"]])
    return item


def queue(user: User, name: str, today: dt.date) -> tuple[list[dict[str, Any]], int]:
    """The first QUEUE_LIMIT items of one queue and its full count, in one statement."""
    rows = db.session.execute(_QUERIES[name](user, today).limit(QUEUE_LIMIT)).all()
    return [_item(row) for row in rows], (rows[0].total if rows else 0)


def _requests_of_zone(user: User, status: str) -> sa.ScalarSelect[int]:
    """Correlated count of the zone's requests with the stored `status` in the user's scope."""
    return (
        sa.select(sa.func.count())
        .select_from(TransferRequest)
        .join(Project, Project.id == TransferRequest.project_id)
        .where(
            Project.zone_id == Zone.id,
            TransferRequest.status == status,
            policy.visible_projects(user),
        )
        .correlate(Zone)
        .scalar_subquery()
    )


def zone_counts(user: User, today: dt.date) -> list[dict[str, Any]]:
    """Per zone: projects, those without a current review, those at high or critical risk,
    and, for roles that may see data-sharing requests (`transfer.view`: not admins), the open
    requests by their stored status: `transfers_to_decide` (`pending_review`, the operator's
    queue) and `transfers_blocked`; one statement."""
    projects = (
        sa.select(Project.id, Project.zone_id, risk_level_expr(today).label("level"))
        .where(policy.visible_projects(user))
        .subquery()
    )
    level = projects.c.level
    columns: dict[str, Any] = {
        "zone_id": Zone.id,
        "code": Zone.code,
        "name_en": Zone.name_en,
        "name_ko": Zone.name_ko,
        "projects": sa.func.count(projects.c.id),
        "without_current_review": sa.func.count(projects.c.id) - sa.func.count(level),
        "high_or_critical": sa.func.count(sa.case((level.in_(("high", "critical")), 1))),
    }
    if policy.may(user, "transfer.view"):
        columns["transfers_to_decide"] = _requests_of_zone(user, "pending_review")
        columns["transfers_blocked"] = _requests_of_zone(user, "blocked")
    rows = db.session.execute(
        sa.select(*columns.values())
        .outerjoin(projects, projects.c.zone_id == Zone.id)
        .group_by(Zone.id, Zone.code, Zone.name_en, Zone.name_ko)
        .order_by(Zone.code)
    ).all()
    return [dict(zip(columns, row, strict=True)) for row in rows]


def operator_heat_map(user: User, today: dt.date) -> dict[str, Any] | None:
    """The heat map the user sees (`dashboard.heat_map`), of the projects in their scope:
    operators their zone, admins and auditors every zone."""
    if not policy.may(user, "dashboard.heat_map"):
        return None
    return heat_map(policy.visible_projects(user), today)


def deadlines_of(user: User, today: dt.date) -> list[dict[str, Any]]:
    """The caller's open deadlines due within 90 days or overdue, soonest first (the deadline
    engine's one statement, at most DEADLINE_LIMIT of them)."""
    stmt = deadline_query(user, today, within_days=DEADLINE_DAYS, done=False)
    return [deadline_item(row) for row in db.session.execute(stmt.limit(DEADLINE_LIMIT))]


def build_dashboard(user: User, today: dt.date | None = None) -> dict[str, Any]:
    """API.md's dashboard: `{"role", "deadlines", "queues", "heat_map", "counts"}`."""
    today = today or clock.today()
    queues: dict[str, list[dict[str, Any]]] = {}
    counts: dict[str, Any] = {}
    for name in queues_of(user):
        queues[name], counts[name] = queue(user, name, today)
    if policy.may(user, "dashboard.all_zones"):
        counts["zones"] = zone_counts(user, today)
    return {
        "role": user.role,
        "deadlines": deadlines_of(user, today),
        "queues": queues,
        "heat_map": operator_heat_map(user, today),
        "counts": counts,
    }


def waiting_count(user: User, today: dt.date | None = None) -> int:
    """How many items wait for the user's action (the navigation's badge): one statement,
    none for roles with nothing to decide."""
    names = queues_of(user, waiting=True)
    if not names:
        return 0
    today = today or clock.today()
    parts = [
        sa.select(sa.func.count()).select_from(_QUERIES[n](user, today).order_by(None).subquery())
        for n in names
    ]
    total: Any = sum((p.scalar_subquery() for p in parts[1:]), parts[0].scalar_subquery())
    return int(db.session.execute(sa.select(total)).scalar_one())
