"""What the start page shows besides the API's dashboard, per role (a fixed number of
statements each, filtered by the policy in SQL; the record kinds declare the sections they
fill, `RecordKind.sections`):

- company: its projects with risk level and NDA coverage, advice of the last 30 days, its
  open follow-ups;
- operator: NDAs of the zone expiring within 90 days;
- admin and auditor: the latest audit events and the audit chain's last checkpoint (read from
  the checkpoint file and compared with the chain head: no verification runs on a page).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from tracker import policy, records
from tracker.audit import service as audit
from tracker.audit.models import AuditHead
from tracker.audit.verify import CheckpointUnreadable, read_checkpoint
from tracker.auth.models import User
from tracker.db import db
from tracker.oversight import actions, trail
from tracker.transfers.overview import ProjectStatus, project_statuses

SECTION_LIMIT = 20
RECENT_EVENTS = 10


@dataclass
class Checkpoint:
    """The audit chain's last checkpoint (`flask audit checkpoint` writes it after verifying)
    and how many events were appended since."""

    seq: int | None = None
    at: str | None = None
    head_seq: int = 0
    unreadable: bool = False

    @property
    def since(self) -> int:
        return self.head_seq - (self.seq or 0)


@dataclass
class Activity:
    """One line of recent activity, as the audit page words it: the action's label, the
    actor's name, the record's label (and its page when the reader may open it)."""

    at: dt.datetime
    action: str
    actor: str | None
    label: str | None
    link: str | None
    #: the object's type as people name it (a record the reader may not see by its label)
    type_name: str = ""


def readable_events(user: User, stmt: sa.Select[Any]) -> list[Activity]:
    """The events of `stmt` (an `events_query`) in words: one query, plus one of labels."""
    rows = db.session.execute(trail.event_columns(stmt)).all()
    return [
        Activity(
            e.at,
            actions.action_label(e.action),
            (e.actor or {}).get("name"),
            (e.object or {}).get("label"),
            e.link,
            e.type_name,
        )
        for e in trail.readable(user, rows)
    ]


@dataclass
class Sections:
    projects: list[ProjectStatus] = field(default_factory=list)
    advice: list[Any] = field(default_factory=list)
    follow_ups: list[Any] = field(default_factory=list)
    expiring_ndas: list[Any] = field(default_factory=list)
    events: list[Activity] = field(default_factory=list)
    checkpoint: Checkpoint | None = None


def _section(user: User, name: str, today: dt.date) -> list[Any]:
    """One section's first rows, declared by the kind it lists (`RecordKind.sections`); none
    for a role that may not see it."""
    section = records.sections()[name]
    if section.action is not None and not policy.may(user, section.action):
        return []
    return list(db.session.execute(section.query(user, today).limit(SECTION_LIMIT)).all())


def recent_events(user: User) -> list[Activity]:
    """The latest audit events the user may read (admins and auditors: all), in words."""
    stmt = audit.events_query(audit.AuditFilters(), policy.audit_reader(user))
    return readable_events(user, stmt.limit(RECENT_EVENTS))


def checkpoint() -> Checkpoint:
    """The last checkpoint as its file records it, and the chain head now (one statement)."""
    head = db.session.execute(sa.select(sa.func.max(AuditHead.seq))).scalar() or 0
    value = current_app.config.get("TRACKER_AUDIT_CHECKPOINT_FILE")
    try:
        data = read_checkpoint(Path(value) if value else None)
    except CheckpointUnreadable:
        return Checkpoint(head_seq=head, unreadable=True)
    if data is None:
        return Checkpoint(head_seq=head)
    return Checkpoint(seq=data["seq"], at=str(data["at"]), head_seq=head)


def sections(user: User, today: dt.date) -> Sections:
    """The start page's sections of the user's role."""
    if policy.may(user, "dashboard.my_projects"):
        return Sections(
            projects=project_statuses(user, [], today),
            advice=_section(user, "advice", today),
            follow_ups=_section(user, "follow_ups", today),
        )
    if policy.may(user, "dashboard.expiring_ndas"):
        return Sections(expiring_ndas=_section(user, "expiring_ndas", today))
    if policy.may(user, "audit.view"):
        return Sections(events=recent_events(user), checkpoint=checkpoint())
    return Sections()
