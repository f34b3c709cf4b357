"""Sealing the audit trail: appends queue, one sealer at a time chains them in batches.

A writer's transaction only inserts its event (`tracker.audit.service.record`): the id comes
from the database's sequence, `seq` stays empty and `mac` holds the writer's *pending MAC*
(HMAC of the event without its place), so an append takes no lock shared with other writers.
The chain is extended by whoever next holds the seal lock, in one short transaction: it reads
the committed unsealed events in id order, checks each pending MAC, gives each the next
sequence number and its chain MAC (`HMAC(key, previous mac ‖ body)`), and moves the head row.

The sequence numbers of the chain are given by the sealer alone, under the lock, one after
the other from the head: they cannot have a gap, whatever happened to the writers. A rolled
back writer leaves at most an unused id (never a hole in the chain); an event whose writer
commits late is sealed in the next batch. This is the sequencer of Trillian and of RFC 6962
logs: submissions are queued in any order, the log's sequencer alone assigns their places.

Who seals: the writer itself, just before its commit, when the lock is free at once
(`pg_try_advisory_xact_lock`, which never waits; SQLite has one writer, whose BEGIN IMMEDIATE
is the lock) and its process's sealer is idle; otherwise the process's sealer thread, woken
after the writer's commit, which waits for the lock and seals in one transaction whatever
the writers of every process committed meanwhile (`tracker.audit.sealer`). `flask audit seal`
and `flask audit verify` seal whatever a killed process left unsealed; so does the next seal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session, attributes, scoped_session

from tracker import keys
from tracker.audit import checkpoints
from tracker.audit.models import AuditEvent, AuditHead

log = logging.getLogger(__name__)

#: the PostgreSQL advisory lock the sealer holds ("tracker audit seal")
SEAL_LOCK = 0x7472_6163_6B5F_5345
#: events sealed per batch (one SELECT, one UPDATE executemany)
BATCH = 2_000
#: session.info: the events this transaction appended, sealed at its commit
APPENDED = "tracker_audit_unsealed"
#: session.info: set when the writer left its events for the next sealer (the lock was taken)
MISSED = "tracker_audit_seal_missed"
#: domain separation of the writer's pending MAC from the chain's MACs
PENDING_PREFIX = b"tracker-audit-pending\n"

#: a connection or a session to run the sealer's statements on
Conn = sa.Connection | Session | scoped_session[Any]

_table: sa.Table = AuditEvent.__table__  # type: ignore[assignment]
_c = _table.c
#: the stored detail's text, as written: no JSON decoding or re-encoding to seal or verify
DETAIL_TEXT = sa.cast(_c.detail, sa.Text).label("detail_text")
#: the time without the UTC decorator's per-row call (`body` reads either form)
AT = sa.type_coerce(_c.at, sa.DateTime(timezone=True)).label("at")
#: what the MAC covers, read as plain rows
BODY_COLUMNS = (AT, _c.actor_id, _c.action, _c.object_type, _c.object_id, _c.ip, DETAIL_TEXT)


def body(seq: int | None, row: Any) -> bytes:
    """The bytes an event's MAC covers (form FORM_FIELDS), one line each: the sequence number,
    the UTC time in ISO form to the microsecond, actor, action, object type, object id, client
    address, then the detail as the database stores its text (to the end). Integers and the
    time cannot hold a newline; the texts before the last are length-prefixed ("-": none).
    Without `seq` ("None"): what the writer's pending MAC covers. One f-string, no JSON."""
    at = row.at
    when = (
        at.isoformat(timespec="microseconds") + "+00:00"
        if at.tzinfo is None  # SQLite keeps no offset: the column holds UTC
        else at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    )
    action, kind, ip = row.action, row.object_type, row.ip
    return (
        f"{seq}\n{when}\n{row.actor_id}\n{len(action)}:{action}\n"
        f"{'-' if kind is None else f'{len(kind)}:{kind}'}\n{row.object_id}\n"
        f"{'-' if ip is None else f'{len(ip)}:{ip}'}\n{row.detail_text}"
    ).encode()


#: `body(seq, row)` computed by the database itself, for the verifier's plain run (one text
#: per row: no times, JSON or row objects built in Python). Any difference from `body` can
#: only send a row to the verifier's slower check, which then decides with `body` itself.
_BODY_SQL = {
    "postgresql": (
        "audit_events.seq::text || E'\\n' || to_char(audit_events.at AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS.US') || '+00:00' || E'\\n' || "
        "coalesce(audit_events.actor_id::text, 'None') || E'\\n' || "
        "length(audit_events.action) || ':' || audit_events.action || E'\\n' || "
        "coalesce(length(audit_events.object_type) || ':' || audit_events.object_type, '-') "
        "|| E'\\n' || coalesce(audit_events.object_id::text, 'None') || E'\\n' || "
        "coalesce(length(audit_events.ip) || ':' || audit_events.ip, '-') || E'\\n' || "
        "audit_events.detail::text"
    ),
    "sqlite": (
        "audit_events.seq || char(10) || replace(audit_events.at, ' ', 'T') || '+00:00' || "
        "char(10) || coalesce(audit_events.actor_id, 'None') || char(10) || "
        "length(audit_events.action) || ':' || audit_events.action || char(10) || "
        "coalesce(length(audit_events.object_type) || ':' || audit_events.object_type, '-') "
        "|| char(10) || coalesce(audit_events.object_id, 'None') || char(10) || "
        "coalesce(length(audit_events.ip) || ':' || audit_events.ip, '-') || char(10) || "
        "audit_events.detail"
    ),
}


def body_sql(dialect: str) -> sa.ColumnElement[str] | None:
    """The database's own `body(seq, row)` of a sealed event (None for another database)."""
    text = _BODY_SQL.get(dialect)
    return sa.literal_column(text, sa.Text).label("body") if text else None


def chain_mac(key: bytes, previous_mac: str, seq: int, row: Any) -> str:
    return hmac.digest(key, bytes.fromhex(previous_mac) + body(seq, row), hashlib.sha256).hex()


def pending_mac(key: bytes, row: Any) -> str:
    return hmac.digest(key, PENDING_PREFIX + body(None, row), hashlib.sha256).hex()


def detail_text(detail: dict[str, Any]) -> str:
    """The text the JSON column stores for `detail` (SQLAlchemy's default serializer)."""
    return json.dumps(detail)


def _key() -> bytes:
    key: bytes = keys.current().audit_key
    return key


# --- the lock --------------------------------------------------------------------------------


def try_lock(conn: Conn) -> bool:
    """Take the seal lock for this transaction without waiting; False when another holds it.
    SQLite: the transaction already holds the database's write lock (BEGIN IMMEDIATE)."""
    if _dialect(conn) != "postgresql":
        return True
    found = conn.execute(sa.select(sa.func.pg_try_advisory_xact_lock(SEAL_LOCK))).scalar()
    return bool(found)


def _dialect(conn: Conn) -> str:
    bind = conn if isinstance(conn, sa.Connection) else conn.get_bind()
    return str(bind.dialect.name)


# --- one batch -------------------------------------------------------------------------------


#: the sealer's statements, built once (a seal per write on a quiet server: no per-call build)
_HEAD = sa.select(AuditHead.seq, AuditHead.mac).where(AuditHead.id == 1).with_for_update()
_QUEUE = (
    sa.select(_c.id, _c.mac, *BODY_COLUMNS)
    .where(_c.seq.is_(None), _c.id > sa.bindparam("after"))
    .order_by(_c.id)
    .limit(BATCH)
)
_PLACE = (
    sa.update(_table)
    .where(_c.id == sa.bindparam("i"))
    .values(seq=sa.bindparam("s"), mac=sa.bindparam("m"))
)
_MOVE = (
    sa.update(AuditHead)
    .where(AuditHead.id == 1)
    .values(seq=sa.bindparam("s"), mac=sa.bindparam("m"))
)


def seal_locked(conn: Conn, key: bytes, limit: int | None = None) -> Sealed:
    """Seal every committed (or own) unsealed event, in id order, under the held lock."""
    head = conn.execute(_HEAD).first()
    found = Sealed()
    if head is None:
        return found  # verify names the missing head row; nothing can be chained to it
    seq, mac = int(head.seq), str(head.mac)
    after = 0
    while limit is None or found.count < limit:
        rows = conn.execute(_QUEUE, {"after": after}).all()
        if not rows:
            break
        updates = []
        for row in rows:
            if not hmac.compare_digest(pending_mac(key, row), row.mac):
                found.refused.append(row.id)  # not written by a holder of the key
                continue
            seq += 1
            mac = chain_mac(key, mac, seq, row)
            updates.append({"i": row.id, "s": seq, "m": mac})
        if updates:
            conn.execute(_PLACE, updates)
            found.sealed.extend((u["i"], u["s"], u["m"]) for u in updates)
        if len(rows) < BATCH:
            break  # the queue is read to its end
        after = rows[-1].id
    if found.sealed:
        conn.execute(_MOVE, {"s": seq, "m": mac})
    found.head = seq
    return found


class Sealed:
    """What one sealing did: (id, seq, mac) of each event sealed, the ids refused."""

    def __init__(self) -> None:
        self.sealed: list[tuple[int, int, str]] = []
        self.refused: list[int] = []
        self.head = 0

    @property
    def count(self) -> int:
        return len(self.sealed)


def unsealed(conn: Conn, skip: Iterable[int] = ()) -> int:
    """How many committed events wait to be sealed (besides `skip`)."""
    stmt = sa.select(sa.func.count()).select_from(_table).where(_c.seq.is_(None))
    skip = list(skip)
    if skip:
        stmt = stmt.where(_c.id.not_in(skip))
    return int(conn.execute(stmt).scalar_one())


def forged(conn: Conn, key: bytes, limit: int = BATCH) -> list[int]:
    """The ids of unsealed events whose pending MAC is wrong: rows written into the table by
    someone without the audit key, which no sealer will ever chain (the first `limit` read)."""
    rows = conn.execute(
        sa.select(_c.id, _c.mac, *BODY_COLUMNS).where(_c.seq.is_(None)).order_by(_c.id).limit(limit)
    ).all()
    return [row.id for row in rows if not hmac.compare_digest(pending_mac(key, row), row.mac)]


# --- the writer's own transaction ----------------------------------------------------------------


def before_commit(session: Session) -> None:
    """Seal the transaction's events (and any committed before them) when the lock is free at
    once and this process's sealer is idle; else leave them to the sealer (after the commit)."""
    events: Sequence[AuditEvent] = session.info.get(APPENDED) or ()
    if not events:
        return
    session.flush()
    if _sealer_busy(session) or not try_lock(session):
        session.info[MISSED] = True
        return
    done = seal_locked(session, _key())
    placed = {ident: (seq, mac) for ident, seq, mac in done.sealed}
    for event in events:
        if event.id in placed:  # the ORM objects show their place without a reload
            seq, mac = placed[event.id]
            attributes.set_committed_value(event, "seq", seq)
            attributes.set_committed_value(event, "mac", mac)
    session.info[APPENDED] = []
    if done.count:
        session.info[checkpoints.PENDING] = done.head


def _sealer_busy(session: Session) -> bool:
    """Whether this process's sealer is sealing or about to (known here, no round trip): the
    writer then does not take the lock from it for its commit's length."""
    from tracker.audit import sealer

    bind = session.get_bind()
    if isinstance(bind, sa.Connection):
        return False  # inside an outer transaction (the test suite's): seal in it
    found = sealer.current(bind)
    return found is not None and found.busy


def after_commit(session: Session) -> None:
    """PostgreSQL: a writer that left its events unsealed wakes this process's sealer, which
    waits for the lock and seals them (`tracker.audit.sealer`); the writer goes on at once."""
    missed = session.info.pop(MISSED, False)
    session.info.pop(APPENDED, None)
    if not missed or not has_app_context():
        return
    bind = session.get_bind()
    if isinstance(bind, sa.Connection):
        return  # inside an outer transaction (the test suite's): nothing of it is visible
    from tracker.audit import sealer

    sealer.for_engine(current_app._get_current_object(), bind).wake()  # type: ignore[attr-defined]


def after_rollback(session: Session) -> None:
    session.info.pop(APPENDED, None)
    session.info.pop(MISSED, None)


def install() -> None:
    """Listen on every ORM session (idempotent); the seal comes before the checkpoint."""
    if not sa.event.contains(Session, "before_commit", before_commit):
        sa.event.listen(Session, "before_commit", before_commit)
        sa.event.listen(Session, "after_commit", after_commit, insert=True)
        sa.event.listen(Session, "after_rollback", after_rollback)


install()
