"""The trail made readable: who acted (name, role), on what (type, id, a label the reader may
see, a link to the record), for the API, the audit page, its exports and every record's
history.

A page of events costs a fixed number of statements whatever it holds and however long the
trail: the total (the head row's number for the whole trail, read in the page's own
statement; a capped count for a filtered one), the page as plain rows (events with their
actor joined and their object type and id translated, `tracker.audit.types`) and one UNION of
the labels of every object on the page (`tracker.oversight.labels`, which says who may see
which label, and keeps the UNION of each set of types built for each reader's scope).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.audit import service, types
from tracker.audit.models import AuditEvent, AuditHead
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


#: an event's own columns as a page reads them (plain rows, no ORM objects)
_COLUMNS = (
    AuditEvent.id,
    AuditEvent.seq,
    AuditEvent.at,
    AuditEvent.actor_id,
    AuditEvent.action,
    AuditEvent.ip,
    AuditEvent.detail,
    AuditEvent.mac,
)


def event_columns(stmt: sa.Select[Any]) -> sa.Select[Any]:
    """`events_query(...)` (its conditions, order and limit) as plain rows: the event's
    columns, its actor joined, its object type and id translated (`readable` reads them)."""
    return stmt.with_only_columns(
        *_COLUMNS,
        types.effective_type().label("type"),
        types.effective_id().label("oid"),
        User.name,
        User.role,
    ).outerjoin(User, User.id == AuditEvent.actor_id)


#: a filtered page counts this many matching events one by one; beyond, it estimates
COUNT_LIMIT = 1000


def page(
    reader: User,
    filters: service.AuditFilters,
    args: dict[str, Any],
    only_actor: int | None,
    extra: Iterable[Any] = (),
    *,
    links: bool = True,
) -> dict[str, Any]:
    """One page of readable events: the total, the page, one query of labels. `extra`: more
    conditions on the events (the page's actor-name search); `links=False`: no event gets a
    link (the API writes none).

    The whole trail is counted by the head row: sealed events are numbered 1, 2, ... without
    a gap (`tracker.audit.sealing`), so the head's number is their count, and a page of the
    chain's order is a range of numbers below it. One record's history is counted exactly.
    Any other filtered trail counts its first COUNT_LIMIT + 1 matches and estimates beyond
    (`total_estimated`, "about")."""
    conditions = [*service.conditions(filters, only_actor), *extra]
    per_page = args["per_page"]
    offset = (args["page"] - 1) * per_page
    whole = None if conditions else _whole(filters.sort, per_page, offset)
    if whole is not None:
        return _answer(reader, whole[1], whole[0], False, args, links)
    estimated = False
    # a period that ends in the past, in the chain's order: its matches read apart first
    fenced = filters.until is not None and not filters.sort
    if filters.object_id is not None:
        # one record's history (who opened attachment N, and how often) is evidence: counted
        # exactly, by the object's own index, however long it is
        total = _exact(conditions)
    else:
        total, estimated = _total(conditions, fenced, filters.since)
    if fenced:
        matches = _fenced(conditions)
        found = (
            sa.select(matches.c.seq)
            .order_by(matches.c.seq.desc())
            .limit(per_page)
            .offset(offset)
            .subquery()
        )
        stmt = (
            sa.select(AuditEvent)
            .join(found, found.c.seq == AuditEvent.seq)
            .order_by(AuditEvent.seq.desc())
        )
    else:
        stmt = _sorted(conditions, filters.sort, per_page, offset)
    rows = db.session.execute(event_columns(stmt)).all()
    return _answer(reader, rows, total, estimated, args, links)


def _sorted(conditions: list[Any], sort: str | None, per_page: int, offset: int) -> sa.Select[Any]:
    """A page of the sealed events that meet `conditions` in `sort`'s order, skipping `offset`
    (by actor: `_by_actor`)."""
    if (sort or "").removeprefix("-") == "actor":
        return _by_actor(conditions, sort or "", per_page, offset)
    stmt = sa.select(AuditEvent).where(service.sealed(), *conditions)
    return stmt.order_by(*service.ordering(sort)).limit(per_page).offset(offset)


def _answer(
    reader: User,
    rows: Iterable[Any],
    total: int,
    estimated: bool,
    args: dict[str, Any],
    links: bool,
) -> dict[str, Any]:
    return {
        "items": readable(reader, rows, links=links),
        "total": total,
        "total_estimated": estimated,
        "page": args["page"],
        "per_page": args["per_page"],
    }


#: the number of the last sealed event, read inside the statement of a page of the whole trail
_HEAD_SEQ = sa.select(AuditHead.seq).where(AuditHead.id == 1).scalar_subquery()


def _whole(sort: str | None, per_page: int, offset: int) -> tuple[int, list[Any]] | None:
    """A page of the whole trail and its total, in one statement: the head row's number is
    read beside the page's events (the same snapshot), and a page of the chain's order is the
    range of numbers below it, read by their index. None without a head row (a broken trail:
    the caller counts it)."""
    if sort:
        stmt = _sorted([], sort, per_page, offset)
    else:  # the chain's order: the numbers below the head, by their index
        stmt = sa.select(AuditEvent).where(service.sealed(), AuditEvent.seq <= _HEAD_SEQ - offset)
        stmt = stmt.order_by(*service.ordering(sort)).limit(per_page)
    rows = db.session.execute(event_columns(stmt).add_columns(_HEAD_SEQ.label("head"))).all()
    # no row: a page past the end (or an empty trail), whose total the head row still says
    head = rows[0].head if rows else _head()
    return None if head is None else (int(head), list(rows))


def _by_actor(conditions: list[Any], sort: str, per_page: int, offset: int) -> sa.Select[Any]:
    """A page sorted by actor, events of no actor last either way, ties by the chain's order:
    the events with an actor and those without read apart, each by the (actor, number) index
    in its own order and no further than the page, then merged. NULLS LAST in one ORDER BY
    is an order neither database's index gives in both directions (a sort of every event)."""
    descending = sort.startswith("-")
    actor, seq = AuditEvent.actor_id, AuditEvent.seq
    by_actor = [actor.desc(), seq.desc()] if descending else [actor.asc(), seq.asc()]
    matching = sa.select(AuditEvent.actor_id, AuditEvent.seq).where(service.sealed(), *conditions)
    known = matching.where(actor.is_not(None)).order_by(*by_actor).limit(offset + per_page)
    nobody = matching.where(actor.is_(None)).order_by(by_actor[1]).limit(offset + per_page)
    both = sa.union_all(
        sa.select(known.subquery(), sa.literal(0).label("part")),
        sa.select(nobody.subquery(), sa.literal(1).label("part")),
    ).subquery()
    order = [
        both.c.part,
        *(c.desc() if descending else c.asc() for c in (both.c.actor_id, both.c.seq)),
    ]
    page = sa.select(both.c.seq, both.c.part).order_by(*order).limit(per_page).offset(offset)
    found = page.subquery()
    merged = [
        found.c.part,
        *(c.desc() if descending else c.asc() for c in (AuditEvent.actor_id, AuditEvent.seq)),
    ]
    return sa.select(AuditEvent).join(found, found.c.seq == AuditEvent.seq).order_by(*merged)


def _head() -> int | None:
    """The number of the last sealed event (None: no head row, a broken trail: counted)."""
    found = db.session.execute(sa.select(AuditHead.seq).where(AuditHead.id == 1)).scalar()
    return None if found is None else int(found)


def _exact(conditions: list[Any]) -> int:
    """The exact number of sealed events matching `conditions`."""
    count = sa.select(sa.func.count()).select_from(AuditEvent)
    return int(db.session.execute(count.where(service.sealed(), *conditions)).scalar_one())


def _total(
    conditions: list[Any], fenced: bool = False, since: dt.datetime | None = None
) -> tuple[int, bool]:
    """The number of sealed events matching `conditions`: exact up to COUNT_LIMIT, beyond
    estimated (`(total, estimated)`), in one statement that reads COUNT_LIMIT + 1 matches
    (newest first) by the index of their filter, and the oldest match's number (`fenced`:
    the matches read first by their own index, `_fenced`).

    The estimate assumes the matches lie as densely between the oldest one and the newest
    COUNT_LIMIT + 1 as among those: density × span, to two significant digits. With a
    period's start (`since`), the oldest one is taken to be the period's first event."""
    if fenced:
        matches = _fenced(conditions)
        seq: Any = matches.c.seq
        matching = sa.select(seq)
    else:
        seq = AuditEvent.seq
        matching = sa.select(seq).where(service.sealed(), *conditions)
    first = matching.order_by(seq.desc()).limit(COUNT_LIMIT + 1).subquery()
    if since is None:
        oldest: Any = matching.with_only_columns(sa.func.min(seq)).scalar_subquery()
    else:  # the first event of the period by the time index (a probe; the planner would
        # walk the chain from its start through every earlier event for min(seq))
        oldest = (
            sa.select(AuditEvent.seq)
            .where(service.sealed(), AuditEvent.at >= since)
            .order_by(AuditEvent.at)
            .limit(1)
            .scalar_subquery()
        )
    count, low, top, bottom = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(first.c.seq), sa.func.max(first.c.seq), oldest)
    ).one()
    if count <= COUNT_LIMIT:
        return int(count), False
    density = count / (top - low + 1)
    return max(_round(density * (top - bottom + 1)), count), True


def _fenced(conditions: list[Any]) -> sa.Subquery:
    """The numbers of the matching events, read by the index of the filters before any order
    is applied (OFFSET 0 keeps the database from merging it into an outer ORDER BY). For a
    period that ends in the past: newest first by the chain's index, the planner walks back
    from the head through every later event (it takes time and number to be independent);
    the (time, number) index reads just the period."""
    return sa.select(AuditEvent.seq).where(service.sealed(), *conditions).offset(0).subquery()


def _round(n: float) -> int:
    """Two significant digits: an estimate says "about 1,200", not "1,187"."""
    digits = max(len(str(int(n))) - 2, 0)
    return int(round(n, -digits))


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


def readable(reader: User, rows: Iterable[Any], *, links: bool = True) -> list[Event]:
    """Events of plain rows (`event_columns`), labelled for `reader` (one statement;
    `links=False`: without links)."""
    events = [
        Event(
            row.id,
            row.seq,
            row.at,
            row.actor_id,
            row.action,
            row.type,
            row.oid,
            row.ip,
            row.detail or {},
            row.mac,
            None
            if row.actor_id is None
            else {"id": row.actor_id, "name": row.name, "role": row.role},
        )
        for row in rows
    ]
    _label(reader, events, links)
    return events


def as_json(e: Event) -> dict[str, Any]:
    """An event as the API writes it (`AuditEventSchema`'s fields)."""
    return {
        "id": e.id,
        "seq": e.seq,
        "at": e.at,
        "actor_id": e.actor_id,
        "action": e.action,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "ip": e.ip,
        "detail": e.detail,
        "mac": e.mac,
        "actor": e.actor,
        "object": e.object,
    }


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


def _label(reader: User, events: list[Event], links: bool = True) -> None:
    """Fill `object` (and `link`) of every event, and the labels of the records its detail
    names (`extra["named"]`), with one query for the whole page. Each type's name and
    whether it can be labelled are asked once a page, each detail's references read once."""
    wanted: dict[str, set[int]] = {}
    knowable: dict[str, bool] = {}
    references = [list(_references(e.detail)) for e in events]
    for e, named_ids in zip(events, references, strict=True):
        kind = e.object_type
        if kind is not None and e.object_id is not None:
            if kind not in knowable:
                knowable[kind] = labels.known(kind)
            if knowable[kind]:
                wanted.setdefault(kind, set()).add(e.object_id)
        for _key, kind, ident in named_ids:
            wanted.setdefault(kind, set()).add(ident)
    found = labels.labels(reader, wanted, links=links) if wanted else {}
    for e, named_ids in zip(events, references, strict=True):
        named: dict[str, list[str]] = {}
        for key, kind, ident in named_ids:
            text = found.get((kind, ident), (None, None))[0]
            named.setdefault(key, []).append(text or str(NOT_SHOWN))
        e.extra["named"] = {k: ", ".join(v) for k, v in named.items()}
    type_names: dict[str, str] = {}
    for e in events:
        kind = e.object_type or ""
        if kind not in type_names:
            type_names[kind] = labels.type_name(kind)
        e.type_name = type_names[kind]
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
