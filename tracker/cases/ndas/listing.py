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

from typing import Any

import sqlalchemy as sa

from tracker import clock
from tracker.auth.models import Organization, User
from tracker.cases.ndas.models import Nda, nda_assets
from tracker.cases.ndas.service import effective_status_expr, nda_conditions, sorted_by
from tracker.db import db

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


def page(user: User, filters: dict[str, Any], project_id: int | None = None) -> dict[str, Any]:
    """One page: `{"items": rows shaped as NdaSchema writes them, "total", "page",
    "per_page"}`, in the order of `service.sorted_by`."""
    today = clock.today()
    where = nda_conditions(user, filters, today, project_id)
    number, per_page = filters["page"], filters["per_page"]
    total = db.session.execute(sa.select(sa.func.count()).select_from(Nda).where(*where))
    found = db.session.execute(
        sorted_by(
            sa.select(
                *(getattr(Nda, name) for name in COLUMNS),
                Organization.name.label("partner_name"),
                effective_status_expr(today).label("status"),
                Nda.status.label("recorded_status"),
            )
            .join(Organization, Organization.id == Nda.partner_id)
            .where(*where),
            filters,
        )
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
