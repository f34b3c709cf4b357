"""Quick "new" actions of the start page (issue 19): only those the policy allows the user.

A record of a project is started in a project the user picks: the picker lists the projects
in the user's scope (one statement) and `GET /new` sends the choice on to the record's own
form after asking the policy, so no link leads to a page the user may not open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest

from tracker import policy
from tracker.auth.models import User
from tracker.cases.projects.models import Project
from tracker.db import db


@dataclass(frozen=True)
class Quick:
    """One "new" action: the policy action it needs and where its form is."""

    what: str
    action: str
    endpoint: str
    label: Any
    in_project: bool  # started inside a project the user picks


QUICK = (
    Quick("session", "session.write", "sessions.session_new", _l("New advisory session"), True),
    Quick("nda", "nda.draft", "ndas.nda_new", _l("New NDA"), True),
    Quick("review", "review.write", "reviews.review_new", _l("New risk review"), True),
    Quick(
        "disclosure", "disclosure.file", "disclosures.disclosure_new", _l("New disclosure"), True
    ),
    Quick(
        "transfer",
        "transfer.request",
        "transfers.project_transfers",
        _l("New data-sharing request"),
        True,
    ),
    Quick("user", "accounts.manage", "admin.users", _l("New user"), False),
    Quick("project", "project.create", "projects.project_new", _l("New project"), False),
)
BY_WHAT = {q.what: q for q in QUICK}


def quick_actions(user: User) -> list[Quick]:
    """The user's quick actions the policy allows anywhere in the user's scope."""
    return [BY_WHAT[w] for w in policy.quick_starts(user) if policy.may(user, BY_WHAT[w].action)]


def pickable_projects(user: User, actions: list[Quick]) -> list[tuple[int, str]]:
    """(id, "code · title") of the projects in scope, when an action needs one (one statement)."""
    if not any(q.in_project for q in actions):
        return []
    rows = db.session.execute(
        sa.select(Project.id, Project.code, Project.title)
        .where(policy.visible_projects(user))
        .order_by(Project.code, Project.id)
    )
    return [(pid, f"{code} · {title}") for pid, code, title in rows]


def target(user: User, what: str, project_id: Any) -> str:
    """Where a quick action leads: 400 for an unknown action, 404 for a project out of scope, 403
    when the policy refuses it."""
    quick = BY_WHAT.get(what)
    if quick is None:
        raise BadRequest()
    if not quick.in_project:
        policy.require(user, quick.action)
        return url_for(quick.endpoint)
    project = policy.project_or_404(user, project_id)
    policy.require(user, quick.action, project)
    return url_for(quick.endpoint, project_id=project.id)
