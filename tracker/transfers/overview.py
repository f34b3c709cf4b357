"""The operator's view of a zone: the queue with each request's checks as they come out now,
and each project's risk and NDA coverage.

A fixed number of statements whatever the zone's size: the queue (+ its assets), the facts the
gate judges the whole queue on (`tracker.transfers.facts`, four), the projects with their
current risk level (+ their partners), and the NDA coverage grouped in SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker import policy
from tracker.auth.models import Organization, User
from tracker.cases.ndas.models import Nda
from tracker.cases.projects.models import Project
from tracker.cases.reviews.level import risk_level_expr
from tracker.db import BuiltOnce, db
from tracker.transfers import queries
from tracker.transfers.gate import Check, all_pass
from tracker.transfers.models import UNDECIDED, TransferRequest
from tracker.transfers.service import live_checks
from tracker.web import sorting

QUEUE_LIMIT = 500


@dataclass
class PartnerCoverage:
    partner: Organization
    #: the latest expiry among the partner's NDAs in force (None: no NDA in force)
    covered_until: dt.date | None


@dataclass
class ProjectStatus:
    project: Project
    risk_level: str | None
    partners: list[PartnerCoverage] = field(default_factory=list)
    nearest_expiry: dt.date | None = None


@dataclass
class QueueItem:
    """An open request with its checks as they come out now (not stored: the stored status
    changes only when someone runs the checks again, which is audited)."""

    transfer: TransferRequest
    checks: list[Check]

    @property
    def passes(self) -> bool:
        return all_pass(self.checks)

    @property
    def change(self) -> str | None:
        """How the result now differs from the stored one: `now_passes`, `now_fails`,
        `changed` (other checks fail) or None."""
        stored_passes = self.transfer.status == "pending_review"
        if self.passes != stored_passes:
            return "now_passes" if self.passes else "now_fails"
        before = [(c["code"], c["ok"]) for c in self.transfer.checks]
        return None if before == [(c["code"], c["ok"]) for c in self.checks] else "changed"


@dataclass
class ZoneOverview:
    queue: list[QueueItem]
    projects: list[ProjectStatus]

    @property
    def waiting(self) -> list[QueueItem]:
        """Requests that pass every check now: the operator may approve them."""
        return [i for i in self.queue if i.passes]

    @property
    def blocked(self) -> list[QueueItem]:
        """Requests that fail a check now: they cannot be approved."""
        return [i for i in self.queue if not i.passes]


def _in_zone(user: User, zone_id: int) -> list[sa.ColumnElement[bool]]:
    return [Project.zone_id == zone_id, policy.visible_projects(user)]


def zone_overview(
    user: User, zone_id: int, today: dt.date, sort: str = "planned_on"
) -> ZoneOverview:
    """The zone's queue, soonest planned date first or in the order of `sort` (a value of
    `sorting.choices(queries.SORTS)`), with its projects."""
    stmt = (
        sa.select(TransferRequest)
        .join(Project, TransferRequest.project_id == Project.id)
        .where(*_in_zone(user, zone_id), TransferRequest.status.in_(UNDECIDED))
        .options(joinedload(TransferRequest.project), selectinload(TransferRequest.assets))
    )
    queue = (
        db.session.execute(
            sorting.ordered(stmt, sort, queries.SORTS, TransferRequest.id).limit(QUEUE_LIMIT)
        )
        .scalars()
        .unique()
        .all()
    )
    items = [QueueItem(t, checks) for t, checks in zip(queue, live_checks(queue), strict=True)]
    return ZoneOverview(
        queue=items, projects=project_statuses(user, [Project.zone_id == zone_id], today)
    )


def project_statuses(
    user: User, conditions: list[sa.ColumnElement[bool]], today: dt.date
) -> list[ProjectStatus]:
    """The projects in the user's scope matching `conditions`, by code, each with its current
    risk level and each partner's NDA coverage: three statements however many projects."""
    rows = db.session.execute(
        sa.select(Project, risk_level_expr(today))
        .where(*conditions, policy.visible_projects(user))
        .options(selectinload(Project.partners))
        .order_by(Project.code)
    ).all()
    coverage = _coverage(
        sa.select(Nda.project_id)
        .join(Project, Nda.project_id == Project.id)
        .where(*conditions, policy.visible_projects(user)),
        today,
    )
    latest = {(pid, org): last for pid, org, _first, last in coverage}
    nearest: dict[int, dt.date] = {}
    for pid, _org, first, _last in coverage:
        nearest[pid] = min(first, nearest.get(pid, first))
    projects = [
        ProjectStatus(
            project=project,
            risk_level=level,
            partners=[
                PartnerCoverage(partner, latest.get((project.id, partner.id)))
                for partner in sorted(project.partners, key=lambda o: o.name)
            ],
            nearest_expiry=nearest.get(project.id),
        )
        for project, level in rows
    ]
    return projects


def _coverage(stmt: sa.Select[Any], today: dt.date) -> list[tuple[int, int, dt.date, dt.date]]:
    """(project, partner, nearest and latest expiry) of the NDAs in force, grouped in SQL;
    `stmt` selects the NDAs' projects (and joins and filters what it needs)."""
    rows = db.session.execute(_coverage_of(stmt, today))
    return [(pid, org, first, last) for pid, org, first, last in rows]


def _coverage_of(stmt: sa.Select[Any], today: dt.date) -> sa.Select[Any]:
    return (
        stmt.add_columns(Nda.partner_id, sa.func.min(Nda.expires_on), sa.func.max(Nda.expires_on))
        .where(Nda.status == "active", Nda.expires_on >= today)
        .group_by(Nda.project_id, Nda.partner_id)
    )


#: one project's coverage statement by day (`partner_coverage`, its page): built once, the
#: project a bound parameter
_ONE_PROJECT: BuiltOnce[sa.Select[Any]] = BuiltOnce(8)


def partner_coverage(project: Project, today: dt.date) -> list[PartnerCoverage]:
    """Each partner of `project` (loaded with its partners, in the reader's scope: the caller
    checked) with the latest expiry of its NDAs in force: one statement, no join."""
    stmt = _ONE_PROJECT.get(
        today,
        lambda: _coverage_of(
            sa.select(Nda.project_id).where(
                Nda.project_id == sa.bindparam("coverage_project", type_=sa.Integer)
            ),
            today,
        ),
    )
    rows = db.session.execute(stmt, {"coverage_project": project.id})
    latest = {org: last for _pid, org, _first, last in rows}
    return [
        PartnerCoverage(partner, latest.get(partner.id))
        for partner in sorted(project.partners, key=lambda o: o.name)
    ]
