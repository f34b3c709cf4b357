"""Shared API pieces: pagination, page schemas, loading records inside the caller's scope."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from marshmallow import EXCLUDE, Schema, fields, validate

from tracker.audit.service import record
from tracker.auth import policy
from tracker.cases.loading import project_or_404, record_or_404
from tracker.cases.models import Project
from tracker.db import db
from tracker.reports.exports import EXPORT_TYPES, download

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


def allowed_on(action: str, model: type | None = None, key: str = "project_id") -> Callable[[F], F]:
    """Load the project (or the `model` record) named by the URL and ask the policy before the
    body is validated: 404 out of scope, 403 in scope but not allowed."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if model is None:
                obj: Any = project_or_404(user(), kwargs[key])
            else:
                obj = record_or_404(user(), model, kwargs[key])
            policy.require(user(), action, obj)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


class ListArgs(PageArgs):
    #: `csv` or `xlsx`: the whole filtered list (not one page) as a download, audited
    format = fields.String(load_default="json", validate=validate.OneOf(("json", *EXPORT_TYPES)))


def _text(value: Any) -> str:
    """A cell: lists joined with "; ", nested records as key=value."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return " ".join(f"{k}={_text(v)}" for k, v in value.items())
    return str(value)


def page_or_download(
    stmt: Any, args: dict[str, Any], schema: Schema, name: str, project: Project | None = None
) -> Any:
    """One page as JSON; with `format=csv|xlsx` every row of the filtered list as a download,
    with the columns of `schema` (the same the JSON uses, so nobody gets more than in the
    API). Audited as `export.list` with the list's name, format and row count."""
    fmt = args.get("format", "json")
    if fmt == "json":
        return paginate(stmt, args)
    policy.require(user(), "export.list", project)
    items = schema.dump(db.session.execute(stmt).scalars().unique().all(), many=True)
    columns = list(schema.dump_fields)
    rows = [[_text(item.get(c)) for c in columns] for item in items]
    record(
        "export.list",
        project,
        object_type=None if project else name,
        detail={"list": name, "format": fmt, "rows": len(rows)},
    )
    filename = f"{name}-{project.code}" if project else name
    return download(fmt, columns, rows, filename, sheet=name)
