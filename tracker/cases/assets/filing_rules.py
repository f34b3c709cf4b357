"""Filing rules: the deadlines each office's rules derive from an IP family's filings (pure).

`derive_family(...)` takes plain values (no database): the asset's kind, its jurisdictions and
the facts of each filing of the family (dates, status, events), and returns `FilingDeadline`s,
each counted from THAT filing's own dates. The rules are data (`docketing_rules.json`); the
month arithmetic is the one of `docketing.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

ROUTES = ("first", "paris", "pct", "national_phase", "validation", "divisional")
STATUSES = ("pending", "allowed", "registered", "refused", "withdrawn", "lapsed", "expired")
EVENT_KINDS = (
    "office_action",
    "response_filed",
    "search_report",
    "examination_requested",
    "allowance",
    "registration",
    "refusal",
    "fee_paid",
    "publication",
)
FILING_KINDS = (
    "ip_priority",
    "ip_pct",
    "ip_national_phase",
    "ip_annuity",
    "ip_examination",
    "ip_office_action",
    "ip_registration_fee",
    "ip_renewal",
    "ip_validation",
)


@dataclass(frozen=True)
class FilingEventFacts:
    id: int | None
    kind: str
    on: date
    due_on: date | None = None


@dataclass(frozen=True)
class FilingFacts:
    id: int
    office: str
    route: str
    parent_id: int | None
    status: str
    filed_on: date | None
    priority_on: date | None
    published_on: date | None
    examination_requested_on: date | None
    allowed_on: date | None
    registered_on: date | None
    events: tuple[FilingEventFacts, ...] = ()


@dataclass(frozen=True)
class FilingDeadline:
    kind: str
    due_on: date
    grace_until: date | None
    rule: str
    #: stable within the filing across recomputations: where a "done" mark is stored
    key: str
    filing_id: int
    office: str
    year: int | None = None
    closed: bool = False


def derive_family(
    asset_kind: str,
    jurisdictions: Sequence[str],
    filings: Sequence[FilingFacts],
    *,
    since: date,
    horizon_days: int,
) -> list[FilingDeadline]:
    """Every deadline the rules derive for this family's filings, soonest first."""
    return []
