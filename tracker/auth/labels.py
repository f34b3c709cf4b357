"""Roles and organisation kinds in the reader's language: for pages, PDFs and exports."""

from __future__ import annotations

from tracker.auth.forms import ORG_KIND_LABELS, ROLE_LABELS


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def org_kind_label(kind: str) -> str:
    return str(ORG_KIND_LABELS.get(kind, kind))


def role_labels(roles: object) -> str:
    """Several roles in the reader's language, in the order given: "관리자, 감사인"."""
    return ", ".join(role_label(str(r)) for r in roles) if isinstance(roles, (list, tuple)) else ""
