"""Time ``audit verify`` over a generated chain: ``python -m bench.audit --database URL
[--instance DIR]``; or the appends of 1, 4 and 8 concurrent writers (``--append``).

Verify runs the same check as ``flask audit verify`` (tracker.audit.verify.verify_chain) in
this process and prints events per second, the peak of Python allocations during the walk
(tracemalloc) and the process's peak resident size (getrusage). tracemalloc slows the walk, so
the rate is measured in a first pass without it and the memory in a second pass with it. Its
baseline, measured in the same run: reading the same rows with the same keyset batches and
doing nothing with them (the ratio says what the MACs and checks cost on top of the reads).

Appends: each writer commits one event per transaction (what a request does). Two baselines,
measured in the same run with the same writers: a transaction that inserts one plain row into
a scratch table and commits (the database's commit rate, which no audited write can beat), and
the same with the former append's shape, one head row locked, read and updated by every
transaction (what the trail did before it was sealed in batches).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bench.generate import app_for, default_instance


def _verify(app: Any) -> Any:
    from tracker import keys
    from tracker.audit.verify import verify_chain

    with app.app_context():
        return verify_chain(keys.require(app).audit_key, None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--instance", type=Path)
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass")
    parser.add_argument(
        "--append", action="store_true", help="measure appends by concurrent writers instead"
    )
    parser.add_argument("--seconds", type=float, default=5, help="per writer count (--append)")
    parser.add_argument(
        "--processes", action="store_true", help="writers are processes, not threads (--append)"
    )
    args = parser.parse_args(argv)

    from tracker.db import normalise_database_url

    url = normalise_database_url(args.database)
    app = app_for(url, (args.instance or default_instance(url)).resolve())
    if args.append:
        return _append(app, url, args.seconds, args.processes)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    result = _verify(app)
    seconds = time.perf_counter() - t0
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    state = "intact" if result.intact else f"BROKEN: {result.problem}"
    print(f"{url.split(':', 1)[0]}: {result.events:,} events, {state}; load {_load()}")
    rate = result.events / seconds
    rows, scan_seconds = _scan(app)
    scan = rows / scan_seconds
    print(f"verify: {seconds:.2f} s, {rate:,.0f} events/s (goal >= 100,000)")
    print(f"baseline, the same rows read unchecked: {scan:,.0f} rows/s; ratio {rate / scan:.2f}")
    print(f"peak RSS: {rss_after / 1024:.0f} MiB (before the walk {rss_before / 1024:.0f} MiB)")
    if not args.no_memory:
        tracemalloc.start()
        _verify(app)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak Python allocations during the walk (tracemalloc): {peak / 2**20:.1f} MiB")
    return 0 if result.intact else 1


WRITERS = (1, 4, 8)


def _load() -> str:
    """The machine's load average (1, 5, 15 minutes), where there is /proc/loadavg."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


SCRATCH = "bench_audit_scratch"


def _scan(app: Any) -> tuple[int, float]:
    """The baseline of verify: the same rows read the same way (keyset batches, the body's
    bytes built by the database, the driver's own cursor), unchecked."""
    from tracker.audit import sealing, verify
    from tracker.db import db

    with app.app_context():
        body = sealing.body_bytes_sql(db.engine.dialect.name)
        assert body is not None
        t0 = time.perf_counter()
        rows = sum(len(batch) for batch in verify._lean_batches(None, body))
        seconds = time.perf_counter() - t0
        db.session.remove()
    return rows, seconds


def _race(
    app: Any, writers: int, seconds: float, one: Any, processes: bool = False
) -> tuple[int, float]:
    """`one()` repeated by `writers` threads (or processes, each with its own connections and
    its own sealer, as gunicorn's workers) for `seconds`: (transactions, elapsed)."""
    if processes:
        return _race_processes(app, writers, seconds, one)
    import threading

    from tracker.db import db

    counts = [0] * writers
    start = threading.Barrier(writers)
    stop_at: list[float] = []

    def write(i: int) -> None:
        with app.app_context():
            start.wait()
            if not stop_at:
                stop_at.append(time.monotonic() + seconds)
            while time.monotonic() < stop_at[0]:
                one(i)
                counts[i] += 1
            db.session.remove()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts), time.perf_counter() - t0


def _race_processes(app: Any, writers: int, seconds: float, one: Any) -> tuple[int, float]:
    import multiprocessing

    from tracker.audit import sealer
    from tracker.db import db

    context = multiprocessing.get_context("fork")
    start = context.Barrier(writers + 1)
    done = context.Queue()

    def write(i: int) -> None:
        with app.app_context():
            db.engine.dispose(close=False)  # the parent's pooled connections stay the parent's
            start.wait()
            stop_at, count = time.monotonic() + seconds, 0
            while time.monotonic() < stop_at:
                one(i)
                count += 1
            db.session.remove()
            sealer.settle(60)  # what this process's sealer holds is sealed before it ends
        done.put(count)

    children = [context.Process(target=write, args=(i,)) for i in range(writers)]
    for child in children:
        child.start()
    start.wait()
    t0 = time.perf_counter()
    total = sum(done.get(timeout=seconds + 120) for _ in children)
    elapsed = time.perf_counter() - t0
    for child in children:
        child.join(timeout=60)
    return total, elapsed


def _append(app: Any, url: str, seconds: float, processes: bool = False) -> int:
    """Events appended per second by 1, 4 and 8 writers, each committing one event per
    transaction, beside the bare commit rate of the same writers; then checks that every
    append was sealed into one linear chain (head moved by exactly the events counted, no
    event left unsealed, `verify_chain` intact)."""
    import sqlalchemy as sa

    from tracker import keys
    from tracker.audit import sealer, sealing
    from tracker.audit.models import AuditHead
    from tracker.audit.service import record
    from tracker.audit.verify import verify_chain
    from tracker.db import db

    def head() -> int:
        with app.app_context():
            return int(db.session.execute(sa.select(AuditHead.seq)).scalar_one())

    def audited(i: int) -> None:
        record("bench.append", object_type="bench", object_id=i, actor_id=None)
        db.session.commit()

    scratch = sa.Table(
        SCRATCH,
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("n", sa.Integer),
    )

    def bare(i: int) -> None:
        db.session.execute(scratch.insert().values(n=i))
        db.session.commit()

    def serialised(i: int) -> None:
        """The former append: every transaction locks one head row (here the scratch row 0)."""
        db.session.execute(sa.select(scratch.c.n).where(scratch.c.id == 0).with_for_update())
        db.session.execute(scratch.insert().values(n=i))
        db.session.execute(scratch.update().where(scratch.c.id == 0).values(n=i))
        db.session.commit()

    with app.app_context(), db.engine.begin() as conn:
        scratch.drop(conn, checkfirst=True)
        scratch.create(conn)
        conn.execute(scratch.insert().values(id=0, n=0))
    kind = url.split(":", 1)[0]
    who = "processes" if processes else "threads"
    print(
        f"{kind}: audit appends, one event per transaction, {seconds:.0f} s each, "
        f"writers are {who}; load {_load()}; goal >= 1,000 events/s with 8 writers"
    )
    print(
        f"{'writers':>8}{'events':>9}{'events/s':>10}{'commits/s':>11}{'ratio':>7}"
        f"{'head-locked/s':>15}{'ratio':>7}"
    )
    start_seq = head()
    total = 0
    try:
        for writers in WRITERS:
            commits, commit_time = _race(app, writers, seconds, bare, processes)
            locked, locked_time = _race(app, writers, seconds, serialised, processes)
            events, event_time = _race(app, writers, seconds, audited, processes)
            total += events
            rate, base = events / event_time, commits / commit_time
            former = locked / locked_time
            print(
                f"{writers:>8}{events:>9}{rate:>10.0f}{base:>11.0f}{rate / base:>7.2f}"
                f"{former:>15.0f}{rate / former:>7.2f}"
            )
    finally:
        with app.app_context(), db.engine.begin() as conn:
            scratch.drop(conn, checkfirst=True)
    settled = sealer.settle(60)  # the process's sealer finishes what the writers left
    with app.app_context():
        waiting = sealing.unsealed(db.session)
        result = verify_chain(keys.require(app).audit_key, None)
    grown = head() - start_seq
    linear = settled and grown == total and not waiting and result.intact
    print(
        f"chain head moved by {grown} for {total} appends, {waiting} unsealed, verify "
        f"{'intact' if result.intact else result.problem}: {'linear' if linear else 'BROKEN'}"
    )
    return 0 if linear else 1


if __name__ == "__main__":
    sys.exit(main())
