"""The /api/v1 blueprints: every module here with a `blp` is registered."""

from __future__ import annotations

from flask_smorest import Api, Blueprint

from tracker import discovery


def blueprints() -> list[Blueprint]:
    return [module.blp for module in discovery.api_modules()]


def register(api: Api) -> list[Blueprint]:
    registered = blueprints()
    for blp in registered:
        api.register_blueprint(blp)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    return registered
