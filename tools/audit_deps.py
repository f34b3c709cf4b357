"""pip-audit over a locked requirements list, against the advisory snapshot served on loopback
(issue 11, proof 7); prints the figure on a "static: pip-audit:" line.

The snapshot is the first of: `--snapshot PATH`, $TRACKER_ADVISORY_SNAPSHOT (CI names the copy
it keeps beside the checkout), `.ci/advisories/` of the checkout (made by
`tools/refresh_advisories.py`, not committed). The mirror
(`tools/osv_mirror.py`) answers pip-audit's OSV queries from it; packages the snapshot does not
cover count as not audited. Without a snapshot pip-audit asks its default service, which here
answers for no package, and that count is the figure.

Advisories reviewed and accepted are listed in `.ci/pip-audit-reviewed.txt`, one a line:
`ID  reason`; each is passed as `--ignore-vuln` and printed with its reason.

    python -m tools.audit_deps REQUIREMENTS [--snapshot PATH] [--require-all]

Exit status 1 on a known vulnerability, when pip-audit does not run, or with --require-all
when any package was not audited.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tools import osv_mirror

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT_NAME = "pypi-advisories.json.gz"
SNAPSHOTS = (ROOT / ".ci" / "advisories" / SNAPSHOT_NAME,)
REVIEWED = ROOT / ".ci" / "pip-audit-reviewed.txt"


def find_snapshot(given: Path | None = None) -> Path | None:
    env = os.environ.get("TRACKER_ADVISORY_SNAPSHOT")
    for path in (given, Path(env) if env else None, *SNAPSHOTS):
        if path is not None and path.is_file():
            return path
    return None


def reviewed(path: Path = REVIEWED) -> dict[str, str]:
    """`{advisory id: reason}` of the reviewed list (blank lines and # comments skipped)."""
    if not path.is_file():
        return {}
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            vid, _, reason = line.partition(" ")
            if not reason.strip():
                raise SystemExit(f"{path}: {vid} has no reason")
            found[vid] = reason.strip()
    return found


@contextmanager
def _service(snapshot: osv_mirror.Snapshot | None) -> Iterator[list[str]]:
    """pip-audit's service arguments: the mirror on loopback while the block runs, or none."""
    if snapshot is None:
        yield []
        return
    with osv_mirror.running(snapshot) as server:
        yield ["--vulnerability-service", "osv", "--osv-url", server.url]


def run_pip_audit(
    requirements: Path, snapshot: osv_mirror.Snapshot | None, ignore: dict[str, str], work: Path
) -> dict[str, Any] | str:
    """pip-audit's JSON report, or its error output when it produced none.

    --no-deps --disable-pip: nothing is resolved or installed; only the service is asked."""
    pip_audit = Path(sys.executable).with_name("pip-audit")
    out = work / "audit.json"
    ignored = [arg for vid in ignore for arg in ("--ignore-vuln", vid)]
    with _service(snapshot) as service:
        proc = subprocess.run(  # noqa: S603 (our own venv's pip-audit, fixed arguments)
            [
                str(pip_audit),
                *("-r", str(requirements), "--no-deps", "--disable-pip"),
                *("--progress-spinner", "off", "--timeout", "30"),
                *("--cache-dir", str(work / "cache"), "-f", "json", "-o", str(out)),
                *service,
                *ignored,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    try:
        report: dict[str, Any] = json.loads(out.read_text())
    except (OSError, ValueError):
        return (proc.stderr or proc.stdout)[-2000:]
    return report


def figure(
    report: dict[str, Any], snapshot: osv_mirror.Snapshot | None, where: Path | None
) -> tuple[list[str], bool, bool]:
    """The lines to print, whether a vulnerability was found, whether any package went
    unaudited."""
    deps = report["dependencies"]
    skipped = [d for d in deps if d.get("skip_reason")]
    uncovered = [
        d for d in deps if not d.get("skip_reason") and snapshot and not snapshot.covers(d["name"])
    ]
    audited = [d for d in deps if not d.get("skip_reason") and d not in uncovered]
    lines = []
    vulns = [(d, v) for d in deps for v in d.get("vulns", [])]
    for d, v in vulns:
        fixes = ", ".join(v.get("fix_versions") or []) or "no release yet"
        lines.append(f"  {d['name']} {d['version']}: {v['id']} (fixed in {fixes})")
    for d in uncovered:
        lines.append(f"  {d['name']} {d['version']}: not in the advisory snapshot")
    if snapshot is not None:
        against = (
            f"against the advisory snapshot of {snapshot.date} ("
            + "; ".join(f"{s['name']}{_at(s)}" for s in snapshot.sources)
            + f"; {len(snapshot.vulns)} advisories on {len(snapshot.by_package)} of its "
            f"{len(snapshot.packages)} packages) served on loopback from {_shown(where)}"
        )
    else:
        against = "against pip-audit's default service (no advisory snapshot found)"
    lines.append(
        f"static: pip-audit: {len(vulns)} known vulnerabilities; {len(audited)} of {len(deps)} "
        f"packages audited {against}; {len(skipped) + len(uncovered)} not audited"
    )
    return lines, bool(vulns), bool(skipped or uncovered)


def _shown(where: Path | None) -> str:
    """The snapshot's path, relative to the checkout's parent when it lies below it."""
    if where is None:
        return "-"
    try:
        return str(where.resolve().relative_to(ROOT.parent))
    except ValueError:
        return str(where)


def _at(source: dict[str, Any]) -> str:
    return f" @{source['commit'][:12]}" if source.get("commit") else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("requirements", type=Path)
    parser.add_argument("--snapshot", type=Path)
    parser.add_argument("--reviewed", type=Path, default=REVIEWED)
    parser.add_argument("--require-all", action="store_true")
    args = parser.parse_args(argv)
    where = find_snapshot(args.snapshot)
    snapshot = osv_mirror.load(where) if where else None
    ignore = reviewed(args.reviewed)
    with tempfile.TemporaryDirectory() as tmp:
        report = run_pip_audit(args.requirements, snapshot, ignore, Path(tmp))
    if isinstance(report, str):
        print(report)
        print("static: pip-audit: did not run")
        return 1
    lines, found, unaudited = figure(report, snapshot, where)
    for vid, reason in ignore.items():
        print(f"  reviewed, not counted: {vid}: {reason}")
    print(f"static: pip-audit: {len(ignore)} reviewed advisories ignored ({args.reviewed.name})")
    print("\n".join(lines))
    return 1 if found or (args.require_all and unaudited) else 0


if __name__ == "__main__":
    raise SystemExit(main())
