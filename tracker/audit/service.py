"""Appending to the audit trail and recomputing its chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import attributes, make_transient_to_detached

from tracker import keys
from tracker.audit import sealing, types
from tracker.audit.models import FORM_FIELDS, AuditEvent
from tracker.db import db, own_transaction, refuse_unstorable, utcnow, writing
from tracker.web.ids import id_equals, is_id

#: the canonical JSON encoding, built once (json.dumps with options builds an encoder per call)
_encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode

#: an event's columns (in table order): what the MAC covers, its id, MAC and form
EVENT_COLUMNS = (
    "id",
    "seq",
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "ip",
    "detail",
    "mac",
    "form",
)


def canonical(event: AuditEvent | Any) -> bytes:
    """The bytes the MAC covers: every field but the id and the MAC itself (of an ORM event or
    of a plain row with the same names)."""
    body = {
        "seq": event.seq,
        "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "ip": event.ip,
        "detail": event.detail or {},
    }
    return _encode(body).encode()


def compute_mac(key: bytes, previous_mac: str, event: AuditEvent) -> str:
    return hmac.new(key, bytes.fromhex(previous_mac) + canonical(event), hashlib.sha256).hexdigest()


def _audit_key() -> bytes:
    key: bytes = keys.current().audit_key
    return key


def _client_address() -> str | None:
    """The client address, cut to the column's 45 characters (the longest IPv6 text form)."""
    return (request.remote_addr or "")[:45] or None if has_request_context() else None


def _current_actor_id() -> int | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return int(current_user.id)
    return None


_UNSET: Any = object()


def record(
    action: str,
    obj: Any = None,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    actor_id: int | None = _UNSET,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (inserted, not committed), unsealed: it
    takes its place in the chain when the transaction commits (`tracker.audit.sealing`).
    The caller's pending changes are flushed first; the event is inserted without the ORM's
    unit of work and joins the session as a persistent row (expunged again if the transaction,
    or the savepoint it was written in, rolls back, as a flushed object would be).

    `obj` may be any model instance with an `id`; its `__audit_type__` (the API's resource
    name; the table name if it has none) becomes the object type, and a row filed against its
    parent (a file's version) adds its own id to the detail (`tracker.audit.types`).
    The actor defaults to the signed-in user. Never put secrets or privileged text in `detail`.
    """
    if obj is not None:
        found_type, object_id, extra = types.type_of(obj)
        object_type = object_type or found_type
        detail = {**extra, **(detail or {})} if extra else detail
    writing()  # on SQLite, a read request takes the write lock (the single writer's)
    # the detail's text, encoded once: the row stores it as it is and the MAC covers it
    text = sealing.detail_text(detail or {})
    values = {
        "at": utcnow(),
        "actor_id": _current_actor_id() if actor_id is _UNSET else actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "ip": _client_address(),
        "detail": json.loads(text),  # as the JSON column reads it back (int keys as strings)
        "form": FORM_FIELDS,
    }
    refuse_unstorable(_table, {name: values[name] for name in _TEXTS})
    # the writer's pending MAC: the sealer chains only events a holder of the key wrote
    values["mac"] = sealing.pending_mac(_audit_key(), _Body(values, text))
    session = db.session()
    session.flush()  # the caller's own changes first, as a flush of the event would do
    # one INSERT without the unit of work's cost (the event is a row with no relationships)
    values["id"] = session.execute(_INSERT, {**values, "detail": text}).scalar_one()
    # the object joins the session as the row it is, built as the ORM's loading builds one
    # (no constructor's attribute events); a rollback takes it out again
    event: AuditEvent = _MAPPER.class_manager.new_instance()
    attributes.instance_dict(event).update(values)
    make_transient_to_detached(event)
    stale = session.identity_map.get(_MAPPER.identity_key_from_primary_key((event.id,)))
    if stale is not None:  # of a row rolled back, whose id SQLite hands out again (a flush
        session.expunge(stale)  # replaces it in the identity map too)
    session.add(event)
    sealing.appended(session, event, values)
    return event


class _StoredJSON(sa.types.UserDefinedType[str]):
    """A JSON column's value given as its text, stored as it is (no serializer's encoding
    again); PostgreSQL: cast to JSON in the statement."""

    cache_ok = True
    render_bind_cast = True

    def get_col_spec(self, **kw: Any) -> str:
        return "JSON"

    def bind_processor(self, dialect: sa.Dialect) -> None:
        return None


_table: sa.Table = AuditEvent.__table__  # type: ignore[assignment]
#: the appended event's row, its detail given as the text the MAC covers; only its id read back
_INSERT = (
    sa.insert(_table)
    .values(detail=sa.bindparam("detail", type_=_StoredJSON()))
    .returning(_table.c.id)
)
#: the text columns whose values `refuse_unstorable` checks (the others hold no text)
_TEXTS = ("action", "object_type", "ip")
_MAPPER = sa.inspect(AuditEvent)


@dataclass
class _Body:
    """An event's fields as the sealer reads them back (the detail as stored text)."""

    values: dict[str, Any]
    detail_text: str

    def __getattr__(self, name: str) -> Any:
        return self.values[name]


def seal() -> sealing.Sealed:
    """Seal the committed unsealed events and this transaction's own, now, waiting for the
    seal lock (the caller commits): for `flask audit seal | verify | checkpoint` and tests.
    Events without a valid pending MAC are left out and named (`Sealed.refused`)."""
    if not sealing.try_lock(db.session):
        db.session.execute(sealing.LOCK)
    done = sealing.seal_locked(db.session, _audit_key())
    for event in db.session.info.pop(sealing.APPENDED, None) or ():
        db.session.expire(event, ["seq", "mac"])
    return done


def record_apart(action: str, obj: Any = None, *, reason: str, **kwargs: Any) -> AuditEvent:
    """Append one event in a transaction of its own, after rolling back the caller's: for
    refusals and failures whose request will not commit (`reason` says why)."""
    with own_transaction(reason):
        return record(action, obj, **kwargs)


# --- reading the trail ---------------------------------------------------------------------------


@dataclass
class AuditFilters:
    actor_id: int | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    #: a value of `sorting.choices(SORTS)`; none: newest first, in the chain's order
    sort: str | None = None

    @classmethod
    def of(cls, args: dict[str, Any]) -> AuditFilters:
        return cls(**{k: args.get(k) for k in cls.__dataclass_fields__})


#: the sortable columns of the trail (`sort`), each with its own index: the time, the actor (by
#: account, so that one actor's events stand together; events of no actor last) and the action
#: (by its code)
SORTS: dict[str, Any] = {
    "at": AuditEvent.at,
    "actor": AuditEvent.actor_id,
    "action": AuditEvent.action,
}


def events_query(filters: AuditFilters, only_actor: int | None = None) -> sa.Select[Any]:
    """Sealed events matching `filters`, newest first or in the order of `filters.sort` (the
    place in the chain breaking ties); `only_actor` limits them to one actor's own
    (who may read what is the caller's question, asked of the policy). Object types are
    resource names; events written under the old table names match them too."""
    stmt = sa.select(AuditEvent).where(sealed(), *conditions(filters, only_actor))
    return stmt.order_by(*ordering(filters.sort))


def conditions(filters: AuditFilters, only_actor: int | None = None) -> list[Any]:
    """The conditions of `filters` and `only_actor` on the events (none: the whole trail)."""
    f = filters
    found: list[Any] = []
    if only_actor is not None:
        found.append(AuditEvent.actor_id == only_actor)
    asked = [
        (f.actor_id, lambda: id_equals(AuditEvent.actor_id, f.actor_id)),
        (f.action, lambda: AuditEvent.action == f.action),
        (f.object_type, lambda: types.type_condition(str(f.object_type))),
        (f.object_id, lambda: _object_is(f.object_type, f.object_id)),
        (f.since, lambda: AuditEvent.at >= f.since),
        (f.until, lambda: AuditEvent.at < f.until),
    ]
    return found + [make() for value, make in asked if value is not None]


#: the sorted columns that are never empty: ordered without NULLS LAST, which the databases'
#: indexes cannot serve in both directions (the order is the same without it)
_NEVER_EMPTY = ("at", "action")


def ordering(sort: str | None) -> list[Any]:
    """ORDER BY of `sort` (a value of `sorting.choices(SORTS)`; none: newest first), the place
    in the chain breaking ties."""
    if not sort:
        return [AuditEvent.seq.desc()]
    name = sort.removeprefix("-")
    column = SORTS[name]
    if sort.startswith("-"):
        first = column.desc() if name in _NEVER_EMPTY else column.desc().nulls_last()
        return [first, AuditEvent.seq.desc()]
    return [column.asc() if name in _NEVER_EMPTY else column.asc().nulls_last(), AuditEvent.seq]


def _object_is(object_type: str | None, object_id: Any) -> sa.ColumnElement[bool]:
    if not is_id(object_id):
        return sa.false()
    return types.object_condition(object_type, object_id)


def events_about(objects: list[tuple[str, int]]) -> sa.Select[Any]:
    """Every event about any of `objects` ((resource name, id) pairs), old rows included,
    oldest first: e.g. an asset and its files for the asset's evidence pack."""
    conditions = [types.object_condition(kind, ident) for kind, ident in objects if is_id(ident)]
    stmt = sa.select(AuditEvent).where(sealed(), sa.or_(sa.false(), *conditions))
    return stmt.order_by(AuditEvent.seq)


def sealed() -> sa.ColumnElement[bool]:
    """Events that have their place in the chain: the only ones read (an unsealed event is
    sealed at its writer's commit, or by the next sealer, and shows from then on)."""
    return AuditEvent.seq.is_not(None)
