"""Every blueprint and CLI command of the application, in one visible place.

A new record kind adds its HTML blueprint here, its API module to `tracker/api/__init__.py`,
its models to `tracker/models.py` and its commands to `COMMANDS`."""

from __future__ import annotations

from flask import Blueprint

from tracker import views as main_views
from tracker.attachments import cli as attachments_cli
from tracker.attachments import views as attachment_views
from tracker.audit import cli as audit_cli
from tracker.auth import admin_views, mfa_views
from tracker.auth import cli as auth_cli
from tracker.auth import views as auth_views
from tracker.cases import search_views
from tracker.cases.assets import views as asset_views
from tracker.cases.disclosures import views as disclosure_views
from tracker.cases.filings import import_views as filing_import_views
from tracker.cases.filings import views as filing_views
from tracker.cases.ndas import views as nda_views
from tracker.cases.portfolio import views as portfolio_views
from tracker.cases.projects import views as project_views
from tracker.cases.reviews import views as review_views
from tracker.cases.sessions import views as session_views
from tracker.dashboard import views as dashboard_views
from tracker.deadlines import cli as deadlines_cli
from tracker.deadlines import views as deadline_views
from tracker.demo import demo_command
from tracker.ops import cli as ops_cli
from tracker.oversight import views as audit_views
from tracker.transfers import views as transfer_views

#: the HTML pages
HTML: list[Blueprint] = [
    main_views.bp,
    auth_views.bp,
    mfa_views.bp,
    admin_views.bp,
    project_views.bp,
    asset_views.bp,
    filing_views.bp,
    filing_import_views.bp,
    disclosure_views.bp,
    nda_views.bp,
    session_views.bp,
    review_views.bp,
    portfolio_views.bp,
    search_views.bp,
    attachment_views.bp,
    transfer_views.bp,
    audit_views.bp,
    dashboard_views.bp,
    deadline_views.bp,
]

#: `flask --app tracker ...`
COMMANDS = [
    demo_command,
    *auth_cli.commands,
    *attachments_cli.commands,
    *audit_cli.commands,
    *deadlines_cli.commands,
    *ops_cli.commands,
]
