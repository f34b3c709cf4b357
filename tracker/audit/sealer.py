"""The process's sealer: a thread that seals what this process's writers left unsealed.

On PostgreSQL a writer seals its own events before its commit only when the seal lock is
free at once (`tracker.audit.sealing.before_commit`); when another holds it, or when this
process's sealer is already at work, the writer commits its events unsealed, wakes the sealer
and answers. It never waits and never makes another round trip for the seal.

The sealer *waits* for the seal lock (`pg_advisory_xact_lock`) on a connection of its own, so
an event whose writer committed while any other process held the lock is sealed as soon as
that holder commits: no one has to look again after releasing the lock. A wake that arrives
while it waits for the lock is answered by the pass that waits: its writer committed before
the lock was granted, so the queue read after it holds that event. Only the wakes that arrive
once it holds the lock are folded into one more pass, so under load one transaction seals the
events of many writers (the batch grows with the load) and a pass is not followed by another
for events it sealed itself. After each pass it writes a checkpoint when
one is due (`tracker.audit.checkpoints.consider`), as a writer that seals does.

That connection is the sealer's own, kept open between passes in a pool of one (`connection`),
not one of the application's pool: a checkout there pings the server (`pool_pre_ping`) and a
return rolls back, two round trips of the sealer's seven per pass, with 8 busy processes a
pass for every 4 to 5 events. Every pass ends its transaction itself (commit, or rollback on
an error), so the connection needs neither; one that broke is dropped by the failed pass (the
pool's disconnect handling) and the retry opens another.

One sealer leads at a time across all processes (`_serve`): the one holding the lead, a
session-level advisory lock (LEAD_LOCK) of its own connection that no one waits for. The
leader waits GATHER_SECONDS, then makes a pass whose lock statement also lets the lead go
(after the seal lock is granted, before the queue is read), and takes the lead again once it
sealed anything; after a pass that sealed nothing it stays let go. A sealer that finds the lead
taken (`pg_try_advisory_lock` fails) makes no pass: every event its writers committed before
that try is read by the leader's next pass, whose queue read follows the release. Its process's
writers then leave their events without trying the seal lock (`led_elsewhere`: an INSERT and
the commit, as a bare write) and it tries the lead again RECHECK_SECONDS later; found taken a
second time, it makes a pass of its own anyway. So whatever became of the leader (killed: its
connection's end lets the lead go; stalled; or its lock left on a server connection that a
transaction pooler gave to another client) those events wait about 2 × RECHECK_SECONDS at
most. A leader whose let-go finds no lead on its connection (a transaction pooler between it
and the server) leads no more: its process seals on its own, a pass per wake, as without the
lead. A pass that failed closes the sealer's connection. So with many busy processes one pass
seals what every writer committed in GATHER_SECONDS and more, instead of one pass per process
for every few events, each queueing on the seal lock.

A process killed between a writer's commit and the seal leaves committed, unsealed events:
the next seal of any process takes them first (every seal reads the whole queue), and
`flask audit seal` / `audit verify` seal them at once.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

import sqlalchemy as sa
from flask import Flask

from tracker import keys
from tracker.audit import checkpoints, sealing

log = logging.getLogger(__name__)

#: a failed pass is tried again this many times, waiting RETRY_SECONDS × the attempt between
RETRIES = 3
RETRY_SECONDS = 0.5
#: the leader waits this long before each pass, so that a pass seals what every process's
#: writers committed meanwhile (the number of passes per second is bounded by it)
GATHER_SECONDS = 0.02
#: a process that found the lead taken tries it again after this long, if its writers left
#: events meanwhile (a leader that stopped, or was killed, leaves nothing for longer)
RECHECK_SECONDS = 0.5
#: the session lock of the leading sealer ("tracker audit lead"), never waited for
LEAD_LOCK = 0x7472_6163_6B5F_4C44
#: the lead's try, one statement for the driver's own connection (in autocommit, between
#: passes) and for a pass's transaction (taking it again)
_TRY_LEAD = "SELECT pg_try_advisory_lock(%s)"
#: the seal lock, then the lead let go: in this order, in one statement (the inner SELECT
#: cannot be pulled up past OFFSET 0), so that the queue read next comes after both
_LOCK_AND_LET_GO = sa.text(
    "SELECT pg_advisory_unlock(:lead) FROM (SELECT pg_advisory_xact_lock(:seal) OFFSET 0) AS locked"
).bindparams(lead=LEAD_LOCK, seal=sealing.SEAL_LOCK)


class Sealer:
    """One per process and engine (`for_engine`); started at its first wake."""

    def __init__(self, app: Flask, engine: sa.Engine) -> None:
        self.app, self.engine = app, engine
        self._wake = threading.Event()
        #: set while a pass runs or is due: writers then leave their events to it
        self._busy = threading.Event()
        self._idle = threading.Condition()
        #: set when a writer left events that no pass or lead found taken has covered yet
        self._left = False
        #: set when another process was found leading: its pass covers what was left before,
        #: if it lives; the lead is tried again until a pass of this sealer covers it
        self._unsure = False
        #: until when another process is taken to lead (a try of the lead found it taken)
        self._led_until = 0.0
        #: this sealer leads: its pass lets the lead go and takes it again
        self._leading = False
        #: `settle` asks for the lead to be tried again at once
        self._hurry = threading.Event()
        #: the lead could not be let go on this connection (a transaction pooler): not tried
        self._no_lead = False
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._own: sa.Engine | None = None

    @property
    def busy(self) -> bool:
        return self._busy.is_set()

    def wake(self) -> None:
        with self._idle:  # one thread per process, however many writers wake it at once
            self._busy.set()
            self._left = True
            self._wake.set()
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()  # a forked worker starts its own thread
                self._thread = threading.Thread(target=self._run, name="audit-sealer", daemon=True)
                self._thread.start()

    def settle(self, timeout: float = 30) -> bool:
        """Wait until no pass is running or due (tests, the benchmark); False on timeout."""
        self._hurry.set()  # the lead tried again now, not RECHECK_SECONDS after the last try
        with self._idle:
            return self._idle.wait_for(lambda: not self._busy.is_set(), timeout)

    @property
    def led_elsewhere(self) -> bool:
        """Whether another process's sealer leads (its lead was found taken a moment ago): the
        writers of this process then leave their events to it without trying the seal lock."""
        return time.monotonic() < self._led_until

    def _run(self) -> None:
        failures = 0
        while True:
            self._wait()
            try:
                self._serve()
                failures = 0
            except Exception as exc:  # noqa: BLE001 - the thread must outlive any failure
                # the writes have succeeded; a few more tries (a database that blinked), then
                # the next seal of any process, `audit seal` or `verify` takes them
                failures += 1
                log.warning("audit events left unsealed: %s", type(exc).__name__)
                self.close()  # a connection that broke is not used again
                if failures <= RETRIES:
                    self._left = True
                    time.sleep(RETRY_SECONDS * failures)
                    self._wake.set()
                else:  # as before the lead: idle until the next wake, no loop while it is down
                    self._left = self._unsure = False
                    self._led_until = 0.0
            with self._idle:
                if not self._wake.is_set() and not self._left and not self._unsure:
                    self._busy.clear()
                    self._idle.notify_all()

    def _wait(self) -> None:
        """Until a writer leaves events; while another process leads, until its lead is to be
        tried again (RECHECK_SECONDS after the last try), however many writers wake it."""
        if self._left or self._unsure:
            remaining = self._led_until - time.monotonic()
            if remaining > 0 and self._hurry.wait(remaining):
                self._hurry.clear()
                self._led_until = 0.0  # `settle` asks: try again now
        else:
            self._wake.wait()
        self._wake.clear()

    def _serve(self) -> None:
        """Lead, or find another process leading: either way every event this process's
        writers committed before the try is sealed by a pass that reads the queue after it,
        the leader's (if it lives: the lead is tried again RECHECK_SECONDS later, until this
        sealer leads a pass itself). While another was found leading, nothing until then.

        A lead found taken at two tries in a row is not relied on any longer: this sealer then
        makes a pass of its own (without the lead), so what its writers left waits about
        2 × RECHECK_SECONDS at most, whatever became of the leader (stalled, or its lock left
        on a server connection a transaction pooler gave to someone else)."""
        if self.led_elsewhere:
            return  # `_wait` waits for the next try
        self._left = False  # a wake after this point may not be covered: it sets it again
        if self._no_lead:
            self._pass()  # a pass per wake, each process on its own, as without the lead
            return
        self._hurry.clear()  # a `settle` so far is answered by this try
        if not self._try_lead():
            if self._unsure:
                self._pass()  # the lead was taken at the last try too: seal without it
            else:
                self._unsure = True  # covered by the leader's next pass, if it makes one
            self._led_until = time.monotonic() + RECHECK_SECONDS
            return
        self._leading = True
        try:
            while True:
                time.sleep(GATHER_SECONDS)  # the commits of every process gather meanwhile
                if not self._pass() or not self._leading:
                    break  # let go (the pass's lock statement), not taken again
        finally:
            if self._leading:  # a pass failed, perhaps before letting go
                self._leading = False
                self.close()  # its connection's end lets the lead go

    def _try_lead(self) -> bool:
        """Take the lead (a session lock of the sealer's own connection) without waiting: one
        statement in autocommit, no transaction around it (a round trip)."""
        if self.engine.dialect.name != "postgresql":
            return True  # SQLite: no sealer thread runs but in tests; nothing to share
        if self._no_lead:
            return False
        with self.connection() as conn:
            raw: Any = conn.connection.dbapi_connection
            try:
                raw.autocommit = True  # between transactions: set on the client alone
                found = bool(raw.execute(_TRY_LEAD, (LEAD_LOCK,)).fetchone()[0])
                raw.autocommit = False
            except Exception:
                conn.invalidate()  # a broken connection: the next try opens another
                raise
            return found

    def connection(self) -> sa.Connection:
        """The sealer's connection, from its own pool of one: no ping at the checkout, no
        rollback at the return (a pass always ends its transaction), opened once per process.
        The application's engine options hold for it too (TLS, timeouts, names in
        `connect_args`; parameters hidden from errors), only the pool's differ; and it reads
        in READ COMMITTED whatever the server's default, which `_pass` relies on."""
        if self._own is None:
            options = dict(self.app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
            options.update(
                pool_size=1,
                max_overflow=0,
                pool_pre_ping=False,
                pool_reset_on_return=None,
                isolation_level="READ COMMITTED",
            )
            self._own = sa.create_engine(self.engine.url, **options)
        return self._own.connect()

    def _pass(self) -> int:
        """One pass: wait for the seal lock, seal the queue, commit, write a checkpoint when
        one is due. While leading, the
        lock's statement lets the lead go and the pass takes it again when it sealed anything
        (`_serve`). How many events it sealed."""
        with self.app.app_context():
            key: bytes = keys.current().audit_key
            leading = self._leading
            with self.connection() as conn:
                with conn.begin():
                    let_go = conn.execute(_LOCK_AND_LET_GO if leading else sealing.LOCK).scalar()
                    self._leading = False
                    if leading and not let_go:
                        # the lead was not this connection's to let go: a transaction pooler
                        # between this process and the server; lead no more (every sealer's
                        # own passes still seal, `_serve`)
                        self._no_lead = True
                        log.warning("audit sealer: the lead is not kept across transactions")
                    # every wake so far followed a commit that the next statement's snapshot
                    # sees (READ COMMITTED: it is taken after this point, not at the lock's
                    # start, as under REPEATABLE READ): this pass answers them all; and so
                    # every lead found taken until the statement above
                    self._wake.clear()
                    self._left = self._unsure = False
                    done = sealing.seal_locked(conn, key)
                    if leading and done.count:
                        self._leading = bool(conn.exec_driver_sql(_TRY_LEAD, (LEAD_LOCK,)).scalar())
                if done.count:
                    checkpoints.consider(done.head, conn)
            return done.count

    def close(self) -> None:
        """Close the sealer's connection (tests; a pass after this opens another)."""
        if self._own is not None:
            self._own.dispose()
            self._own = None

    def forget(self) -> None:
        """In a forked child: leave the parent's connection to the parent (never closed here)."""
        if self._own is not None:
            self._own.dispose(close=False)
            self._own = None


_sealers: dict[int, Sealer] = {}
_lock = threading.Lock()


def _forget_after_fork() -> None:
    """A forked child starts with no sealer and fresh locks (one held by a parent's thread at
    the fork would never be released in the child)."""
    global _lock
    for found in _sealers.values():
        found.forget()
    _sealers.clear()
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)


def for_engine(app: Flask, engine: sa.Engine) -> Sealer:
    with _lock:
        found = _sealers.get(id(engine))
        if found is None or found.engine is not engine:
            if found is not None:  # an engine gone, its id taken again: close its connection
                found.close()
            found = _sealers[id(engine)] = Sealer(app, engine)
        return found


def current(engine: Any) -> Sealer | None:
    """This process's sealer for `engine`, if one was started."""
    found = _sealers.get(id(engine))
    return found if found is not None and found.engine is engine else None


def settle(timeout: float = 30) -> bool:
    """Wait until every sealer of this process is idle (tests, the benchmark)."""
    return all(found.settle(timeout) for found in list(_sealers.values()))
