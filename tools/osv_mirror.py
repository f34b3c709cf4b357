"""A loopback OSV service over an advisory snapshot, for pip-audit where only the package index
is reachable (issue 11, proof 7).

pip-audit's OSV service (`--vulnerability-service osv --osv-url URL`) posts one query per
package: `POST /v1/query {"package": {"name", "ecosystem": "PyPI"}, "version"}` and reads
`{"vulns": [OSV entries]}`, or `{}` when there are none. This server answers exactly that from
a snapshot written by `tools/refresh_advisories.py` (gzipped JSON: `{"sources", "packages",
"vulns"}`), matching versions as the OSV schema says: an explicit `affected[].versions` list, or
`ranges` of type ECOSYSTEM whose events (introduced, fixed, last_affected) are walked in
version order. It binds 127.0.0.1 only.

    python tools/osv_mirror.py SNAPSHOT [--port 0] [--port-file FILE] [--lifetime 900]
"""

from __future__ import annotations

import argparse
import gzip
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ECOSYSTEM = "PyPI"
QUERY_PATH = "/v1/query"
MAX_BODY = 64 * 1024


# --- version matching ----------------------------------------------------------------------------


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _event_key(event: dict[str, str]) -> tuple[Version, int]:
    """Events sort by their version (`introduced: "0"` below every one); at the same version
    `introduced` comes first, so introduced X with fixed X is empty and with last_affected X
    holds X alone."""
    (kind, value), *_ = event.items()
    bound = Version("0") if value == "0" else _version(value) or Version("0")
    return (bound, 0 if kind == "introduced" else 1)


def in_range(version: Version, events: Iterable[dict[str, str]]) -> bool:
    """Whether `version` lies in an ECOSYSTEM range (the OSV schema's evaluation: walk the
    events in version order; introduced opens, fixed closes at, last_affected closes after)."""
    usable = [e for e in events if len(e) == 1 and _event_known(e)]
    affected = False
    for event in sorted(usable, key=_event_key):
        (kind, value), *_ = event.items()
        bound = Version("0") if value == "0" else _version(value)
        if bound is None:
            continue
        if kind == "introduced" and version >= bound:
            affected = True
        elif kind == "fixed" and version >= bound:
            affected = False
        elif kind == "last_affected" and version > bound:
            affected = False
    return affected


def _event_known(event: dict[str, str]) -> bool:
    return next(iter(event)) in ("introduced", "fixed", "last_affected")


def affects(affected: dict[str, Any], version: str) -> bool:
    """Whether one `affected[]` entry (already of the right package) covers `version`."""
    if version in affected.get("versions", []):
        return True
    parsed = _version(version)
    if parsed is None:
        return False
    if any(_version(v) == parsed for v in affected.get("versions", [])):
        return True
    return any(
        in_range(parsed, r.get("events", []))
        for r in affected.get("ranges", [])
        if r.get("type") == "ECOSYSTEM"
    )


def _is_package(affected: dict[str, Any], name: str) -> bool:
    package = affected.get("package") or {}
    return package.get("ecosystem") == ECOSYSTEM and canonicalize_name(package["name"]) == name


# --- the snapshot --------------------------------------------------------------------------------


@dataclass
class Snapshot:
    #: where the advisories come from: name, url, commit, date, licence
    sources: list[dict[str, Any]]
    #: the canonical names of the packages whose advisories the snapshot holds (all of them,
    #: vulnerable or not): a package outside this list was not looked up
    packages: frozenset[str]
    vulns: list[dict[str, Any]]
    by_package: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for vuln in self.vulns:
            names = {
                canonicalize_name(a["package"]["name"])
                for a in vuln.get("affected", [])
                if (a.get("package") or {}).get("ecosystem") == ECOSYSTEM
            }
            for name in names:
                self.by_package.setdefault(name, []).append(vuln)

    def query(self, name: str, version: str) -> list[dict[str, Any]]:
        """The advisories affecting `name` at `version` (withdrawn ones included, as OSV
        answers them; pip-audit skips those itself)."""
        wanted = canonicalize_name(name)
        return [
            vuln
            for vuln in self.by_package.get(wanted, [])
            if any(_is_package(a, wanted) and affects(a, version) for a in vuln["affected"])
        ]

    def covers(self, name: str) -> bool:
        return canonicalize_name(name) in self.packages

    @property
    def date(self) -> str:
        """The oldest source's date (YYYY-MM-DD): the snapshot is as fresh as that."""
        return min((s.get("date") or "?")[:10] for s in self.sources) if self.sources else "?"


def load(path: Path) -> Snapshot:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    return Snapshot(data["sources"], frozenset(data["packages"]), data["vulns"])


# --- the server ----------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server: MirrorServer

    def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
        if self.path != QUERY_PATH:
            self._answer(404, {"code": 5, "message": "Not Found"})
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 < length <= MAX_BODY:
                raise ValueError("body size")
            query = json.loads(self.rfile.read(length))
            package, version = query["package"], str(query["version"])
            name, ecosystem = str(package["name"]), package.get("ecosystem", ECOSYSTEM)
        except (ValueError, KeyError, TypeError, AttributeError):
            self._answer(400, {"code": 3, "message": "Invalid query."})
            return
        self.server.queries += 1
        found = self.server.snapshot.query(name, version) if ecosystem == ECOSYSTEM else []
        self._answer(200, {"vulns": found} if found else {})

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # quiet: pip-audit asks once per package


class MirrorServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, snapshot: Snapshot, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.snapshot = snapshot
        self.queries = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{QUERY_PATH}"


class running:  # noqa: N801 (used as `with running(snapshot) as server:`)
    """The mirror serving in a background thread for the length of a `with` block."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.server = MirrorServer(snapshot)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> MirrorServer:
        self.thread.start()
        return self.server

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--port-file", type=Path, help="write the chosen port here")
    parser.add_argument("--lifetime", type=float, default=900, help="stop after this many s")
    args = parser.parse_args(argv)
    server = MirrorServer(load(args.snapshot), args.port)
    port = server.server_address[1]
    if args.port_file:
        args.port_file.write_text(f"{port}\n")
    print(f"osv mirror on {server.url}", flush=True)
    stop = threading.Timer(args.lifetime, server.shutdown)
    stop.daemon = True
    stop.start()
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
