"""Checkpoints of the audit chain head, kept in a file outside the database.

The file is append-only: one JSON line per checkpoint (`{"seq": …, "mac": …, "at": …,
"chain": …}`), opened with O_APPEND and fsynced, never rewritten. Someone holding only the
database therefore cannot wind the chain back past the last checkpoint: `audit verify` sees the
checkpointed event gone.

`chain` names the trail a checkpoint belongs to: the MAC of its event 1, which only the audit
key can make and which no other database's trail shares. The default file lives in the instance
folder whatever the database, so a file may hold checkpoints of another trail (a second
database, a fresh one after a reset): those are another trail's, not a rewritten chain of this
one. Lines written before the field existed name no chain and count as this trail's.

The application writes a checkpoint itself after the commit of a transaction that recorded
audit events, once TRACKER_AUDIT_CHECKPOINT_EVERY_EVENTS events (0: never by count) or
TRACKER_AUDIT_CHECKPOINT_EVERY_MINUTES minutes (0: never by time) have passed since the last
one. The head is read from the database after the commit, so a checkpoint only ever names a
committed event. `flask audit checkpoint` (from cron) covers an instance that goes quiet.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session, scoped_session

log = logging.getLogger(__name__)

#: session.info key set by `record` when a transaction appends to the chain
PENDING = "tracker_audit_appended"
#: app.extensions key: the last checkpoint this process knows of (seq, time)
KNOWN = "tracker_audit_checkpoint"


class CheckpointUnreadable(Exception):
    pass


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    mac: str
    at: str
    #: the MAC of the trail's event 1 (None on lines written before chains were named)
    chain: str | None = None

    @property
    def time(self) -> dt.datetime | None:
        try:
            when = dt.datetime.fromisoformat(self.at)
        except ValueError:
            return None
        return when if when.tzinfo else when.replace(tzinfo=dt.UTC)

    def as_dict(self) -> dict[str, Any]:
        found = {"seq": self.seq, "mac": self.mac, "at": self.at}
        return found if self.chain is None else {**found, "chain": self.chain}

    def of_chain(self, chain: str | None) -> bool:
        """Whether this checkpoint belongs to the trail whose event 1 has MAC `chain` (one that
        names no chain, or a trail without an event 1, is taken as this one)."""
        return self.chain is None or chain is None or self.chain == chain


def _parse(line: str) -> Checkpoint:
    data = json.loads(line)
    if not (isinstance(data, dict) and isinstance(data.get("seq"), int)):
        raise ValueError("not a checkpoint")
    if not isinstance(data.get("mac"), str) or isinstance(data["seq"], bool):
        raise ValueError("not a checkpoint")
    chain = data.get("chain")
    if chain is not None and not isinstance(chain, str):
        raise ValueError("not a checkpoint")
    return Checkpoint(data["seq"], data["mac"], str(data.get("at", "?")), chain)


def read_all(path: Path | None) -> list[Checkpoint]:
    """Every checkpoint in the file, in file order ([] when there is none yet);
    CheckpointUnreadable when any line is damaged."""
    if path is None or not path.exists():
        return []
    try:
        lines = [line for line in path.read_text().splitlines() if line.strip()]
        found = [_parse(line) for line in lines]
    except (OSError, ValueError, UnicodeDecodeError):
        raise CheckpointUnreadable(str(path)) from None
    if not found:
        raise CheckpointUnreadable(str(path))
    return found


def latest(checkpoints: list[Checkpoint]) -> Checkpoint | None:
    """The checkpoint furthest along the chain (processes may append slightly out of order)."""
    return max(checkpoints, key=lambda c: c.seq, default=None)


def split(found: list[Checkpoint], chain: str | None) -> tuple[list[Checkpoint], int]:
    """The checkpoints of the trail `chain` names, and how many belong to another trail."""
    ours = [c for c in found if c.of_chain(chain)]
    return ours, len(found) - len(ours)


def chain_of(conn: sa.Connection | Session | scoped_session[Any]) -> str | None:
    """The name of the trail in this database: the MAC of its event 1 (None before it)."""
    from tracker.audit.models import AuditEvent

    mac = conn.execute(sa.select(AuditEvent.mac).where(AuditEvent.seq == 1)).scalar()
    return None if mac is None else str(mac)


def append(path: Path, seq: int, mac: str, chain: str | None = None) -> Checkpoint:
    """Append one checkpoint line (O_APPEND, mode 0600 when created), fsynced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    checkpoint = Checkpoint(seq, mac, dt.datetime.now(dt.UTC).isoformat(), chain)
    line = json.dumps(checkpoint.as_dict(), separators=(",", ":")) + "\n"
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        if os.fstat(fd).st_size and not _ends_with_newline(path):
            line = "\n" + line  # never glue a line onto a torn one
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return checkpoint


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"


# --- the automatic checkpoint, after the commit ------------------------------------------------


def _settings() -> tuple[Path | None, int, int]:
    config = current_app.config
    value = config.get("TRACKER_AUDIT_CHECKPOINT_FILE")
    return (
        Path(value) if value else None,
        int(config.get("TRACKER_AUDIT_CHECKPOINT_EVERY_EVENTS") or 0),
        int(config.get("TRACKER_AUDIT_CHECKPOINT_EVERY_MINUTES") or 0),
    )


def _known(path: Path, chain: str | None) -> tuple[int, dt.datetime | None]:
    """The last checkpoint of the trail `chain` as the file says (re-read when called)."""
    try:
        last = latest(split(read_all(path), chain)[0])
    except CheckpointUnreadable:
        last = None  # verify reports it; the app keeps appending good lines meanwhile
    result = (last.seq, last.time) if last else (0, None)
    current_app.extensions[KNOWN] = (path, *result)
    return result


def _due(seq: int, last: tuple[int, dt.datetime | None], events: int, minutes: int) -> bool:
    last_seq, last_at = last
    if seq <= last_seq:
        return False
    if events and seq - last_seq >= events:
        return True
    if minutes:
        if last_at is None:
            return True
        return dt.datetime.now(dt.UTC) - last_at >= dt.timedelta(minutes=minutes)
    return False


def after_commit(session: Session) -> None:
    """Write a checkpoint when the transaction just committed crossed a threshold."""
    appended = session.info.pop(PENDING, None)
    if appended is not None and has_app_context():
        consider(appended)


def consider(appended: int, conn: sa.Connection | None = None) -> None:
    """Write a checkpoint when the chain, sealed up to `appended`, crossed a threshold (after a
    writer's commit that sealed, or the process sealer's, which lends its own connection
    `conn`, between transactions: none is taken from the pool)."""
    path, events, minutes = _settings()
    if path is None or (not events and not minutes):
        return
    known = current_app.extensions.get(KNOWN)
    if known and known[0] == path and not _due(appended, (known[1], known[2]), events, minutes):
        return
    try:
        from tracker.audit.models import AuditHead
        from tracker.db import db

        # the committed head, on a connection of its own (this session is between transactions)
        with nullcontext(conn) if conn is not None else db.engine.connect() as reading:
            with reading.begin():
                found = sa.select(AuditHead.seq, AuditHead.mac).where(AuditHead.id == 1)
                head = reading.execute(found).first()
                chain = chain_of(reading)
        last = _known(path, chain)  # another process may have written one meanwhile
        if head is None or head.seq <= last[0] or not _due(appended, last, events, minutes):
            return
        written = append(path, int(head.seq), str(head.mac), chain)
        current_app.extensions[KNOWN] = (path, written.seq, written.time)
    except (OSError, sa.exc.SQLAlchemyError) as exc:
        # the request has succeeded; `audit verify --strict` shows the missing checkpoint
        log.warning("audit checkpoint not written: %s", type(exc).__name__)


def after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)


def install() -> None:
    """Listen on every ORM session (idempotent)."""
    if not sa.event.contains(Session, "after_commit", after_commit):
        sa.event.listen(Session, "after_commit", after_commit)
        sa.event.listen(Session, "after_rollback", after_rollback)


install()
