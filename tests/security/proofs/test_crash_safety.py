"""Crash safety (issue 11, proof 5): a real gunicorn, master and two workers, on the demo data
is killed with SIGKILL (the whole process group) at random moments of a mixed workload and at
each step of an upload, a disclosure acceptance and a gate decision (crash/steps.py). After
every kill the server restarts, `flask attachments sweep` runs, and crash/checks.py holds:
every acknowledged write reads back intact, no record is partial, no blob is orphaned or
missing, `flask audit verify` and `flask attachments verify` exit 0.

Figure: kills survived / total. CRASH_SEED (default: random, printed) seeds the workload and
the kill moments; CRASH_KILLS (default 21) is the number of random kills. SQLite, or
PostgreSQL when TRACKER_TEST_DATABASE_URL is set (the steps a lock can reach differ).
"""

from __future__ import annotations

import os
import random
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.security.proofs.crash import checks, steps
from tests.security.proofs.crash.harness import Harness
from tests.security.proofs.crash.workload import Workload
from tests.support import database_url

KINDS = ("random", "upload", "acceptance", "gate")


@dataclass
class Kill:
    kind: str  # random, or the operation killed step by step
    label: str
    problems: list[str]
    in_flight: int = 0
    swept: tuple[int, ...] = (0, 0, 0)  # temporary files, unfinished rows, orphan blobs


def _swept(report: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", report)) or (0, 0, 0)


def _random_kills(h: Harness, workload: Workload, count: int) -> list[Kill]:
    kills = []
    for epoch in range(1, count + 1):
        delay = h.rng.uniform(0.3, 2.5)
        in_flight = workload.cycle(epoch, delay)
        h.wait_backends_gone()
        h.start()
        problems, swept = checks.after_restart(h)
        label = f"after {delay:.2f} s, {in_flight} requests in flight; sweep: {swept}"
        kills.append(Kill("random", label, problems, in_flight, _swept(swept)))
    return kills


def _step_kills(h: Harness) -> list[Kill]:
    kills = []
    for n, step in enumerate(steps.steps(h), 1):
        seen, problems = steps.run(h, step, n)
        kills.append(Kill(step.operation, f"{step.point}: {seen}", problems))
    return kills


def _last_word(h: Harness) -> list[str]:
    """Every acknowledged write re-read once more; the commands an operator runs, each in its
    own process."""
    problems = checks.acknowledged(h, h.ledger.due(h.rng, None))
    for command in (("audit", "verify"), ("attachments", "verify")):
        code, out = h.real_command(*command)
        if code != 0:
            problems.append(f"`flask {' '.join(command)}` exited {code}: {out[-500:]}")
    return problems


def _report(h: Harness, workload: Workload, kills: list[Kill], run: str, controls: str) -> None:
    survived = sum(not k.problems for k in kills)
    per_kind = ", ".join(f"{kind} {sum(k.kind == kind for k in kills)}" for kind in KINDS)
    print(
        f"\ncrash-safety: kills survived {survived}/{len(kills)} ({per_kind}) "
        f"on {h.database}, {run}"
    )
    acknowledged = ", ".join(f"{kind} {n}" for kind, n in sorted(h.ledger.counts.items()))
    print(f"  writes acknowledged (re-read after the next kill and at the end): {acknowledged}")
    print(f"  answers to the random clients: {dict(sorted(workload.answers.items()))}")
    chance = [k for k in kills if k.kind == "random"]
    swept = [sum(k.swept[i] for k in chance) for i in range(3)]
    print(
        f"  at the random kills: {sum(k.in_flight for k in chance)} requests in flight; "
        f"the sweeps removed {swept[0]} temporary files, {swept[2]} orphan blobs"
    )
    if workload.refusals:
        print(f"  refused (nothing committed): {dict(workload.refusals)}")
    print(f"  controls: {controls} checks saw the defects made on purpose")
    for kill in kills:
        if kill.kind != "random" or kill.problems:
            verdict = "survived" if not kill.problems else "FAILED: " + "; ".join(kill.problems)
            print(f"  {kill.kind}: {kill.label}: {verdict}")


@pytest.mark.real_commits
def test_crash_safety(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, worker_id: str, capsys: Any
) -> None:
    seed = int(os.environ.get("CRASH_SEED") or random.SystemRandom().randrange(1, 10**6))
    count = int(os.environ.get("CRASH_KILLS") or 21)
    started = time.monotonic()
    h = Harness(tmp_path, database_url(tmp_path_factory, worker_id, "crash"), seed)
    try:
        h.begin()
        workload = Workload(h, seed, h.demo)
        kills = _random_kills(h, workload, count)
        kills += _step_kills(h)
        final = _last_word(h)
        made, missed = checks.controls(h)
    finally:
        h.close()
    controls = f"{made - len(missed)}/{made}"
    with capsys.disabled():
        _report(h, workload, kills, f"seed {seed}, {time.monotonic() - started:.0f} s", controls)
    assert not workload.server_errors, workload.server_errors[:5]
    assert not workload.problems, workload.problems[:5]
    assert not final, final
    assert not missed, f"defects no check reported: {missed}"
    assert all(not k.problems for k in kills), [k for k in kills if k.problems][:5]
