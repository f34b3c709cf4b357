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
    args = parser.parse_args(argv)

    from tracker.db import normalise_database_url

    url = normalise_database_url(args.database)
    app = app_for(url, (args.instance or default_instance(url)).resolve())
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


if __name__ == "__main__":
    sys.exit(main())
