"""HTML pages of the case file: projects, IP assets and NDAs."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from tracker.cases import search

bp = Blueprint("cases", __name__, template_folder="templates")


@bp.record_once
def _skip_fulltext_objects_in_alembic(state: Any) -> None:
    # Until migrations/env.py passes tracker.cases.search.alembic_include_object itself.
    migrate = state.app.extensions.get("migrate")
    if migrate is not None:
        migrate.configure_args.setdefault("include_object", search.alembic_include_object)
