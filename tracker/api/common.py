"""Shared API pieces: page schemas, permission decorators, lists as downloads.

Paging, id guards and the current user live below the domains in `tracker.web`; they are
re-exported here so endpoint modules import one place (`__all__`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from marshmallow import Schema, fields, validate

from tracker import policy
from tracker.audit.service import record
from tracker.audit.types import EXPORT
from tracker.cases.projects.models import Project
from tracker.db import db
from tracker.policy import project_or_404, record_or_404
from tracker.reports.columns import schema_table
from tracker.reports.exports import EXPORT_TYPES, download
from tracker.web.current import user
from tracker.web.ids import get_or_404
from tracker.web.paging import PageArgs, paginate

F = TypeVar("F", bound=Callable[..., Any])
__all__ = [
    "PageArgs",
    "ListArgs",
    "allowed_on",
    "get_or_404",
    "page_of",
    "page_or_download",
    "paginate",
    "requires",
    "user",
]


_page_schemas: dict[str, type[Schema]] = {}


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """The `{"items", "total", "page", "per_page"}` schema for a list of `item_schema`."""
    name = item_schema.__name__.removesuffix("Schema") + "Page"
    if name not in _page_schemas:
        _page_schemas[name] = Schema.from_dict(
            {
                "items": fields.List(fields.Nested(item_schema)),
                "total": fields.Integer(),
                # present and true when `total` is an estimate (a text search of many hits, a
                # filtered audit trail of more than a thousand events, the portfolio of every
                # project beyond a thousand rows; a word's estimate in the asset portfolio may
                # be up to a minute old)
                "total_estimated": fields.Boolean(),
                "page": fields.Integer(),
                "per_page": fields.Integer(),
            },
            name=name,
        )
    return _page_schemas[name]


def requires(action: str) -> Callable[[F], F]:
    """Check a project-independent permission before the body is even validated."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            policy.require(user(), action)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


def allowed_on(action: str, model: type | None = None, key: str = "project_id") -> Callable[[F], F]:
    """Load the project (or the `model` record) named by the URL and ask the policy before the
    body is validated: 404 out of scope, 403 in scope but not allowed.

    The endpoint receives the loaded object in place of the id, under the key without its
    `_id` (`project_id` -> `project`, `nda_id` -> `nda`): it neither loads it again nor asks
    the policy a second time."""
    name = key.removesuffix("_id")

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            me = user()
            ident = kwargs.pop(key)
            obj = project_or_404(me, ident) if model is None else record_or_404(me, model, ident)
            policy.require(me, action, obj)
            kwargs[name] = obj
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


class ListArgs(PageArgs):
    #: `csv` or `xlsx`: the whole filtered list (not one page) as a download, audited
    format = fields.String(load_default="json", validate=validate.OneOf(("json", *EXPORT_TYPES)))


def page_or_download(
    stmt: Any,
    args: dict[str, Any],
    schema: Schema,
    name: str,
    project: Project | None = None,
    *,
    rows: bool = False,
    paged: Any = None,
) -> Any:
    """One page as JSON; with `format=csv|xlsx` every row of the filtered list as a download,
    with the columns of `schema` (the same the JSON uses, so nobody gets more than in the
    API), names before the ids they name, headers in the reader's language
    (`tracker.reports.columns`). Audited as `export.list` (list name, format, row count).
    `rows`: the select returns columns, not entities; `paged`: the page's own statement (see
    `paginate`)."""
    fmt = args.get("format", "json")
    if fmt == "json":
        return paginate(stmt, args, rows=rows, paged=paged)
    policy.require(user(), "export.list", project)
    # rows already loaded (the lean lists), or a statement of records or (`rows`) of columns
    if isinstance(stmt, list):
        records: Any = stmt
    else:
        result = db.session.execute(stmt)
        records = result.mappings().all() if rows else result.scalars().unique().all()
    header, cells = schema_table(schema, records)
    filename = f"{name}-{project.code}" if project else name
    response = download(fmt, header, cells, filename, sheet=name)
    # audited once the body is built in full, in the request's transaction: the event commits
    # with the answer, and a failed export (rolled back) leaves none
    record(
        "export.list",
        project,
        object_type=None if project else EXPORT,
        detail={"list": name, "format": fmt, "rows": len(cells)},
    )
    return response
