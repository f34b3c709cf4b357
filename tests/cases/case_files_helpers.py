"""Helpers shared by the case-file tests (projects, assets, NDAs, search)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import sqlalchemy as sa

from tracker.db import db

ROLES = ("admin", "lawyer", "company", "operator", "auditor")
OUTSIDERS = ("lawyer", "company", "operator")


def count(model: type) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


@contextlib.contextmanager
def statements() -> Iterator[list[str]]:
    """Collect the SQL statements run on the engine inside the block."""
    seen: list[str] = []

    def listener(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
