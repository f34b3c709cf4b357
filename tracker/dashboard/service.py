"""The caller's work: deadlines, queues per role, the heat map and counts (docs/product.md).

Every queue is one statement declared by the record kind it lists (`tracker.records.work`),
so the dashboard runs a fixed number of statements however many items wait.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import g

from tracker import clock, policy, records
from tracker.auth.models import User, Zone
from tracker.auth.notifications import unread_count, unread_count_expr
from tracker.cases.projects.models import Project
from tracker.cases.reviews.level import (
    heat_counts,
    heat_statement,
    risk_level_expr,
    scope_levels,
)
from tracker.db import BuiltOnce, db
from tracker.deadlines.service import deadline_query
from tracker.deadlines.service import items as deadline_items
from tracker.records.work import queue, user_key
from tracker.web.paging import count_of

#: the dashboard's deadlines: open ones due within this many days (and every overdue one)
DEADLINE_DAYS = 90
DEADLINE_LIMIT = 200


def zone_counts(user: User, today: dt.date) -> list[dict[str, Any]]:
    """Per zone: projects, those without a current review, those at high or critical risk,
    and the counts the record kinds add (`RecordKind.zone_counts`: the data-sharing requests
    `transfers_to_decide` and `transfers_blocked`, for roles that may see them, not admins);
    one statement."""
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
    for name, count in records.zone_counts().items():
        if policy.may(user, count.action):
            columns[name] = count.query(user)
    rows = db.session.execute(
        sa.select(*columns.values())
        .outerjoin(projects, projects.c.zone_id == Zone.id)
        .group_by(Zone.id, Zone.code, Zone.name_en, Zone.name_ko)
        .order_by(Zone.code)
    ).all()
    return [dict(zip(columns, row, strict=True)) for row in rows]


def operator_heat_map(user: User, today: dt.date) -> dict[str, Any] | None:
    """The heat map the user sees (`dashboard.heat_map`), of the projects in their scope:
    operators their zone, admins and auditors every zone; from the stored levels' index
    (`heat_map`'s `levels`), the statement built once per user and day."""
    if not policy.may(user, "dashboard.heat_map"):
        return None
    return heat_counts(_HEATS.get(user_key(user, today), lambda: _heat_statement(user, today)))


def _heat_statement(user: User, today: dt.date) -> Any:
    visible = policy.visible_projects(user)
    levels = scope_levels(visible, policy.scope_zone(user))  # from the levels' index
    return heat_statement(visible, today, levels)


#: the heat maps' statements by user and day (`operator_heat_map`)
_HEATS: BuiltOnce[Any] = BuiltOnce(1024)


def deadlines_of(user: User, today: dt.date) -> list[dict[str, Any]]:
    """The caller's open deadlines due within 90 days or overdue, soonest first (the deadline
    engine's one statement, at most DEADLINE_LIMIT of them)."""
    stmt = deadline_query(user, today, within_days=DEADLINE_DAYS, done=False, limit=DEADLINE_LIMIT)
    return deadline_items(db.session.execute(stmt))


def build_dashboard(user: User, today: dt.date | None = None) -> dict[str, Any]:
    """The API's dashboard: `{"role", "deadlines", "queues", "heat_map", "counts"}`."""
    today = today or clock.today()
    queues: dict[str, list[dict[str, Any]]] = {}
    counts: dict[str, Any] = {}
    for name in policy.queues_of(user):
        queues[name], counts[name] = queue(user, name, today)
    if policy.may(user, "dashboard.all_zones"):
        counts["zones"] = zone_counts(user, today)
    counts["unread_notifications"] = unread_count(user.id)
    return {
        "role": user.role,
        "deadlines": deadlines_of(user, today),
        "queues": queues,
        "heat_map": operator_heat_map(user, today),
        "counts": counts,
    }


def _waiting_total(user: User, today: dt.date) -> Any:
    """The count of items waiting for the user as one scalar expression (None: no queue)."""
    names = policy.queues_of(user, waiting=True)
    if not names:
        return None
    queries = records.queues()
    parts = [_count_of(queries[n](user, today)) for n in names]
    return sum(parts[1:], parts[0])


def _count_of(stmt: sa.Select[Any]) -> Any:
    """A queue's full count as a scalar subquery: the queue's own count when it has one
    (`records.queue_total(counted)`), else a count of its rows."""
    total = stmt.selected_columns["total"]
    element = getattr(total, "element", None)
    if isinstance(element, sa.ScalarSelect):
        return element
    return count_of(stmt).scalar_subquery()


def waiting_count(user: User, today: dt.date | None = None) -> int:
    """How many items wait for the user's action (the navigation's badge): one statement,
    none for roles with nothing to decide."""
    total = _waiting_total(user, today or clock.today())
    if total is None:
        return 0
    return int(db.session.execute(sa.select(total)).scalar_one())


#: the header's statements by user and day (`header_counts`): building a role's queues cost
#: as much as running them, on every page
_HEADERS: BuiltOnce[sa.Select[Any]] = BuiltOnce(1024)


def _header_statement(user: User, today: dt.date) -> sa.Select[Any]:
    """`header_counts`' statement, built once per day for the user as the policy sees them:
    every value the queues and the scope read of a user (id, role, active, zone, organisation)
    is in the key, so a changed role or zone builds it anew."""

    def build() -> sa.Select[Any]:
        total = _waiting_total(user, today)
        return sa.select(
            (total if total is not None else sa.literal(0)).label("waiting"),
            unread_count_expr(user.id).label("unread"),
        )

    return _HEADERS.get(user_key(user, today), build)


def header_counts(user: User, today: dt.date | None = None) -> tuple[int, int]:
    """(items waiting for the user, unread notifications) for every page's header, in one
    statement (a page's own statement may carry them instead: `header_table`)."""
    row = db.session.execute(_header_statement(user, today or clock.today())).one()
    return int(row[0]), int(row[1])


def header_table(user: User, today: dt.date | None = None) -> sa.Subquery:
    """`header_counts`' statement as a derived table of one row (`waiting`, `unread`) that a
    page's own first statement joins ON true and carries: on PostgreSQL every statement is a
    round trip, and every page asks for the header's counts. Hand the row's two values to
    `keep_header_counts`. Built once per user and day, like the statement itself."""
    today = today or clock.today()
    return _HEADER_TABLES.get(
        user_key(user, today), lambda: _header_statement(user, today).subquery("header_counts")
    )


#: `header_table`'s derived tables by user and day
_HEADER_TABLES: BuiltOnce[sa.Subquery] = BuiltOnce(1024)


def keep_header_counts(waiting: int, unread: int) -> None:
    """The header's counts a page's statement carried (`header_table`): this request's header
    shows them instead of asking again."""
    g.header_counts = (int(waiting), int(unread))
