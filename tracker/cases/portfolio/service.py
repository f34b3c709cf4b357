"""The portfolio lists: IP assets and risk reviews across the projects a user may see, filtered,
sorted and paginated in SQL (each filter and sort backed by an index; the scope joined first)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker import policy
from tracker.auth.models import User
from tracker.cases import search
from tracker.cases.assets.models import IpAsset
from tracker.cases.projects.models import Project
from tracker.cases.reviews.models import REVIEW_STATUSES, RiskReview
from tracker.db import db
from tracker.web import sorting
from tracker.web.ids import id_equals

#: `sort` of the asset portfolio
ASSET_SORTS = ("title", "kind", "next_due_on")
#: `sort` of the review portfolio
REVIEW_SORTS = ("created_at", "valid_until", "score")


def _in_scope(
    stmt: sa.Select[Any],
    user: User,
    project_column: Any,
    zone_id: Any,
    zone_copy: Any = None,
    *,
    by_key: bool = False,
) -> sa.Select[Any]:
    """Only the projects `user` may see, as `project_id IN (the user's projects)` (the
    policy's `in_visible_project`): the planner walks the list's own sort index and checks
    each row against the projects, or starts from the few projects of a narrow scope, never
    joining every row to its project; everyone's scope (admins, auditors) is no condition.
    A zone asked for is one more `IN` over the zone's projects.

    `by_key`: on PostgreSQL a lawyer's projects are an array (`policy.assigned_by_key`), each
    project's rows read by its index, where `IN` read them through every project (a
    lawyer's ~1 %: ~1,400 → 1,085 buffers for the assets' page) and was planned anew on
    every run (its generic plan never chosen).

    `zone_copy`: the rows' own copy of their project's zone (`IpAsset.zone_id`, kept in step
    with the project's); a zone scope (operators) and a zone asked for then start from that
    column, so both the page and its count read the zone's index. The copy only chooses the
    index: the project's own scope is checked as well (the index carries the project id), so a
    copy gone stale could hide a row but never show one of another zone. On SQLite that check
    is written `+ip_assets.project_id IN (...)` (`_unindexed`): with `project_id = ?` its
    planner took the project index as the more selective (it guesses a handful of projects
    in the list, not the zone's 2,500), read every asset of the zone from the table and
    sorted them (60–99 ms for 25,000 assets against ~3 ms from the zone's index)."""
    scope_zone = policy.scope_zone(user) if zone_copy is not None else None
    assigned = policy.assigned_by_key(user, project_column) if by_key else None
    if scope_zone is not None:
        stmt = stmt.where(zone_copy == scope_zone)
        stmt = stmt.where(policy.in_visible_project(user, _unindexed(project_column)))
    elif assigned is not None:
        stmt = stmt.where(assigned)
    else:
        stmt = stmt.where(policy.in_visible_project(user, project_column))
    if zone_id and zone_copy is not None:
        stmt = stmt.where(id_equals(zone_copy, zone_id))
    elif zone_id:
        stmt = stmt.where(
            project_column.in_(sa.select(Project.id).where(id_equals(Project.zone_id, zone_id)))
        )
    return stmt


def _unindexed(column: Any) -> Any:
    """`column` as SQLite's planner may not look it up by an index (`+table.column`: the
    same value), so another condition's index drives the query; `column` itself elsewhere."""
    if db.session.get_bind().dialect.name != "sqlite":
        return column
    column = column.expression
    return sa.literal_column(f"+{column.table.name}.{column.name}", type_=column.type)


def assets(
    user: User,
    filters: dict[str, Any],
    *,
    ids: bool = False,
    walk: bool = False,
    params: dict[str, Any] | None = None,
) -> sa.Select[Any]:
    """The IP assets of every project `user` may see. Filters: `zone_id`, `project_id`,
    `kind`, `sensitivity`, `nct_status`, `q` (the asset's words in the search index, as the
    user's role may search them); `sort` one of `ASSET_SORTS`, `-` first for descending.
    `ids`: their ids alone, in that order (the lean list's first statement, `listing.py`).
    `walk`: `q` asked of each asset walked (`search.walks_assets`), not its hits listed;
    `params`: given, the walked condition may be one built once, its values put in `params`
    for the statement's run (`search.assets_matching`). Without `q` a lawyer's projects
    are read by key on PostgreSQL (`_in_scope`'s `by_key`); a search's statements keep the
    policy's `IN`."""
    selected = sa.select(IpAsset.id) if ids else sa.select(IpAsset)
    stmt = _in_scope(
        selected,
        user,
        IpAsset.project_id,
        filters.get("zone_id"),
        IpAsset.zone_id,
        by_key=not filters.get("q"),
    )
    if filters.get("project_id"):
        stmt = stmt.where(id_equals(IpAsset.project_id, filters["project_id"]))
    for name in ("kind", "sensitivity", "nct_status"):
        if filters.get(name):
            stmt = stmt.where(getattr(IpAsset, name) == filters[name])
    if filters.get("q"):
        stmt = stmt.where(_assets_matching(user, filters["q"], walk, params))
    columns = {"title": IpAsset.title, "kind": IpAsset.kind, "next_due_on": IpAsset.next_due_on}
    stmt = sorting.ordered(stmt, filters.get("sort") or "title", columns, IpAsset.id)
    if ids:
        return stmt
    return stmt.options(
        selectinload(IpAsset.project),
        selectinload(IpAsset.owners),
        selectinload(IpAsset.deadlines),
        selectinload(IpAsset.derived_deadlines),
    )


def _assets_matching(
    user: User, q: str, walk: bool, params: dict[str, Any] | None = None
) -> sa.ColumnElement[bool]:
    """SQL condition on `IpAsset`: `q` finds the asset, as `user` may search: in the search
    index by the asset's title, its numbers (`asset.view_full`) or its filings' numbers
    (`filing.view`; a filing's entry names its asset), the exact numbers by their indexes
    (`search.assets_matching`: the few hits of a rare word as a list, one pass over them; a
    common word asked of each asset the list walks); and by its project's code (its start,
    by the code's index; a project's other words name no asset), each part by its own
    index."""
    code = search.code_match(q.strip())
    if code is None:
        return search.assets_matching(user, q, walk=walk, params=params)
    coded = (
        sa.select(IpAsset.id)
        .join(Project, Project.id == IpAsset.project_id)
        .where(code)
        .correlate(None)
    )
    return IpAsset.id.in_(sa.union(search.assets_found(user, q), coded))


def reviews(user: User, filters: dict[str, Any], *, ids: bool = False) -> sa.Select[Any]:
    """The risk reviews of every project `user` may see (another user's drafts left out).
    Filters: `zone_id`, `project_id`, `level`, `status`, `valid_before` (valid until before
    that day); `sort` one of `REVIEW_SORTS` (default: newest first). `ids`: their ids alone,
    in that order (the lean list's first statement, `listing.py`)."""
    selected = sa.select(RiskReview.id) if ids else sa.select(RiskReview)
    stmt = _in_scope(
        selected, user, RiskReview.project_id, filters.get("zone_id"), by_key=True
    ).where(_seen_by(user.id))
    if filters.get("project_id"):
        stmt = stmt.where(id_equals(RiskReview.project_id, filters["project_id"]))
    for name in ("level", "status"):
        if filters.get(name):
            stmt = stmt.where(getattr(RiskReview, name) == filters[name])
    before: dt.date | None = filters.get("valid_before")
    if before is not None:
        stmt = stmt.where(RiskReview.valid_until < before)
    columns = {
        "created_at": RiskReview.created_at,
        "valid_until": RiskReview.valid_until,
        "score": RiskReview.score,
    }
    stmt = sorting.ordered(
        stmt, filters.get("sort") or "-created_at", columns, RiskReview.id, {"created_at"}
    )
    if ids:
        return stmt
    project = selectinload(RiskReview.project)
    if not isinstance(policy.visible_projects(user), sa.sql.elements.True_):
        # what `policy.in_scope` reads of each row's project for a narrower scope (the list
        # asks the policy per row which answers it shows): loaded once, not once per project
        project = project.selectinload(Project.lawyers)
    return stmt.options(project)


#: every status but a draft (`RiskReview.seen_by` as `IN`, so it reads from a status index)
_FILED = tuple(s for s in REVIEW_STATUSES if s != "draft")


def _seen_by(user_id: int) -> sa.ColumnElement[bool]:
    """`RiskReview.seen_by`, written so that a count reads the status index rather than every
    review: the filed reviews, and the user's own drafts."""
    return sa.or_(
        RiskReview.status.in_(_FILED),
        sa.and_(RiskReview.status == "draft", RiskReview.author_id == user_id),
    )
