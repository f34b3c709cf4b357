"""Paging, the same for HTML pages and the API: one COUNT and one page query per list.

Bad paging values never reach SQL as a 500: the API validates them (422), HTML pages fall back
to the first page and the default size.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import request
from marshmallow import EXCLUDE, Schema, fields, validate
from werkzeug.datastructures import MultiDict

from tracker.db import db

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
MAX_PAGE = 1_000_000


class PageArgs(Schema):
    """`?page=&per_page=` of an API list (out of range → 422)."""

    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(
        load_default=DEFAULT_PER_PAGE, validate=validate.Range(min=1, max=MAX_PER_PAGE)
    )


def page_args(per_page: int = DEFAULT_PER_PAGE) -> dict[str, int]:
    """`?page=N` of an HTML list: anything that is not a page number in range is the first
    page; `?per_page=` is honoured up to MAX_PER_PAGE."""
    return {
        "page": _bounded(request.args.get("page"), 1, MAX_PAGE, 1),
        "per_page": _bounded(request.args.get("per_page"), 1, MAX_PER_PAGE, per_page),
    }


#: query arguments each link of a list sets itself (a copy from the query string named them
#: twice to `url_for`: a TypeError, a 500, issue 21 finding 5)
LINK_SET = ("page", "format")


def filter_args() -> MultiDict[str, str]:
    """The query string of an HTML list without the names of the route's own arguments: a page
    at `/audit/asset/11` is that record's, whatever `?object_id=` says (a non-integer one broke
    building its links: a 500)."""
    route = request.view_args or {}
    return MultiDict([(k, v) for k, v in request.args.items(multi=True) if k not in route])


def link_args() -> dict[str, str]:
    """The query arguments the links of an HTML list carry on (its filters): `filter_args()`
    without the ones every link sets itself (`LINK_SET`)."""
    return {k: v for k, v in filter_args().items() if k not in LINK_SET}


def _bounded(raw: str | None, low: int, high: int, default: int) -> int:
    if raw is None or not raw.isascii() or not raw.isdigit():
        return default
    value = int(raw)
    return value if low <= value <= high else default


def count_of(stmt: sa.Select[Any]) -> sa.Select[int]:
    """`SELECT count(*)` of what `stmt` selects. Unless it is DISTINCT or grouped, its columns
    are replaced by a constant first, so the database counts from an index (a covering one,
    often) instead of reading every column of every row."""
    counted = stmt.order_by(None)
    if not (counted._distinct or counted._group_by_clauses):
        counted = counted.with_only_columns(sa.literal_column("1"), maintain_column_froms=True)
    return sa.select(sa.func.count()).select_from(counted.subquery())


def paginate(
    stmt: sa.Select[Any],
    args: dict[str, Any],
    *,
    rows: bool = False,
    paged: sa.Select[Any] | None = None,
) -> dict[str, Any]:
    """Run a filtered, ordered select one page at a time: one COUNT and one page query.
    Items are the selected entities, or with `rows=True` the rows as mappings (a select of
    columns, such as a UNION). `paged`: the page's statement when it is not `stmt` itself but
    the same rows as far as the page reaches (a UNION whose parts stop after the page's last
    row); `stmt` is counted."""
    page, per_page = args["page"], args["per_page"]
    total = db.session.execute(count_of(stmt)).scalar_one()
    shown = stmt if paged is None else paged
    result = db.session.execute(shown.limit(per_page).offset((page - 1) * per_page))
    items = list(result.mappings()) if rows else list(result.scalars().unique())
    return {"items": items, "total": total, "page": page, "per_page": per_page}
