"""Loading a project or one of its records for a user: 404 when missing or out of scope."""

from __future__ import annotations

from typing import Any, TypeVar

from werkzeug.exceptions import NotFound

from tracker.auth import policy
from tracker.auth.models import User
from tracker.cases.models import Project
from tracker.db import db

T = TypeVar("T")


def project_or_404(user: User, project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    if project is None or not policy.in_scope(user, project):
        raise NotFound()
    return project


def record_or_404(user: User, model: type[T], record_id: int) -> T:
    """A record that has a `project`; 404 when missing or when its project is out of scope."""
    record: Any = db.session.get(model, record_id)
    if record is None or not policy.in_scope(user, record.project):
        raise NotFound()
    return record  # type: ignore[no-any-return]
