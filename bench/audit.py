"""Time ``audit verify`` over a generated chain: ``python -m bench.audit --database URL
[--instance DIR]``.

Runs the same check as ``flask audit verify`` (tracker.audit.verify.verify_chain) in this
process and prints events per second, the peak of Python allocations during the walk
(tracemalloc) and the process's peak resident size (getrusage). tracemalloc slows the walk, so
the rate is measured in a first pass without it and the memory in a second pass with it.
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
    args = parser.parse_args(argv)

    from tracker.db import normalise_database_url

    url = normalise_database_url(args.database)
    app = app_for(url, (args.instance or default_instance(url)).resolve())
    if args.append:
        return _append(app, url, args.seconds)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    result = _verify(app)
    seconds = time.perf_counter() - t0
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    state = "intact" if result.intact else f"BROKEN: {result.problem}"
    print(f"{url.split(':', 1)[0]}: {result.events:,} events, {state}")
    print(f"verify: {seconds:.2f} s, {result.events / seconds:,.0f} events/s")
    print(f"peak RSS: {rss_after / 1024:.0f} MiB (before the walk {rss_before / 1024:.0f} MiB)")
    if not args.no_memory:
        tracemalloc.start()
        _verify(app)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak Python allocations during the walk (tracemalloc): {peak / 2**20:.1f} MiB")
    return 0 if result.intact else 1


def _append(app: Any, url: str, seconds: float) -> int:
    """Events appended per second by 1, 2, 4 and 8 writers, each committing one event per
    transaction (what a request does); every append locks the chain head row, so this is the
    limit of audited writes. Then checks that the chain grew by exactly the events counted."""
    import threading

    import sqlalchemy as sa

    from tracker.audit.models import AuditHead
    from tracker.audit.service import record
    from tracker.db import db

    def head() -> int:
        with app.app_context():
            return int(db.session.execute(sa.select(AuditHead.seq)).scalar_one())

    print(f"{url.split(':', 1)[0]}: audit appends, one event per transaction, {seconds:.0f} s each")
    print(f"{'writers':>8}{'events':>9}{'events/s':>10}")
    start_seq = head()
    total = 0
    for writers in (1, 2, 4, 8):
        counts = [0] * writers
        stop_at = time.monotonic() + seconds

        def write(i: int, counts: list[int] = counts, stop_at: float = stop_at) -> None:
            with app.app_context():
                while time.monotonic() < stop_at:
                    record("bench.append", object_type="bench", object_id=i, actor_id=None)
                    db.session.commit()
                    counts[i] += 1

        threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        total += sum(counts)
        print(f"{writers:>8}{sum(counts):>9}{sum(counts) / elapsed:>10.0f}")
    grown = head() - start_seq
    shape = "linear" if grown == total else "FORKED"
    print(f"chain head moved by {grown} for {total} appends: {shape}")
    return 0 if grown == total else 1


if __name__ == "__main__":
    sys.exit(main())
