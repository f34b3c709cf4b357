"""Lists of data-sharing requests and the transfer ledger, filtered by the policy in SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker import policy
from tracker.auth.models import User
from tracker.cases.projects.models import Project
from tracker.transfers.models import TransferRequest
from tracker.web import sorting
from tracker.web.ids import is_id

#: the sortable columns of the request lists and the ledger (`sort`), each backed by an index;
#: `project` orders by the project's code
SORTS: dict[str, Any] = {
    "created_at": TransferRequest.created_at,
    "planned_on": TransferRequest.planned_on,
    "status": TransferRequest.status,
    "project": Project.code,
}


@dataclass
class TransferFilters:
    zone_id: int | None = None
    project_id: int | None = None
    partner_id: int | None = None
    status: str | None = None
    planned_from: dt.date | None = None
    planned_to: dt.date | None = None
    #: a value of `sorting.choices(SORTS)`; none: newest first (an approved or denied list: the
    #: latest planned date first)
    sort: str | None = None

    @classmethod
    def of(cls, args: dict[str, Any]) -> TransferFilters:
        return cls(**{k: args.get(k) for k in cls.__dataclass_fields__})

    def as_detail(self) -> dict[str, Any]:
        return {
            k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in vars(self).items()
            if v is not None
        }


def _id_is(column: Any, value: int | None) -> sa.ColumnElement[bool]:
    """`column == value`; an id no row can have matches nothing (it never reaches SQL, where
    it would fail with an error)."""
    return column == value if is_id(value) else sa.false()


def transfers_query(user: User, filters: TransferFilters) -> sa.Select[Any]:
    """Requests in the user's scope, filtered in SQL, newest first, with what a row shows."""
    return ordered(filtered(user, filters, sa.select(TransferRequest)), filters).options(
        joinedload(TransferRequest.project).joinedload(Project.zone),
        joinedload(TransferRequest.decided_by),
        joinedload(TransferRequest.requested_by),
        selectinload(TransferRequest.assets),
        selectinload(TransferRequest.files),
    )


def filtered(user: User, filters: TransferFilters, stmt: sa.Select[Any]) -> sa.Select[Any]:
    """`stmt` (a select from the requests) narrowed to the user's scope and `filters`. The
    projects are joined only when the scope, a zone or a sort by project asks for them: a
    reader of every project counts and pages the requests by their own indexes."""
    scope = policy.visible_projects(user)
    f = filters
    if not isinstance(scope, sa.sql.elements.True_) or f.zone_id is not None or _by_project(f):
        stmt = stmt.join(Project, TransferRequest.project_id == Project.id).where(scope)
    conditions = [
        (f.zone_id, lambda: _id_is(Project.zone_id, f.zone_id)),
        (f.project_id, lambda: _id_is(TransferRequest.project_id, f.project_id)),
        (f.partner_id, lambda: _id_is(TransferRequest.partner_id, f.partner_id)),
        (f.status, lambda: TransferRequest.status == f.status),
        (f.planned_from, lambda: TransferRequest.planned_on >= f.planned_from),
        (f.planned_to, lambda: TransferRequest.planned_on <= f.planned_to),
    ]
    return stmt.where(*(make() for value, make in conditions if value is not None))


def _by_project(filters: TransferFilters) -> bool:
    return (filters.sort or "").removeprefix("-") == "project"


def ordered(stmt: sa.Select[Any], filters: TransferFilters) -> sa.Select[Any]:
    """`stmt` in the list's order: `filters.sort`, else newest first (an approved or denied
    list: the latest planned date first)."""
    if filters.sort:
        return sorting.ordered(stmt, filters.sort, SORTS, TransferRequest.id)
    if filters.status in ("approved", "denied"):
        return stmt.order_by(TransferRequest.planned_on.desc(), TransferRequest.id.desc())
    return stmt.order_by(TransferRequest.created_at.desc(), TransferRequest.id.desc())


def ledger_query(user: User, filters: TransferFilters) -> sa.Select[Any]:
    """Approved transfers in scope: the ledger."""
    return transfers_query(user, ledger_filters(filters))


def ledger_filters(filters: TransferFilters) -> TransferFilters:
    """`filters` narrowed to the ledger's approved transfers."""
    return TransferFilters(**{**vars(filters), "status": "approved"})
