"""Invention disclosures: companies file them, lawyers decide (accept creates the IP asset).

Every view of disclosure content is audited (`disclosure.viewed`, and `disclosure.listed` for a
page of a list). The rules for inventors are in `inventors.py`.
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
from tracker.cases.assets import service as assets
from tracker.cases.assets.models import ASSET_KINDS, SENSITIVITIES, IpAsset
from tracker.cases.disclosures.inventors import (
    clean_inventors,
    has_foreign_inventor,
    ownership_proposal,
)
from tracker.cases.disclosures.models import Disclosure, Inventor
from tracker.cases.labels import label
from tracker.cases.projects import service
from tracker.cases.projects.models import Project
from tracker.db import db
from tracker.errors import InvalidInput, StateConflict
from tracker.web import sorting

DECISIONS = ("accept", "reject", "needs_info")
DECIDED_STATUS = {"accept": "accepted", "reject": "rejected", "needs_info": "needs_info"}
DEFAULT_ASSET = {"kind": "patent", "sensitivity": "confidential"}
#: what an accepted disclosure's asset records when the decision leaves the regulatory status
#: out (an older API body): "unknown", which the gate fails on until a lawyer sets it
UNSET_STATUS = {"nct_status": "unknown", "strategic_item": "unknown"}
#: the asset fields a decision may set (the description is the lawyer's own, never the
#: disclosure's: the invention's description stays with the disclosure, see asset_source)
DECISION_ASSET_FIELDS = (
    "title",
    "kind",
    "sensitivity",
    "description",
    "nct_status",
    "nct_ref",
    "strategic_item",
    "owners",
)


#: the sortable columns of a project's disclosures (`sort`), each backed by an index
SORTS: dict[str, Any] = {
    "created_at": Disclosure.created_at,
    "title": Disclosure.title,
    "conceived_on": Disclosure.conceived_on,
    "status": Disclosure.status,
}


def disclosures_query(project: Project, sort: str = "-created_at") -> sa.Select[Disclosure]:
    """A project's disclosures, newest first or in the order of `sort` (a value of
    `sorting.choices(SORTS)`), inventors loaded in one more statement."""
    stmt = (
        sa.select(Disclosure)
        .where(Disclosure.project_id == project.id)
        .options(selectinload(Disclosure.inventors))
    )
    return sorting.ordered(stmt, sort, SORTS, Disclosure.id)


def awaiting_decision(user: User) -> sa.Select[Disclosure]:
    """Submitted disclosures in the user's scope, oldest first (for dashboards)."""
    stmt = (
        sa.select(Disclosure)
        .join(Project, Project.id == Disclosure.project_id)
        .where(policy.visible_projects(user), Disclosure.status == "submitted")
        .order_by(Disclosure.created_at, Disclosure.id)
    )
    return stmt if policy.may(user, "disclosure.read") else stmt.where(sa.false())


def audit_listed(project: Project, disclosures: list[Disclosure]) -> None:
    """A list page shows titles and statuses: one audit event for the page."""
    record(
        "disclosure.listed",
        project,
        detail={"disclosure_ids": [d.id for d in disclosures]},
    )


def open_disclosure(disclosure: Disclosure) -> Disclosure:
    """The disclosure for reading; audits the view."""
    record("disclosure.viewed", disclosure, detail={"project_id": disclosure.project_id})
    return disclosure


def _check_conceived(conceived_on: dt.date | None) -> None:
    if conceived_on is None:
        raise InvalidInput({"conceived_on": [_("Give the date the invention was conceived.")]})
    if conceived_on > clock.today():
        raise InvalidInput({"conceived_on": [_("The date cannot be in the future.")]})


def _save(disclosure: Disclosure, action: str, detail: dict[str, Any]) -> Disclosure:
    """Flush the filed or edited disclosure, index its text and audit `action`."""
    db.session.flush()
    search.index(disclosure)
    record(action, disclosure, detail={"project_id": disclosure.project_id, **detail})
    return disclosure


def _set_fields(disclosure: Disclosure, fields: dict[str, Any]) -> None:
    for name in ("title", "description"):
        if name in fields:
            value = str(fields[name] or "").strip()
            if not value:
                raise InvalidInput({name: [_("This field is required.")]})
            setattr(disclosure, name, value)
    if "conceived_on" in fields:
        _check_conceived(fields["conceived_on"])
        disclosure.conceived_on = fields["conceived_on"]
    if "disclosed_externally" in fields:
        disclosure.disclosed_externally = bool(fields["disclosed_externally"])
    if "inventors" in fields:
        inventors = clean_inventors(fields["inventors"])
        disclosure.inventors = [Inventor(**i) for i in inventors]


def file_disclosure(project: Project, user: User, fields: dict[str, Any]) -> Disclosure:
    """File a disclosure (status `submitted`). Raises InvalidInput (422)."""
    for name in ("title", "description", "conceived_on", "inventors"):
        if name not in fields:
            raise InvalidInput({name: [_("This field is required.")]})
    disclosure = Disclosure(project=project, filed_by_id=user.id, status="submitted")
    _set_fields(disclosure, fields)
    db.session.add(disclosure)
    return _save(
        disclosure, "disclosure.filed", {"foreign_inventor": has_foreign_inventor(disclosure)}
    )


def resubmit_disclosure(
    disclosure: Disclosure, version: int | None, fields: dict[str, Any]
) -> Disclosure:
    """The company edits a disclosure sent back with `needs_info` and resubmits it.

    Raises StateConflict (409) for a stale version or another status, InvalidInput (422)."""
    service.check_version(disclosure, version)
    if disclosure.status != "needs_info":
        raise StateConflict(_("Only a disclosure sent back for more information can be edited."))
    _set_fields(disclosure, fields)
    disclosure.status = "submitted"
    return _save(disclosure, "disclosure.resubmitted", {"fields": sorted(fields)})


def decide_disclosure(
    disclosure: Disclosure,
    reviewer: User,
    decision: str,
    note: str | None,
    asset: dict[str, Any] | None = None,
    version: int | None = None,
) -> Disclosure:
    """Accept (creating the IP asset in the same project), reject or ask for more information.

    Raises StateConflict (409) unless the disclosure is `submitted` (or for a stale version),
    InvalidInput (422) for an unknown decision or asset kind/sensitivity."""
    if version is not None:
        service.check_version(disclosure, version)
    if disclosure.status != "submitted":
        raise StateConflict(
            _("This disclosure is %(status)s, not submitted.", status=label(disclosure.status))
        )
    if decision not in DECISIONS:
        raise InvalidInput({"decision": [_("Choose accept, reject or needs_info.")]})
    if decision != "accept" and not (note or "").strip():
        raise InvalidInput({"note": [_("Tell the company why.")]})
    if decision == "accept":
        disclosure.asset_id = _create_asset(disclosure, {**DEFAULT_ASSET, **(asset or {})}).id
    disclosure.status = DECIDED_STATUS[decision]
    disclosure.reviewer_id = reviewer.id
    disclosure.reviewer_note = (note or "").strip() or None
    disclosure.decided_at = clock.now()
    db.session.flush()
    record(
        f"disclosure.{disclosure.status}",
        disclosure,
        detail={"project_id": disclosure.project_id, "asset_id": disclosure.asset_id},
    )
    notify(disclosure.filed_by_id, "disclosure_decided", disclosure, disclosure.project_id)
    return disclosure


def asset_source(asset: IpAsset) -> Disclosure | None:
    """The accepted disclosure an asset was made from (None for an asset a lawyer recorded)."""
    return None if asset.disclosure_id is None else db.session.get(Disclosure, asset.disclosure_id)


def _create_asset(disclosure: Disclosure, asset: dict[str, Any]) -> IpAsset:
    """The IP asset an accepted disclosure becomes (through the assets service: validated,
    indexed for search and audited there).

    The title defaults to the disclosure's; the description is the lawyer's (never the
    disclosure's, which admins may not read); the regulatory status is what the lawyer set or
    "unknown"; the owners what the lawyer set or the proposal from the inventors."""
    errors: dict[str, list[str]] = {}
    if asset.get("kind") not in ASSET_KINDS:
        errors["asset.kind"] = [_("One of: %(values)s.", values=", ".join(ASSET_KINDS))]
    if asset.get("sensitivity") not in SENSITIVITIES:
        errors["asset.sensitivity"] = [_("One of: %(values)s.", values=", ".join(SENSITIVITIES))]
    if errors:
        raise InvalidInput(errors)
    given = {k: v for k, v in asset.items() if k in DECISION_ASSET_FIELDS and v is not None}
    values = {**UNSET_STATUS, **given}
    values["title"] = str(values.get("title") or "").strip() or disclosure.title
    values["description"] = str(values.get("description") or "").strip() or None
    if values.get("owners") is None:
        values["owners"] = ownership_proposal(disclosure)["owners"]
    try:
        return assets.create_asset(disclosure.project, values)
    except InvalidInput as exc:
        raise InvalidInput({f"asset.{k}": v for k, v in exc.errors.items()}) from exc
