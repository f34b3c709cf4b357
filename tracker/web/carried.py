"""What the layout needs from the database, carried by a page's own statement: a derived
table of one row (the header's counts) that a page joins ON true to a statement it runs
anyway, so the layout does not ask in a statement of its own (on PostgreSQL each statement is
a round trip). The layer that computes it (`tracker.dashboard`) provides it; a page that
carries it joins `table(user)` and hands the row's values to `keep`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

_provided: dict[str, Callable[..., Any]] = {}


def provide(table: Callable[[Any], sa.Subquery], keep: Callable[..., None]) -> None:
    """Set the derived table a page may carry (by user) and what takes its row's values."""
    _provided["table"], _provided["keep"] = table, keep


def table(user: Any) -> sa.Subquery | None:
    """The derived table to carry for `user`; None when nothing is provided."""
    found = _provided.get("table")
    return found(user) if found is not None else None


def joined(stmt: Any, carried: sa.Subquery | None) -> Any:
    """`stmt` with the carried row's columns added last, its table joined ON true (one row:
    the statement's rows stay as they were); `stmt` itself when nothing is carried."""
    if carried is None:
        return stmt
    return stmt.add_columns(*carried.c).join(carried, sa.true())


def keep(*values: Any) -> None:
    """Hand the carried row's values to the layout."""
    _provided["keep"](*values)
