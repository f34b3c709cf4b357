"""Checking the audit chain: MACs, contiguous sequence numbers, the head row, the checkpoint.

The first problem found is named, in chain order: an event slipped in below sequence number 1,
an edited event (its MAC no longer matches), a reordered one (its MAC fails and it sits out of
insertion order), a deleted one (a gap in the sequence numbers), a cut tail (the head row or
the last checkpoint is ahead of the last event), or a rewritten chain (the checkpointed
event's MAC differs). Checkpoints of another trail (`tracker.audit.checkpoints`: a checkpoint
names its chain) are counted apart, never read as a rewrite of this one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import secrets
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from tracker.audit import checkpoints, sealing
from tracker.audit.checkpoints import CheckpointUnreadable
from tracker.audit.models import FORM_FIELDS, GENESIS_MAC, AuditEvent, AuditHead
from tracker.audit.service import canonical
from tracker.db import db

BATCH = 10_000


@dataclass
class Problem:
    #: edited | reordered | deleted | inserted | truncated | head_mismatch | head_missing |
    #: checkpoint_mismatch | checkpoint_unreadable | forged (an unsealed event without the
    #: writer's pending MAC)
    kind: str
    seq: int | None
    event_id: int | None
    message: str


@dataclass
class Result:
    events: int
    head_seq: int
    head_mac: str
    problem: Problem | None
    #: the name of this database's trail (its event 1's MAC; None when it has none)
    chain: str | None = None
    #: checkpoints in the file that belong to another trail
    foreign: int = 0
    #: committed events not yet sealed (not part of the chain checked)
    unsealed: int = 0

    @property
    def intact(self) -> bool:
        return self.problem is None


def read_checkpoint(path: Path | None) -> dict[str, Any] | None:
    """The latest checkpoint, None when there is none yet; CheckpointUnreadable when damaged."""
    last = checkpoints.latest(checkpoints.read_all(path))
    return last.as_dict() if last else None


@dataclass
class Tail:
    """What the last checkpoint leaves unprotected: the events after it and its age."""

    checkpoint: checkpoints.Checkpoint | None
    events_after: int
    age: dt.timedelta | None
    #: checkpoints in the file that belong to another trail
    foreign: int = 0

    def problems(self, max_events: int, max_minutes: int) -> list[str]:
        """Why the tail is too long for the bounds (0 turns a bound off); [] when it is not."""
        found = []
        if self.checkpoint is None:
            if self.events_after:
                found.append("there is no checkpoint")
                if self.foreign:
                    found.append("the checkpoint file belongs to another trail")
            return found
        if max_events and self.events_after > max_events:
            found.append(f"{self.events_after} events after it (bound {max_events})")
        limit = dt.timedelta(minutes=max_minutes)
        if max_minutes and self.events_after and self.age is not None and self.age > limit:
            found.append(f"it is {_minutes(self.age)} old (bound {max_minutes} minutes)")
        return found


def tail(result: Result, path: Path | None, now: dt.datetime | None = None) -> Tail:
    """The unprotected tail of a verified chain (the checkpoint file must be readable)."""
    ours, foreign = checkpoints.split(checkpoints.read_all(path), result.chain)
    last = checkpoints.latest(ours)
    if last is None:
        return Tail(None, result.head_seq, None, foreign)
    when = last.time
    age = (now or dt.datetime.now(dt.UTC)) - when if when else None
    return Tail(last, max(result.head_seq - last.seq, 0), age, foreign)


def _minutes(age: dt.timedelta) -> str:
    return f"{int(age.total_seconds() // 60)} minutes"


_c = AuditEvent.__table__.c
_COLUMNS = [_c.id, _c.seq, _c.mac, _c.form, *sealing.BODY_COLUMNS]


def _batches(
    after: int | None, until: int | None = None, size: int = BATCH
) -> Generator[Sequence[Any], None, None]:
    """The sealed events after sequence number `after` (all of them for None), up to `until`,
    in order, a batch at a time (keyset on the unique seq): plain rows, no ORM objects and the
    detail as its stored text, so memory stays bounded however long the chain and nothing is
    decoded."""
    while True:
        stmt = sa.select(*_COLUMNS).order_by(_c.seq).limit(size)
        stmt = stmt.where(_c.seq.is_not(None) if after is None else _c.seq > after)
        if until is not None:
            stmt = stmt.where(_c.seq <= until)
        batch = db.session.execute(stmt).all()
        if not batch:
            return
        yield batch
        after = batch[-1].seq


def _lean_batches(
    after: int | None, body: sa.ColumnElement[bytes], size: int = BATCH
) -> Generator[list[tuple[Any, ...]], None, None]:
    """`_batches` as (seq, form, mac, body) tuples, the body the bytes the database makes
    (`sealing.body_bytes_sql`): what the plain run of the chain needs, and nothing else. Read
    with the driver's own cursor on the session's connection (in its transaction), which hands
    over plain tuples; PostgreSQL's in binary form, so the body's bytes arrive as they are and
    the numbers undecoded from text. Ends with the first batch shorter than `size`."""
    conn = db.session.connection()
    stmt = sa.select(_c.seq, _c.form, _c.mac, body).order_by(_c.seq).limit(size)
    first = stmt.where(_c.seq.is_not(None)).compile(dialect=conn.dialect)
    then = stmt.where(_c.seq > sa.bindparam("after")).compile(dialect=conn.dialect)
    raw: Any = conn.connection.driver_connection
    cursor = raw.cursor(binary=True) if conn.dialect.name == "postgresql" else raw.cursor()
    try:
        while True:
            if after is None:
                cursor.execute(*_driver_statement(first, {}))
            else:
                cursor.execute(*_driver_statement(then, {"after": after}))
            batch = cursor.fetchall()
            if batch:
                yield batch
            if len(batch) < size:
                return
            after = batch[-1][0]
    finally:
        cursor.close()


def _driver_statement(compiled: sa.Compiled, values: dict[str, Any]) -> tuple[str, Any]:
    """A compiled statement's text and parameters as its driver's own cursor takes them."""
    params = compiled.construct_params(values) or {}
    positions = compiled.positiontup  # type: ignore[attr-defined]
    return str(compiled), tuple(params[name] for name in positions) if positions else params


def _events(after: int | None) -> Iterator[Any]:
    """`_batches`, an event at a time."""
    for batch in _batches(after):
        yield from batch


def _mac(key: bytes, previous_mac: str, event: Any) -> str:
    """The chain MAC of a plain row: over its stored fields (`sealing.body`), or for the
    first events (form 1) `tracker.audit.service.compute_mac` over the decoded detail."""
    if event.form == FORM_FIELDS:
        return sealing.chain_mac(key, previous_mac, event.seq, event)
    at = event.at
    at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    fields = {**event._asdict(), "at": at, "detail": json.loads(event.detail_text)}
    legacy = SimpleNamespace(**fields)
    message = bytes.fromhex(previous_mac) + canonical(legacy)
    return hmac.digest(key, message, hashlib.sha256).hex()


def _pads(key: bytes) -> tuple[Any, Any]:
    """HMAC-SHA256 (RFC 2104) with its key's inner and outer pads hashed once: the MAC of a
    message is then `outer.copy()` updated with the digest of `inner.copy()` updated with the
    message, which is `hmac.digest(key, message, sha256)` without hashing both pads again (two
    of its SHA-256 blocks, and the key's set-up, per call)."""
    block = hashlib.sha256().block_size
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    return inner, outer


def _head() -> tuple[int, str]:
    head = db.session.execute(
        sa.select(AuditHead).where(AuditHead.id == 1).execution_options(populate_existing=True)
    ).scalar_one()
    return head.seq, head.mac


class _Walk:
    """The chain recomputed event by event; stops at the first problem."""

    def __init__(self, key: bytes, pinned: list[checkpoints.Checkpoint], size: int = BATCH) -> None:
        last = checkpoints.latest(pinned)
        self.key, self.checkpoint = key, last.as_dict() if last else None
        self.pads, self.size = _pads(key), size
        #: every checkpointed event: each must still be there with the same MAC
        self.pinned = {c.seq: c for c in pinned}
        self.last_seq, self.mac, self.count = 0, GENESIS_MAC, 0
        self.previous_id: int | None = 0
        self.checkpoint_seen = False

    def step(self, event: Any) -> Problem | None:
        expected = self.last_seq + 1
        if event.seq < expected:  # only below 1: seq is unique and read in order
            return Problem(
                "inserted",
                event.seq,
                event.id,
                f"event {event.seq} (id {event.id}, {event.action}) lies outside the chain, "
                "which starts at event 1",
            )
        if event.seq != expected:
            return Problem(
                "deleted",
                expected,
                None,
                f"event {expected} is missing (the next one present is {event.seq}, id {event.id})",
            )
        if not _same(_mac(self.key, self.mac, event), event.mac):
            kind = "reordered" if self._out_of_order(event) else "edited"
            what = "moved out of order" if kind == "reordered" else "altered"
            return Problem(
                kind,
                event.seq,
                event.id,
                f"event {event.seq} (id {event.id}, {event.action}) does not match its MAC: {what}",
            )
        cp = self.pinned.get(event.seq)
        if cp is not None:
            if self.checkpoint and event.seq == self.checkpoint["seq"]:
                self.checkpoint_seen = True
            if not _same(event.mac, cp.mac):
                return Problem(
                    "checkpoint_mismatch",
                    event.seq,
                    event.id,
                    f"event {event.seq} differs from the checkpoint of {cp.at}",
                )
        self.last_seq, self.mac, self.previous_id = event.seq, event.mac, event.id
        self.count += 1
        return None

    def _out_of_order(self, event: Any) -> bool:
        """Whether the event sits out of insertion order (ids grow with appends)."""
        following = db.session.execute(
            sa.select(AuditEvent.id).where(AuditEvent.seq == event.seq + 1)
        ).scalar_one_or_none()
        previous = self.previous_id
        if previous is None:
            previous = db.session.execute(
                sa.select(AuditEvent.id).where(AuditEvent.seq == self.last_seq)
            ).scalar_one_or_none()
        return (previous is not None and event.id < previous) or (
            following is not None and following < event.id
        )

    def fast(self, batch: Sequence[Any]) -> int:
        """Check the plain run of `batch` in one tight loop: the next sequence number, form 2,
        not checkpointed, its MAC right; how many rows passed (`step` takes the rest, and
        names any problem)."""
        key, mac, expected, pinned = self.key, self.mac, self.last_seq + 1, self.pinned
        digest, sha256, fromhex, body = hmac.digest, hashlib.sha256, bytes.fromhex, sealing.body
        same = hmac.compare_digest
        done = 0
        try:
            for row in batch:
                seq = row.seq
                if seq != expected or row.form != FORM_FIELDS or seq in pinned:
                    break
                if not same(digest(key, fromhex(mac) + body(seq, row), sha256).hex(), row.mac):
                    break
                mac, expected, done = row.mac, expected + 1, done + 1
        except TypeError:
            pass  # a stored MAC that is not ASCII (compare_digest refuses it): `step` names it
        if done:
            last = batch[done - 1]
            self.last_seq, self.mac, self.previous_id = last.seq, last.mac, last.id
            self.count += done
        return done

    def lean(self, batch: Sequence[tuple[Any, ...]]) -> int:
        """`fast` over `_lean_batches` rows: the MAC over the body the database made, the
        only work per event a hash (the key's pads hashed once, `_pads`); how many rows
        passed."""
        inner, outer = self.pads
        new_inner, new_outer, fromhex, same = (
            inner.copy,
            outer.copy,
            bytes.fromhex,
            hmac.compare_digest,
        )
        mac, expected, pinned = self.mac, self.last_seq + 1, self.pinned
        done = 0
        try:
            for seq, form, stored, body in batch:
                if seq != expected or form != FORM_FIELDS or seq in pinned:
                    break
                hashed = new_inner()
                hashed.update(fromhex(mac))
                hashed.update(body)
                mac_of = new_outer()
                mac_of.update(hashed.digest())
                if not same(mac_of.hexdigest(), stored):
                    break
                mac, expected, done = stored, expected + 1, done + 1
        except TypeError:
            pass  # a stored MAC that is not ASCII (compare_digest refuses it): `step` names it
        if done:
            self.last_seq, self.mac = batch[done - 1][0], mac
            self.previous_id = None  # read by `_out_of_order` when a problem needs it
            self.count += done
        return done

    def run(self) -> tuple[Problem | None, int, str]:
        """Walk to the end; appends made meanwhile are followed until the head is reached.
        Plain runs go through `lean`; the rest of a batch where it stops (an old form, a
        checkpointed event, a problem) is read again whole and checked as before."""
        body = sealing.body_bytes_sql(db.session.get_bind().dialect.name)
        size = self.size
        while True:
            before = self.last_seq
            # the first pass reads from the very start, so an event below 1 shows too
            after = self.last_seq if self.count else None
            batches = (
                _lean_batches(after, body, size) if body is not None else _batches(after, size=size)
            )
            with contextlib.closing(batches):
                for batch in batches:
                    if body is None:
                        problem = self.full([batch])
                    elif self.lean(batch) == len(batch):
                        continue
                    else:
                        # the rest of the batch read whole, after the last event checked (which
                        # may lie in an earlier batch; from the very start while there is none)
                        start = self.last_seq if self.count else None
                        problem = self.full(_batches(start, batch[-1][0], size))
                    if problem is not None:
                        return problem, *_head()
            head_seq, head_mac = _head()
            if head_seq <= self.last_seq or self.last_seq == before:
                return self.tail(head_seq, head_mac), head_seq, head_mac

    def full(self, batches: Any) -> Problem | None:
        """Check whole rows: `fast` over plain runs, `step` for the rest (names a problem)."""
        for batch in batches:
            at = 0
            while at < len(batch):
                at += self.fast(batch[at:] if at else batch)
                if at < len(batch):
                    problem = self.step(batch[at])
                    if problem is not None:
                        return problem
                    at += 1
        return None

    def tail(self, head_seq: int, head_mac: str) -> Problem | None:
        cp, last = self.checkpoint, self.last_seq
        if cp and not self.checkpoint_seen and cp["seq"] > 0:
            return Problem(
                "truncated",
                last + 1,
                None,
                f"the chain ends at event {last}, but the checkpoint of {cp['at']} recorded "
                f"event {cp['seq']}: the events after {last} were removed",
            )
        if head_seq > last:
            return Problem(
                "truncated",
                last + 1,
                None,
                f"the chain head says event {head_seq}, but the last event is {last}: "
                f"the events after {last} were removed",
            )
        if head_seq != last or not _same(head_mac, self.mac):
            return Problem(
                "head_mismatch",
                head_seq,
                None,
                f"the chain head (event {head_seq}) does not match the last event {last}",
            )
        return None


def verify_chain(key: bytes, checkpoint_path: Path | None = None, batch: int = BATCH) -> Result:
    """Recompute the sealed chain and compare it with the head row and the checkpoint file;
    count the events still waiting to be sealed (`flask audit verify` seals them first). The
    chain is read `batch` events at a time (`BATCH` but in tests)."""
    if db.session.execute(sa.select(AuditHead.id).where(AuditHead.id == 1)).first() is None:
        message = "the chain head row (audit_head 1) is missing"
        return Result(0, 0, GENESIS_MAC, Problem("head_missing", None, None, message))
    try:
        pinned = checkpoints.read_all(checkpoint_path)
    except CheckpointUnreadable:
        head_seq, head_mac = _head()
        message = f"the checkpoint file {checkpoint_path} is damaged or unreadable"
        return Result(0, head_seq, head_mac, Problem("checkpoint_unreadable", None, None, message))
    chain = checkpoints.chain_of(db.session)
    ours, foreign = checkpoints.split(pinned, chain)
    walk = _Walk(key, ours, batch)
    problem, head_seq, head_mac = walk.run()
    waiting = sealing.unsealed(db.session)
    if problem is None and waiting:
        bad = sealing.forged(db.session, key)
        if bad:
            message = (
                f"{len(bad)} unsealed events (the first id {bad[0]}) were not written with the "
                "audit key: slipped into the table, never to be sealed"
            )
            problem = Problem("forged", None, bad[0], message)
    return Result(walk.count, head_seq, head_mac, problem, chain, foreign, waiting)


def _same(a: str, b: str) -> bool:
    return secrets.compare_digest(a.encode(), b.encode())


def write_checkpoint(path: Path, seq: int, mac: str, chain: str | None = None) -> dict[str, Any]:
    """Append the head, naming its trail, to the checkpoint file (one JSON line, O_APPEND,
    fsync, mode 0600)."""
    return checkpoints.append(path, seq, mac, chain).as_dict()
