"""Sortable lists: `sort=name` ascending, `sort=-name` descending, from a list's own table of
sortable columns (each backed by an index), with the id as the tie-break so pages never
overlap or skip a row."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from flask import request
from marshmallow import fields, validate


def choices(names: Iterable[str]) -> tuple[str, ...]:
    """Every accepted value of `sort` for these column names: `name` and `-name`."""
    return tuple(value for name in names for value in (name, f"-{name}"))


def sort_field(names: Iterable[str], default: str | None) -> fields.String:
    """The `sort` query argument of an API list (any other value: 422); `default` None: the
    list's own order when none is asked for."""
    return fields.String(load_default=default, validate=validate.OneOf(choices(names)))


def page_sort(names: Iterable[str], default: str) -> str:
    """`?sort=` of an HTML list: one of `choices(names)`, else `default` (an unknown sort is
    ignored on a page; the API answers 422)."""
    sort = request.args.get("sort", "")
    return sort if sort in choices(names) else default


def ordered(
    stmt: sa.Select[Any],
    sort: str,
    columns: Mapping[str, Any],
    tiebreak: Any,
    never_empty: Collection[str] = (),
) -> sa.Select[Any]:
    """`stmt` ordered by `sort` (a value of `choices(columns)`; the columns are SQL
    expressions or mapped attributes); empty values last either way. The keys in
    `never_empty` name columns the caller knows hold a value in every row of `stmt` (a NOT NULL
    column of the list's own table, never one reached through an outer join): they are
    ordered plainly, because PostgreSQL reads `DESC NULLS LAST` from no ascending index (a
    backward scan gives `NULLS FIRST`) and would sort every row instead."""
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    column = columns[key]
    plain = key in never_empty
    if descending:
        first = column.desc() if plain else column.desc().nulls_last()
        return stmt.order_by(first, tiebreak.desc())
    return stmt.order_by(column.asc() if plain else column.asc().nulls_last(), tiebreak)
