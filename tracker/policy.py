"""Who may see and do what: the one place that decides (docs/product.md, "Who may do what").

Views, the API, exports, search and the CLI all ask here. Scope first: a record in a project the
user cannot see answers 404, so its existence is not revealed; then the action: in scope but not
allowed answers 403. Unknown actions raise instead of allowing.
"""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app
from werkzeug.exceptions import NotFound

from tracker import records
from tracker.auth.models import User, Zone
from tracker.cases.projects.models import Project, project_lawyers
from tracker.db import db
from tracker.errors import NotAllowed
from tracker.records.work import QUEUE_RULES
from tracker.web.ids import get_or_none

T = TypeVar("T")

ADMIN, LAWYER, COMPANY, OPERATOR, AUDITOR = "admin", "lawyer", "company", "operator", "auditor"
EVERYONE = frozenset({ADMIN, LAWYER, COMPANY, OPERATOR, AUDITOR})


def _roles(*roles: str) -> frozenset[str]:
    return frozenset(roles)


#: action -> roles allowed to perform it on a record inside their scope (docs/product.md)
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
    #: an asset's filings (its family) and their deadlines: whoever reads the asset in full;
    #: operators see no IP deadline
    "filing.view": _roles(ADMIN, LAWYER, COMPANY, AUDITOR),
    "filing.edit": _roles(LAWYER),
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
    #: the zone's risk-status report (PDF): its operators, admins and auditors (zone scope)
    "report.zone_pdf": _roles(ADMIN, OPERATOR, AUDITOR),
    #: the trade-secret evidence pack of an asset (ZIP; the files only for who may download)
    "asset.evidence_pack": _roles(LAWYER, COMPANY),
    # accounts: admins and lawyers keep their second factor once enrolled
    "accounts.remove_own_totp": _roles(COMPANY, OPERATOR, AUDITOR),
    # what the start page and the dashboard show a role (their rows stay filtered by scope)
    "dashboard.deadlines": _roles(LAWYER, COMPANY),
    "dashboard.heat_map": _roles(OPERATOR, ADMIN, AUDITOR),
    #: every zone's counts, and the heat map of every zone (not only the user's own)
    "dashboard.all_zones": _roles(ADMIN, AUDITOR),
    "dashboard.my_requests": _roles(COMPANY),
    "dashboard.my_projects": _roles(COMPANY),
    "dashboard.unreviewed_projects": _roles(LAWYER, OPERATOR),
    "dashboard.expiring_ndas": _roles(OPERATOR),
}


def second_factor_roles(config: Any = None) -> frozenset[str]:
    """The roles that must sign in with a second factor (TRACKER_MFA_ROLES of `config`, else
    the app's: a comma-separated text or a collection; empty: none). Unknown roles raise."""
    value = (current_app.config if config is None else config).get("TRACKER_MFA_ROLES", "")
    names = value.split(",") if isinstance(value, str) else list(value)
    roles = frozenset(n.strip() for n in names if n.strip())
    if not roles <= EVERYONE:
        raise ValueError(f"TRACKER_MFA_ROLES names unknown roles: {sorted(roles - EVERYONE)}")
    return roles


def second_factor_required(user: User) -> bool:
    """Whether `user`'s role must use a second factor (ASVS 6.3.3)."""
    return role_needs_second_factor(user.role)


def role_needs_second_factor(role: str) -> bool:
    """Whether the role must use a second factor (for accounts not made yet: the demo's)."""
    return role in second_factor_roles()


def role_may(role: str, action: str) -> bool:
    """Whether the role may perform `action` anywhere in its scope (unknown actions raise)."""
    return role in _rule(action)


def may(user: User, action: str) -> bool:
    """Whether the user's role may perform `action` anywhere in its scope, before any record is
    at hand (a list filtered in SQL, a queue, a section of a page); unknown actions raise.
    Callers ask this, never the user's role."""
    return role_may(user.role, action)


def queues_of(user: User, *, waiting: bool = False) -> tuple[str, ...]:
    """The work queues the user sees, in page order (`waiting`: only those whose items wait
    for the user's action)."""
    return tuple(
        name for name, action, waits in QUEUE_RULES if (waits or not waiting) and may(user, action)
    )


#: the records each role starts from its start page (its quick "new" actions), by name
QUICK_STARTS: dict[str, tuple[str, ...]] = {
    LAWYER: ("session", "nda", "review"),
    COMPANY: ("disclosure", "transfer"),
    ADMIN: ("user", "project"),
}


def quick_starts(user: User) -> tuple[str, ...]:
    """The quick "new" actions the user's start page offers (operators and auditors start
    nothing there); each is still asked of the policy with its own action."""
    return QUICK_STARTS.get(user.role, ())


def check_action(action: str) -> None:
    """Raise KeyError for an unknown action (a stored action must be one the policy knows)."""
    _rule(action)


def _rule(action: str) -> frozenset[str]:
    if action not in RULES:
        raise KeyError(f"unknown action {action!r}")
    return RULES[action]


def actions_of(user: User) -> list[str]:
    """Every action the user's role may perform on a project in its scope."""
    return sorted(action for action, roles in RULES.items() if user.role in roles)


def scope_key(user: User) -> tuple[Any, ...]:
    """Everything of `user` that `may`, `visible_projects`, `in_visible_project` and a
    record's `seen_by` read: two users with the same key get the same statements from them (a
    statement built once per key may be kept; the assignments themselves are read in SQL)."""
    return (user.id, user.role, bool(user.active), user.organization_id, user.zone_id)


def visible_projects(user: User) -> sa.ColumnElement[bool]:
    """The SQL condition on `Project` that selects the projects `user` may see."""
    if not user.active:
        return sa.false()
    if user.role in (ADMIN, AUDITOR):
        return sa.true()
    assigned = scope_assignments(user)
    if assigned is not None:
        return Project.id.in_(assigned)
    if user.role == COMPANY and user.organization_id is not None:
        return Project.company_id == user.organization_id
    if user.role == OPERATOR and user.zone_id is not None:
        return Project.zone_id == user.zone_id
    return sa.false()


def scope_assignments(user: User) -> sa.Select[tuple[int]] | None:
    """The ids of the projects `user` is assigned to, when the scope is a lawyer's
    assignments (`visible_projects` is then `Project.id IN` these); None for any other scope.
    Lets a list read them as it plans best; `visible_projects` writes the rule."""
    if user.active and user.role == LAWYER:
        return sa.select(project_lawyers.c.project_id).where(project_lawyers.c.user_id == user.id)
    return None


def assigned_by_key(user: User, column: Any) -> sa.ColumnElement[bool] | None:
    """On PostgreSQL, for a scope of assignments (`scope_assignments`: a lawyer's), the
    condition that `column` (a project id) is one of them, written `column = ANY(ARRAY(their
    project ids))`: the ids are read first (an InitPlan, from `project_lawyers`' own index)
    and `column`'s rows looked up by key for each. As `IN (…)` the planner joins through
    every project or hashes them (the project list: 1.95 → 0.31 ms), and a prepared
    statement is planned anew on every run. None for any other scope or database (the
    caller writes `visible_projects` or `in_visible_project` then). The same rows as
    `in_visible_project` (an assignment names an existing project). Lists only: a search
    keeps `IN (…)` (the generic plan of this form walked every search entry)."""
    assigned = scope_assignments(user)
    if assigned is None or db.session.get_bind().dialect.name != "postgresql":
        return None
    return column == sa.any_(sa.func.array(assigned.scalar_subquery()))  # type: ignore[no-any-return]


def scope_zone(user: User) -> int | None:
    """The zone every project `user` may see lies in, when the scope is a zone (operators);
    None for any other scope. Lets a list start from a zone's index; `visible_projects`
    still decides."""
    if user.active and user.role == OPERATOR and user.zone_id is not None:
        return user.zone_id
    return None


def project_column(model: Any) -> Any | None:
    """The column naming the project of a record model's rows (a project's own id), None for a
    model outside any project."""
    if model is Project:
        return Project.id
    return getattr(model, "project_id", None)


def in_visible_project(user: User, project_id: Any) -> sa.ColumnElement[bool]:
    """The SQL condition that the column `project_id` names a project `user` may see, as
    `project_id IN (the user's projects)` so the planner may start from those projects or from
    the list's own index, never joining every row to its project; for who sees every project,
    or none, the constant alone."""
    visible = visible_projects(user)
    if isinstance(visible, sa.sql.elements.True_ | sa.sql.elements.False_):
        return visible
    return project_id.in_(sa.select(Project.id).where(visible))


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
    roles = _rule(action)
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.role not in roles or hidden_from(user, obj):
        return False
    project = project_of(obj)
    return project is None or in_scope(user, project)


def hidden_from(user: User, obj: Any) -> bool:
    """Whether `obj` is another user's private record (a draft review is its author's alone:
    `private_to`); nobody else may know it exists."""
    owner = getattr(obj, "private_to", None)
    return owner is not None and owner != user.id


def require(user: User, action: str, obj: Any = None) -> None:
    """Raise NotFound when `obj` is out of the user's scope, Forbidden when the action is not
    allowed on it; return quietly otherwise. The 403 is audited by the error handler."""
    _rule(action)
    require_visible(user, obj)
    if not can(user, action, obj):
        raise NotAllowed(RULES[action])


def require_visible(user: User, obj: Any) -> None:
    """404 unless the record's project is inside the user's scope."""
    project = project_of(obj)
    if (project is not None and not in_scope(user, project)) or hidden_from(user, obj):
        raise NotFound()


def visible_file_types(user: User, project: Project) -> list[str | None]:
    """The record types whose files the user may know of in this project."""
    # each record kind says what a user needs on the project to know one of its files exists
    # (its name, size, uploader): a disclosure's files are as private as the disclosure
    visible = records.file_visibility().items()
    return [t for t, action in visible if can(user, action, project)]


def may_write_nda(user: User, target: Any, status: str = "draft") -> bool:
    """Whether the user may write the NDA `target` (or a new NDA of the project `target`) and
    leave it in `status`: lawyers (`nda.edit`) any NDA; company staff (`nda.draft`) only a
    draft that stays a draft (docs/decisions.md, "Company staff and NDAs")."""
    if can(user, "nda.edit", target):
        return True
    current = "draft" if isinstance(target, Project) else target.status
    return can(user, "nda.draft", target) and current == status == "draft"


def lawyer_accounts() -> sa.ColumnElement[bool]:
    """The accounts a project may name as its lawyers: naming one puts the project in the
    account's scope (`visible_projects`)."""
    return User.role == LAWYER


def is_lawyer_account(user: User) -> bool:
    """`lawyer_accounts` for an account at hand."""
    return user.role == LAWYER


def audit_reader(user: User) -> int | None:
    """Whose audit events the user may read: None for all (admins, auditors), the user's own
    id for lawyers; Forbidden for anyone else (audited by the error handler)."""
    if can(user, "audit.view"):
        return None
    if not can(user, "audit.view_own"):
        raise NotAllowed(RULES["audit.view"] | RULES["audit.view_own"])
    return int(user.id)


# --- loading inside the caller's scope -----------------------------------------------------------


def project_or_404(user: User, project_id: Any) -> Project:
    """The project; 404 when missing (or no possible id) or out of the user's scope."""
    project = get_or_none(Project, project_id)
    if project is None or not in_scope(user, project):
        raise NotFound()
    return project


def zone_or_404(user: User, zone_id: Any, action: str) -> Zone:
    """A zone for a zone-wide action: 403 when the role may not perform `action` at all, 404
    when the zone is missing or another zone's operator asks (its existence is not revealed)."""
    require(user, action)
    zone = get_or_none(Zone, zone_id)
    if zone is None or (user.role == OPERATOR and user.zone_id != zone.id):
        raise NotFound()
    return zone


def record_or_404(user: User, model: type[T], record_id: Any) -> T:
    """A record that has a `project`; 404 when missing, when its project is out of scope or
    when it is another user's private record (a draft review)."""
    record: Any = get_or_none(model, record_id)
    if record is None or not in_scope(user, record.project) or hidden_from(user, record):
        raise NotFound()
    return record  # type: ignore[no-any-return]
