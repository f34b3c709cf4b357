"""Every benchmark in one go (`make bench`): generate 1k and 10k projects on SQLite and on
PostgreSQL, drive each with bench.web, walk each audit chain with bench.audit, then a 1,000-row
docket import against entering the filings one by one (bench/filing_import.py), then the
attachment throughput (bench/attachments.py), then two instances on one PostgreSQL, Redis and
S3-compatible store (bench/cluster.py). Prints every table as it goes.

    python -m bench.run [--sizes 1000,10000] [--databases sqlite,postgresql]
                        [--postgres postgresql://postgres@127.0.0.1:5432] [--skip-attachments]
                        [--redis redis://127.0.0.1:6379/2] [--skip-cluster]
                        [--database-prefix tracker_bench] [--web-only] [--only search,q=]
                        [--requests 200] [--seconds 20] [--rounds 3]

Bounded: each step runs under a time limit and bench.web caps each endpoint's requests and
seconds; everything listens on 127.0.0.1 only. PostgreSQL databases are named
`<prefix>_<size>` (`--database-prefix`, default `tracker_bench`) and dropped first (and at
the end unless --keep); SQLite files go to bench/.data/. `--web-only` generates and drives
the web only, `--only` picks bench.web's endpoints by name. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.web import GOALS, goal_cells

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"


def _run(title: str, args: list[str], limit: float) -> int:
    print(f"\n=== {title} ===", flush=True)
    began = time.monotonic()
    try:
        code = subprocess.run([sys.executable, *args], cwd=ROOT, timeout=limit).returncode
    except subprocess.TimeoutExpired:
        print(f"(stopped after {limit:.0f} s)")
        return 124
    print(f"--- {title}: exit {code} in {time.monotonic() - began:.0f} s", flush=True)
    return code


def _postgres_database(server: str, name: str, create: bool) -> str:
    admin = sa.create_engine(
        f"{server.replace('postgresql://', 'postgresql+psycopg://')}/postgres",
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return f"{server}/{name}"


def goals_table(measured: dict[tuple[str, int], dict[str, Any]]) -> None:
    """Issue 20's table: each request's p50 ÷ health p50 per database and size, beside its
    goal, with the load average each web run ended at (a busy machine compresses the ratios)."""
    if not measured:
        return
    runs = sorted(measured)
    print("\n=== issue 20: p50 ÷ health p50, goal per row ===")
    print("| request | " + " | ".join(f"{kind} {size:,}" for kind, size in runs) + " | goal |")
    print("|---" * (len(runs) + 2) + "|")
    for label, names, goal in GOALS:
        cells = [goal_cells(measured[run]["ratios"], names, goal) for run in runs]
        print(f"| {label} | " + " | ".join(cells) + f" | ≤ {goal:g}× |")
    loads = ", ".join(
        f"{kind} {size:,}: {measured[(kind, size)]['load'][0]:.1f}" for kind, size in runs
    )
    print(f"load average (1 min) at the end of each web run: {loads}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--requests", default="200")
    parser.add_argument("--seconds", default="20")
    parser.add_argument("--rounds", default="3", help="bench.web's rounds over its endpoints")
    parser.add_argument("--keep", action="store_true", help="keep the generated databases")
    parser.add_argument("--skip-attachments", action="store_true")
    parser.add_argument(
        "--redis", default="redis://127.0.0.1:6379/2", help="for bench.cluster (it is flushed)"
    )
    parser.add_argument("--skip-cluster", action="store_true")
    parser.add_argument(
        "--database-prefix", default="tracker_bench", help="PostgreSQL databases' name prefix"
    )
    parser.add_argument(
        "--web-only",
        action="store_true",
        help="generate and drive the web only (no audit, docket import, attachments, cluster)",
    )
    parser.add_argument("--only", help="bench.web's endpoints: name substrings, comma-separated")
    args = parser.parse_args(argv)
    database = f"{args.database_prefix}_{{size}}"
    failures = 0
    #: (database, size) → bench.web's {"load", "ratios"}, for the goals table at the end
    measured: dict[tuple[str, int], dict[str, Any]] = {}
    for kind in args.databases.split(","):
        for size in [int(s) for s in args.sizes.split(",")]:
            instance = DATA / f"{kind}-{size}"
            shutil.rmtree(instance, ignore_errors=True)
            instance.mkdir(parents=True)
            if kind == "sqlite":
                url = f"sqlite:///{instance / 'tracker.db'}"
            else:
                url = _postgres_database(args.postgres, database.format(size=size), create=True)
            where = ["--database", url, "--instance", str(instance)]
            steps = [
                ("generate", ["-m", "bench.generate", "--projects", str(size), *where], 3600),
                (
                    "web",
                    [
                        "-m",
                        "bench.web",
                        *where,
                        "--requests",
                        args.requests,
                        "--seconds",
                        args.seconds,
                        "--rounds",
                        args.rounds,
                        "--json",
                        str(instance / "web.json"),
                        *(["--only", args.only] if args.only else []),
                    ],
                    1800,
                ),
            ]
            if not args.web_only:
                steps.append(("audit verify", ["-m", "bench.audit", *where], 1800))
            for name, step, limit in steps:
                failures += _run(f"{kind}, {size:,} projects: {name}", step, limit) != 0
                if name == "web" and (instance / "web.json").exists():
                    measured[(kind, size)] = json.loads((instance / "web.json").read_text())
            if kind == "postgresql" and not args.web_only:
                # the goal's line: writers as processes, like gunicorn's workers and a
                # second instance; then threads, which share one process's interpreter lock
                for who, extra in (("processes", ["--processes"]), ("threads", [])):
                    failures += (
                        _run(
                            f"{kind}, {size:,} projects: audit append, concurrent {who}",
                            ["-m", "bench.audit", *where, "--append", "--no-memory", *extra],
                            600,
                        )
                        != 0
                    )
            if kind == "postgresql" and not args.keep:
                _postgres_database(args.postgres, database.format(size=size), create=False)
            elif not args.keep:
                shutil.rmtree(instance, ignore_errors=True)
    goals_table(measured)
    if args.web_only:
        return 1 if failures else 0
    failures += _run("docket import, 1,000 rows", ["-m", "bench.filing_import"], 900) != 0
    if not args.skip_attachments:
        failures += _run("attachments", ["bench/attachments.py", "--size-mib", "1024"], 1800) != 0
    if not args.skip_cluster:
        cluster = ["-m", "bench.cluster", "--postgres", args.postgres, "--redis", args.redis]
        failures += _run("cluster", [*cluster, "--database", "tracker_bench_cluster"], 600) != 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
