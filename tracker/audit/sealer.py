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


class Sealer:
    """One per process and engine (`for_engine`); started at its first wake."""

    def __init__(self, app: Flask, engine: sa.Engine) -> None:
        self.app, self.engine = app, engine
        self._wake = threading.Event()
        #: set while a pass runs or is due: writers then leave their events to it
        self._busy = threading.Event()
        self._idle = threading.Condition()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._own: sa.Engine | None = None

    @property
    def busy(self) -> bool:
        return self._busy.is_set()

    def wake(self) -> None:
        with self._idle:  # one thread per process, however many writers wake it at once
            self._busy.set()
            self._wake.set()
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()  # a forked worker starts its own thread
                self._thread = threading.Thread(target=self._run, name="audit-sealer", daemon=True)
                self._thread.start()

    def settle(self, timeout: float = 30) -> bool:
        """Wait until no pass is running or due (tests, the benchmark); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._busy.is_set(), timeout)

    def _run(self) -> None:
        failures = 0
        while True:
            self._wake.wait()
            self._wake.clear()
            try:
                self._pass()
                failures = 0
            except Exception as exc:  # noqa: BLE001 - the thread must outlive any failure
                # the writes have succeeded; a few more tries (a database that blinked), then
                # the next seal of any process, `audit seal` or `verify` takes them
                failures += 1
                log.warning("audit events left unsealed: %s", type(exc).__name__)
                if failures <= RETRIES:
                    time.sleep(RETRY_SECONDS * failures)
                    self._wake.set()
            with self._idle:
                if not self._wake.is_set():
                    self._busy.clear()
                    self._idle.notify_all()

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

    def _pass(self) -> None:
        with self.app.app_context():
            key: bytes = keys.current().audit_key
            with self.connection() as conn:
                with conn.begin():
                    conn.execute(sealing.LOCK)
                    # every wake so far followed a commit that the next statement's snapshot
                    # sees (READ COMMITTED: it is taken after this point, not at the lock's
                    # start, as under REPEATABLE READ): this pass answers them all
                    self._wake.clear()
                    done = sealing.seal_locked(conn, key)
                if done.count:
                    checkpoints.consider(done.head, conn)

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
