"""What the start page shows besides the API's dashboard, per role (a fixed number of
statements each, filtered by the policy in SQL):

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

from tracker import policy
from tracker.audit import service as audit
from tracker.audit.models import AuditEvent, AuditHead
from tracker.audit.verify import CheckpointUnreadable, read_checkpoint
from tracker.auth.models import Organization, User
from tracker.cases.ndas.models import Nda
from tracker.cases.projects.models import Project
from tracker.cases.sessions.models import AdvisorySession, FollowUp
from tracker.db import db
from tracker.transfers.overview import ProjectStatus, project_statuses

RECENT_ADVICE_DAYS = 30
EXPIRING_NDA_DAYS = 90
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
class Sections:
    projects: list[ProjectStatus] = field(default_factory=list)
    advice: list[Any] = field(default_factory=list)
    follow_ups: list[Any] = field(default_factory=list)
    expiring_ndas: list[Any] = field(default_factory=list)
    events: list[AuditEvent] = field(default_factory=list)
    checkpoint: Checkpoint | None = None


def recent_advice(user: User, today: dt.date) -> list[Any]:
    """Advisory sessions of the last 30 days in scope (date and topics, never the notes)."""
    if not policy.may(user, "session.view_advice"):
        return []
    return list(
        db.session.execute(
            sa.select(
                AdvisorySession.id,
                AdvisorySession.project_id,
                AdvisorySession.held_on,
                AdvisorySession.topics,
                Project.code,
            )
            .join(Project, Project.id == AdvisorySession.project_id)
            .where(
                policy.visible_projects(user),
                AdvisorySession.held_on >= today - dt.timedelta(days=RECENT_ADVICE_DAYS),
            )
            .order_by(AdvisorySession.held_on.desc(), AdvisorySession.id.desc())
            .limit(SECTION_LIMIT)
        ).all()
    )


def open_follow_ups(user: User) -> list[Any]:
    """Follow-ups not yet done in scope, soonest first."""
    if not policy.may(user, "session.view_advice"):
        return []
    return list(
        db.session.execute(
            sa.select(
                FollowUp.id,
                FollowUp.title,
                FollowUp.owner,
                FollowUp.due_on,
                FollowUp.session_id,
                Project.code,
            )
            .join(AdvisorySession, AdvisorySession.id == FollowUp.session_id)
            .join(Project, Project.id == AdvisorySession.project_id)
            .where(policy.visible_projects(user), FollowUp.done.is_(False))
            .order_by(FollowUp.due_on, FollowUp.id)
            .limit(SECTION_LIMIT)
        ).all()
    )


def expiring_ndas(user: User, today: dt.date) -> list[Any]:
    """Active NDAs in scope that expire within 90 days, soonest first."""
    return list(
        db.session.execute(
            sa.select(Nda.id, Nda.project_id, Nda.expires_on, Project.code, Organization.name)
            .join(Project, Project.id == Nda.project_id)
            .join(Organization, Organization.id == Nda.partner_id)
            .where(
                policy.visible_projects(user),
                Nda.status == "active",
                Nda.expires_on >= today,
                Nda.expires_on <= today + dt.timedelta(days=EXPIRING_NDA_DAYS),
            )
            .order_by(Nda.expires_on, Nda.id)
            .limit(SECTION_LIMIT)
        ).all()
    )


def recent_events(user: User) -> list[AuditEvent]:
    """The latest audit events the user may read (admins and auditors: all)."""
    stmt = audit.events_query(audit.AuditFilters(), policy.audit_reader(user))
    return list(db.session.execute(stmt.limit(RECENT_EVENTS)).scalars())


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
            advice=recent_advice(user, today),
            follow_ups=open_follow_ups(user),
        )
    if policy.may(user, "dashboard.expiring_ndas"):
        return Sections(expiring_ndas=expiring_ndas(user, today))
    if policy.may(user, "audit.view"):
        return Sections(events=recent_events(user), checkpoint=checkpoint())
    return Sections()
