"""Who may see and do what: the one place that decides (DESIGN.md section 3).

Views, the API, exports, search and the CLI all ask here. Scope first: a record in a project the
user cannot see answers 404, so its existence is not revealed; then the action: in scope but not
allowed answers 403. Unknown actions raise instead of allowing.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from werkzeug.exceptions import Forbidden, NotFound

from tracker.auth.models import User
from tracker.cases.models import Project, project_lawyers

ADMIN, LAWYER, COMPANY, OPERATOR, AUDITOR = "admin", "lawyer", "company", "operator", "auditor"
EVERYONE = frozenset({ADMIN, LAWYER, COMPANY, OPERATOR, AUDITOR})


def _roles(*roles: str) -> frozenset[str]:
    return frozenset(roles)


#: action -> roles allowed to perform it on a record inside their scope (the matrix of DESIGN.md)
RULES: dict[str, frozenset[str]] = {
    # accounts, zones, organisations (not project-scoped)
    "accounts.view": _roles(ADMIN, AUDITOR),
    "accounts.manage": _roles(ADMIN),
    # projects
    "project.create": _roles(ADMIN),
    "project.view": EVERYONE,
    "project.edit": _roles(ADMIN, LAWYER),
    "project.assign_lawyers": _roles(ADMIN),
    #: the zone and the lead company decide who sees the case file
    "project.change_scope": _roles(ADMIN),
    # IP assets; operators see only title, kind, sensitivity and regulatory status
    "asset.view": EVERYONE,
    "asset.view_full": _roles(ADMIN, LAWYER, COMPANY, AUDITOR),
    "asset.edit": _roles(LAWYER),
    # invention disclosures
    "disclosure.file": _roles(COMPANY),
    "disclosure.read": _roles(LAWYER, COMPANY, AUDITOR),
    "disclosure.decide": _roles(LAWYER),
    # NDA register
    "nda.view": EVERYONE,
    "nda.edit": _roles(LAWYER),
    "nda.draft": _roles(LAWYER, COMPANY),
    # risk reviews
    "review.view_result": EVERYONE,
    "review.view_answers": _roles(ADMIN, LAWYER, COMPANY, AUDITOR),
    "review.write": _roles(LAWYER),
    "review.decide": _roles(LAWYER),
    # advisory sessions
    "session.view_advice": _roles(LAWYER, COMPANY),
    "session.view_privileged": _roles(LAWYER),
    "session.write": _roles(LAWYER),
    # attachments
    "attachment.download": _roles(LAWYER, COMPANY),
    "attachment.upload": _roles(LAWYER, COMPANY),
    # data-sharing requests
    "transfer.view": _roles(LAWYER, COMPANY, OPERATOR, AUDITOR),
    "transfer.request": _roles(LAWYER, COMPANY),
    "transfer.decide": _roles(OPERATOR),
    # oversight
    "audit.view": _roles(ADMIN, AUDITOR),
    "audit.view_own": _roles(LAWYER),
    "export.list": EVERYONE,
    "report.zone_pdf": _roles(ADMIN, OPERATOR, AUDITOR),
    "asset.evidence_pack": _roles(LAWYER, COMPANY),
}


def visible_projects(user: User) -> sa.ColumnElement[bool]:
    """The SQL condition on `Project` that selects the projects `user` may see."""
    if not user.active:
        return sa.false()
    if user.role in (ADMIN, AUDITOR):
        return sa.true()
    if user.role == LAWYER:
        assigned = sa.select(project_lawyers.c.project_id).where(
            project_lawyers.c.user_id == user.id
        )
        return Project.id.in_(assigned)
    if user.role == COMPANY and user.organization_id is not None:
        return Project.company_id == user.organization_id
    if user.role == OPERATOR and user.zone_id is not None:
        return Project.zone_id == user.zone_id
    return sa.false()


def in_scope(user: User, project: Project) -> bool:
    """Whether `project` lies inside the user's scope (the same rule as `visible_projects`)."""
    if not user.active:
        return False
    if user.role in (ADMIN, AUDITOR):
        return True
    if user.role == LAWYER:
        return any(lawyer.id == user.id for lawyer in project.lawyers)
    if user.role == COMPANY:
        return user.organization_id is not None and project.company_id == user.organization_id
    if user.role == OPERATOR:
        return user.zone_id is not None and project.zone_id == user.zone_id
    return False


def project_of(obj: Any) -> Project | None:
    """The project a record belongs to, or None for records outside any project."""
    if obj is None or isinstance(obj, Project):
        return obj
    project = getattr(obj, "project", None)
    if project is None and hasattr(obj, "project_id"):
        raise LookupError(f"{type(obj).__name__} has no loaded project")
    return project


def can(user: User | None, action: str, obj: Any = None) -> bool:
    """Whether `user` may perform `action` on `obj` (a project, a record of one, or None)."""
    if action not in RULES:
        raise KeyError(f"unknown action {action!r}")
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.role not in RULES[action]:
        return False
    project = project_of(obj)
    return project is None or in_scope(user, project)


def require(user: User, action: str, obj: Any = None) -> None:
    """Raise NotFound when `obj` is out of the user's scope, Forbidden when the action is not
    allowed on it; return quietly otherwise. The 403 is audited by the error handler."""
    if action not in RULES:
        raise KeyError(f"unknown action {action!r}")
    project = project_of(obj)
    if project is not None and not in_scope(user, project):
        raise NotFound()
    if not can(user, action, obj):
        raise Forbidden()


def require_visible(user: User, obj: Any) -> None:
    """404 unless the record's project is inside the user's scope."""
    project = project_of(obj)
    if project is not None and not in_scope(user, project):
        raise NotFound()
