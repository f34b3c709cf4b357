"""Advisory sessions and their follow-ups as record kinds (`tracker.records`). A session is
labelled by its date (never by its advice); a follow-up's page is its session's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker import policy
from tracker.auth.models import User
from tracker.cases.projects.models import Project
from tracker.cases.sessions.models import AdvisorySession, FollowUp
from tracker.cases.sessions.service import overdue_follow_ups
from tracker.i18n import format_day
from tracker.records import (
    BoardPart,
    DeadlineSource,
    Files,
    Label,
    Page,
    RecordKind,
    Rows,
    SearchText,
    Section,
    queue_total,
)
from tracker.records.deadlines import row
from tracker.records.pages import ProjectId

#: a company's start page lists the advice of this many days
RECENT_ADVICE_DAYS = 30


def _follow_ups(visible: sa.ColumnElement[bool], _today: dt.date, _until: Any) -> sa.Select[Any]:
    """Every follow-up of a session (its title only, never the advice)."""
    f = FollowUp
    return (
        sa.select(
            *row(
                "follow_up",
                f.due_on,
                f.title,
                AdvisorySession.project_id,
                "follow_up",
                f.id,
                f.done,
                parent_id=f.session_id,
            )
        )
        .join(AdvisorySession, AdvisorySession.id == FollowUp.session_id)
        .join(Project, Project.id == AdvisorySession.project_id)
        .where(visible)
    )


def _overdue(user: User, today: dt.date) -> Rows:
    return overdue_follow_ups(user, today).with_only_columns(
        sa.literal_column("'follow_up'").label("type"),
        FollowUp.id,
        Project.id.label("project_id"),
        FollowUp.title,
        FollowUp.due_on.label("since"),
        FollowUp.session_id,
        FollowUp.owner,
        queue_total(),
    )


def _recent_advice(user: User, today: dt.date) -> Rows:
    """Advisory sessions of the last 30 days in scope (date and topics, never the notes)."""
    return (
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
    )


def _open_in_scope(user: User, _today: dt.date) -> Rows:
    """Follow-ups not yet done in scope, soonest first."""
    return (
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
    )


def _open_of_project(project_id: ProjectId, _today: dt.date) -> sa.Select[Any]:
    """A project's follow-ups not yet done, soonest first."""
    return (
        sa.select(FollowUp)
        .join(AdvisorySession, AdvisorySession.id == FollowUp.session_id)
        .where(AdvisorySession.project_id == project_id, FollowUp.done.is_(False))
        .order_by(FollowUp.due_on, FollowUp.id)
    )


def _search(session: AdvisorySession) -> Iterable[SearchText]:
    # topics and advice only: privileged notes are never searchable
    text = "\n".join([*session.topics, session.advice])
    yield SearchText("session", "session.view_advice", text, ", ".join(session.topics))


SESSION = RecordKind(
    type="session",
    model=AdvisorySession,
    name=_l("Advisory session"),
    label=Label(AdvisorySession.held_on, "project.view", text=format_day),
    page=Page("sessions.session_detail", "session_id"),
    api="api_sessions.get_session",
    view_action="session.view_advice",
    files=Files("session", "session.view_advice"),
    search=_search,
    sections={"advice": Section("session.view_advice", _recent_advice)},
)

FOLLOW_UP = RecordKind(
    type="follow_up",
    model=FollowUp,
    name=_l("Follow-up"),
    page=Page("sessions.session_detail", "session_id", by="parent"),
    view_action="session.view_advice",
    deadlines=(DeadlineSource("session.view_advice", _follow_ups),),
    deadline_kinds={"follow_up": _l("Follow-up")},
    queues={"overdue_follow_ups": _overdue},
    sections={"follow_ups": Section("session.view_advice", _open_in_scope)},
    board={"follow_ups": BoardPart("session.view_advice", _open_of_project)},
    # filed under its session's project through the session: not listed on its own
    activity=False,
)
