"""Invention disclosures: companies file them, lawyers decide (accept creates the IP asset).

Every view of disclosure content is audited (`disclosure.viewed`, and `disclosure.listed` for a
page of a list). A foreign co-inventor is one whose nationality is given and is not KR.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from tracker import clock, policy
from tracker.audit.service import record
from tracker.auth.accounts import iso_countries
from tracker.auth.models import Organization, User
from tracker.cases import search
from tracker.cases.assets import service as assets
from tracker.cases.assets.models import ASSET_KINDS, SENSITIVITIES, IpAsset
from tracker.cases.disclosures.models import Disclosure, Inventor
from tracker.cases.labels import label
from tracker.cases.projects import service
from tracker.cases.projects.models import Project
from tracker.db import db
from tracker.errors import InvalidInput, StateConflict

#: marks a message for translation (pybabel's default N_ keyword); it is translated where it is

HOME_COUNTRY = "KR"
HUNDRED = Decimal("100")
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


def is_foreign(inventor: Inventor | dict[str, Any]) -> bool:
    nationality = (
        inventor.get("nationality") if isinstance(inventor, dict) else inventor.nationality
    )
    return bool(nationality) and nationality != HOME_COUNTRY


def has_foreign_inventor(disclosure: Disclosure) -> bool:
    return any(is_foreign(i) for i in disclosure.inventors)


def disclosures_query(project: Project) -> sa.Select[Disclosure]:
    """A project's disclosures, newest first, inventors loaded in one more statement."""
    return (
        sa.select(Disclosure)
        .where(Disclosure.project_id == project.id)
        .options(selectinload(Disclosure.inventors))
        .order_by(Disclosure.id.desc())
    )


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


def _clean_inventors(raw: Any) -> list[dict[str, Any]]:
    """Validate inventors: names, shares > 0 with at most 2 decimals summing to exactly 100,
    ISO nationality. Raises InvalidInput with per-field messages."""
    if not isinstance(raw, list) or not raw:
        raise InvalidInput({"inventors": [_("Name at least one inventor.")]})
    countries = iso_countries()
    errors: dict[str, list[str]] = {}
    cleaned = []
    total = Decimal(0)
    for i, item in enumerate(raw):
        name = str(item.get("name") or "").strip()
        if not name:
            errors[f"inventors.{i}.name"] = [_("Give the inventor's name.")]
        try:
            share = Decimal(str(item.get("share_pct")))
        except (InvalidOperation, ValueError):
            share = Decimal(-1)
        if not share.is_finite() or share <= 0 or share > HUNDRED:
            errors[f"inventors.{i}.share_pct"] = [_("A share is more than 0 and at most 100.")]
        elif share.as_tuple().exponent < -2:  # type: ignore[operator]
            errors[f"inventors.{i}.share_pct"] = [_("At most two decimal places.")]
        else:
            total += share
        nationality = (item.get("nationality") or "").strip().upper() or None
        if nationality is not None and nationality not in countries:
            errors[f"inventors.{i}.nationality"] = [_("Not an ISO 3166-1 alpha-2 country code.")]
        employer = (item.get("employer") or "").strip() or None
        cleaned.append(
            {"name": name, "share_pct": share, "nationality": nationality, "employer": employer}
        )
    if not errors and total != HUNDRED:
        errors["inventors"] = [_("The shares must add up to exactly 100."), f"Σ = {total}"]
    if errors:
        raise InvalidInput(errors)
    return cleaned


def _check_conceived(conceived_on: dt.date | None) -> None:
    if conceived_on is None:
        raise InvalidInput({"conceived_on": [_("Give the date the invention was conceived.")]})
    if conceived_on > clock.today():
        raise InvalidInput({"conceived_on": [_("The date cannot be in the future.")]})


def _index(disclosure: Disclosure) -> None:
    search.index_record(
        "disclosure",
        disclosure.id,
        disclosure.project_id,
        "disclosure.read",
        f"{disclosure.title}\n{disclosure.description}",
    )


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
        inventors = _clean_inventors(fields["inventors"])
        disclosure.inventors = [Inventor(**i) for i in inventors]


def file_disclosure(project: Project, user: User, fields: dict[str, Any]) -> Disclosure:
    """File a disclosure (status `submitted`). Raises InvalidInput (422)."""
    for name in ("title", "description", "conceived_on", "inventors"):
        if name not in fields:
            raise InvalidInput({name: [_("This field is required.")]})
    disclosure = Disclosure(project=project, filed_by_id=user.id, status="submitted")
    _set_fields(disclosure, fields)
    db.session.add(disclosure)
    db.session.flush()
    _index(disclosure)
    record(
        "disclosure.filed",
        disclosure,
        detail={"project_id": project.id, "foreign_inventor": has_foreign_inventor(disclosure)},
    )
    return disclosure


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
    db.session.flush()
    _index(disclosure)
    record(
        "disclosure.resubmitted",
        disclosure,
        detail={"project_id": disclosure.project_id, "fields": sorted(fields)},
    )
    return disclosure


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
    return disclosure


def _project_organizations(project: Project) -> list[Organization]:
    """The lead company first, then the project's partners by name."""
    return [project.company, *sorted(project.partners, key=lambda o: o.name.casefold())]


def _match_employer(employer: str | None, orgs: list[Organization]) -> Organization | None:
    wanted = (employer or "").strip().casefold()
    return next((o for o in orgs if wanted and o.name.strip().casefold() == wanted), None)


def ownership_proposal(disclosure: Disclosure) -> dict[str, Any]:
    """The owners an accepted disclosure suggests, from its inventors' employers.

    Each inventor's share goes to the project organisation whose name is their employer; an
    inventor without a matching employer counts for the lead company, unless foreign: a
    foreign co-inventor's share stays unassigned and is flagged (their employer may own it).
    Returns `{"owners": [{"organization_id", "share_pct"}], "flagged": [inventor dicts]}`."""
    project = disclosure.project
    orgs = _project_organizations(project)
    shares: dict[int, Decimal] = {}
    flagged = []
    for inventor in disclosure.inventors:
        org = _match_employer(inventor.employer, orgs)
        foreign = is_foreign(inventor)
        if org is None and not foreign:
            org = project.company
        if org is not None:
            shares[org.id] = shares.get(org.id, Decimal(0)) + Decimal(inventor.share_pct)
        if foreign:
            flagged.append(
                {
                    "name": inventor.name,
                    "nationality": inventor.nationality,
                    "employer": inventor.employer,
                    "share_pct": Decimal(inventor.share_pct),
                    "organization_id": org.id if org is not None else None,
                }
            )
    owners = [{"organization_id": i, "share_pct": s} for i, s in shares.items()]
    return {"owners": owners, "flagged": flagged}


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
