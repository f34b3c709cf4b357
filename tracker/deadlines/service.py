"""The deadline engine: every date that can lapse in a user's scope, in one SQL statement.

`deadline_query(user, today, ...)` is a UNION ALL of every registered kind's deadline sources
(`RecordKind.deadlines`, `tracker.records`), each filtered by the policy's
`visible_projects(user)` and left out entirely when the user's role may not perform the
source's action. Today's sources:

| kind                      | source                                   | the role needs      |
|---------------------------|------------------------------------------|---------------------|
| ip_priority … ip_other    | an asset's hand-entered deadlines        | asset.view_full     |
| ip_priority … ip_annuity  | the docketing rules' rows (derived)      | asset.view_full     |
| nct_review                | asset.nct_filed_on + 45 days             | asset.view          |
| licence_expiry            | asset.export_licence_until               | asset.view          |
| nda_expiry                | an active NDA's expires_on               | nda.view            |
| review_expiry             | the latest approved review's valid_until | review.view_result  |
| follow_up                 | an advisory session's follow-ups         | session.view_advice |
| project_end               | project.end_date                         | project.view        |
| ip_* of a filing          | the filing rules' rows (derived)         | filing.view         |

Each row has the API's deadline item shape plus `key` (what the deadline is
within its source, for calendar UIDs) and `parent_id` (the record its page is found under).
Titles are those the role may see anyway; no description, note or advice text is selected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from tracker import policy, records
from tracker.auth.models import User
from tracker.cases.projects.models import Project
from tracker.db import BuiltOnce, condition_key, db
from tracker.records.deadlines import row
from tracker.web import sorting

#: the item fields of the API, in order (the CSV/XLSX columns too)
ITEM_FIELDS = (
    "kind",
    "due_on",
    "title",
    "project_id",
    "source_type",
    "source_id",
    "done",
    "overdue",
    "derived",
    "rule",
    "office",
    "filing_id",
    "grace_until",
    "project_code",
)


def kinds() -> tuple[str, ...]:
    """Every deadline kind the registered record kinds produce."""
    return tuple(records.deadline_kinds())


#: the sortable columns of the deadline lists (`sort`; `project` orders by the project's code)
SORTS = ("due_on", "project", "kind", "title")


def _parts(
    user: User,
    today: dt.date,
    visible: sa.ColumnElement[bool],
    filters: Mapping[str, Any],
    zone: int | None,
) -> list[sa.Select[Any]]:
    """One SELECT per source the user's role may see, each inside `visible` (a condition on
    `Project`) and each holding only its own rows that pass `filters` (`_filtered`). `zone`:
    the zone the whole scope lies in (an operator's), which a source with a zone copy of its
    own also asks of that copy (`DeadlineSource.zone_copy`: its index then reads the zone's
    rows only; `visible` still decides)."""
    parts = []
    for kind in records.kinds():
        for source in kind.deadlines:
            if not policy.may(user, source.action):
                continue
            part = source.query(visible, today, filters.get("until"))
            if zone is not None and source.zone_copy is not None:
                part = part.where(source.zone_copy == zone)
            part = part.where(*_filtered(part.selected_columns, today, filters))
            # every source has `Project` in its FROM (the scope is a condition on it)
            parts.append(part.add_columns(Project.code.label("project_code")))
    return parts


def _filtered(c: Any, today: dt.date, filters: Mapping[str, Any]) -> list[sa.ColumnElement[bool]]:
    """The conditions of `deadline_query`'s filters on the columns `c` of one source's SELECT
    (its own expressions: the due date is the source's indexed column, so each part reads
    only the rows within the window instead of the whole UNION being filtered afterwards)."""
    lapsed = sa.and_(c.due_on < today, sa.not_(c.done))
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.get("until") is not None:
        conditions.append(c.due_on <= filters["until"])
    if filters.get("overdue") is not None:
        conditions.append(lapsed if filters["overdue"] else sa.not_(lapsed))
    if filters.get("project_id") is not None:
        conditions.append(c.project_id == filters["project_id"])
    if filters.get("kind") is not None:
        # as text: a source's kind may be an enum column that holds only its own kinds
        conditions.append(sa.type_coerce(c.kind, sa.String) == filters["kind"])
    if filters.get("done") is not None:
        conditions.append(c.done if filters["done"] else sa.not_(c.done))
    return conditions


def _in_order(stmt: sa.Select[Any], c: Any, sort: str) -> sa.Select[Any]:
    """`stmt` in the order of `sort` on the deadline columns `c`: the kind, then the source and
    the key tell rows apart (one source row has one deadline of a key), so every page has the
    same order."""
    columns = {"due_on": c.due_on, "project": c.project_code, "kind": c.kind, "title": c.title}
    ordered: sa.Select[Any] = sorting.ordered(stmt, sort, columns, c.kind)
    return ordered.order_by(c.source_type, c.source_id, c.key)


def _first(part: sa.Select[Any], sort: str, limit: int) -> sa.Select[Any]:
    """The first `limit` rows of one part in the order of `sort` (wrapped: SQLite takes no
    ORDER BY or LIMIT in a UNION's member). The first rows of the UNION are among the first
    of its parts, so each part stops after `limit` rows read in its due-date index's order."""
    inner = _in_order(part, part.selected_columns, sort).limit(limit).subquery()
    return sa.select(*inner.c)


def _nothing() -> sa.Select[Any]:
    """A SELECT of no rows with the parts' columns (a UNION needs one)."""
    none = sa.cast(sa.null(), sa.Integer)
    columns = row("none", sa.null(), sa.null(), none, "none", none, sa.false())
    code = sa.cast(sa.null(), sa.String).label("project_code")
    return sa.select(*columns, code).where(sa.false())


#: the statements `deadline_query` built, by role, day, filters and scope: building the
#: UNION of every source costs about as much as running it for a dashboard
_BUILT: BuiltOnce[sa.Select[Any]] = BuiltOnce(256)


def _registered() -> tuple[int, ...]:
    """Which record kinds are registered (a test registers one of its own for a while)."""
    return tuple(id(kind) for kind in records.kinds())


def listed(
    user: User, today: dt.date, filters: dict[str, Any], reach: int | None
) -> tuple[sa.Select[Any], sa.Select[Any] | None]:
    """The deadline list a page or a download shows (`filters`: `deadline_query`'s): the whole
    list (counted, downloaded) and, when `reach` (the page's last row: page × per page) is
    given, the page's own statement, a UNION whose parts each stop after that many rows in
    their due index's order. The API and the HTML list both page it so."""
    whole = deadline_query(user, today, **filters)
    paged = None if reach is None else deadline_query(user, today, **filters, limit=reach)
    return whole, paged


def deadline_query(
    user: User,
    today: dt.date,
    *,
    within_days: int | None = None,
    overdue: bool | None = None,
    project_id: int | None = None,
    kind: str | None = None,
    done: bool | None = None,
    sort: str = "due_on",
    scope: sa.ColumnElement[bool] | None = None,
    limit: int | None = None,
) -> sa.Select[Any]:
    """The user's deadlines, soonest first or in the order of `sort` (a value of
    `sorting.choices(SORTS)`), as one statement (rows with ITEM_FIELDS, key and parent_id).
    `scope`: a narrower condition on `Project` than the user's scope, which the caller has
    checked lies in it; `limit`: at most that many rows (each source then reads at most that
    many). Built once per role, day, filters and scope.

    `within_days`: due on or before today + n (overdue ones included); `overdue`: True only
    lapsed and not done, False only the others; `done`: by done state. A lapsed item whose
    `grace_until` is today or later is still overdue (the pages say "in grace until")."""
    visible = policy.visible_projects(user) if scope is None else scope
    # the zone the user's own scope lies in (a narrower `scope` is the caller's: no copy read)
    zone = policy.scope_zone(user) if scope is None else None
    filters = {
        "until": None if within_days is None else today + dt.timedelta(days=within_days),
        "overdue": overdue,
        "project_id": project_id,
        "kind": kind,
        "done": done,
    }
    scope_key = condition_key(visible)
    if scope_key is None:
        return _build(user, today, visible, filters, sort, limit, zone)
    # the registered kinds and the role decide which sources take part; the scope's values
    # are in its key
    key = (_registered(), user.role, today, tuple(filters.items()), sort, limit, scope_key, zone)
    return _BUILT.get(key, lambda: _build(user, today, visible, filters, sort, limit, zone))


def _build(
    user: User,
    today: dt.date,
    visible: sa.ColumnElement[bool],
    filters: Mapping[str, Any],
    sort: str,
    limit: int | None,
    zone: int | None = None,
) -> sa.Select[Any]:
    """`deadline_query`'s statement."""
    parts = _parts(user, today, visible, filters, zone) or [_nothing()]
    if limit is not None:
        # each part keeps only its first rows (in its due-date index's order)
        parts = [_first(part, sort, limit) for part in parts]
    union = sa.union_all(*parts).subquery("deadlines")
    c = union.c
    lapsed = sa.and_(c.due_on < today, sa.not_(c.done))
    stmt = sa.select(
        c.kind,
        c.due_on,
        c.title,
        c.project_id,
        c.source_type,
        c.source_id,
        c.done,
        sa.case((lapsed, sa.true()), else_=sa.false()).label("overdue"),
        c.derived,
        c.rule,
        c.key,
        c.parent_id,
        c.office,
        c.filing_id,
        c.grace_until,
        c.project_code,
    )
    ordered = _in_order(stmt, c, sort)
    return ordered if limit is None else ordered.limit(limit)


#: the statements of `project_deadlines`, built once per role, day and length: building the
#: UNION of every source costs more than running it for one project
_ONE_PROJECT: BuiltOnce[sa.Select[Any]] = BuiltOnce(64)


def project_deadlines(
    user: User, today: dt.date, project_id: int, limit: int
) -> list[dict[str, Any]]:
    """The next `limit` open deadlines (overdue ones first) of one project in the user's scope
    (the caller checked it), as the user's role may see them: every source restricted to the
    project itself, so the database reads that project's rows only; one statement, built once
    per role and day (the project is a bound parameter)."""

    def build() -> sa.Select[Any]:
        one = Project.id == sa.bindparam("one_project", type_=sa.Integer)
        return deadline_query(user, today, done=False, scope=one, limit=limit)

    stmt = _ONE_PROJECT.get((_registered(), user.role, today, limit), build)
    return items(db.session.execute(stmt, {"one_project": project_id}))


def deadlines(user: User, today: dt.date, **filters: Any) -> list[dict[str, Any]]:
    """`deadline_query` run: every matching item as a dict (one statement)."""
    return items(db.session.execute(deadline_query(user, today, **filters)))


_FLAGS = ("done", "overdue", "derived")


def items(result: Any) -> list[dict[str, Any]]:
    """Every row of a deadline statement's `result` as a plain dict with Python booleans
    (SQLite answers 0 and 1); the column names read once for all rows (a dashboard holds a few
    hundred)."""
    keys = tuple(result.keys())
    flags = [keys.index(flag) for flag in _FLAGS if flag in keys]
    out = []
    for one in result:
        values = list(one)
        for i in flags:
            values[i] = bool(values[i])
        out.append(dict(zip(keys, values, strict=True)))
    return out
