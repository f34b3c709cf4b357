"""The project list, lean: the columns a list shows, as plain rows, in a fixed number of
statements whatever the page size or the size of the database.

1. the filtered total and the page's ids: for a search or a risk-level filter in one statement
   (`count(*) OVER ()` beside the ids, so the match runs once); otherwise a plain COUNT and
   a page that walks the code index no further than it shows;
2. the page's columns, with the zone code, the lead company's name and the current risk level
   (a correlated subquery evaluated for the page's rows only);
3. the partners and lawyers of the page's projects as (id, name) pairs (one UNION ALL).

The API answers these rows without the ORM or marshmallow on the way out (the schema still
validates input and documents the output); the HTML list renders the same rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from tracker import clock, policy
from tracker.auth.models import Organization, User, Zone
from tracker.cases import search, search_results
from tracker.cases.projects.models import Project, project_lawyers, project_partners
from tracker.cases.reviews.level import current_review_id, projects_at_level, risk_level_expr
from tracker.cases.reviews.models import RISK_LEVELS, RiskReview
from tracker.db import among_ids, db
from tracker.web import sorting
from tracker.web.ids import is_id

#: the project's own columns a list shows (the API schema's fields, less the derived ones)
COLUMNS = (
    "id",
    "code",
    "title",
    "zone_id",
    "company_id",
    "start_date",
    "end_date",
    "budget_krw",
    "security_level",
    "security_level_set_by_id",
    "security_level_set_at",
    "status",
    "version",
    "created_at",
    "updated_at",
)


#: the sortable columns of the project list, each backed by an index (code is unique)
SORTS: dict[str, Any] = {
    "code": Project.code,
    "status": Project.status,
    "created_at": Project.created_at,
}


def filtered(user: User, filters: dict[str, Any], today: dt.date) -> sa.Select[Any]:
    """`(id, code, status, created_at)` of the projects `user` may see that match `filters`
    (zone_id, status, risk_level, q, and a heat map cell: likelihood and impact of the current
    review)."""
    stmt: Any = sa.select(Project.id, *SORTS.values()).where(policy.visible_projects(user))
    if filters.get("zone_id"):
        zone_id = filters["zone_id"]
        stmt = stmt.where(Project.zone_id == zone_id if is_id(zone_id) else sa.false())
    if filters.get("status"):
        stmt = stmt.where(Project.status == filters["status"])
    level = filters.get("risk_level")
    if level in RISK_LEVELS or level == "none":
        stmt = stmt.where(projects_at_level(level, today))
    if filters.get("q"):
        q = filters["q"].strip()
        matches = search.projects_matching(user, q)
        code = search.code_match(q)  # a project code, whole or its start
        if code is not None:
            matches = sa.or_(matches, code)
        stmt = stmt.where(matches)
    cell = {k: filters[k] for k in ("likelihood", "impact") if filters.get(k) in range(1, 6)}
    if cell:  # a heat map cell: the current review scored this likelihood and/or impact
        scored = sa.select(RiskReview.id).filter_by(**cell)
        stmt = stmt.where(current_review_id(today).in_(scored))
    selected: sa.Select[Any] = stmt
    return selected


def page(user: User, filters: dict[str, Any], page: int, per_page: int) -> dict[str, Any]:
    """One page of the list: `{"items": rows, "total", "page", "per_page"}`, in the order of
    `filters["sort"]` (a value of `sorting.choices(SORTS)`; by code when absent)."""
    today = clock.today()
    matching = filtered(user, filters, today)
    ids = matching.subquery()
    columns = {name: ids.c[name] for name in SORTS}
    window = sorting.ordered(sa.select(ids.c.id), filters.get("sort") or "code", columns, ids.c.id)
    # the page walks the sort's index only as far as it shows (a window count would sort the
    # whole filtered set)
    hits = db.session.execute(window.limit(per_page).offset((page - 1) * per_page)).all()
    estimated = False
    if filters.get("q"):
        # a text search: counted up to search.COUNT_LIMIT hits, estimated beyond ("about
        # 9,500"), where an exact count would read every hit
        total, estimated = search_results.estimated_total(
            matching.with_only_columns(Project.id), Project.id
        )
    else:  # the other filters are index lookups: COUNT(*) apart
        total = db.session.execute(sa.select(sa.func.count()).select_from(ids)).scalar_one()
    items = rows([h.id for h in hits], today)
    return {
        "items": items,
        "total": total,
        "total_estimated": estimated,
        "page": page,
        "per_page": per_page,
    }


def all_rows(user: User, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """Every row of the filtered list, in list order (for downloads)."""
    today = clock.today()
    stmt = sorting.ordered(
        filtered(user, filters, today), filters.get("sort") or "code", SORTS, Project.id
    )
    ids = [row.id for row in db.session.execute(stmt)]
    return rows(ids, today)


def rows(ids: list[int], today: dt.date) -> list[dict[str, Any]]:
    """The list rows of the projects `ids`, in that order (two statements)."""
    if not ids:
        return []
    columns = [getattr(Project, name) for name in COLUMNS]
    found = {
        row.id: dict(row._mapping)
        for row in db.session.execute(
            sa.select(
                *columns,
                risk_level_expr(today).label("risk_level"),
                Zone.code.label("zone_code"),
                Organization.name.label("company_name"),
            )
            .join(Zone, Zone.id == Project.zone_id)
            .join(Organization, Organization.id == Project.company_id)
            .where(among_ids(Project.id, ids))
        )
    }
    for row in found.values():
        row["partners"], row["lawyers"] = [], []
    partners = (
        sa.select(
            project_partners.c.project_id,
            sa.literal("partners").label("kind"),
            Organization.id,
            Organization.name,
        )
        .join(Organization, Organization.id == project_partners.c.organization_id)
        .where(among_ids(project_partners.c.project_id, ids))
    )
    lawyers = (
        sa.select(project_lawyers.c.project_id, sa.literal("lawyers"), User.id, User.name)
        .join(User, User.id == project_lawyers.c.user_id)
        .where(among_ids(project_lawyers.c.project_id, ids))
    )
    both = sa.union_all(partners, lawyers)
    # in id order, as the project's page and API item list them (`Project.partners`)
    members = db.session.execute(both.order_by(both.selected_columns.id))
    for project_id, kind, member_id, name in members:
        found[project_id][kind].append({"id": member_id, "name": name})
    for row in found.values():
        row["partner_ids"] = [p["id"] for p in row["partners"]]
        row["lawyer_ids"] = [u["id"] for u in row["lawyers"]]
    return [found[pid] for pid in ids if pid in found]
