"""The deadline engine: every date that can lapse in a user's scope, in one SQL statement.

`deadline_query(user, today, ...)` is a UNION ALL of one SELECT per source, each filtered by the
policy's `visible_projects(user)` and left out entirely when the user's role may not see that
source (the matrix of `tracker.policy`):

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

Each row has API.md's deadline item shape plus `key` (what the deadline is within its source,
for calendar UIDs). Titles are those the role may see anyway (the asset's, the project's, the
partner's name, the follow-up's); no description, note or advice text is ever selected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from tracker import policy
from tracker.auth.models import Organization, User
from tracker.cases.assets.models import AssetDeadline, DerivedDeadline, IpAsset
from tracker.cases.ndas.models import Nda
from tracker.cases.projects.models import Project
from tracker.cases.reviews.models import RiskReview
from tracker.cases.sessions.models import AdvisorySession, FollowUp
from tracker.db import db

#: API.md's deadline kinds
KINDS = (
    "ip_priority",
    "ip_pct",
    "ip_national_phase",
    "ip_annuity",
    "ip_other",
    "nda_expiry",
    "review_expiry",
    "licence_expiry",
    "follow_up",
    "nct_review",
    "project_end",
)
#: the ministry decides on a national-core-technology export approval or report in 45 days
#: (Industrial Technology Protection Act, Enforcement Decree art. 18-2, 18-3)
NCT_REVIEW_DAYS = 45
#: API.md's item fields, in order (the CSV/XLSX columns too)
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
)


class plus_days(FunctionElement[dt.date]):  # noqa: N801 (a SQL function's name)
    """`date + n days`, portable: PostgreSQL adds an integer, SQLite calls date()."""

    type = sa.Date()
    inherit_cache = True


@compiles(plus_days)
def _plus_days_default(element: plus_days, compiler: SQLCompiler, **kw: Any) -> str:
    column, days = list(element.clauses)
    return f"({compiler.process(column, **kw)} + {int(days.value)})"


@compiles(plus_days, "sqlite")
def _plus_days_sqlite(element: plus_days, compiler: SQLCompiler, **kw: Any) -> str:
    column, days = list(element.clauses)
    return f"date({compiler.process(column, **kw)}, '+{int(days.value)} days')"


def _text(value: str) -> sa.ColumnElement[str]:
    return sa.literal_column(f"'{value}'", sa.String)


_NO_TEXT = sa.cast(sa.null(), sa.String)


def _row(
    kind: Any,
    due_on: Any,
    title: Any,
    project_id: Any,
    source_type: str,
    source_id: Any,
    done: Any,
    *,
    derived: bool = False,
    rule: Any = None,
    key: Any = None,
) -> list[sa.ColumnElement[Any]]:
    return [
        (_text(kind) if isinstance(kind, str) else kind).label("kind"),
        sa.type_coerce(due_on, sa.Date).label("due_on"),
        sa.type_coerce(title, sa.String).label("title"),
        project_id.label("project_id"),
        _text(source_type).label("source_type"),
        source_id.label("source_id"),
        sa.type_coerce(done, sa.Boolean).label("done"),
        sa.type_coerce(sa.true() if derived else sa.false(), sa.Boolean).label("derived"),
        (rule if rule is not None else _NO_TEXT).label("rule"),
        (key if key is not None else _NO_TEXT).label("key"),
    ]


def _parts(user: User, today: dt.date) -> list[sa.Select[Any]]:
    """One SELECT per source the user's role may see, each inside the user's scope."""
    visible = policy.visible_projects(user)
    may = {action: policy.may(user, action) for action in _ACTIONS}
    parts: list[sa.Select[Any]] = []
    if may["asset.view_full"]:
        parts.append(
            sa.select(
                *_row(
                    sa.literal_column("'ip_'", sa.String) + AssetDeadline.kind,
                    AssetDeadline.due_on,
                    IpAsset.title,
                    IpAsset.project_id,
                    "asset",
                    IpAsset.id,
                    AssetDeadline.done,
                    key=sa.literal_column("'entered:'", sa.String)
                    + sa.cast(AssetDeadline.id, sa.String),
                )
            )
            .join(IpAsset, IpAsset.id == AssetDeadline.asset_id)
            .join(Project, Project.id == IpAsset.project_id)
            .where(visible)
        )
        parts.append(
            sa.select(
                *_row(
                    DerivedDeadline.kind,
                    DerivedDeadline.due_on,
                    IpAsset.title,
                    IpAsset.project_id,
                    "asset",
                    IpAsset.id,
                    DerivedDeadline.done,
                    derived=True,
                    rule=DerivedDeadline.rule,
                    key=DerivedDeadline.key,
                )
            )
            .join(IpAsset, IpAsset.id == DerivedDeadline.asset_id)
            .join(Project, Project.id == IpAsset.project_id)
            .where(visible)
        )
    if may["asset.view"]:
        recorded = sa.and_(IpAsset.nct_ref.is_not(None), IpAsset.nct_ref != "")
        parts.append(
            sa.select(
                *_row(
                    "nct_review",
                    plus_days(IpAsset.nct_filed_on, NCT_REVIEW_DAYS),
                    IpAsset.title,
                    IpAsset.project_id,
                    "asset",
                    IpAsset.id,
                    sa.case((recorded, sa.true()), else_=sa.false()),
                    key=_text("nct_review"),
                )
            )
            .join(Project, Project.id == IpAsset.project_id)
            .where(visible, IpAsset.nct_filed_on.is_not(None))
        )
        parts.append(
            sa.select(
                *_row(
                    "licence_expiry",
                    IpAsset.export_licence_until,
                    IpAsset.title,
                    IpAsset.project_id,
                    "asset",
                    IpAsset.id,
                    sa.false(),
                    key=_text("licence"),
                )
            )
            .join(Project, Project.id == IpAsset.project_id)
            .where(visible, IpAsset.export_licence_until.is_not(None))
        )
    if may["nda.view"]:
        parts.append(
            sa.select(
                *_row(
                    "nda_expiry",
                    Nda.expires_on,
                    Organization.name,
                    Nda.project_id,
                    "nda",
                    Nda.id,
                    sa.false(),
                )
            )
            .join(Organization, Organization.id == Nda.partner_id)
            .join(Project, Project.id == Nda.project_id)
            .where(visible, Nda.status == "active")
        )
    if may["review.view_result"]:
        parts.append(_review_part(visible))
    if may["session.view_advice"]:
        parts.append(
            sa.select(
                *_row(
                    "follow_up",
                    FollowUp.due_on,
                    FollowUp.title,
                    AdvisorySession.project_id,
                    "follow_up",
                    FollowUp.id,
                    FollowUp.done,
                )
            )
            .join(AdvisorySession, AdvisorySession.id == FollowUp.session_id)
            .join(Project, Project.id == AdvisorySession.project_id)
            .where(visible)
        )
    if may["project.view"]:
        parts.append(_project_end_part(visible))
    return parts


_ACTIONS = (
    "asset.view_full",
    "asset.view",
    "nda.view",
    "review.view_result",
    "session.view_advice",
    "project.view",
)


def _project_end_part(visible: sa.ColumnElement[bool]) -> sa.Select[Any]:
    """Each project's end date; done once the project is closed."""
    return sa.select(
        *_row(
            "project_end",
            Project.end_date,
            Project.title,
            Project.id,
            "project",
            Project.id,
            sa.case((Project.status == "closed", sa.true()), else_=sa.false()),
        )
    ).where(visible, Project.end_date.is_not(None))


def _review_part(visible: sa.ColumnElement[bool]) -> sa.Select[Any]:
    """The validity of each project's latest approved review (the one that is, or was last,
    current): when it lapses the project has no current review."""
    later = aliased(RiskReview)
    newer = (
        sa.select(later.id)
        .where(
            later.project_id == RiskReview.project_id,
            later.status == "approved",
            sa.or_(
                later.decided_at > RiskReview.decided_at,
                sa.and_(later.decided_at == RiskReview.decided_at, later.id > RiskReview.id),
            ),
        )
        .exists()
    )
    return (
        sa.select(
            *_row(
                "review_expiry",
                RiskReview.valid_until,
                Project.title,
                RiskReview.project_id,
                "risk_review",
                RiskReview.id,
                sa.false(),
            )
        )
        .join(Project, Project.id == RiskReview.project_id)
        .where(
            visible,
            RiskReview.status == "approved",
            RiskReview.valid_until.is_not(None),
            ~newer,
        )
    )


def deadline_query(
    user: User,
    today: dt.date,
    *,
    within_days: int | None = None,
    overdue: bool | None = None,
    project_id: int | None = None,
    kind: str | None = None,
    done: bool | None = None,
) -> sa.Select[Any]:
    """The user's deadlines, soonest first, as one statement (rows with ITEM_FIELDS + key).

    `within_days`: due on or before today + n (overdue ones included); `overdue`: True only
    lapsed and not done, False only the others; `done`: by done state."""
    parts = _parts(user, today)
    if not parts:  # a role with no source: a UNION needs one SELECT
        parts = [_project_end_part(sa.false())]
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
    )
    if within_days is not None:
        stmt = stmt.where(c.due_on <= today + dt.timedelta(days=within_days))
    if overdue is not None:
        stmt = stmt.where(lapsed if overdue else sa.not_(lapsed))
    if project_id is not None:
        stmt = stmt.where(c.project_id == project_id)
    if kind is not None:
        stmt = stmt.where(c.kind == kind)
    if done is not None:
        stmt = stmt.where(c.done if done else sa.not_(c.done))
    return stmt.order_by(c.due_on, c.kind, c.source_type, c.source_id, c.key)


def deadlines(user: User, today: dt.date, **filters: Any) -> list[dict[str, Any]]:
    """`deadline_query` run: every matching item as a dict (one statement)."""
    return [item(row) for row in db.session.execute(deadline_query(user, today, **filters))]


def item(row: Any) -> dict[str, Any]:
    """A result row as a plain dict with Python booleans (SQLite answers 0 and 1)."""
    data: Mapping[str, Any] = row._mapping if hasattr(row, "_mapping") else row
    out = dict(data)
    for flag in ("done", "overdue", "derived"):
        out[flag] = bool(out[flag])
    return out
