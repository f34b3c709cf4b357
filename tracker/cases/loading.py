"""Loading a project or one of its records for a user: 404 when missing or out of scope."""

from __future__ import annotations

from typing import Any, TypeVar

from werkzeug.exceptions import NotFound

from tracker.auth import policy
from tracker.auth.models import User
from tracker.cases.models import Project
from tracker.db import db

T = TypeVar("T")

#: the largest id a row can have (PostgreSQL INTEGER); a larger one in a URL or a body is
#: refused before it reaches SQL, where it fails with an error (a 500) instead of matching nothing
MAX_ID = 2**31 - 1


def is_id(value: Any) -> bool:
    """Whether `value` can be the id of a row (an int from 1 to MAX_ID)."""
    return isinstance(value, int) and 0 < value <= MAX_ID


def project_or_404(user: User, project_id: int) -> Project:
    """The project; 404 when missing (or no possible id) or out of the user's scope."""
    project = db.session.get(Project, project_id) if is_id(project_id) else None
    if project is None or not policy.in_scope(user, project):
        raise NotFound()
    return project


def record_or_404(user: User, model: type[T], record_id: int) -> T:
    """A record that has a `project`; 404 when missing or when its project is out of scope."""
    record: Any = db.session.get(model, record_id) if is_id(record_id) else None
    if record is None or not policy.in_scope(user, record.project):
        raise NotFound()
    return record  # type: ignore[no-any-return]
