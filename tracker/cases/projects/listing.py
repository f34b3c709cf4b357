"""The project list, lean: the columns a list shows, as plain rows, in a fixed number of
statements whatever the page size or the size of the database.

1. the page's rows: the filtered ids in list order as far as the page reaches (the sort's
   index walked no further than it shows), joined to the columns the list shows, the zone
   code, the lead company's name and the current risk level (a correlated subquery evaluated
   for the page's rows only);
2. the filtered total, unless the page shows the end of the list (then it is the rows before
   it and its own): for a text search counted up to `search.COUNT_LIMIT` hits and estimated
   beyond; a risk level in everyone's or a zone's scope counted from the stored levels' index
   alone; otherwise a plain COUNT;
3. the partners and lawyers of the page's projects as (id, name) pairs (one UNION ALL).

Without a text search the statements are built once per scope, filters, sort and day
(`BuiltOnce`), the page bound per call, and run on the session's connection as plain rows.
On PostgreSQL a lawyer's scope is read as the array of their assignments there, so the
planner reads their ~1 % of the projects by key instead of scanning every project.

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
from tracker.cases.reviews.level import (
    current_review_id,
    projects_at_level,
    risk_level_expr,
    scope_levels,
)
from tracker.cases.reviews.models import RISK_LEVELS, ProjectRiskLevel, RiskReview
from tracker.db import BuiltOnce, among_bound, condition_key, db
from tracker.web import sorting
from tracker.web.ids import is_id
from tracker.web.paging import count_of

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

#: the filters of a list whose statements are built once (a text search is planned per
#: request, by how common its words are)
_KEPT_FILTERS = ("zone_id", "status", "risk_level", "likelihood", "impact")


def filtered(
    user: User,
    filters: dict[str, Any],
    today: dt.date,
    scope: sa.ColumnElement[bool] | None = None,
) -> sa.Select[Any]:
    """`(id, code, status, created_at)` of the projects `user` may see that match `filters`
    (zone_id, status, risk_level, q, and a heat map cell: likelihood and impact of the current
    review). `scope`: the user's scope as the caller writes it (`policy.visible_projects`
    when None)."""
    visible = policy.visible_projects(user) if scope is None else scope
    stmt: Any = sa.select(Project.id, *SORTS.values()).where(visible)
    if filters.get("zone_id"):
        stmt = stmt.where(_in_zone(Project.zone_id, filters["zone_id"]))
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
    cell = _cell(filters)
    if cell:  # a heat map cell: the current review scored this likelihood and/or impact
        scored = sa.select(RiskReview.id).filter_by(**cell)
        stmt = stmt.where(current_review_id(today).in_(scored))
    selected: sa.Select[Any] = stmt
    return selected


def _cell(filters: dict[str, Any]) -> dict[str, int]:
    return {k: filters[k] for k in ("likelihood", "impact") if filters.get(k) in range(1, 6)}


def page(user: User, filters: dict[str, Any], page: int, per_page: int) -> dict[str, Any]:
    """One page of the list: `{"items": rows, "total", "total_estimated", "page",
    "per_page"}`, in the order of `filters["sort"]` (a value of `sorting.choices(SORTS)`; by
    code when absent)."""
    today = clock.today()
    sort = filters.get("sort") or "code"
    offset = (page - 1) * per_page
    if filters.get("q"):
        matching = filtered(user, filters, today)
        listed, counted = _page_statement(matching, sort, today), None
    else:
        listed, counted = _kept(user, filters, sort, today)
    conn = db.session.connection()
    items = _dicts(conn.execute(listed, {"per_page": per_page, "offset": offset}))
    _add_members(items)
    estimated = False
    if items and len(items) < per_page or not items and offset == 0:
        total = offset + len(items)  # the page shows the end of the list
    elif counted is None:
        # a text search: counted up to search.COUNT_LIMIT hits, estimated beyond ("about
        # 9,500"), where an exact count would read every hit
        total, estimated = search_results.estimated_total(
            matching.with_only_columns(Project.id), Project.id
        )
    else:
        total = conn.execute(counted).scalar_one()
    return {
        "items": items,
        "total": total,
        "total_estimated": estimated,
        "page": page,
        "per_page": per_page,
    }


#: the page's and the count's statements per role, scope, filters, sort, day and database; the
#: page's size and offset bound per call
_STATEMENTS: BuiltOnce[tuple[sa.Select[Any], sa.Select[Any]]] = BuiltOnce(256)


def _kept(
    user: User, filters: dict[str, Any], sort: str, today: dt.date
) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """The page's statement and the count's for a list without a text search (built once)."""
    visible = policy.visible_projects(user)
    dialect = db.session.get_bind().dialect.name
    scope_key = condition_key(visible)
    values = tuple(filters.get(name) for name in _KEPT_FILTERS)

    def build() -> tuple[sa.Select[Any], sa.Select[Any]]:
        # the same projects as `visible`; on PostgreSQL a lawyer's planned as a key lookup
        # of each of them (an `IN` is planned as a hash join over every project)
        by_key = policy.assigned_by_key(user, Project.id)
        matching = filtered(user, filters, today, visible if by_key is None else by_key)
        counted = _count(user, filters, today, visible, matching)
        return _page_statement(matching, sort, today), counted

    if scope_key is None:
        return build()
    return _STATEMENTS.get((user.role, scope_key, values, sort, today, dialect), build)


def _page_statement(matching: sa.Select[Any], sort: str, today: dt.date) -> sa.Select[Any]:
    """The rows of `matching` in the order of `sort`, as far as the page reaches (`:offset`
    and `:per_page`), with the columns the list shows. The page's size and offset are written
    into the statement's text when it runs (`literal_execute`; both validated integers):
    PostgreSQL then plans the joins for that many rows, not for a tenth of the table, and
    keeps the plan, where a bound offset had it plan the statement again on every run."""
    ids = matching.subquery()
    walked = sorting.ordered(
        sa.select(ids.c.id, *(ids.c[name] for name in SORTS)),
        sort,
        {name: ids.c[name] for name in SORTS},
        ids.c.id,
        never_empty=SORTS,
    )
    window = (
        walked.limit(sa.bindparam("per_page", type_=sa.Integer, literal_execute=True))
        .offset(sa.bindparam("offset", type_=sa.Integer, literal_execute=True))
        .subquery("page")
    )
    shown = _shown(today, sa.select().select_from(window).join(Project, Project.id == window.c.id))
    columns = {name: window.c[name] for name in SORTS}
    return sorting.ordered(shown, sort, columns, window.c.id, never_empty=SORTS)


def _count(
    user: User,
    filters: dict[str, Any],
    today: dt.date,
    visible: sa.ColumnElement[bool],
    matching: sa.Select[Any],
) -> sa.Select[Any]:
    """The statement counting `matching`. A risk level in everyone's scope or a zone's, with
    no filter besides the zone, is counted from the stored levels' index alone (one row per
    project with a current level, with a copy of its zone: `level.scope_levels`), where
    counting `matching` would join every project of the scope to the levels."""
    level = filters.get("risk_level")
    levels = scope_levels(visible, policy.scope_zone(user))
    if level not in RISK_LEVELS or filters.get("status") or _cell(filters) or levels is None:
        return count_of(matching)
    stored = ProjectRiskLevel
    counted = (
        sa.select(sa.func.count())
        .select_from(stored)
        .where(levels, stored.level == level, stored.valid_until >= today)
    )
    if filters.get("zone_id"):
        counted = counted.where(_in_zone(stored.zone_id, filters["zone_id"]))
    return counted


def _in_zone(column: Any, zone_id: Any) -> sa.ColumnElement[bool]:
    """The zone filter on `column` (no project has an id that cannot be one)."""
    return column == zone_id if is_id(zone_id) else sa.false()


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
    stmt = _ROWS.get(
        (today, db.session.get_bind().dialect.name),
        lambda: _shown(today, sa.select().select_from(Project)).where(
            among_bound(Project.id, "ids")
        ),
    )
    result = db.session.connection().execute(stmt, {"ids": ids})
    found = {row["id"]: row for row in _dicts(result)}
    listed = [found[pid] for pid in ids if pid in found]
    _add_members(listed)
    return listed


def _shown(today: dt.date, rows: sa.Select[Any]) -> sa.Select[Any]:
    """`rows` (a select from the projects) with the columns a list row shows: the project's
    own, its current risk level, its zone's code and its lead company's name."""
    return (
        rows.add_columns(
            *(getattr(Project, name) for name in COLUMNS),
            risk_level_expr(today).label("risk_level"),
            Zone.code.label("zone_code"),
            Organization.name.label("company_name"),
        )
        .join(Zone, Zone.id == Project.zone_id)
        .join(Organization, Organization.id == Project.company_id)
    )


def _dicts(result: sa.CursorResult[Any]) -> list[dict[str, Any]]:
    """The rows of `result` as dicts by column name (plain rows: no ORM on the way)."""
    keys = tuple(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result.all()]


#: the rows' statement of a download, per day and database (the ids bound per call)
_ROWS: BuiltOnce[sa.Select[Any]] = BuiltOnce(4)
#: the members' statement, per database (the page's ids bound per call)
_MEMBERS: BuiltOnce[sa.CompoundSelect] = BuiltOnce(2)


def _members() -> sa.CompoundSelect:
    """The partners and the lawyers of the projects `:ids` as `(project_id, kind, id,
    name)`, in id order (as the project's page and API item list them: `Project.partners`)."""
    partners = (
        sa.select(
            project_partners.c.project_id,
            sa.literal("partners").label("kind"),
            Organization.id,
            Organization.name,
        )
        .join(Organization, Organization.id == project_partners.c.organization_id)
        .where(among_bound(project_partners.c.project_id, "ids"))
    )
    lawyers = (
        sa.select(project_lawyers.c.project_id, sa.literal("lawyers"), User.id, User.name)
        .join(User, User.id == project_lawyers.c.user_id)
        .where(among_bound(project_lawyers.c.project_id, "ids"))
    )
    both = sa.union_all(partners, lawyers)
    return both.order_by(both.selected_columns.id)


def _add_members(items: list[dict[str, Any]]) -> None:
    """Give each row its `partners` and `lawyers` (`{"id", "name"}` each) and their ids."""
    by_id = {}
    for row in items:
        row["partners"], row["lawyers"] = [], []
        by_id[row["id"]] = row
    if by_id:
        stmt = _MEMBERS.get(db.session.get_bind().dialect.name, _members)
        members = db.session.connection().execute(stmt, {"ids": list(by_id)})
        for project_id, kind, member_id, name in members.all():
            by_id[project_id][kind].append({"id": member_id, "name": name})
    for row in items:
        row["partner_ids"] = [p["id"] for p in row["partners"]]
        row["lawyer_ids"] = [u["id"] for u in row["lawyers"]]
