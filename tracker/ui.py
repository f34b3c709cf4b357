"""Template helpers: the navigation (filtered by the policy) and translated labels."""

from __future__ import annotations

from flask import Flask, current_app, g
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from tracker import policy
from tracker.auth.forms import ORG_KIND_LABELS, ROLE_LABELS
from tracker.cases.labels import LABELS
from tracker.dashboard import service as dashboard
from tracker.deadlines.labels import kind_label
from tracker.web import current

#: (endpoint, label, action the user needs); endpoints not (yet) registered are skipped
NAV: list[tuple[str, object, str]] = [
    ("main.index", _l("Start"), "project.view"),
    ("projects.project_list", _l("Projects"), "project.view"),
    ("deadlines.deadline_list", _l("Deadlines"), "project.view"),
    ("transfers.zone_overview", _l("My zone"), "transfer.decide"),
    ("transfers.transfer_list", _l("Data sharing"), "transfer.view"),
    ("transfers.ledger", _l("Transfer ledger"), "transfer.view"),
    ("audit.audit_list", _l("Audit trail"), "audit.view"),
    ("admin.users", _l("Accounts"), "accounts.view"),
    ("admin.zones", _l("Zones"), "accounts.view"),
    ("admin.organizations", _l("Organisations"), "accounts.view"),
]


#: the tabs of a project page: (endpoint taking project_id, label, action on the project)
PROJECT_TABS: list[tuple[str, object, str]] = [
    ("projects.project_detail", _l("Summary"), "project.view"),
    ("assets.asset_list", _l("IP assets"), "asset.view"),
    ("disclosures.disclosure_list", _l("Disclosures"), "disclosure.read"),
    ("ndas.nda_list", _l("NDAs"), "nda.view"),
    ("reviews.review_list", _l("Risk reviews"), "review.view_result"),
    ("sessions.session_list", _l("Advisory sessions"), "session.view_advice"),
    ("attachments.project_attachments", _l("Files"), "project.view"),
    ("transfers.project_transfers", _l("Data sharing"), "transfer.view"),
]


def project_tabs(project: object) -> list[tuple[str, str]]:
    """The tabs of `project`'s page this user may open (and that exist)."""
    user = current.user()
    return [
        (endpoint, str(label))
        for endpoint, label, action in PROJECT_TABS
        if endpoint in current_app.view_functions and policy.can(user, action, project)
    ]


def nav_items() -> list[tuple[str, str]]:
    user = current.user()
    items = []
    for endpoint, label, action in NAV:
        if endpoint not in current_app.view_functions:
            continue
        if policy.can(user, action) or (
            action == "audit.view" and policy.can(user, "audit.view_own")
        ):
            items.append((endpoint, str(label)))
    return items


def waiting_count() -> int:
    """How many items wait for the signed-in user (the badge on "Start"): one statement,
    at most once per request."""
    if "waiting_count" not in g:
        g.waiting_count = dashboard.waiting_count(current.user())
    return int(g.waiting_count)


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def org_kind_label(kind: str) -> str:
    return str(ORG_KIND_LABELS.get(kind, kind))


def risk_label(level: str | None) -> str:
    """A risk level (low, medium, high, critical) in the reader's language."""

    return str(LABELS.get(level or "", level or ""))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        nav_items=nav_items,
        waiting_count=waiting_count,
        role_label=role_label,
        org_kind_label=org_kind_label,
        get_locale=get_locale,
        project_tabs=project_tabs,
        risk_label=risk_label,
        deadline_kind_label=kind_label,
    )
