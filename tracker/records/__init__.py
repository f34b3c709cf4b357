"""The record-kind registry: what the cross-cutting parts know of each kind of record.

A kind of record (an IP asset, an NDA, a data-sharing request, ...) declares one `RecordKind`
in its own package (`tracker/cases/assets/kind.py`, ...); `tracker/kinds.py` registers them,
one line each, when the app is created. The deadline engine, the dashboard's queues, the
readable audit trail, attachments, exports and search ask this registry instead of importing
the models, so a new kind touches its own package and one registration line
(docs/architecture.md "Adding a record kind").

This module sits in the shared layer: it imports no domain and no policy; a descriptor names
policy actions as strings and the consumers ask the policy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import sqlalchemy as sa
from flask import url_for

# the dashboard's parts a kind declares (beside it, to keep this module short)
from tracker.records.pages import BoardPart, Section, Waiting, ZoneCount

#: a queue's statement: its item columns and the total
Rows: TypeAlias = "sa.Select[*tuple[Any, ...]]"
#: a queue's statement builder: (user, today) -> Rows
QueueQuery = Callable[[Any, dt.date], Rows]
#: a deadline source's statement builder: (the scope condition, today, the last due day of the
#: list's window or None) -> one SELECT (`tracker.records.deadlines.due_by` bounds its due date)
DeadlineQuery = Callable[[sa.ColumnElement[bool], dt.date, dt.date | None], "sa.Select[Any]"]


#: the most columns a label reads (the audit pages read every label of a page in one UNION)
LABEL_PARTS = 3


@dataclass(frozen=True)
class Label:
    """How a record is named wherever a person reads it (the audit trail, notices, exports),
    as a person would name it: a column or a tuple of up to LABEL_PARTS columns (titles, names,
    codes, dates: never sealed text), the policy action the reader needs to see it (None:
    whoever reads the trail), a join it needs, and `text`, which turns the values read (as
    text, None where empty) into the name ("Acme GmbH · Quiet converter · 2026. 12. 10.");
    without `text` the name is the first value."""

    column: Any
    action: str | None
    join: tuple[Any, Any] | None = None
    #: a second column the consumer needs (a file's record type)
    extra: Any = None
    #: the values of `column`, in order, -> the name
    text: Callable[..., str] | None = None

    def columns(self) -> tuple[Any, ...]:
        parts = self.column if isinstance(self.column, tuple) else (self.column,)
        if not 0 < len(parts) <= LABEL_PARTS:
            raise ValueError(f"a label reads 1 to {LABEL_PARTS} columns")
        return parts

    def name(self, values: Sequence[Any]) -> str:
        """The record's name from the values its columns read (a UNION's padding after them
        is left out)."""
        if self.text is not None:
            return self.text(*values[: len(self.columns())])
        return "" if not values or values[0] is None else str(values[0])


@dataclass(frozen=True)
class Page:
    """The record's HTML page: an endpoint and its one argument, taken from the record's own
    id (`id`), its parent's (`parent`: a follow-up's session) or its project's (`project`)."""

    endpoint: str
    arg: str
    by: str = "id"
    #: the record's place on that page (`filing-` + its id), when the page is its parent's
    anchor: str | None = None


@dataclass(frozen=True)
class Files:
    """The files of a record: the attachments' `record_type` and the policy action a user
    needs on the project to know one exists."""

    type: str
    action: str


@dataclass(frozen=True)
class DeadlineSource:
    """One SELECT of the deadline engine (`tracker.records.deadlines.row` gives its columns),
    left out of the UNION when the reader's role may not perform `action`.

    `zone_copy`: the source rows' own copy of their project's zone (kept in step with the
    project's, e.g. `IpAsset.zone_id`), with an index that starts with it and goes on with the
    due date: for a reader whose scope is a zone (`policy.scope_zone`, operators) the engine
    adds `zone_copy = zone`, so the part reads the zone's rows in due order instead of every
    zone's. The scope on `Project` is still checked, so a stale copy could hide a row, never
    show one of another zone."""

    action: str
    query: DeadlineQuery
    zone_copy: Any = None


@dataclass(frozen=True)
class SearchText:
    """One searchable text of a record: its entry type, the action needed to see it, the text,
    and the name a search result shows (the record's title, a partner's name, a file name).

    These declarations are the one place that says which fields are indexed: titles, codes,
    names, file names and advice text only. Sealed text (privileged notes, disclosure and
    trade-secret descriptions, review conditions) is never indexed."""

    type: str
    action: str
    text: str
    title: str = ""
    #: the words that name the record (its title, code or numbers; default: `title`): a hit
    #: among them ranks before a hit only in the rest of `text`
    heading: str | None = None
    #: the record whose page shows this one (`Page.by == "parent"`: a filing's asset)
    parent: int | None = None


@dataclass(frozen=True)
class RecordKind:
    """Everything the cross-cutting parts need to know of one kind of record."""

    #: the API's resource name and the audit trail's object type (the model's __audit_type__)
    type: str
    model: Any
    #: what the kind is called on a page (lazy_gettext)
    name: Any
    label: Label | None = None
    page: Page | None = None
    #: the API endpoint of one record (`flask_smorest` blueprint.function)
    api: str | None = None
    #: the policy action that lets a user see the record
    view_action: str | None = None
    files: Files | None = None
    deadlines: tuple[DeadlineSource, ...] = ()
    #: the labels of the deadline kinds the sources above produce (`nda_expiry`: "NDA expiry")
    deadline_kinds: Mapping[str, Any] = field(default_factory=dict)
    #: the dashboard's queues this kind fills: queue name -> statement builder
    queues: Mapping[str, QueueQuery] = field(default_factory=dict)
    #: finishes a queue item of this kind (the API's shape of a column it selected)
    queue_item: Callable[[dict[str, Any]], None] | None = None
    #: the searchable texts of one record (never privileged notes)
    search: Callable[[Any], Iterable[SearchText]] | None = None
    #: the headers of the exported columns this kind adds (key -> lazy_gettext)
    columns: Mapping[str, Any] = field(default_factory=dict)
    #: an id column other records use to name this one in exports (`asset_id`, `asset_ids`):
    #: key -> the header key of the name column put before it
    references: Mapping[str, str] = field(default_factory=dict)
    #: this kind's events are part of its project's activity (the project page)
    activity: bool = True
    #: the start page's sections it fills: section name -> its rows (`tracker.records.pages`)
    sections: Mapping[str, Section] = field(default_factory=dict)
    #: the parts of a project's page it fills: part name -> the project's records
    board: Mapping[str, BoardPart] = field(default_factory=dict)
    #: its records of a project waiting for a decision (the project's page)
    waiting: Waiting | None = None
    #: the counts per zone it adds to the dashboard: count name -> correlated count
    zone_counts: Mapping[str, ZoneCount] = field(default_factory=dict)


_KINDS: dict[str, RecordKind] = {}


def register(kind: RecordKind) -> None:
    """Add a kind (registering the same descriptor again does nothing; another one under a
    taken type name raises ValueError)."""
    known = _KINDS.get(kind.type)
    if known is not None and known is not kind:
        raise ValueError(f"record kind {kind.type!r} is registered already")
    _KINDS[kind.type] = kind


def unregister(type_name: str) -> None:
    _KINDS.pop(type_name, None)


@contextmanager
def registered(kind: RecordKind) -> Iterator[RecordKind]:
    """The kind registered for the block only (a test's own kind)."""
    register(kind)
    try:
        yield kind
    finally:
        unregister(kind.type)


def kind(type_name: str) -> RecordKind:
    """The registered kind of that type name (KeyError for an unknown one)."""
    return _KINDS[type_name]


def find(type_name: str | None) -> RecordKind | None:
    return _KINDS.get(type_name or "")


def kind_name(type_name: str | None) -> str:
    """What a kind is called on a page ("" for a type no kind has)."""
    found = find(type_name)
    return str(found.name) if found is not None else ""


def kinds() -> tuple[RecordKind, ...]:
    """Every registered kind, in registration order."""
    return tuple(_KINDS.values())


def of(record: Any) -> RecordKind:
    """The kind of a record (by its model's `__audit_type__`)."""
    return kind(type(record).__audit_type__)


def by_file_type(file_type: str | None) -> RecordKind | None:
    """The kind whose files carry that attachments' `record_type`."""
    return next((k for k in _KINDS.values() if k.files and k.files.type == file_type), None)


def file_visibility() -> dict[str | None, str]:
    """What a user needs on a project to know a file exists: per attachments' `record_type`
    (None: a file of the project itself)."""
    visible: dict[str | None, str] = {None: "project.view"}
    visible.update({k.files.type: k.files.action for k in _KINDS.values() if k.files})
    return visible


def deadline_kinds() -> dict[str, Any]:
    """Every deadline kind with its label, kind by kind."""
    return {name: label for k in _KINDS.values() for name, label in k.deadline_kinds.items()}


def queues() -> dict[str, QueueQuery]:
    """Every dashboard queue by name."""
    return {name: query for k in _KINDS.values() for name, query in k.queues.items()}


def sections() -> dict[str, Section]:
    """Every start-page section by name."""
    return {name: part for k in _KINDS.values() for name, part in k.sections.items()}


def board() -> dict[str, BoardPart]:
    """Every part of a project's page by name."""
    return {name: part for k in _KINDS.values() for name, part in k.board.items()}


def waiting() -> tuple[Waiting, ...]:
    """What waits for a decision on a project's page, kind by kind."""
    return tuple(k.waiting for k in _KINDS.values() if k.waiting is not None)


def zone_counts() -> dict[str, ZoneCount]:
    """Every count per zone by name, kind by kind."""
    return {name: c for k in _KINDS.values() for name, c in k.zone_counts.items()}


def record_url(
    type_name: str, ident: int, project_id: int | None = None, parent_id: int | None = None
) -> str | None:
    """The path of a record's page (None for a kind without one, or a missing argument)."""
    found = find(type_name)
    if found is None or found.page is None:
        return None
    page = found.page
    value = {"id": ident, "parent": parent_id, "project": project_id}[page.by]
    if value is None:
        return None
    values: dict[str, Any] = {page.arg: value}
    if page.anchor is not None:
        values["_anchor"] = f"{page.anchor}{ident}"
    return url_for(page.endpoint, **values)


def page_of_record(
    type_name: str, ident: int, project_id: int, parent_id: int | None = None
) -> str:
    """The path of a record's page, else of its project's (a kind without a page of its own)."""
    found = record_url(type_name, ident, project_id, parent_id)
    return found or url_for("projects.project_detail", project_id=project_id)


def queue_total(counted: sa.Select[Any] | None = None) -> sa.Label[int]:
    """A queue's full count beside each of its first items: a window count, or `counted` (a
    `SELECT count(*)` of the queue's rows, filtered alike) as a scalar subquery. A window
    count reads and joins every row of the queue to count it; a count of its own reads only
    the indexes its conditions need, and the items are then read in order only as far as the
    queue shows."""
    if counted is None:
        return sa.func.count().over().label("total")
    return counted.scalar_subquery().label("total")
