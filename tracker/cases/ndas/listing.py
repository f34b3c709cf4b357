"""The NDA register as a lean list (the API's JSON pages): the columns the schema writes, as
plain rows, in three statements whatever the page size:

1. the filtered total, counted from the index `(status, expires_on, project_id)` (the scope
   as `project_id IN (the caller's projects)`, not a join of every NDA to its project);
2. the page: the NDAs' columns with the partner's name and the effective status, in expiry
   order (`expiring_within_days` walks the expiry index from today);
3. the ids of the assets each NDA of the page covers.

Downloads and the HTML pages keep the ORM query (`service.nda_query`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from tracker import clock, policy
from tracker.auth.models import Organization, User
from tracker.cases.ndas.models import Nda, nda_assets
from tracker.cases.ndas.service import effective_status_expr
from tracker.cases.projects.models import Project
from tracker.db import db
from tracker.web.ids import is_id

#: the NDA's own columns a list shows (the API schema's fields, less the derived ones)
COLUMNS = (
    "id",
    "project_id",
    "partner_id",
    "signed_on",
    "effective_on",
    "expires_on",
    "governing_law",
    "purpose",
    "return_or_destroy",
    "audit_rights",
    "created_by_id",
    "version",
    "created_at",
    "updated_at",
)


def _scope(user: User) -> sa.ColumnElement[bool]:
    """The caller's scope as a condition on `Nda.project_id` (none for who sees everything):
    the planner starts from the caller's projects or from the expiry index, whichever is
    narrower, and never joins the projects to every NDA."""
    visible = policy.visible_projects(user)
    if isinstance(visible, sa.sql.elements.True_ | sa.sql.elements.False_):
        return visible
    return Nda.project_id.in_(sa.select(Project.id).where(visible))


def filtered(
    user: User, filters: dict[str, Any], today: dt.date, project_id: int | None = None
) -> list[sa.ColumnElement[bool]]:
    """The conditions on `Nda` of `service.nda_query`'s filters, the scope first."""
    where = [_scope(user)]
    if project_id is not None:
        where.append(Nda.project_id == project_id)
    if filters.get("status"):
        where.append(effective_status_expr(today) == filters["status"])
    if filters.get("partner_id"):
        partner_id = filters["partner_id"]
        where.append(Nda.partner_id == partner_id if is_id(partner_id) else sa.false())
    days = filters.get("expiring_within_days")
    if days is not None:
        where += [
            Nda.status == "active",
            Nda.expires_on >= today,
            Nda.expires_on <= today + dt.timedelta(days=days),
        ]
    return where


def page(user: User, filters: dict[str, Any], project_id: int | None = None) -> dict[str, Any]:
    """One page: `{"items": rows shaped as NdaSchema writes them, "total", "page",
    "per_page"}`, soonest expiry first (then by id)."""
    today = clock.today()
    where = filtered(user, filters, today, project_id)
    number, per_page = filters["page"], filters["per_page"]
    total = db.session.execute(sa.select(sa.func.count()).select_from(Nda).where(*where))
    found = db.session.execute(
        sa.select(
            *(getattr(Nda, name) for name in COLUMNS),
            Organization.name.label("partner_name"),
            effective_status_expr(today).label("status"),
            Nda.status.label("recorded_status"),
        )
        .join(Organization, Organization.id == Nda.partner_id)
        .where(*where)
        .order_by(Nda.expires_on, Nda.id)
        .limit(per_page)
        .offset((number - 1) * per_page)
    )
    items = [dict(row._mapping) for row in found]
    covered: dict[int, list[int]] = {item["id"]: [] for item in items}
    if covered:
        for nda_id, asset_id in db.session.execute(
            sa.select(nda_assets.c.nda_id, nda_assets.c.asset_id)
            .where(nda_assets.c.nda_id.in_(covered))
            .order_by(nda_assets.c.asset_id)
        ):
            covered[nda_id].append(asset_id)
    for item in items:
        item["asset_ids"] = covered[item["id"]]
    return {"items": items, "total": total.scalar_one(), "page": number, "per_page": per_page}
