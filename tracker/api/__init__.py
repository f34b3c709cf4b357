"""The /api/v1 blueprints. Each domain adds its module here."""

from __future__ import annotations

from flask_smorest import Api, Blueprint

from tracker.api import accounts, auth, health

BLUEPRINTS: list[Blueprint] = [health.blp, auth.blp, accounts.blp]


def register(api: Api) -> None:
    for blp in BLUEPRINTS:
        api.register_blueprint(blp)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
