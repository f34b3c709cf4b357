"""Object types in the trail: the API's resource names, and the old table names read as them.

A model names its type with a class attribute, `__audit_type__ = "asset"`; a row that lives
under another record (a file's version) also names the column holding its parent,
`__audit_parent__ = "attachment_id"`: its events are filed against the parent, the row's id
going into the detail. The trail knows no record kind: it reads these attributes off the mapped
classes.

Events written before this rule carry the table name (`ip_assets`, and `attachment_versions`
with the version's id). The MAC covers what was written, so those rows are never rewritten;
they are translated when read (`effective_type`, `effective_id`) and a filter on the new name
matches them too (`type_condition`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa

from tracker.audit.models import AuditEvent
from tracker.db import Model, db

#: the type of events about a download of a list (no single record)
EXPORT = "export"
#: actions that record an export of a whole list; their old rows named the list, not a record
EXPORT_ACTIONS = ("export.list", "transfer.exported")


@dataclass(frozen=True)
class Legacy:
    """An old object type (a table name) and what it reads as now."""

    table: str
    type: str
    #: the column of `table` holding the parent's id, when events are filed against the parent
    parent: str | None = None


def type_of(obj: Any) -> tuple[str, int | None, dict[str, Any]]:
    """The (type, id, extra detail) an event about `obj` is filed under."""
    cls = type(obj)
    name = getattr(cls, "__audit_type__", None) or cls.__tablename__
    parent = getattr(cls, "__audit_parent__", None)
    if parent:
        return name, getattr(obj, parent), {"version_id": obj.id}
    return name, obj.id, {}


@cache
def legacy_types() -> tuple[Legacy, ...]:
    """Every table name that reads as another type, from the mapped classes."""
    found = []
    for mapper in Model.registry.mappers:
        cls = mapper.class_
        new = getattr(cls, "__audit_type__", None)
        table = getattr(cls, "__tablename__", None)
        if new and table and new != table:
            found.append(Legacy(table, new, getattr(cls, "__audit_parent__", None)))
    return tuple(sorted(found, key=lambda item: item.table))


def _parent_of(legacy: Legacy, object_id: Any) -> sa.ScalarSelect[Any]:
    table = db.metadata.tables[legacy.table]
    assert legacy.parent is not None
    return sa.select(table.c[legacy.parent]).where(table.c.id == object_id).scalar_subquery()


@cache
def effective_type() -> sa.ColumnElement[Any]:
    """The event's object type as a resource name, old rows translated (built once: every
    page of the trail selects it)."""
    e = AuditEvent
    whens: list[tuple[Any, Any]] = [
        (sa.and_(e.object_id.is_(None), e.action.in_(EXPORT_ACTIONS)), sa.literal(EXPORT))
    ]
    whens += [(e.object_type == item.table, sa.literal(item.type)) for item in legacy_types()]
    return sa.case(*whens, else_=e.object_type)


@cache
def effective_id() -> Any:
    """The event's object id, an old version row's id read as its attachment's (built once)."""
    e = AuditEvent
    whens = [
        (e.object_type == item.table, _parent_of(item, e.object_id))
        for item in legacy_types()
        if item.parent
    ]
    return sa.case(*whens, else_=e.object_id) if whens else e.object_id


def old_names(new: str) -> list[str]:
    return [item.table for item in legacy_types() if item.type == new]


def type_condition(new: str) -> sa.ColumnElement[bool]:
    """Events about objects of type `new`, whether written under the new or the old name."""
    e = AuditEvent
    condition = e.object_type.in_([new, *old_names(new)])
    listed = sa.and_(e.object_id.is_(None), e.action.in_(EXPORT_ACTIONS))
    if new == EXPORT:
        return sa.or_(condition, listed)
    return sa.and_(condition, sa.not_(listed))


def object_condition(new: str | None, object_id: int) -> sa.ColumnElement[bool]:
    """Events about object `object_id` (of type `new`, or any type for None), old rows too."""
    e = AuditEvent
    parts: list[sa.ColumnElement[bool]] = [e.object_id == object_id]
    direct = [new] if new else None
    for item in legacy_types():
        if new is not None and item.type != new:
            continue
        if item.parent:
            table = db.metadata.tables[item.table]
            children = sa.select(table.c.id).where(table.c[item.parent] == object_id)
            parts.append(sa.and_(e.object_type == item.table, e.object_id.in_(children)))
            parts[0] = sa.and_(parts[0], e.object_type != item.table)
        elif direct is not None:
            direct.append(item.table)
    if direct is not None:
        parts[0] = sa.and_(parts[0], e.object_type.in_(direct))
    return sa.or_(*parts)
