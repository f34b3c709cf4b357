"""The /api/v1 endpoints: thin views over the domain services, listed once here."""

from __future__ import annotations

from flask_smorest import Api, Blueprint

from tracker.api import (
    accounts,
    assets,
    attachments,
    audit,
    auth,
    dashboard,
    deadlines,
    disclosures,
    filing_import,
    filings,
    health,
    ndas,
    notifications,
    projects,
    reports,
    reviews,
    search,
    sessions,
    spec,
    transfers,
)

#: every API module's blueprint (their schemas make the OpenAPI document)
BLUEPRINTS: list[Blueprint] = [
    m.blp
    for m in (
        auth,
        accounts,
        projects,
        assets,
        filings,
        filing_import,
        disclosures,
        ndas,
        sessions,
        reviews,
        attachments,
        transfers,
        deadlines,
        reports,
        audit,
        dashboard,
        notifications,
        search,
        health,
    )
]


def register(api: Api) -> None:
    for blp in BLUEPRINTS:
        api.register_blueprint(blp)
    spec.document(api)  # the registered operations, before serving
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
