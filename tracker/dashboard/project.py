"""A project's summary page as its dashboard: risk status, NDA coverage per partner, open
follow-ups, items waiting for a decision and recent activity, each within what the viewer may
see (the policy decides per part; a fixed number of statements). The parts that show one
kind of record are declared by that kind (`RecordKind.board`, `RecordKind.waiting`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from tracker import policy, records
from tracker.audit import service as audit
from tracker.audit import types
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.cases.projects.models import Project
from tracker.dashboard.sections import Activity, readable_events
from tracker.db import BuiltOnce, db
from tracker.deadlines.service import project_deadlines
from tracker.records.work import kinds_key
from tracker.transfers.overview import PartnerCoverage, partner_coverage

RECENT_EVENTS = 15
NEXT_DEADLINES = 10


@dataclass
class ProjectBoard:
    #: the current risk review (a record of the reviews kind), or None
    current_review: Any = None
    coverage: list[PartnerCoverage] = field(default_factory=list)
    #: the open follow-ups (records of the follow-up kind); None for who may not see them
    follow_ups: list[Any] | None = None
    waiting: list[dict[str, Any]] = field(default_factory=list)
    #: the reader may read the project's recent activity (on its own page: the audit query
    #: is the page's most expensive part, so the summary only links to it)
    activity: bool = False
    #: the project's next open deadlines (overdue ones first), as the viewer may see them
    deadlines: list[dict[str, Any]] = field(default_factory=list)


#: a project's id in the board's statements, built once (`_BUILT`) and run per project
PROJECT = sa.bindparam("board_project", type_=sa.Integer)

#: the board's statements by what they depend on besides the project (the registered kinds,
#: the part or the kinds the reader may see, the day): building them cost about as much as
#: running them, on every project page
_BUILT: BuiltOnce[sa.Select[Any]] = BuiltOnce(256)


def _part(user: User, project: Project, name: str, today: dt.date) -> Any:
    """One part of the page, declared by the kind it shows (`RecordKind.board`): its record
    (or None), or its list; None for a reader who may not see it."""
    part = records.board()[name]
    if part.action is not None and not policy.can(user, part.action, project):
        return None
    stmt = _BUILT.get((kinds_key(), "part", name, today), lambda: part.query(PROJECT, today))
    found = db.session.execute(stmt, {"board_project": project.id}).scalars()
    return found.one_or_none() if part.one else list(found)


def _waiting(user: User, project: Project) -> list[dict[str, Any]]:
    """The project's records waiting for a decision (`RecordKind.waiting`: submitted
    disclosures and reviews, undecided requests), as far as the user may see each kind; one
    statement."""
    shown = tuple(w for w in records.waiting() if policy.can(user, w.action, project))
    if not shown:
        return []

    def build() -> sa.Select[Any]:
        union = sa.union_all(*(w.query(PROJECT) for w in shown)).subquery()
        return sa.select(union).order_by(union.c.since, union.c.id)

    stmt = _BUILT.get((kinds_key(), "waiting", tuple(id(w) for w in shown)), build)
    rows = db.session.execute(stmt, {"board_project": project.id})
    return [dict(row._mapping) for row in rows]


def reads_activity(user: User, project: Project) -> bool:
    """Whether `user` may read `project`'s recent activity (its audit events, or their own)."""
    return policy.can(user, "audit.view") or policy.can(user, "audit.view_own", project)


def project_activity(user: User, project: Project) -> list[Activity] | None:
    """The latest audit events of the project and its records: admins and auditors all of
    them, lawyers their own (policy.audit_reader); None for roles that may not read the
    audit."""
    if not reads_activity(user, project):
        return None
    of_project = [
        sa.and_(types.type_condition(Project.__audit_type__), AuditEvent.object_id == project.id)
    ]
    # the records of a project whose audit events are the project's activity
    for model in (k.model for k in records.kinds() if k.activity):
        ids = sa.select(model.id).where(model.project_id == project.id)
        of_project.append(
            sa.and_(types.type_condition(model.__audit_type__), AuditEvent.object_id.in_(ids))
        )
    stmt = audit.events_query(audit.AuditFilters(), policy.audit_reader(user))
    return readable_events(user, stmt.where(sa.or_(*of_project)).limit(RECENT_EVENTS))


def _deadlines(user: User, project: Project, today: dt.date) -> list[dict[str, Any]]:
    """The project's next open deadlines from the deadline engine (the viewer's role decides
    which sources count; the project is in the viewer's scope), one statement."""
    return project_deadlines(user, today, project.id, NEXT_DEADLINES)


def project_board(user: User, project: Project, today: dt.date) -> ProjectBoard:
    """What the project's summary page shows `user` (in scope: the caller checked; loaded with
    its partners, `projects.for_page`)."""
    return ProjectBoard(
        current_review=_part(user, project, "current_review", today),
        coverage=partner_coverage(project, today),
        follow_ups=_part(user, project, "follow_ups", today),
        waiting=_waiting(user, project),
        activity=reads_activity(user, project),
        deadlines=_deadlines(user, project, today),
    )
