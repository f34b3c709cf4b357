"""The trail's state at a glance, cheaply: the last checkpoint (written only after `audit
verify` passed) and how far the chain has grown since. Nothing is recomputed.

The checkpoint file holds either one JSON object (the first format) or one JSON object per
line, appended (the newest last); both are read. A line may say how its verification went
(`"intact": false`, `"problem": "..."`); a line without says nothing more than that it was
written, which `audit checkpoint` does only for an intact chain.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tracker.audit.models import AuditHead
from tracker.db import db

#: how much of the file's end is read to find its last line
TAIL_BYTES = 64 * 1024


@dataclass
class Status:
    #: none | ok | broken | unreadable
    state: str
    head_seq: int
    checkpoint_seq: int | None = None
    checked_at: dt.datetime | None = None
    problem: str | None = None

    @property
    def since_checkpoint(self) -> int | None:
        return None if self.checkpoint_seq is None else self.head_seq - self.checkpoint_seq

    def age(self, now: dt.datetime) -> dt.timedelta | None:
        return None if self.checked_at is None else now - self.checked_at


def last_line(path: Path) -> str | None:
    """The last non-empty line of the file (reading only its end), None when it is empty."""
    with path.open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - TAIL_BYTES))
        tail = fh.read().decode("utf-8")
    lines = [line for line in tail.splitlines() if line.strip()]
    if not lines:
        return None
    if len(lines) == 1 or size <= TAIL_BYTES:
        # a single (possibly pretty-printed) JSON document reads whole
        whole = tail.strip()
        try:
            json.loads(whole)
            return whole
        except ValueError:
            pass
    return lines[-1]


def last_checkpoint(path: Path) -> dict[str, Any] | None:
    """The newest checkpoint entry; ValueError when the file cannot be read as one."""
    if not path.exists():
        return None
    try:
        line = last_line(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(str(exc)) from None
    if line is None:
        return None
    data = json.loads(line)
    if not isinstance(data, dict) or not isinstance(data.get("seq"), int):
        raise ValueError("not a checkpoint")
    return data


def _time(value: Any) -> dt.datetime | None:
    try:
        at = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def status(path: Path | None) -> Status:
    head = db.session.execute(sa.select(AuditHead.seq).where(AuditHead.id == 1)).scalar()
    head_seq = int(head or 0)
    if path is None:
        return Status("none", head_seq)
    try:
        data = last_checkpoint(path)
    except ValueError:
        return Status("unreadable", head_seq)
    if data is None:
        return Status("none", head_seq)
    intact = data.get("intact", True) is not False and not data.get("problem")
    return Status(
        "ok" if intact else "broken",
        head_seq,
        data["seq"],
        _time(data.get("at")),
        None if intact else str(data.get("problem") or "")[:300],
    )
