"""What a kind adds to the dashboard's pages (`RecordKind.sections`, `board`, `waiting`,
`zone_counts`): each part is one statement the kind builds from its own models, and the
policy action a reader needs to see it, which the dashboard asks before running it (this
module, like the whole registry, imports no domain and no policy)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

import sqlalchemy as sa

#: a section's rows: the columns its template shows
SectionRows: TypeAlias = "sa.Select[*tuple[Any, ...]]"

#: a project's id in a board part's or a waiting kind's statement: the bound parameter of a
#: statement the project page builds once and runs for each project (or a plain id)
ProjectId: TypeAlias = "int | sa.BindParameter[int]"


@dataclass(frozen=True)
class Section:
    """A section of the start page: its rows in the reader's scope, (user, today) -> SELECT
    (the page limits it), shown to roles that may perform `action` (None: whoever's start page
    lists the section)."""

    action: str | None
    query: Callable[[Any, dt.date], SectionRows]


@dataclass(frozen=True)
class BoardPart:
    """A part of a project's page: the project's records it shows, (project id, today) ->
    SELECT of the records; `one`: at most one record (else a list); shown to those who may
    perform `action` on the project (None: whoever may see the project)."""

    action: str | None
    query: Callable[[ProjectId, dt.date], sa.Select[Any]]
    one: bool = False


@dataclass(frozen=True)
class Waiting:
    """A project's records of this kind that wait for a decision (the project's page): a
    SELECT of `waiting_row` columns from the project id, shown to those who may perform
    `action` on the project; the kinds' SELECTs are joined in one UNION ALL."""

    action: str
    query: Callable[[ProjectId], sa.Select[Any]]


@dataclass(frozen=True)
class ZoneCount:
    """A count per zone on the dashboard (`counts.zones`): a scalar subquery correlated to
    the zone's row, from the reader (whose scope it counts in), for roles that may perform
    `action`."""

    action: str
    query: Callable[[Any], sa.ScalarSelect[int]]


def waiting_row(
    type_name: str, record_id: Any, title: Any, status: Any, since: Any
) -> sa.Select[Any]:
    """One kind's rows of the waiting union: plain text for title and status (their enum
    types differ per kind), labelled alike."""
    return sa.select(
        sa.literal_column(f"'{type_name}'").label("type"),
        record_id.label("id"),
        sa.type_coerce(title, sa.String).label("title"),
        sa.type_coerce(status, sa.String).label("status"),
        since.label("since"),
    )
