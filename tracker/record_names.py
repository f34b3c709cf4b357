"""The names and links of records as a reader may see them: the audit trail, the notices and
a project's file list name records this way, and only this way.

Each record kind says how its rows are named (`RecordKind.label`, `tracker.records`). A name is
given only when the reader's role may see that field (`Label.action`: asset titles to those who
read assets, disclosure titles only to those who may read disclosures) and the record's
project lies in the reader's scope; another user's draft gets none. Never sealed or privileged
text: a session is named by its date, a review by its date and level. Every name a page needs
is read in one UNION (`names`, or `read` with parts of the caller's own); a link is
`tracker.ui.record_link`'s (the one rule).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from tracker import policy, records
from tracker.db import db
from tracker.ui import record_link

#: (type, id) -> (name, link)
Found = dict[tuple[str, int], tuple[str, str | None]]
#: the name and link of a row that is not a record kind's (the caller's own parts)
Other = Callable[[Any], tuple[str, str | None]]


def columns(
    name: str, model: Any, parts: tuple[Any, ...], project_id: Any, extra: Any
) -> sa.Select[Any]:
    """One part of the UNION: the type, the id, LABEL_PARTS values as text (padded with
    NULL), the project's id and the extra column."""
    padded = (*parts, *(sa.null(),) * (records.LABEL_PARTS - len(parts)))
    return sa.select(
        sa.literal(name).label("type"),
        model.id.label("id"),
        *(sa.cast(p, sa.String).label(f"label{i}") for i, p in enumerate(padded)),
        sa.cast(project_id, sa.Integer).label("project_id"),
        sa.cast(extra if extra is not None else sa.null(), sa.String).label("extra"),
    )


def part(
    reader: Any, type_name: str, ids: Iterable[int] | sa.BindParameter[Any]
) -> sa.Select[Any] | None:
    """The part of the UNION that names these records of one kind, None when the kind has no
    name or the reader's role may not see it. `ids` may be an expanding bound parameter (a
    part built once and given its ids at each execution)."""
    kind = records.find(type_name)
    label = kind.label if kind is not None else None
    if kind is None or label is None:
        return None
    if not (label.action is None or policy.may(reader, label.action)):
        return None
    model = kind.model
    project_id = policy.project_column(model)
    select = columns(
        kind.type,
        model,
        label.columns(),
        project_id if project_id is not None else sa.null(),
        label.extra,
    )
    select = select.where(model.id.in_(_ids(ids)))
    if label.join is not None:
        select = select.join(*label.join)
    if project_id is not None:
        select = select.where(policy.in_visible_project(reader, project_id))
    if hasattr(model, "seen_by"):  # another user's draft: no name, no link
        select = select.where(model.seen_by(reader.id))
    return select


def _ids(ids: Iterable[int] | sa.BindParameter[Any]) -> Any:
    return ids if isinstance(ids, sa.BindParameter) else sorted(ids)


def read(
    reader: Any,
    parts: list[sa.Select[Any]] | sa.Select[Any] | sa.CompoundSelect[Any],
    other: Other | None = None,
    params: dict[str, Any] | None = None,
    links: bool = True,
) -> Found:
    """The name and link of every row the parts select, in one statement: the records'
    (`part`) as their kinds name them, any other row by `other`. `parts` may be their UNION
    already; `params` binds the ids of parts built with bound parameters; `links=False`
    leaves every link out (None: a reader of names only)."""
    if isinstance(parts, list):
        if not parts:
            return {}
        union: Any = parts[0] if len(parts) == 1 else sa.union_all(*parts)
    else:
        union = parts
    found: Found = {}
    for row in db.session.execute(union, params):
        kind = records.find(row.type)
        if kind is None:
            if other is not None:
                found[(row.type, row.id)] = other(row)
            continue
        if row.type == "attachment" and not _file_visible(reader, row.extra):
            continue
        values = [getattr(row, f"label{i}") for i in range(records.LABEL_PARTS)]
        assert kind.label is not None  # `part` selects only kinds that have one
        name = kind.label.name(values) or str(kind.name)
        link = record_link(reader, row.type, row.id, row.project_id) if links else None
        found[(row.type, row.id)] = (name, link)
    return found


def names(reader: Any, wanted: Mapping[str, Iterable[int]]) -> Found:
    """The name and link of every wanted record (kind type -> ids) the reader may see, in one
    statement; a record left out is one whose name the reader may not see."""
    parts = [
        p
        for type_name, ids in sorted(wanted.items())
        if (p := part(reader, type_name, ids)) is not None
    ]
    return read(reader, parts)


def _file_visible(reader: Any, record_type: str | None) -> bool:
    action = records.file_visibility().get(record_type, "project.view")
    return policy.may(reader, action)
