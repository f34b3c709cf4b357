"""Write the advisory snapshot that `tools/osv_mirror.py` serves to pip-audit (issue 11, proof 7).

Every advisory (OSV format) of every package of the locked environment, vulnerable version or
not, so the snapshot still answers after an upgrade. Two sources, either or both:

- `--osv-zip PATH_OR_URL`: OSV's export of the PyPI ecosystem (JSON; PyPA and GitHub
  advisories alike), by default downloaded from OSV's public bucket where it is reachable;
- `--pypa-git GIT_DIR`: a clone of the PyPA advisory database (github.com/pypa/advisory-database,
  YAML under vulns/<package>/), read at its HEAD commit.

An advisory found in both (same id) is kept once, the newer `modified` winning. The packages are
`pip freeze --exclude-editable --local` of .venv unless `--requirements FILE` names them. The
output is gzipped JSON, byte-for-byte the same for the same input:
`{"sources": [{name, url, commit, date, licence}], "packages": [...], "vulns": [...]}`.

    python tools/refresh_advisories.py --pypa-git PATH/.git -o OUT.json.gz
    python tools/refresh_advisories.py -o OUT.json.gz   # where OSV's bucket is reachable
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import io
import json
import subprocess
import sys
import urllib.request
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
OSV_PYPI_ZIP = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"
PYPA_URL = "https://github.com/pypa/advisory-database"
LICENCE = "CC-BY-4.0"
#: the fields the mirror and pip-audit read; references and scores are left out (size)
KEPT = ("id", "schema_version", "modified", "published", "withdrawn", "aliases", "summary")
DETAILS_CHARS = 400


def requirement_names(lines: Iterable[str]) -> set[str]:
    names = set()
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        try:
            names.add(canonicalize_name(Requirement(line).name))
        except InvalidRequirement:
            continue
    return names


def frozen_names() -> set[str]:
    out = subprocess.run(  # noqa: S603 (our own venv's pip)
        [str(ROOT / ".venv/bin/pip"), "freeze", "--exclude-editable", "--local"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return requirement_names(out.splitlines())


def slim(vuln: dict[str, Any], names: set[str]) -> dict[str, Any] | None:
    """The advisory cut to what the audit needs, its `affected` to our packages (None when
    none of them is affected)."""
    affected = []
    for entry in vuln.get("affected") or []:
        package = entry.get("package") or {}
        if package.get("ecosystem") != "PyPI" or canonicalize_name(package["name"]) not in names:
            continue
        kept: dict[str, Any] = {
            "package": {"ecosystem": "PyPI", "name": canonicalize_name(package["name"])}
        }
        ranges = [r for r in entry.get("ranges") or [] if r.get("type") == "ECOSYSTEM"]
        if ranges:
            kept["ranges"] = [{"type": "ECOSYSTEM", "events": _events(r)} for r in ranges]
        if entry.get("versions"):
            kept["versions"] = [str(v) for v in entry["versions"]]
        affected.append(kept)
    if not affected:
        return None
    out = {k: vuln[k] for k in KEPT if vuln.get(k) is not None}
    details = str(vuln.get("details") or "")
    if details and "summary" not in out:
        cut = details[:DETAILS_CHARS]
        out["details"] = cut + ("…" if len(details) > DETAILS_CHARS else "")
    out["affected"] = affected
    return json.loads(json.dumps(out, default=str))  # YAML dates become text


def _events(ranges: dict[str, Any]) -> list[dict[str, str]]:
    """The range's events with their versions as text (an unquoted YAML 1.1 reads as a number)."""
    return [{kind: str(value) for kind, value in event.items()} for event in ranges["events"]]


def _git(git_dir: Path, *args: str) -> str:
    command = ["git", f"--git-dir={git_dir}", *args]  # noqa: S607 (git from PATH)
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603


def from_pypa_git(git_dir: Path) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    """The source record and the advisories (YAML files under vulns/) at HEAD."""
    import yaml  # only this source needs it (PyYAML is in the dev environment)

    commit = _git(git_dir, "rev-parse", "HEAD").strip()
    date = _git(git_dir, "log", "-1", "--format=%cI", "HEAD").strip()
    paths = [
        p
        for p in _git(git_dir, "ls-tree", "-r", "--name-only", "HEAD", "vulns/").splitlines()
        if p.endswith((".yaml", ".yml"))
    ]
    source = {"name": "PyPA advisory database", "url": PYPA_URL, "commit": commit, "date": date}

    def read() -> Iterator[dict[str, Any]]:
        batch = "".join(f"HEAD:{p}\n" for p in paths).encode()
        out = subprocess.run(  # noqa: S603 (git, read-only)
            ["git", f"--git-dir={git_dir}", "cat-file", "--batch"],  # noqa: S607
            input=batch,
            check=True,
            capture_output=True,
        ).stdout
        stream = io.BytesIO(out)
        for _ in paths:
            size = int(stream.readline().split()[2])
            text = stream.read(size).decode("utf-8")
            stream.read(1)  # the newline after each object
            yield yaml.safe_load(text)

    return {**source, "licence": LICENCE}, read()


def from_osv_zip(where: str) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    """The source record and the advisories of OSV's PyPI export (a path or a URL)."""
    if where.startswith(("https://", "http://")):
        with urllib.request.urlopen(where, timeout=120) as response:  # noqa: S310 (http(s) only)
            data = response.read()
        date = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    else:
        data = Path(where).read_bytes()
        date = dt.datetime.fromtimestamp(Path(where).stat().st_mtime, dt.UTC).isoformat()
    archive = zipfile.ZipFile(io.BytesIO(data))
    source = {"name": "OSV PyPI export", "url": where, "commit": None, "date": date}

    def read() -> Iterator[dict[str, Any]]:
        for name in archive.namelist():
            if name.endswith(".json"):
                yield json.loads(archive.read(name))

    return {**source, "licence": LICENCE}, read()


def build(
    names: set[str], sources: list[tuple[dict[str, Any], Iterator[dict[str, Any]]]]
) -> dict[str, Any]:
    found: dict[str, dict[str, Any]] = {}
    for _source, vulns in sources:
        for vuln in vulns:
            kept = slim(vuln, names) if vuln else None
            if kept is None:
                continue
            old = found.get(kept["id"])
            if old is None or str(kept.get("modified", "")) > str(old.get("modified", "")):
                found[kept["id"]] = kept
    return {
        "sources": [source for source, _vulns in sources],
        "packages": sorted(names),
        "vulns": [found[key] for key in sorted(found)],
    }


def write(snapshot: dict[str, Any], path: Path) -> None:
    """Gzipped, sorted JSON with no timestamp in the gzip header (reproducible bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    path.write_bytes(gzip.compress(raw.encode(), compresslevel=9, mtime=0))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--requirements", type=Path, help="default: pip freeze of .venv")
    parser.add_argument("--pypa-git", type=Path, help="git dir of pypa/advisory-database")
    parser.add_argument("--osv-zip", help=f"path or URL (default {OSV_PYPI_ZIP} when no source)")
    args = parser.parse_args(argv)
    names = (
        requirement_names(args.requirements.read_text().splitlines())
        if args.requirements
        else frozen_names()
    )
    sources = []
    if args.pypa_git:
        sources.append(from_pypa_git(args.pypa_git))
    if args.osv_zip or not sources:
        sources.append(from_osv_zip(args.osv_zip or OSV_PYPI_ZIP))
    snapshot = build(names, sources)
    write(snapshot, args.output)
    with_vulns = {a["package"]["name"] for v in snapshot["vulns"] for a in v["affected"]}
    print(
        f"{len(snapshot['vulns'])} advisories of {len(with_vulns)} of {len(names)} packages "
        f"-> {args.output} ({args.output.stat().st_size:,} bytes); sources: "
        + "; ".join(
            f"{s['name']} {s.get('commit') or ''} {s['date']}" for s in snapshot["sources"]
        ),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
