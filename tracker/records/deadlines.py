"""The columns of one deadline source (`RecordKind.deadlines`): every source's SELECT has the
same columns, in the same order, so the deadline engine can UNION them (`tracker.deadlines`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class plus_days(FunctionElement[Any]):  # noqa: N801 (a SQL function's name)
    """`date + n days`, portable: PostgreSQL adds an integer, SQLite calls date()."""

    type = sa.Date()
    inherit_cache = True


@compiles(plus_days)
def _plus_days_default(element: plus_days, compiler: SQLCompiler, **kw: Any) -> str:
    column, days = list(element.clauses)
    return f"({compiler.process(column, **kw)} + {int(days.value)})"


@compiles(plus_days, "sqlite")
def _plus_days_sqlite(element: plus_days, compiler: SQLCompiler, **kw: Any) -> str:
    column, days = list(element.clauses)
    return f"date({compiler.process(column, **kw)}, '+{int(days.value)} days')"


def due_by(column: Any, until: dt.date | None, *, days: int = 0) -> sa.ColumnElement[bool]:
    """A source's condition on the column its due date comes from (due `days` after it): set,
    and with a window, due on or before `until`. The window is said as one closed range on the
    column, from the first day a date can have, so that an index on it reads only the rows
    within the window and both planners estimate them alike (PostgreSQL multiplies the
    estimates of `IS NOT NULL` and `<= until` as if they were independent; SQLite reads a range
    with one end as a quarter of the table)."""
    if until is None:
        return sa.and_(column.is_not(None))
    return sa.and_(column.between(dt.date.min, until - dt.timedelta(days=days)))


def text(value: str) -> sa.ColumnElement[str]:
    """A constant text column (a deadline kind, a source type)."""
    return sa.literal_column(f"'{value}'", sa.String)


_NO_TEXT = sa.cast(sa.null(), sa.String)


def row(
    kind: Any,
    due_on: Any,
    title: Any,
    project_id: Any,
    source_type: str,
    source_id: Any,
    done: Any,
    *,
    derived: bool = False,
    rule: Any = None,
    key: Any = None,
    parent_id: Any = None,
    office: Any = None,
    filing_id: Any = None,
    grace_until: Any = None,
) -> list[sa.ColumnElement[Any]]:
    """The columns of a deadline item (`kind` a constant text or a column). `title` must be
    a text the roles that may see the source may read anyway; `parent_id` is the record its
    page is found under (a follow-up's session); `office`, `filing_id` and `grace_until`
    belong to a filing's deadlines (the last day a late act is still possible)."""
    return [
        (text(kind) if isinstance(kind, str) else kind).label("kind"),
        sa.type_coerce(due_on, sa.Date).label("due_on"),
        sa.type_coerce(title, sa.String).label("title"),
        project_id.label("project_id"),
        text(source_type).label("source_type"),
        source_id.label("source_id"),
        sa.type_coerce(done, sa.Boolean).label("done"),
        sa.type_coerce(sa.true() if derived else sa.false(), sa.Boolean).label("derived"),
        (rule if rule is not None else _NO_TEXT).label("rule"),
        (key if key is not None else _NO_TEXT).label("key"),
        sa.cast(parent_id if parent_id is not None else sa.null(), sa.Integer).label("parent_id"),
        (office if office is not None else _NO_TEXT).label("office"),
        sa.cast(filing_id if filing_id is not None else sa.null(), sa.Integer).label("filing_id"),
        # a column is only typed (SQLite's CAST turns a date text into a number); a NULL is
        # cast (PostgreSQL's UNION needs the type)
        (
            sa.type_coerce(grace_until, sa.Date)
            if grace_until is not None
            else sa.cast(sa.null(), sa.Date)
        ).label("grace_until"),
    ]
