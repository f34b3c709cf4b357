"""Roles and organisation kinds in the reader's language: the one table of each, for forms,
pages, the audit trail, PDFs and exports (`role_label` wherever a role is shown)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

ROLE_LABELS: dict[str, Any] = {
    "admin": _l("Administrator"),
    "lawyer": _l("Lawyer"),
    "company": _l("Company staff"),
    "operator": _l("Zone operator"),
    "auditor": _l("Auditor"),
}
ORG_KIND_LABELS: dict[str, Any] = {
    "company": _l("Company"),
    "partner": _l("Foreign partner"),
    "law_firm": _l("Law firm"),
}


def role_label(role: str | None) -> str:
    """A role in the reader's language ("" for none; an unknown code as itself)."""
    return str(ROLE_LABELS.get(role, role)) if role else ""


def org_kind_label(kind: str) -> str:
    return str(ORG_KIND_LABELS.get(kind, kind))


def role_labels(roles: object) -> str:
    """Several roles in the reader's language, in the order given: "관리자, 감사인"."""
    return ", ".join(role_label(str(r)) for r in roles) if isinstance(roles, (list, tuple)) else ""
