"""Projects: creating, editing and listing the case files (the HTML pages and the API share
these functions, so every rule is written once)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload, with_expression
from werkzeug.exceptions import NotFound

from tracker import clock, policy
from tracker.audit.service import record
from tracker.auth.models import Organization, User, Zone
from tracker.auth.notifications import notify
from tracker.cases import search
from tracker.cases.editing import finish_update
from tracker.cases.projects.models import PROJECT_STATUSES, SECURITY_LEVELS, Project
from tracker.cases.reviews.level import risk_level_expr
from tracker.db import BuiltOnce, db
from tracker.errors import InvalidInput, check_version
from tracker.records.work import user_key
from tracker.web import carried
from tracker.web.ids import get_or_none, is_id

Row = TypeVar("Row", Organization, User)

#: the largest budget a project may have (a thousand trillion won; the column holds up to 9.2e18)
MAX_BUDGET_KRW = 10**15

#: fields a PATCH may change (besides `version`)
PROJECT_FIELDS = (
    "code",
    "title",
    "zone_id",
    "company_id",
    "partner_ids",
    "lawyer_ids",
    "start_date",
    "end_date",
    "budget_krw",
    "security_level",
    "status",
)


# --- validation shared by the record services --------------------------------------------------


class Errors:
    """Collects field errors; `raise_if_any()` raises one InvalidInput with all of them."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)


def _by_id(model: type[Row], ids: Iterable[int]) -> tuple[list[int], dict[int, Row]]:
    """The ids without repeats, in their order, and the rows that have them: one statement, none
    for no ids; an id no row can have never reaches SQL."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return wanted, {}
    usable = [i for i in wanted if is_id(i)]
    rows = db.session.execute(sa.select(model).where(model.id.in_(usable))).scalars()
    return wanted, {row.id: row for row in rows}


def organizations(
    ids: Iterable[int], kind: str | None, field: str, errors: Errors
) -> list[Organization]:
    """The organisations with these ids (in one statement); an error for each unknown id or
    one of another kind than `kind` (None: any kind)."""
    wanted, found = _by_id(Organization, ids)
    for oid in wanted:
        org = found.get(oid)
        if org is None:
            errors.add(field, _("Unknown organisation %(id)s.", id=oid))
        elif kind is not None and org.kind != kind:
            errors.add(field, _("Organisation %(id)s is not of kind %(kind)s.", id=oid, kind=kind))
    return [found[oid] for oid in wanted if oid in found]


def dates_in_order(
    first: dt.date | None, second: dt.date | None, field: str, errors: Errors
) -> None:
    if first is not None and second is not None and first > second:
        errors.add(field, _("The dates are in the wrong order."))


# --- projects ----------------------------------------------------------------------------------


def _lawyers(ids: Iterable[int], errors: Errors) -> list[User]:
    wanted, found = _by_id(User, ids)
    for uid in wanted:
        if uid not in found or not policy.is_lawyer_account(found[uid]):
            errors.add("lawyer_ids", _("User %(id)s is not a lawyer.", id=uid))
    return [found[uid] for uid in wanted if uid in found]


def _apply(project: Project, values: dict[str, Any], user: User) -> list[str]:
    """Validate `values` against the database and set them; the names of changed fields."""
    errors = Errors()
    if "zone_id" in values and (get_or_none(Zone, values["zone_id"]) is None):
        errors.add("zone_id", _("Unknown zone."))
    if "company_id" in values:
        organizations([values["company_id"]], "company", "company_id", errors)
    partners = organizations(values.get("partner_ids", []), "partner", "partner_ids", errors)
    lawyers = _lawyers(values.get("lawyer_ids", []), errors)
    if values.get("security_level", SECURITY_LEVELS[0]) not in SECURITY_LEVELS:
        errors.add("security_level", _("Unknown security grade."))
    if values.get("status", PROJECT_STATUSES[0]) not in PROJECT_STATUSES:
        errors.add("status", _("Unknown status."))
    budget = values.get("budget_krw")
    if budget is not None and (not isinstance(budget, int) or not 0 <= budget <= MAX_BUDGET_KRW):
        errors.add("budget_krw", _("The budget is a whole number of won, 0 or more."))
    dates_in_order(
        values.get("start_date", project.start_date),
        values.get("end_date", project.end_date),
        "end_date",
        errors,
    )
    code = values.get("code")
    if code is not None and code != project.code:
        taken = db.session.execute(sa.select(Project.id).where(Project.code == code)).first()
        if taken:
            errors.add("code", _("Another project has this code."))
    errors.raise_if_any()

    changed = []
    for name in PROJECT_FIELDS:
        if name not in values:
            continue
        # the lists are sets: the same organisations or lawyers in another order change nothing
        if name == "partner_ids":
            if {p.id for p in project.partners} != {p.id for p in partners}:
                project.partners = partners
                changed.append(name)
        elif name == "lawyer_ids":
            if {u.id for u in project.lawyers} != {u.id for u in lawyers}:
                project.lawyers = lawyers
                changed.append(name)
        elif getattr(project, name) != values[name]:
            setattr(project, name, values[name])
            changed.append(name)
    if "security_level" in changed or project.security_level_set_at is None:
        project.security_level_set_by_id = user.id
        project.security_level_set_at = clock.now()
    return changed


def create_project(user: User, values: dict[str, Any]) -> Project:
    """Open a case file (admins). Raises InvalidInput (422) for unknown or wrong-kind ids,
    dates out of order, a negative budget or a taken code. Audited."""
    project = Project(
        security_level=values.get("security_level", "general"),
        status=values.get("status", "active"),
    )
    _apply(project, values, user)
    db.session.add(project)
    db.session.flush()
    search.index(project)
    record("project.created", project, detail={"code": project.code})
    _tell_lawyers(project, set())
    return project


def _tell_lawyers(project: Project, before: set[int]) -> None:
    """Notify each lawyer newly assigned to the project."""
    for lawyer in project.lawyers:
        if lawyer.id not in before:
            notify(lawyer.id, "assigned_to_project", project, project.id)


def update_project(user: User, project: Project, changes: dict[str, Any]) -> Project:
    """Edit a project the user may edit; `changes["version"]` must be the stored version (else
    409 and nothing changes). Assigning lawyers needs `project.assign_lawyers`, moving the
    project to another zone or lead company `project.change_scope` (403).
    Audited with the names of the changed fields."""
    check_version(project, changes.get("version"))
    if "lawyer_ids" in changes and set(changes["lawyer_ids"]) != {u.id for u in project.lawyers}:
        policy.require(user, "project.assign_lawyers", project)
    # the zone and the lead company decide who sees the whole case file: admins only
    if any(
        key in changes and changes[key] != getattr(project, key)
        for key in ("zone_id", "company_id")
    ):
        policy.require(user, "project.change_scope", project)
    values = {k: v for k, v in changes.items() if k in PROJECT_FIELDS}
    before = {u.id for u in project.lawyers}
    changed = _apply(project, values, user)
    _tell_lawyers(project, before)
    return finish_update(project, changed, "project.updated", search.index, {})


def with_risk_level(project: Project) -> Project:
    """The project again, with its current risk level loaded (after a change, too)."""
    return db.session.execute(
        sa.select(Project)
        .where(Project.id == project.id)
        .options(with_expression(Project.risk_level, risk_level_expr(clock.today())))
        .execution_options(populate_existing=True)
    ).scalar_one()


def for_page(user: User, project_id: Any, carry: sa.Subquery | None = None) -> tuple[Project, Any]:
    """The project for its page, in as few statements as the page needs: the project with its
    zone, lead company, who set its grade and its current risk level (one statement, the
    user's scope in its WHERE), with its partners and its lawyers joined on PostgreSQL (a row
    per partner and lawyer pair, a handful: two round trips fewer) and one statement each on
    SQLite (no round trips there, and it materialises the joined pairs by a scan). 404
    when missing, when no project can have that id or when it is out of the user's scope
    (`policy.project_or_404`'s rule, in SQL). The statement is built once per user and day
    (`_PAGES`): building it and its loader options cost more than running it. `carry`: a
    derived table of one row that depends on the user and day only (the page header's counts,
    `dashboard.service.header_table`), joined and returned beside the project (else None)."""
    if not is_id(project_id):
        raise NotFound()
    today = clock.today()
    dialect = db.session.get_bind().dialect.name
    stmt = _PAGES.get(
        (*user_key(user, today), dialect, carry),
        lambda: _page_statement(user, today, dialect, carry),
    )
    found = db.session.execute(stmt, {"page_project": int(project_id)}).unique().one_or_none()
    if found is None:
        raise NotFound()
    return found[0], (tuple(found[1:]) if carry is not None else None)


def _page_statement(
    user: User, today: dt.date, dialect: str, carry: sa.Subquery | None
) -> sa.Select[Any]:
    members = joinedload if dialect == "postgresql" else selectinload
    stmt = carried.joined(sa.select(Project), carry)
    return (
        stmt.where(
            Project.id == sa.bindparam("page_project", type_=sa.Integer),
            policy.visible_projects(user),
        )
        .options(
            joinedload(Project.zone),
            joinedload(Project.company),
            joinedload(Project.security_level_set_by),
            members(Project.partners),
            members(Project.lawyers),
            with_expression(Project.risk_level, risk_level_expr(today)),
        )
        .execution_options(populate_existing=True)
    )


#: the project page's statements by user, day and database (`for_page`)
_PAGES: BuiltOnce[sa.Select[Any]] = BuiltOnce(1024)
