"""The /api/v1 endpoints: thin views over the domain services (the list is in
`tracker/blueprints.py`)."""

from __future__ import annotations

from flask_smorest import Api, Blueprint


def register(api: Api, blueprints: list[Blueprint]) -> None:
    for blp in blueprints:
        api.register_blueprint(blp)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
