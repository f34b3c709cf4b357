"""Advisory sessions: lawyers record advice for the client and their privileged notes.

Privileged notes never leave the lawyer role: they are not indexed for search, never put in
an audit detail, a log line or an error message; serialisers drop them for anyone the policy
does not allow `session.view_privileged`. A lawyer's view of them is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from tracker import clock, policy
from tracker.audit.service import record
from tracker.auth.models import User
from tracker.auth.notifications import notify
from tracker.cases import search
from tracker.cases.projects import service
from tracker.cases.projects.models import Project
from tracker.cases.sessions.models import AdvisorySession, FollowUp
from tracker.db import db
from tracker.errors import InvalidInput
from tracker.web import sorting

#: marks a message for translation (pybabel's default N_ keyword); it is translated where it is

SCALAR_FIELDS = ("held_on", "duration_minutes", "advice", "privileged_notes")
LIST_FIELDS = ("attendees", "topics")
MAX_DURATION = 24 * 60
#: the longest attendees or topics text of the session page (one entry a line)
LIST_TEXT_MAX = 5000
#: the longest single attendee or topic (an entry of the JSON list)
LIST_ITEM_MAX = 300


#: the sortable columns of a project's sessions (`sort`), each backed by an index
SORTS: dict[str, Any] = {
    "held_on": AdvisorySession.held_on,
    "duration_minutes": AdvisorySession.duration_minutes,
}


def sessions_query(project: Project, sort: str = "-held_on") -> sa.Select[AdvisorySession]:
    """A project's sessions, latest first or in the order of `sort` (a value of
    `sorting.choices(SORTS)`), follow-ups loaded in one more statement."""
    stmt = (
        sa.select(AdvisorySession)
        .where(AdvisorySession.project_id == project.id)
        .options(selectinload(AdvisorySession.follow_ups))
    )
    return sorting.ordered(stmt, sort, SORTS, AdvisorySession.id)


def overdue_follow_ups(user: User, today: dt.date) -> sa.Select[FollowUp]:
    """Open follow-ups due before `today` in the user's scope, oldest first (for dashboards
    and reminders); only for roles that may read advice."""
    stmt = (
        sa.select(FollowUp)
        .join(AdvisorySession, AdvisorySession.id == FollowUp.session_id)
        .join(Project, Project.id == AdvisorySession.project_id)
        .where(policy.visible_projects(user), FollowUp.done.is_(False), FollowUp.due_on < today)
        .order_by(FollowUp.due_on, FollowUp.id)
    )
    return stmt if policy.may(user, "session.view_advice") else stmt.where(sa.false())


def open_session(session: AdvisorySession, user: User) -> bool:
    """Whether `user` sees the privileged notes of `session`; a lawyer's view is audited."""
    privileged = policy.can(user, "session.view_privileged", session)
    if privileged:
        record("session.privileged_viewed", session, detail={"project_id": session.project_id})
    return privileged


def _strings(value: Any, field: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput({field: [_("Give a list of texts.")]})
    return [v.strip() for v in value if v.strip()]


def _check(fields: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    held_on = fields.get("held_on")
    if "held_on" in fields and (not isinstance(held_on, dt.date) or held_on > clock.today()):
        errors["held_on"] = [_("Give the date the session was held (not in the future).")]
    duration = fields.get("duration_minutes")
    if "duration_minutes" in fields and (
        not isinstance(duration, int) or not 0 < duration <= MAX_DURATION
    ):
        errors["duration_minutes"] = [_("Between 1 and 1440 minutes.")]
    if errors:
        raise InvalidInput(errors)


def _follow_ups(raw: Any) -> list[FollowUp]:
    if not isinstance(raw, list):
        raise InvalidInput({"follow_ups": [_("Give a list of follow-up actions.")]})
    errors: dict[str, list[str]] = {}
    items = []
    for i, item in enumerate(raw):
        title = str(item.get("title") or "").strip()
        owner = str(item.get("owner") or "").strip()
        due_on = item.get("due_on")
        if not title:
            errors[f"follow_ups.{i}.title"] = [_("Say what must be done.")]
        if not owner:
            errors[f"follow_ups.{i}.owner"] = [_("Say who does it.")]
        if not isinstance(due_on, dt.date):
            errors[f"follow_ups.{i}.due_on"] = [_("Give a due date.")]
        items.append(FollowUp(title=title, owner=owner, due_on=due_on))
    if errors:
        raise InvalidInput(errors)
    return items


def _apply(session: AdvisorySession, fields: dict[str, Any]) -> list[str]:
    """Validate and set `fields`; the names of the fields whose value changed."""
    _check(fields)
    values: dict[str, Any] = {}
    for name in SCALAR_FIELDS:
        if name in fields:
            value = fields[name]
            values[name] = value.strip() if isinstance(value, str) else value
    for name in LIST_FIELDS:
        if name in fields:
            values[name] = _strings(fields[name], name)
    changed = [name for name, value in values.items() if getattr(session, name) != value]
    for name in changed:
        setattr(session, name, values[name])
    return changed


def record_session(project: Project, lawyer: User, fields: dict[str, Any]) -> AdvisorySession:
    """Record a session with its follow-ups. Raises InvalidInput (422)."""
    missing = [n for n in ("held_on", "duration_minutes") if fields.get(n) is None]
    if missing:
        raise InvalidInput({n: [_("This field is required.")] for n in missing})
    session = AdvisorySession(project=project, lawyer_id=lawyer.id, advice="", privileged_notes="")
    _apply(session, fields)
    session.follow_ups = _follow_ups(fields.get("follow_ups") or [])
    db.session.add(session)
    db.session.flush()
    search.index(session)
    record(
        "session.recorded",
        session,
        detail={"project_id": project.id, "follow_ups": len(session.follow_ups)},
    )
    _tell_owners(session, session.follow_ups)
    return session


def _tell_owners(session: AdvisorySession, follow_ups: list[FollowUp]) -> None:
    """Notify the owner of each new follow-up when the owner names one active account (by its
    e-mail address, else its exact name) that may see the session's project; a free-text owner
    ("the company's CTO") tells nobody."""
    for follow_up in follow_ups:
        owner = follow_up.owner.strip()
        matches = (
            db.session.execute(
                sa.select(User)
                .where(User.active.is_(True))
                .where(sa.or_(User.email == owner.lower(), User.name == owner))
                .limit(2)
            )
            .scalars()
            .all()
        )
        if len(matches) == 1 and policy.in_scope(matches[0], session.project):
            notify(matches[0].id, "follow_up_assigned", follow_up, session.project_id)


def update_session(
    session: AdvisorySession, version: int | None, fields: dict[str, Any]
) -> AdvisorySession:
    """Edit a session; `follow_ups`, when given, are added. Raises StateConflict (409) for a
    stale version, InvalidInput (422). Audited (the names of the changed fields) when
    something changed."""
    service.check_version(session, version)
    changed = _apply(session, fields)
    added = _follow_ups(fields.get("follow_ups") or [])
    if not changed and not added:
        return session
    session.follow_ups.extend(added)
    db.session.flush()
    search.index(session)
    # field names only: never the (privileged) text
    record(
        "session.updated",
        session,
        detail={
            "project_id": session.project_id,
            "fields": sorted(changed),
            "follow_ups_added": len(added),
        },
    )
    _tell_owners(session, added)
    return session


def set_follow_up_done(session: AdvisorySession, follow_up_id: int, done: bool) -> FollowUp:
    """Mark a follow-up of `session` done (or not). Raises LookupError for an id of another
    session (views answer 404)."""
    follow_up = next((f for f in session.follow_ups if f.id == follow_up_id), None)
    if follow_up is None:
        raise LookupError(follow_up_id)
    follow_up.done = done
    follow_up.done_at = clock.now() if done else None
    db.session.flush()
    record(
        "follow_up.done" if done else "follow_up.reopened",
        follow_up,
        detail={"project_id": session.project_id, "session_id": session.id},
    )
    return follow_up
