"""Template helpers of every page: the navigation, a project's tabs and the links to records,
filtered by the policy.

The packages add their own words (labels of roles, risk levels, deadline kinds) and the start
page's count to the templates from their blueprints (`add_app_template_global`), so this frame
knows no domain."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from tracker import policy, records
from tracker.web import current

#: (endpoint, label, action the user needs); endpoints not (yet) registered are skipped
NAV: list[tuple[str, object, str]] = [
    ("main.index", _l("Start"), "project.view"),
    ("projects.project_list", _l("Projects"), "project.view"),
    ("deadlines.deadline_list", _l("Deadlines"), "project.view"),
    ("portfolio.asset_portfolio", _l("IP assets"), "asset.view"),
    ("portfolio.review_portfolio", _l("Risk reviews"), "review.view_result"),
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


def record_link(
    reader: Any,
    type_name: str,
    ident: int,
    project_id: int | None = None,
    parent_id: int | None = None,
) -> str | None:
    """The page of a record the reader may open, else None: the one rule of every link to a
    record (the audit trail, notices, search results). The caller has the record in the
    reader's scope; this asks the role: a kind unknown here, or whose `view_action` the
    reader's role may not perform, gets no link (an auditor sees that a session was recorded,
    never a link to the session). A kind without a page of its own (or a missing parent)
    links to its project's page, for those who may see projects."""
    kind = records.find(type_name)
    if kind is None or (kind.view_action is not None and not policy.may(reader, kind.view_action)):
        return None
    found = records.record_url(type_name, ident, project_id, parent_id)
    if found is not None or project_id is None or not policy.may(reader, "project.view"):
        return found
    return url_for("projects.project_detail", project_id=project_id)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        nav_items=nav_items, get_locale=get_locale, project_tabs=project_tabs
    )
