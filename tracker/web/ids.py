"""Ids from URLs and bodies: only a value a row can have reaches SQL."""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from tracker.db import db

T = TypeVar("T")

#: the largest id a row can have (PostgreSQL INTEGER); a larger one in a URL or a body is
#: refused before it reaches SQL, where it fails with an error (a 500) instead of matching nothing
MAX_ID = 2**31 - 1


def is_id(value: Any) -> bool:
    """Whether `value` can be the id of a row (an int from 1 to MAX_ID)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def get_or_none(model: type[T], ident: Any) -> T | None:
    """The row with this id, or None (also for any id no row can have)."""
    return db.session.get(model, ident) if is_id(ident) else None


def get_or_404(model: type[T], ident: Any) -> T:
    """The row with this id; 404 when missing or when no row can have that id."""
    obj = get_or_none(model, ident)
    if obj is None:
        raise NotFound()
    return obj


def id_equals(column: Any, value: Any) -> Any:
    """A filter `column == value` that matches nothing for an id no row can have."""
    return column == value if is_id(value) else sa.false()
