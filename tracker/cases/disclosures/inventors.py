"""Inventors of a disclosure: the rules for their names, shares and nationalities, who is a
foreign co-inventor (a nationality given and not KR), and the owners their shares suggest.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

from tracker.auth.countries import NOT_A_COUNTRY, country_code
from tracker.auth.models import Organization
from tracker.cases.disclosures.models import Disclosure, Inventor
from tracker.cases.projects.models import Project
from tracker.errors import InvalidInput

HOME_COUNTRY = "KR"
HUNDRED = Decimal("100")


def is_foreign(inventor: Inventor | dict[str, Any]) -> bool:
    nationality = (
        inventor.get("nationality") if isinstance(inventor, dict) else inventor.nationality
    )
    return bool(nationality) and nationality != HOME_COUNTRY


def has_foreign_inventor(disclosure: Disclosure) -> bool:
    return any(is_foreign(i) for i in disclosure.inventors)


def clean_inventors(raw: Any) -> list[dict[str, Any]]:
    """Validate inventors: names, shares > 0 with at most 2 decimals summing to exactly 100,
    a nationality as an ISO code or a country's name (stored as the code). Raises
    InvalidInput with per-field messages."""
    if not isinstance(raw, list) or not raw:
        raise InvalidInput({"inventors": [_("Name at least one inventor.")]})
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
        typed = item.get("nationality")
        nationality = country_code(typed)  # "DE", "독일" and "Germany" alike
        if nationality is None and typed is not None and str(typed).strip():
            errors[f"inventors.{i}.nationality"] = [str(NOT_A_COUNTRY)]
        employer = (item.get("employer") or "").strip() or None
        cleaned.append(
            {"name": name, "share_pct": share, "nationality": nationality, "employer": employer}
        )
    if not errors and total != HUNDRED:
        errors["inventors"] = [_("The shares must add up to exactly 100."), f"Σ = {total}"]
    if errors:
        raise InvalidInput(errors)
    return cleaned


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
