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
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

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
    window = window.limit(per_page).offset((page - 1) * per_page)
    estimated = False
    if filters.get("q"):
        hits = db.session.execute(window).all()
        # a text search: counted up to search.COUNT_LIMIT hits, estimated beyond ("about
        # 9,500"), where an exact count would read every hit
        total, estimated = search_results.estimated_total(
            matching.with_only_columns(Project.id), Project.id
        )
    else:
        # the other filters are index lookups: COUNT(*) apart, as a scalar subquery beside the
        # page's ids (computed once; one round trip less); counted alone only when the page
        # is empty
        count = sa.select(sa.func.count()).select_from(ids)
        hits = db.session.execute(
            window.add_columns(count.correlate(None).scalar_subquery().label("total"))
        ).all()
        if hits:
            total = hits[0].total
        elif page == 1:
            total = 0
        else:
            total = db.session.execute(count).scalar_one()
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
    """The list rows of the projects `ids`, in that order (one statement: each row carries
    its partners and its lawyers as a JSON array, by id)."""
    if not ids:
        return []
    columns = [getattr(Project, name) for name in COLUMNS]
    partners = _members(
        Organization, project_partners, project_partners.c.organization_id, Organization.name
    )
    lawyers = _members(User, project_lawyers, project_lawyers.c.user_id, User.name)
    found = {}
    for row in db.session.execute(
        sa.select(
            *columns,
            risk_level_expr(today).label("risk_level"),
            Zone.code.label("zone_code"),
            Organization.name.label("company_name"),
            partners.label("partners"),
            lawyers.label("lawyers"),
        )
        .join(Zone, Zone.id == Project.zone_id)
        .join(Organization, Organization.id == Project.company_id)
        .where(among_ids(Project.id, ids))
    ):
        item = dict(row._mapping)
        for kind in ("partners", "lawyers"):
            pairs = json.loads(item[kind]) if item[kind] else []
            item[kind] = [{"id": int(i), "name": name} for i, name in pairs]
        item["partner_ids"] = [p["id"] for p in item["partners"]]
        item["lawyer_ids"] = [u["id"] for u in item["lawyers"]]
        found[item["id"]] = item
    return [found[pid] for pid in ids if pid in found]


def _members(model: Any, link: sa.Table, member_id: Any, name: Any) -> Any:
    """A project's members through `link` as JSON text, `[[id, name], …]` by id (NULL or
    `[]` for none), for the row of `projects` around it: PostgreSQL's json_agg in id order,
    SQLite's json_group_array over the rows in id order."""
    if db.session.get_bind().dialect.name == "postgresql":
        pair = sa.func.json_build_array(model.id, name)
        agg = sa.cast(sa.func.json_agg(aggregate_order_by(pair, model.id)), sa.Text)
        return (
            sa.select(agg)
            .select_from(link)
            .join(model, model.id == member_id)
            .where(link.c.project_id == Project.id)
            .correlate(Project)
            .scalar_subquery()
        )
    ordered = (
        sa.select(model.id.label("id"), name.label("name"))
        .select_from(link)
        .join(model, model.id == member_id)
        .where(link.c.project_id == Project.id)
        .correlate(Project)
        .order_by(model.id)
        .subquery()
    )
    grouped = sa.func.json_group_array(sa.func.json_array(ordered.c.id, ordered.c.name))
    return sa.select(grouped).correlate(Project).scalar_subquery()
