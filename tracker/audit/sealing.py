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
is the lock), its process's sealer is idle and no other process's sealer was found leading;
otherwise the sealer that leads across processes (the process's own thread, woken after the
writer's commit, when no other leads), which gathers for a moment, waits for the lock and
seals in one transaction whatever the writers of every process committed meanwhile
(`tracker.audit.sealer`). `flask audit seal`
and `flask audit verify` seal whatever a killed process left unsealed; so does the next seal.

The statements of a seal (`seal_locked`), after the lock's own: the head row (locked) with the
first batch of the queue, one SELECT; then the places of the batch with the head's move, one
UPDATE on PostgreSQL (a data-modifying WITH over three arrays). The lock must stay a statement
of its own: under READ COMMITTED a statement's snapshot is taken before it runs, so a SELECT
that took the lock itself could miss what the previous holder sealed and seal it again. On
SQLite, where a statement costs no round trip, the places are one executemany and the head
one UPDATE. A self-sealed append is thus INSERT, lock, SELECT, UPDATE and the commit.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import logging
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session, SessionTransaction, attributes, make_transient, scoped_session

from tracker import keys
from tracker.audit import checkpoints
from tracker.audit.models import AuditEvent, AuditHead

log = logging.getLogger(__name__)

#: the PostgreSQL advisory lock the sealer holds ("tracker audit seal")
SEAL_LOCK = 0x7472_6163_6B5F_5345
#: events sealed per batch (one SELECT, one UPDATE)
BATCH = 2_000
#: session.info: the events this transaction appended, sealed at its commit
APPENDED = "tracker_audit_unsealed"
#: session.info: every event this transaction inserted (sealed or not), until it ends
INSERTED = "tracker_audit_inserted"
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
    # one printf (its format's lines end in real newlines): a sixth less of SQLite's time per
    # row than the same text joined by || (measured over a million events)
    "sqlite": (
        "printf('%s\n%s+00:00\n%s\n%d:%s\n%s\n%s\n%s\n%s', audit_events.seq, "
        "replace(audit_events.at, ' ', 'T'), coalesce(audit_events.actor_id, 'None'), "
        "length(audit_events.action), audit_events.action, "
        "coalesce(length(audit_events.object_type) || ':' || audit_events.object_type, '-'), "
        "coalesce(audit_events.object_id, 'None'), "
        "coalesce(length(audit_events.ip) || ':' || audit_events.ip, '-'), audit_events.detail)"
    ),
}


#: `_BODY_SQL` as the UTF-8 bytes the MAC covers, which the driver hands over as they came (no
#: text decoded per row only to be encoded again)
_BODY_BYTES_SQL = {
    "postgresql": f"convert_to({_BODY_SQL['postgresql']}, 'UTF8')",
    "sqlite": f"CAST({_BODY_SQL['sqlite']} AS BLOB)",
}


def body_bytes_sql(dialect: str) -> sa.ColumnElement[bytes] | None:
    """The database's own `body(seq, row)` of a sealed event, as the bytes the MAC covers
    (None for another database)."""
    text = _BODY_BYTES_SQL.get(dialect)
    return sa.literal_column(text, sa.LargeBinary).label("body") if text else None


def chain_mac(key: bytes, previous_mac: str, seq: int, row: Any) -> str:
    return hmac.digest(key, bytes.fromhex(previous_mac) + body(seq, row), hashlib.sha256).hex()


def pending_mac(key: bytes, row: Any) -> str:
    return hmac.digest(key, PENDING_PREFIX + body(None, row), hashlib.sha256).hex()


def detail_text(detail: dict[str, Any]) -> str:
    """The text of `detail` as the row stores it (the append inserts this text as it is) and
    as the writer's MAC covers it."""
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
    return bool(conn.execute(_TRY_LOCK).scalar())


#: the seal lock's statements, built once (one per seal)
_TRY_LOCK = sa.select(sa.func.pg_try_advisory_xact_lock(SEAL_LOCK))
LOCK = sa.select(sa.func.pg_advisory_xact_lock(SEAL_LOCK))


def _dialect(conn: Conn) -> str:
    bind = conn if isinstance(conn, sa.Connection) else conn.get_bind()
    return str(bind.dialect.name)


# --- one batch -------------------------------------------------------------------------------


#: the sealer's statements, built once (a seal per write on a quiet server: no per-call build)
_HEAD = sa.select(AuditHead.seq, AuditHead.mac).where(AuditHead.id == 1).with_for_update()
_HEAD_ROW = _HEAD.cte("head")


def _unsealed(limit: int) -> sa.Select[Any]:
    """The first `limit` unsealed events in id order, with their pending MAC and body."""
    return (
        sa.select(_c.id, _c.mac, *BODY_COLUMNS).where(_c.seq.is_(None)).order_by(_c.id).limit(limit)
    )


@functools.cache
def _reads(batch: int) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """The queue's next batch after an id, and the head (locked) with the queue's first batch,
    for batches of `batch` events: built once per size (`BATCH` but in tests)."""
    queue = _unsealed(batch).where(_c.id > sa.bindparam("after"))
    first = _unsealed(batch).subquery("queue")
    # one row per queued event, each beside the head; one row with an empty event when the
    # queue is empty. Its snapshot is taken after the lock's statement, so it sees every
    # event a previous holder sealed.
    head_and_queue = (
        sa.select(
            _HEAD_ROW.c.seq.label("head_seq"),
            _HEAD_ROW.c.mac.label("head_mac"),
            *first.c,
        )
        .select_from(_HEAD_ROW.outerjoin(first, sa.true()))
        .order_by(first.c.id)
    )
    return queue, head_and_queue


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
#: PostgreSQL: a batch's places and the head's move in one statement, one array per column
#: (the same text whatever the batch's size: prepared once per connection)
_PLACE_AND_MOVE = sa.text(
    "WITH placed AS (UPDATE audit_events SET seq = v.s, mac = v.m "
    "FROM unnest(CAST(:ids AS bigint[]), CAST(:seqs AS bigint[]), CAST(:macs AS text[])) "
    "AS v(i, s, m) WHERE audit_events.id = v.i) "
    "UPDATE audit_head SET seq = :s, mac = :m WHERE id = 1"
)
#: PostgreSQL: a batch's places alone (a batch followed by another)
_PLACE_ALL = sa.text(
    "UPDATE audit_events SET seq = v.s, mac = v.m "
    "FROM unnest(CAST(:ids AS bigint[]), CAST(:seqs AS bigint[]), CAST(:macs AS text[])) "
    "AS v(i, s, m) WHERE audit_events.id = v.i"
)


def seal_locked(conn: Conn, key: bytes, limit: int | None = None, batch: int = BATCH) -> Sealed:
    """Seal every committed (or own) unsealed event, in id order, under the held lock.

    Statements: the head with the first batch of the queue (one SELECT), then, when anything
    was sealed, the places with the head's move (PostgreSQL: one UPDATE; SQLite, whose
    statements cost no round trip: an UPDATE per event and one of the head). A queue longer
    than a batch costs one SELECT and one UPDATE per further batch (of `batch` events)."""
    queue, head_and_queue = _reads(batch)
    rows = conn.execute(head_and_queue).all()
    found = Sealed()
    if not rows:
        return found  # verify names the missing head row; nothing can be chained to it
    seq, mac = int(rows[0].head_seq), str(rows[0].head_mac)
    if rows[0].id is None:
        rows = []  # the queue is empty
    postgresql = _dialect(conn) == "postgresql"
    updates: list[tuple[int, int, str]] = []
    while True:
        batch_full = len(rows) == batch
        for row in rows:
            if limit is not None and found.count + len(updates) >= limit:
                batch_full = False
                break
            if not hmac.compare_digest(pending_mac(key, row), row.mac):
                found.refused.append(row.id)  # not written by a holder of the key
                continue
            seq += 1
            mac = chain_mac(key, mac, seq, row)
            updates.append((row.id, seq, mac))
        if not batch_full:
            break  # the queue is read to its end (or the limit reached)
        _place(conn, updates, postgresql)
        found.sealed.extend(updates)
        updates = []
        rows = conn.execute(queue, {"after": rows[-1].id}).all()
    if updates or found.sealed:
        _place(conn, updates, postgresql, head=(seq, mac))
        found.sealed.extend(updates)
    found.head = seq
    return found


def _place(
    conn: Conn,
    updates: list[tuple[int, int, str]],
    postgresql: bool,
    head: tuple[int, str] | None = None,
) -> None:
    """Give each event of `updates` (id, seq, mac) its place; move the head to `head`."""
    if postgresql:
        ids, seqs, macs = (
            (list(column) for column in zip(*updates, strict=True)) if updates else ([], [], [])
        )
        values: dict[str, Any] = {"ids": ids, "seqs": seqs, "macs": macs}
        if head is None:
            conn.execute(_PLACE_ALL, values)
        else:
            conn.execute(_PLACE_AND_MOVE, {**values, "s": head[0], "m": head[1]})
        return
    if updates:
        conn.execute(_PLACE, [{"i": i, "s": s, "m": m} for i, s, m in updates])
    if head is not None:
        conn.execute(_MOVE, {"s": head[0], "m": head[1]})


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
    rows = conn.execute(_unsealed(limit)).all()
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
    show_places(events, done)
    session.info[APPENDED] = []
    if done.count:
        session.info[checkpoints.PENDING] = done.head


def show_places(events: Iterable[AuditEvent], done: Sealed) -> None:
    """Show each appended event the place `done` sealed it at, if it did (no reload)."""
    placed = {ident: (seq, mac) for ident, seq, mac in done.sealed}
    for event in events:
        if event.id in placed:
            seq, mac = placed[event.id]
            attributes.set_committed_value(event, "seq", seq)
            attributes.set_committed_value(event, "mac", mac)


def _sealer_busy(session: Session) -> bool:
    """Whether this process's sealer is sealing or about to, or another process's sealer leads
    (known here, no round trip): the writer then neither tries the lock nor takes it from
    them for its commit's length."""
    from tracker.audit import sealer

    bind = session.get_bind()
    if isinstance(bind, sa.Connection):
        return False  # inside an outer transaction (the test suite's): seal in it
    found = sealer.current(bind)
    return found is not None and (found.busy or found.led_elsewhere)


def after_commit(session: Session) -> None:
    """PostgreSQL: a writer that left its events unsealed wakes this process's sealer, which
    waits for the lock and seals them (`tracker.audit.sealer`); the writer goes on at once."""
    missed = session.info.pop(MISSED, False)
    session.info.pop(APPENDED, None)
    session.info.pop(INSERTED, None)
    if not missed or not has_app_context():
        return
    bind = session.get_bind()
    if isinstance(bind, sa.Connection):
        return  # inside an outer transaction (the test suite's): nothing of it is visible
    from tracker.audit import sealer

    sealer.for_engine(current_app._get_current_object(), bind).wake()  # type: ignore[attr-defined]


def after_rollback(session: Session) -> None:
    """The whole transaction rolled back: nothing of it is left to seal. A savepoint's
    rollback fires this event too (with no word of which one): `after_soft_rollback`, told
    which transaction ended, prunes the events written inside it and keeps the others."""
    if session.in_nested_transaction():
        return
    session.info.pop(APPENDED, None)
    session.info.pop(MISSED, None)


#: an appended event's attribute: the savepoint it was written in (None: the transaction)
_WRITTEN_IN = "_tracker_audit_written_in"
#: an appended event's attribute: the values it was inserted with (its id among them)
_INSERTED_AS = "_tracker_audit_inserted_as"


def appended(session: Session, event: AuditEvent, values: dict[str, Any]) -> None:
    """Note an event `record` inserted with `values` (without a flush) and added to the
    session: sealed at the commit, taken out if its transaction or savepoint rolls back
    (`after_soft_rollback`)."""
    setattr(event, _WRITTEN_IN, session.get_nested_transaction())
    setattr(event, _INSERTED_AS, values)
    session.info.setdefault(APPENDED, []).append(event)
    session.info.setdefault(INSERTED, []).append(event)


def after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    """Take the events written in the transaction or savepoint just rolled back out of the
    session and out of those sealed at the commit, as the ORM does with the rows a flush
    inserted: their rows are gone (SQLite may hand their ids out again). Each becomes a
    transient object again with the values it was written with, readable as before; never
    flushed, as it is in no session. The events written before a savepoint stay."""
    ended = _rolled_back(previous)
    events: list[AuditEvent] = session.info.get(INSERTED) or []
    gone = [event for event in events if _inside(getattr(event, _WRITTEN_IN, None), ended)]
    for event in gone:
        if event in session:
            session.expunge(event)
        _as_written(event)
    if gone:
        session.info[INSERTED] = [event for event in events if event not in gone]
        kept = [event for event in session.info.get(APPENDED) or () if event not in gone]
        session.info[APPENDED] = kept
    if not ended.nested:
        session.info.pop(APPENDED, None)
        session.info.pop(MISSED, None)


def _rolled_back(previous: SessionTransaction) -> SessionTransaction:
    """The savepoint or transaction whose rollback ended `previous` (a flush's inner
    transaction rolls back the one it is part of)."""
    ended = previous
    while not ended.nested and ended.parent is not None:
        ended = ended.parent
    return ended


def _inside(written_in: SessionTransaction | None, ended: SessionTransaction) -> bool:
    if not ended.nested:
        return True  # the whole transaction
    while written_in is not None:
        if written_in is ended:
            return True
        written_in = written_in.parent
    return False


def _as_written(event: AuditEvent) -> None:
    """Make a rolled back event transient, with the values it was inserted with (the rollback
    expired them, and a detached object cannot load them again)."""
    make_transient(event)
    for name, value in getattr(event, _INSERTED_AS, {}).items():
        attributes.set_committed_value(event, name, value)


def install() -> None:
    """Listen on every ORM session (idempotent); the seal comes before the checkpoint."""
    if not sa.event.contains(Session, "before_commit", before_commit):
        sa.event.listen(Session, "before_commit", before_commit)
        sa.event.listen(Session, "after_commit", after_commit, insert=True)
        sa.event.listen(Session, "after_rollback", after_rollback)
        sa.event.listen(Session, "after_soft_rollback", after_soft_rollback)


install()
