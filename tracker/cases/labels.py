"""Translated labels of the case file's coded values, and choices built from them."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    SelectChoice,
)


def choice(value: Any, text: Any) -> Any:
    """One option of a select field."""
    return SelectChoice(value, text)


LABELS: dict[str, Any] = {
    # security grades, statuses, risk levels
    "general": _l("General"),
    "security": _l("Security"),
    "sensitive": _l("Sensitive"),
    "active": _l("Active"),
    "closed": _l("Closed"),
    "draft": _l("Draft"),
    "expired": _l("Expired"),
    "terminated": _l("Terminated"),
    "low": _l("Low"),
    "medium": _l("Medium"),
    "high": _l("High"),
    "critical": _l("Critical"),
    "none": _l("Not assessed"),
    # decisions on disclosures and reviews
    "submitted": _l("Submitted"),
    "accepted": _l("Accepted"),
    "rejected": _l("Rejected"),
    "approved": _l("Approved"),
    "needs_info": _l("More information needed"),
    # asset kinds and sensitivities
    "patent": _l("Patent"),
    "utility_model": _l("Utility model"),
    "design": _l("Design"),
    "trademark": _l("Trademark"),
    "trade_secret": _l("Trade secret"),
    "know_how": _l("Know-how"),
    "software": _l("Software"),
    "data": _l("Data"),
    "public": _l("Public"),
    "confidential": _l("Confidential"),
    # regulatory status
    "not_nct": _l("Not national core technology"),
    "pending": _l("Determination requested"),
    "nct_funded": _l("National core technology (government-funded)"),
    "nct_private": _l("National core technology (private)"),
    "no": _l("No"),
    "yes": _l("Yes"),
    "unknown": _l("Unknown"),
    # deadline kinds
    "priority": _l("Priority"),
    "pct": _l("PCT"),
    "national_phase": _l("National phase"),
    "annuity": _l("Annuity"),
    "other": _l("Other"),
}


def label(value: str | None) -> str:
    """The translated label of a stored value (enum values are stored in English)."""
    if value is None:
        return str(LABELS["none"])
    return str(LABELS.get(value, value))


def risk_label(level: str | None) -> str:
    """A risk level (low, medium, high, critical) in the reader's language; nothing for none."""
    return str(LABELS.get(level or "", level or ""))


def value_choices(
    values: tuple[str, ...], labels: dict[str, Any] | None = None, blank: bool = False
) -> list[Any]:
    """Select options for stored values, labelled from `labels` (default: LABELS)."""
    names = LABELS if labels is None else labels
    options = [choice(v, names.get(v, v)) for v in values]
    return [choice("", "—"), *options] if blank else options
