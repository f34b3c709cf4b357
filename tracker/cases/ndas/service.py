"""The NDA register: NDAs of a project with one of its partners, the assets they cover.

Rules (docs/decisions.md, "NDA register"):
- the partner is one of the project's partners (an organisation of kind partner);
- covered assets belong to the same project; effective on or before expiry;
- `expired` is never stored by hand: an `active` NDA past its expiry date reads as `expired`
  (`Nda.effective_status`, and `effective_status_expr` in SQL for filters);
- lawyers (`nda.edit`) write any NDA; company staff (`nda.draft`) create drafts and edit NDAs
  that are still drafts, without changing their status; a terminated NDA is final.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import Forbidden

from tracker import clock, policy
from tracker.audit.service import record
from tracker.auth.models import Organization, User
from tracker.cases import search
from tracker.cases.assets.models import IpAsset
from tracker.cases.editing import finish_update
from tracker.cases.ndas.models import Nda, nda_assets
from tracker.cases.projects.models import Project
from tracker.cases.projects.service import Errors, check_version, dates_in_order
from tracker.db import db
from tracker.errors import StateConflict
from tracker.web import sorting
from tracker.web.ids import is_id

#: the sortable columns of the NDA lists (`sort`), each backed by an index; `partner` orders by
#: the partner's name
SORTS: dict[str, Any] = {
    "expires_on": Nda.expires_on,
    "effective_on": Nda.effective_on,
    "signed_on": Nda.signed_on,
    "partner": Organization.name,
}

#: statuses a user may record; `expired` is derived from the date
SETTABLE_STATUSES = ("draft", "active", "terminated")
NDA_FIELDS = (
    "partner_id",
    "signed_on",
    "effective_on",
    "expires_on",
    "governing_law",
    "purpose",
    "return_or_destroy",
    "audit_rights",
    "status",
)


def effective_status_expr(today: dt.date) -> sa.ColumnElement[str]:
    """SQL twin of `Nda.effective_status(today)`."""
    return sa.case(
        (sa.and_(Nda.status == "active", Nda.expires_on < today), sa.literal("expired")),
        else_=Nda.status,
    )


def require_write(user: User, nda: Nda | None, values: dict[str, Any], project: Project) -> None:
    """403 unless the policy lets the user write this NDA (`policy.may_write_nda`: lawyers
    always, company staff only drafts that stay drafts); 404 out of scope."""
    if policy.may_write_nda(user, nda or project, values.get("status", "draft")):
        return
    policy.require(user, "nda.draft", project)
    raise Forbidden(_("Only lawyers change an NDA that is no longer a draft."))


def may_edit(user: User, nda: Nda) -> bool:
    """Whether the user may open the NDA's edit form (what `require_write` lets through)."""
    return policy.may_write_nda(user, nda)


def covering_ndas(asset: IpAsset) -> list[Nda]:
    """The NDAs that cover the asset, whatever their status, earliest in effect first (one
    statement: the partner is joined)."""
    return list(
        db.session.execute(
            sa.select(Nda)
            .join(nda_assets, nda_assets.c.nda_id == Nda.id)
            .where(nda_assets.c.asset_id == asset.id)
            .order_by(Nda.effective_on, Nda.id)
        ).scalars()
    )


def _apply(nda: Nda, project: Project, values: dict[str, Any]) -> list[str]:
    errors = Errors()
    if "partner_id" in values and values["partner_id"] not in project.partner_ids:
        errors.add("partner_id", _("The partner must be one of the project's partners."))
    if values.get("status", nda.status) not in SETTABLE_STATUSES:
        errors.add("status", _("Use draft, active or terminated; expiry follows from the date."))
    assets: list[IpAsset] | None = None
    if "asset_ids" in values:
        wanted = list(dict.fromkeys(values["asset_ids"]))
        assets = list(
            db.session.execute(
                sa.select(IpAsset)
                .where(
                    IpAsset.id.in_([i for i in wanted if is_id(i)]),
                    IpAsset.project_id == project.id,
                )
                .order_by(IpAsset.id)
            ).scalars()
        )
        missing = sorted(set(wanted) - {a.id for a in assets})
        if missing:
            errors.add(
                "asset_ids",
                _("Not assets of this project: %(ids)s.", ids=", ".join(map(str, missing))),
            )
    effective = values.get("effective_on", nda.effective_on)
    expires = values.get("expires_on", nda.expires_on)
    dates_in_order(effective, expires, "expires_on", errors)
    if values.get("status", nda.status) == "active" and not values.get("signed_on", nda.signed_on):
        errors.add("signed_on", _("An active NDA needs the date it was signed."))
    errors.raise_if_any()
    if nda.status == "terminated" and values.get("status", "terminated") != "terminated":
        raise StateConflict(_("A terminated NDA cannot be reopened; record a new one."))

    changed = [n for n in NDA_FIELDS if n in values and getattr(nda, n) != values[n]]
    for name in changed:
        setattr(nda, name, values[name])
    if assets is not None and [a.id for a in nda.assets] != [a.id for a in assets]:
        nda.assets = assets
        changed.append("asset_ids")
    return changed


def create_nda(user: User, project: Project, values: dict[str, Any]) -> Nda:
    """Record an NDA of `project`. 403 for company staff unless it is a draft; 422 for a
    partner not on the project, assets of another project or dates out of order. Audited."""
    require_write(user, None, values, project)
    nda = Nda(project=project, status=values.get("status", "draft"), created_by_id=user.id)
    _apply(nda, project, values)
    db.session.add(nda)
    db.session.flush()
    search.index(nda)
    record("nda.created", nda, detail={"project_id": project.id, "status": nda.status})
    return nda


def update_nda(user: User, nda: Nda, changes: dict[str, Any]) -> Nda:
    """Edit an NDA; `changes["version"]` must be the stored version (else 409, unchanged).
    Same rules as `create_nda`; reopening a terminated NDA is a 409. Audited."""
    require_write(user, nda, changes, nda.project)
    check_version(nda, changes.get("version"))
    values = {k: v for k, v in changes.items() if k in (*NDA_FIELDS, "asset_ids")}
    changed = _apply(nda, nda.project, values)
    return finish_update(nda, changed, "nda.updated", search.index, {"project_id": nda.project_id})


def nda_conditions(
    user: User, filters: dict[str, Any], today: dt.date, project_id: int | None = None
) -> list[sa.ColumnElement[bool]]:
    """The conditions on `Nda` of the list filters, the scope first: the caller's projects as
    `project_id IN (...)` (nothing for who sees everything), so the planner starts from those
    projects or from the expiry index, whichever is narrower, and never joins every NDA to its
    project. Filters: `status` (the effective one, derived in SQL), `partner_id`,
    `expiring_within_days` (effective-active NDAs expiring from today to today + N)."""
    where = [policy.in_visible_project(user, Nda.project_id)]
    if project_id is not None:
        where.append(Nda.project_id == project_id)
    if filters.get("status"):
        where.append(effective_status_expr(today) == filters["status"])
    if filters.get("partner_id"):
        partner_id = filters["partner_id"]
        where.append(Nda.partner_id == partner_id if is_id(partner_id) else sa.false())
    days = filters.get("expiring_within_days")
    if days is not None:
        where += [
            Nda.status == "active",
            Nda.expires_on >= today,
            Nda.expires_on <= today + dt.timedelta(days=days),
        ]
    return where


def sorted_by(stmt: sa.Select[Any], filters: dict[str, Any]) -> sa.Select[Any]:
    """`stmt` (which joins the partner) in the order of `filters["sort"]` (a value of
    `sorting.choices(SORTS)`; soonest expiry first without one), the id breaking ties."""
    return sorting.ordered(stmt, filters.get("sort") or "expires_on", SORTS, Nda.id)


def nda_query(
    user: User, filters: dict[str, Any], project: Project | None = None
) -> sa.Select[Nda]:
    """NDAs the user may see (of one project, or across the scope) matching `filters`
    (`nda_conditions`), in the order of `sorted_by`."""
    stmt = (
        sa.select(Nda)
        .options(selectinload(Nda.assets), selectinload(Nda.project))
        .join(Organization, Organization.id == Nda.partner_id)
        .where(*nda_conditions(user, filters, clock.today(), project.id if project else None))
    )
    return sorted_by(stmt, filters)
