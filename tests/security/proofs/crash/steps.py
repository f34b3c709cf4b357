"""Kills at each step of an upload, a disclosure acceptance and a gate decision.

The server is stopped at a known point from outside, with no hook in the product:
- inside an upload's body: the test sends only part of it (and watches the temporary blob);
- at a statement (PostgreSQL): the test holds a lock the statement needs and waits until
  pg_stat_activity shows the server waiting at it. `LOCK TABLE t IN EXCLUSIVE MODE` lets reads
  through and stops the first write to t; a row lock on the project stops the upload's
  `SELECT ... FOR NO KEY UPDATE`; an uncommitted audit event carrying the sequence number the
  server will use next stops the server's insert of it (a unique-key wait);
- at the transaction (SQLite, one writer at a time): the test holds the write lock
  (BEGIN IMMEDIATE), so the server waits at its first statement;
- after the commit, before the answer: the server's checkpoint file is a FIFO
  (Harness.stop_after_commit);
- after the commit, before the seal (PostgreSQL): the test holds the audit seal lock, so the
  server commits its events unsealed (its try-lock fails, it does not wait) and answers; it is
  killed before anything sealed them (its sealer thread waiting for the lock), and after the
  restart they must be sealed into the chain (`audit verify` passes, no event left unsealed,
  the write present);
- inside the sealer's batch (PostgreSQL): as above, then the test lets go of the seal lock but
  holds the first place the batch will take, so the process's sealer thread waits at its
  UPDATE of the events, its transaction half done; the same must hold after the kill. On
  SQLite the single writer seals in the transaction of the append, under its write lock:
  there is no moment between them to kill.
Then SIGKILL, release the lock, restart, sweep, check everything (checks.py), and check that
the operation is wholly absent (killed before its commit) or wholly present (after it).
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tests.security.proofs.crash import checks
from tests.security.proofs.crash.harness import Harness
from tests.security.proofs.crash.operations import OPERATIONS, Operation
from tracker.audit.sealing import SEAL_LOCK

MIB = 1024 * 1024


@dataclass
class Step:
    operation: str  # upload | acceptance | gate
    point: str  # where the server is when it is killed
    #: the lock the test holds: ("table", name), ("row",) the project's row, ("seq", k) the
    #: k-th place in the chain the request's events will take, ("seal",) the audit seal lock,
    #: ("database",) SQLite's write lock, or ("database", "midway") that lock taken once the
    #: upload's body streams in
    hold: tuple[Any, ...] = ()
    statement: str | None = None  # PostgreSQL: the statement the server must wait at
    sent: int | None = None  # upload: how much of the body is sent (None: all of it)
    blob: bool = False  # the server must have published the upload's blob
    committed: bool = False  # killed after the commit, before the answer
    unsealed: bool = False  # killed after the commit (answered or not), before the seal


def _audit(what: str) -> str:
    return f"at the audit seal, before the commit ({what})"


def _unsealed(operation: str) -> Step:
    return Step(operation, "committed, its events not yet sealed", ("seal",), unsealed=True)


def _sealer(operation: str) -> Step:
    """Answered unsealed, then the process's sealer killed inside its batch, at its UPDATE."""
    point = "committed and answered; the process's sealer killed at its UPDATE of the events"
    return Step(operation, point, ("seal", 1), SEAL_UPDATE, unsealed=True)


#: the seal's UPDATE on PostgreSQL: the events' places and the head's move, one statement
SEAL_UPDATE = r"^WITH placed AS \(UPDATE audit_events\b.*\bUPDATE audit_head\b"


PREAMBLE = Step("upload", "in the multipart preamble (100 bytes of the body sent)", sent=100)
IN_FILE = Step("upload", "inside the file: the temporary blob is being written", sent=3 * MIB)
POSTGRESQL = [
    PREAMBLE,
    IN_FILE,
    Step(
        "upload",
        "blob published, waiting to lock the project row",
        ("row",),
        r"FROM projects\b.*FOR NO KEY UPDATE",
        blob=True,
    ),
    Step(
        "upload",
        "at INSERT INTO attachments",
        ("table", "attachments"),
        r"^INSERT INTO attachments\b",
        blob=True,
    ),
    Step(
        "upload",
        "at INSERT INTO attachment_versions (the attachment row written)",
        ("table", "attachment_versions"),
        r"^INSERT INTO attachment_versions\b",
        blob=True,
    ),
    Step(
        "upload",
        _audit("attachment.uploaded; the version row written"),
        ("table", "audit_head"),
        r"FROM audit_head\b.*FOR UPDATE",
        blob=True,
    ),
    Step("upload", "committed, before the answer", committed=True),
    _unsealed("upload"),
    _sealer("upload"),
    Step(
        "acceptance",
        "at INSERT INTO ip_assets (nothing written)",
        ("table", "ip_assets"),
        r"^INSERT INTO ip_assets\b",
    ),
    Step(
        "acceptance",
        "at INSERT INTO asset_owners (the asset written)",
        ("table", "asset_owners"),
        r"^INSERT INTO asset_owners\b",
    ),
    Step(
        "acceptance",
        "at INSERT INTO search_entries (the asset and its owners written)",
        ("table", "search_entries"),
        r"^INSERT INTO search_entries\b",
    ),
    Step(
        "acceptance",
        _audit("asset.created; the asset indexed"),
        ("table", "audit_head"),
        r"FROM audit_head\b.*FOR UPDATE",
    ),
    Step(
        "acceptance",
        "at UPDATE disclosures (the asset and its event written)",
        ("table", "disclosures"),
        r"^UPDATE disclosures\b",
    ),
    Step(
        "acceptance",
        "at the seal of the disclosure.accepted event (its place in the chain taken)",
        ("seq", 2),
        SEAL_UPDATE,
    ),
    Step("acceptance", "committed, before the answer", committed=True),
    _unsealed("acceptance"),
    _sealer("acceptance"),
    Step(
        "gate",
        "at UPDATE transfer_requests (nothing written)",
        ("table", "transfer_requests"),
        r"^UPDATE transfer_requests\b",
    ),
    Step(
        "gate",
        _audit("transfer.decided; the status changed"),
        ("table", "audit_head"),
        r"FROM audit_head\b.*FOR UPDATE",
    ),
    Step("gate", "committed, before the answer", committed=True),
    _unsealed("gate"),
    _sealer("gate"),
]
SQLITE = [
    PREAMBLE,
    IN_FILE,
    Step(
        "upload",
        "blob published, waiting for the write lock",
        ("database", "midway"),
        sent=3 * MIB,
        blob=True,
    ),
    Step("upload", "committed, before the answer", committed=True),
    Step("acceptance", "waiting for the write lock (nothing written)", ("database",)),
    Step("acceptance", "committed, before the answer", committed=True),
    Step("gate", "waiting for the write lock (nothing written)", ("database",)),
    Step("gate", "committed, before the answer", committed=True),
]


def steps(h: Harness) -> list[Step]:
    return POSTGRESQL if h.postgres else SQLITE


class Hold:
    """A lock the test holds while the server runs into it."""

    def __init__(self, h: Harness, hold: tuple[Any, ...]) -> None:
        self.connection: Any
        self.seal: Any = None
        if hold[0] == "database":
            self.connection = sqlite3.connect(
                sa.engine.make_url(h.url).database or "", timeout=60, isolation_level=None
            )
            self.connection.execute("BEGIN IMMEDIATE")
            return
        self.connection = h.engine.connect()
        if hold[0] == "table":
            self.connection.execute(sa.text(f"LOCK TABLE {hold[1]} IN EXCLUSIVE MODE"))
        elif hold[0] == "seal":  # until this transaction ends (`let_sealer_in`)
            self.connection.execute(sa.select(sa.func.pg_advisory_xact_lock(SEAL_LOCK)))
            if len(hold) > 1:  # and then the k-th place, once the seal lock is let go
                self.seal, self.connection = self.connection, Hold(h, ("seq", hold[1])).connection
        elif hold[0] == "row":
            self.connection.execute(
                sa.text("SELECT id FROM projects WHERE id = :id FOR UPDATE"), {"id": h.demo.id}
            )
        else:  # the k-th place the request's events take: the sealer's UPDATE waits for it
            head = self.connection.execute(sa.text("SELECT seq FROM audit_head")).scalar_one()
            self.connection.execute(
                sa.text(
                    "INSERT INTO audit_events (seq, at, action, detail, mac, form) "
                    "VALUES (:seq, CURRENT_TIMESTAMP, 'crash.hold', '{}', :mac, 2)"
                ),
                {"seq": head + hold[1], "mac": "0" * 64},
            )

    def let_sealer_in(self) -> None:
        """Let go of the seal lock, keep the place (the sealer then waits at its UPDATE)."""
        self.seal.rollback()
        self.seal.close()

    def release(self) -> None:
        self.connection.rollback()
        self.connection.close()
        if self.seal is not None and not self.seal.closed:
            self.seal.rollback()
            self.seal.close()


def _until(condition: Callable[[], Any], what: str, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.02)
    return found


def run(h: Harness, step: Step, n: int) -> tuple[str, list[str]]:
    """Kill the server at `step`: (what was seen when it was killed, problems found)."""
    op: Operation = OPERATIONS[step.operation](h, n)
    if step.committed:
        h.stop_after_commit(True)
    midway = step.hold[1:] == ("midway",)
    hold = Hold(h, step.hold) if step.hold and not midway else None
    problems: list[str] = []
    request = op.send(step.sent)
    try:
        if midway:  # the request's first transaction is over once the body streams in
            _until(lambda: op.temporary(1), "the temporary blob")
            hold = Hold(h, step.hold)
            request.rest()
        seen = _reach(h, step, op, hold)
    except TimeoutError as exc:
        seen, problems = "", [f"never reached: {exc}"]
    h.kill()
    if step.committed:
        h.stop_after_commit(False)
    if hold is not None:
        hold.release()
    h.wait_backends_gone()
    answered = request.result()
    if answered is not None and not step.unsealed:
        problems.append(f"the server answered {answered} before the kill")
    if step.unsealed and answered not in (None, 200, 201):  # None: killed before the answer
        problems.append(f"the server answered {answered} with its events unsealed")
    h.start()
    found, swept = checks.after_restart(h)
    if step.unsealed:
        found += checks.all_sealed(h)
    present = step.committed or step.unsealed
    problems += found + (op.present() if present else op.absent())
    return f"{seen}; sweep: {swept}", problems


def _reach(h: Harness, step: Step, op: Operation, hold: Hold | None) -> str:
    """Wait until the server is where `step` kills it; what shows it."""
    if step.committed:
        _until(op.committed, "the commit")
        return "committed, no answer yet"
    if step.unsealed:
        _until(op.committed, "the commit")
        waiting = _until(lambda: checks.unsealed(h), "its events committed unsealed")
        if step.statement is None or hold is None:
            return f"committed, {waiting} events unsealed"
        hold.let_sealer_in()
        seen = f"committed, {waiting} events unsealed; "
    else:
        seen = ""
    if step.blob:
        _until(op.published, "the published blob")
    if step.statement is not None:
        pattern = re.compile(step.statement, re.S)
        statement = _until(
            lambda: (s := h.blocked_statement()) and pattern.search(s) and s,
            f"a wait at {step.statement}",
        )
        return seen + "waited at `" + " ".join(statement.split())[:60] + "…`"
    if step.blob:
        time.sleep(0.5)  # SQLite: the server now waits for the write lock the test holds
        return "blob published"
    if step.sent is not None and step.sent > MIB:
        _until(lambda: op.temporary(MIB), "the temporary blob")
        return "temporary blob over 1 MiB"
    time.sleep(1.0)  # nothing to see from outside: the server reads, or waits for the lock
    return "1 s after the request was sent"
