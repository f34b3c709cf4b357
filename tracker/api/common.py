"""Shared API pieces: pagination, page schemas, loading records inside the caller's scope."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from marshmallow import EXCLUDE, Schema, fields, validate

from tracker.auth import policy
from tracker.db import db

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])
MAX_PER_PAGE = 200


class PageArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


_page_schemas: dict[str, type[Schema]] = {}


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """The `{"items", "total", "page", "per_page"}` schema for a list of `item_schema`."""
    name = item_schema.__name__.removesuffix("Schema") + "Page"
    if name not in _page_schemas:
        _page_schemas[name] = Schema.from_dict(
            {
                "items": fields.List(fields.Nested(item_schema)),
                "total": fields.Integer(),
                "page": fields.Integer(),
                "per_page": fields.Integer(),
            },
            name=name,
        )
    return _page_schemas[name]


def paginate(stmt: sa.Select[Any], args: dict[str, Any]) -> dict[str, Any]:
    """Run a filtered, ordered select one page at a time: one COUNT and one page query."""
    page, per_page = args["page"], args["per_page"]
    total = db.session.execute(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    ).scalar_one()
    items = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).scalars()
    return {"items": list(items.unique()), "total": total, "page": page, "per_page": per_page}


def get_or_404(model: type[T], ident: int) -> T:
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def requires(action: str) -> Callable[[F], F]:
    """Check a project-independent permission before the body is even validated."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            policy.require(user(), action)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


def user() -> Any:
    """The signed-in user (a `tracker.auth.models.User`)."""
    return current_user._get_current_object()
