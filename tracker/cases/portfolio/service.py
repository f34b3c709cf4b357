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
from tracker.cases.reviews.models import RiskReview
from tracker.web import sorting
from tracker.web.ids import id_equals

#: `sort` of the asset portfolio
ASSET_SORTS = ("title", "kind", "next_due_on")
#: `sort` of the review portfolio
REVIEW_SORTS = ("created_at", "valid_until", "score")


def _in_scope(
    stmt: sa.Select[Any], user: User, project_column: Any, zone_id: Any
) -> sa.Select[Any]:
    """Only the projects `user` may see (the condition first, so the filters below run inside
    the scope); everyone's (admins, auditors) needs no join unless a zone is asked for."""
    visible = policy.visible_projects(user)
    everyone = isinstance(visible, sa.sql.elements.True_)
    if everyone and not zone_id:
        return stmt
    stmt = stmt.join(Project, Project.id == project_column)
    if not everyone:
        stmt = stmt.where(visible)
    if zone_id:
        stmt = stmt.where(id_equals(Project.zone_id, zone_id))
    return stmt


def assets(user: User, filters: dict[str, Any]) -> sa.Select[IpAsset]:
    """The IP assets of every project `user` may see. Filters: `zone_id`, `project_id`,
    `kind`, `sensitivity`, `nct_status`, `q` (the asset's words in the search index, as the
    user's role may search them); `sort` one of `ASSET_SORTS`, `-` first for descending."""
    stmt = _in_scope(sa.select(IpAsset), user, IpAsset.project_id, filters.get("zone_id"))
    if filters.get("project_id"):
        stmt = stmt.where(id_equals(IpAsset.project_id, filters["project_id"]))
    for name in ("kind", "sensitivity", "nct_status"):
        if filters.get(name):
            stmt = stmt.where(getattr(IpAsset, name) == filters[name])
    if filters.get("q"):
        stmt = stmt.where(IpAsset.id.in_(_assets_matching(user, filters["q"])))
    columns = {"title": IpAsset.title, "kind": IpAsset.kind, "next_due_on": IpAsset.next_due_on}
    stmt = sorting.ordered(stmt, filters.get("sort") or "title", columns, IpAsset.id)
    return stmt.options(
        selectinload(IpAsset.project),
        selectinload(IpAsset.owners),
        selectinload(IpAsset.deadlines),
        selectinload(IpAsset.derived_deadlines),
    )


def _assets_matching(user: User, q: str) -> sa.Select[Any] | sa.CompoundSelect:
    """SQL: the ids of the assets `q` finds, as `user` may search: in the search index by the
    asset's title, its numbers (`asset.view_full`) or its filings' numbers (`filing.view`; a
    filing's entry names its asset), the exact numbers by their indexes (`search.assets_found`,
    one pass over the hits); and by its project's code (its start, by the code's index; a
    project's other words name no asset), each part by its own index."""
    found = search.assets_found(user, q)
    code = search.code_match(q.strip())
    if code is None:
        return found
    coded = (
        sa.select(IpAsset.id)
        .join(Project, Project.id == IpAsset.project_id)
        .where(code)
        .correlate(None)
    )
    return sa.union(found, coded)


def reviews(user: User, filters: dict[str, Any]) -> sa.Select[RiskReview]:
    """The risk reviews of every project `user` may see (another user's drafts left out).
    Filters: `zone_id`, `project_id`, `level`, `status`, `valid_before` (valid until before
    that day); `sort` one of `REVIEW_SORTS` (default: newest first)."""
    stmt = _in_scope(
        sa.select(RiskReview), user, RiskReview.project_id, filters.get("zone_id")
    ).where(RiskReview.seen_by(user.id))
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
    stmt = sorting.ordered(stmt, filters.get("sort") or "-created_at", columns, RiskReview.id)
    project = selectinload(RiskReview.project)
    if not isinstance(policy.visible_projects(user), sa.sql.elements.True_):
        # what `policy.in_scope` reads of each row's project for a narrower scope (the list
        # asks the policy per row which answers it shows): loaded once, not once per project
        project = project.selectinload(Project.lawyers)
    return stmt.options(project)
