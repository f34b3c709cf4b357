"""What a reader calls an office, a route, a status and an event (Korean and English)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from tracker.auth.countries import country_name

ROUTE_LABELS: dict[str, Any] = {
    "first": _l("First filing"),
    "paris": _l("Paris Convention filing"),
    "pct": _l("PCT international application"),
    "national_phase": _l("National or regional phase"),
    "validation": _l("Validation of the European patent"),
    "divisional": _l("Divisional application"),
}
STATUS_LABELS: dict[str, Any] = {
    "pending": _l("Pending"),
    "allowed": _l("Allowed"),
    "registered": _l("Registered"),
    "refused": _l("Refused"),
    "withdrawn": _l("Withdrawn"),
    "lapsed": _l("Lapsed"),
    "expired": _l("Expired"),
}
EVENT_LABELS: dict[str, Any] = {
    "office_action": _l("Office action received"),
    "response_filed": _l("Response filed"),
    "search_report": _l("Search report published"),
    "examination_requested": _l("Examination requested"),
    "allowance": _l("Decision to grant"),
    "registration": _l("Registration"),
    "refusal": _l("Refusal"),
    "fee_paid": _l("Fee paid"),
    "publication": _l("Publication"),
}
#: the offices that are no country
OFFICE_LABELS: dict[str, Any] = {
    "EP": _l("European Patent Office"),
    "WO": _l("PCT (international phase)"),
    "EM": _l("EU Intellectual Property Office"),
    "WIPO": _l("WIPO (Madrid or Hague)"),
}


def office_name(code: str | None) -> str:
    """The office's name in the reader's language: a regional office's own, a national
    office's country's (`country_name`, the one rule for a country's name)."""
    if code in OFFICE_LABELS:
        return str(OFFICE_LABELS[code])
    return country_name(code)
