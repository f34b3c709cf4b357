"""The trail made readable: who acted (name, role), on what (type, id, a label the reader may
see, a link to the record), for the API, the audit page, its exports and every record's
history.

A page of events costs a fixed number of statements whatever it holds: the COUNT, the page
(events with their actor joined and their object type and id translated, `tracker.audit.types`)
and one UNION of the labels of every object on the page (`tracker.oversight.labels`, which
says who may see which label).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.audit import service, types
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.db import db
from tracker.oversight import labels

#: a record named in a detail the reader may not see by name (or deleted since)
NOT_SHOWN = _l("a record not shown to you")


@dataclass
class Event:
    """One event as readers see it."""

    id: int
    seq: int | None  # only sealed events are read: never None here
    at: dt.datetime
    actor_id: int | None
    action: str
    object_type: str | None
    object_id: int | None
    ip: str | None
    detail: dict[str, Any]
    mac: str
    actor: dict[str, Any] | None
    object: dict[str, Any] | None = None
    #: the record's page, when the reader may see its label
    link: str | None = None
    type_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def event_columns(stmt: sa.Select[Any]) -> sa.Select[Any]:
    """`events_query(...)` with the actor joined and the object translated, for one page."""
    return stmt.add_columns(
        types.effective_type().label("type"),
        types.effective_id().label("oid"),
        User.name,
        User.role,
    ).outerjoin(User, User.id == AuditEvent.actor_id)


def page(
    reader: User,
    filters: service.AuditFilters,
    args: dict[str, Any],
    only_actor: int | None,
    extra: Iterable[Any] = (),
) -> dict[str, Any]:
    """One page of readable events: a COUNT, the page, one query of labels. `extra`: more
    conditions on the events (the page's actor-name search)."""
    stmt = service.events_query(filters, only_actor).where(*extra)
    total = db.session.execute(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    ).scalar_one()
    per_page = args["per_page"]
    rows = db.session.execute(
        event_columns(stmt).limit(per_page).offset((args["page"] - 1) * per_page)
    ).all()
    return {
        "items": readable(reader, rows),
        "total": total,
        "page": args["page"],
        "per_page": per_page,
    }


def every(
    reader: User,
    filters: service.AuditFilters,
    only_actor: int | None,
    extra: Iterable[Any] = (),
) -> list[Event]:
    """Every event matching the filters (an export): the same two queries, unpaged."""
    stmt = service.events_query(filters, only_actor).where(*extra)
    return readable(reader, db.session.execute(event_columns(stmt)).all())


def object_label(reader: User, object_type: str, object_id: int) -> dict[str, Any]:
    """The label and link of one record, as the reader may see them (a history's heading)."""
    name = labels.type_name(object_type)
    found = {}
    if labels.known(object_type):
        found = labels.labels(reader, {object_type: {object_id}})
    label, link = found.get((object_type, object_id), (name, None))
    return {"label": label, "link": link, "type_name": name}


def readable(reader: User, rows: Iterable[Any]) -> list[Event]:
    events = []
    for row in rows:
        e: AuditEvent = row[0]
        actor = None
        if e.actor_id is not None:
            actor = {"id": e.actor_id, "name": row.name, "role": row.role}
        events.append(
            Event(
                e.id,
                e.seq,
                e.at,
                e.actor_id,
                e.action,
                row.type,
                row.oid,
                e.ip,
                e.detail or {},
                e.mac,
                actor,
            )
        )
    _label(reader, events)
    return events


#: detail keys naming another record: shown by its label (in the same query)
DETAIL_REFERENCES = {
    "project_id": "project",
    "asset_id": "asset",
    "asset_ids": "asset",
    "attachment_id": "attachment",
    "session_id": "session",
    "partner_id": "organization",
    "zone_id": "zone",
}


def _references(detail: dict[str, Any]) -> Iterable[tuple[str, str, int]]:
    """(key, type, id) of every record the detail names by id."""
    for key, kind in DETAIL_REFERENCES.items():
        value = detail.get(key)
        for ident in value if isinstance(value, list) else [value]:
            if isinstance(ident, int) and not isinstance(ident, bool):
                yield key, kind, ident


def _label(reader: User, events: list[Event]) -> None:
    """Fill `object` (and `link`) of every event, and the labels of the records its detail
    names (`extra["named"]`), with one query for the whole page."""
    wanted: dict[str, set[int]] = {}
    for e in events:
        if e.object_type is not None and labels.known(e.object_type) and e.object_id is not None:
            wanted.setdefault(e.object_type, set()).add(e.object_id)
        for _key, kind, ident in _references(e.detail):
            wanted.setdefault(kind, set()).add(ident)
    found = labels.labels(reader, wanted) if wanted else {}
    for e in events:
        named: dict[str, list[str]] = {}
        for key, kind, ident in _references(e.detail):
            text = found.get((kind, ident), (None, None))[0]
            named.setdefault(key, []).append(text or str(NOT_SHOWN))
        e.extra["named"] = {k: ", ".join(v) for k, v in named.items()}
    for e in events:
        e.type_name = labels.type_name(e.object_type or "")
        label, link = found.get((e.object_type or "", e.object_id or 0), (None, None))
        if label is None:
            label = _fallback(e)
        e.link = link
        e.object = (
            {"type": e.object_type, "id": e.object_id, "label": label}
            if e.object_type is not None
            else None
        )


def _fallback(e: Event) -> str:
    if e.object_type == types.EXPORT:
        return f"{e.type_name}: {e.detail.get('list', '')}".rstrip(": ")
    # a record the reader may not see by name (or one deleted since) is named by its kind
    # only: an id tells a person nothing (its history page tells the events apart)
    return e.type_name
