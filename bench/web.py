"""Same-run web benchmark: ``python -m bench.web --database URL [--instance DIR]
[--requests 200] [--seconds 20] [--connections 8]``.

Starts gunicorn (2 sync workers) on 127.0.0.1 on a database filled by ``bench.generate``
(with that run's key file), signs in one user per role, then drives each endpoint in turn from
``--connections`` threads, each with its own keep-alive ``requests.Session``, until
``--requests`` requests are done or ``--seconds`` have passed. Prints req/s, p50, p95 and
p50 ÷ the p50 of ``/api/v1/health``, driven in short bursts before every endpoint and at the
end of the same run (`HEALTH_SHARE`). With ``--rounds N`` the whole list is gone over N times,
each endpoint taking its share of ``--requests`` (and of ``--seconds``) per round, so a row's
requests are spread over the run instead of falling in one moment of it; its p50 is taken over
all of them, and the report also gives the range of its per-round ratios (each round's p50
÷ the health burst just before it). Endpoints the app does not offer
yet are listed as "missing" (API paths absent from the OpenAPI document; pages that 404).
Figures are only comparable within one run on one machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from bench.generate import PASSWORD, default_instance

LOGINS = {
    "admin": "admin@bench.example",
    "auditor": "auditor@bench.example",
    "lawyer": "lawyer1@bench.example",
    "company": "company8@bench.example",
    "operator": "operator1@bench.example",
}
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Endpoint:
    name: str
    path: str
    role: str = "admin"  # "html:<role>" for a browser session, "-" for none
    spec_path: str | None = None  # the OpenAPI path template, to tell "missing" apart
    kind: str = "api"


@dataclass
class Outcome:
    name: str
    times: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    elapsed: float = 0.0
    missing: bool = False
    note: str = ""
    bursts: list[float] = field(default_factory=list)  # the baseline's p50 per health burst
    #: per round: this endpoint's p50 ÷ the p50 of the health burst driven just before it
    round_ratios: list[float] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(url: str, instance: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        {
            "TRACKER_DATABASE_URL": url,
            "TRACKER_ENV": "development",
            "TRACKER_SECRET_KEY": "bench-only-secret-key",
            "TRACKER_KEY_FILE": str(instance / "keys.json"),
            "TRACKER_BLOB_DIR": str(instance / "blobs"),
            "TRACKER_AUDIT_CHECKPOINT_FILE": str(instance / "audit-checkpoint.json"),
            "TRACKER_INSTANCE_PATH": str(instance),
            # a measuring rig: its users sign in with a password alone (no second factor)
            "TRACKER_MFA_ROLES": "",
        }
    )
    root = Path(__file__).resolve().parent.parent
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = open(instance / "gunicorn.log", "ab")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen(
        [
            str(gunicorn),
            "-w",
            str(workers),
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "--keep-alive",
            "30",
            "--timeout",
            "120",
            "wsgi:app",
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {instance / 'gunicorn.log'}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).ok:
                return proc
        except requests.RequestException:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


class Auth:
    """A bearer token per role and a signed-in browser cookie jar per role."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.tokens: dict[str, str] = {}
        self.cookies: dict[str, Any] = {}

    def token(self, role: str) -> str:
        if role not in self.tokens:
            r = requests.post(
                f"{self.base}/api/v1/auth/token",
                json={"email": LOGINS[role], "password": PASSWORD},
                timeout=60,
            )
            r.raise_for_status()
            self.tokens[role] = r.json()["token"]
        return self.tokens[role]

    def browser(self, role: str) -> Any:
        if role not in self.cookies:
            s = requests.Session()
            html = s.get(f"{self.base}/login", timeout=30).text
            match = CSRF_RE.search(html)
            assert match, "no CSRF token on /login"
            r = s.post(
                f"{self.base}/login",
                data={"email": LOGINS[role], "password": PASSWORD, "csrf_token": match.group(1)},
                allow_redirects=False,
                timeout=60,
            )
            if r.status_code != 302:
                raise RuntimeError(f"sign-in as {role} failed: {r.status_code}")
            self.cookies[role] = s.cookies
        return self.cookies[role]

    def session_for(self, role: str) -> requests.Session:
        s = requests.Session()
        if role.startswith("html:"):
            s.cookies.update(self.browser(role[5:]))
        elif role != "-":
            s.headers["Authorization"] = f"Bearer {self.token(role)}"
        return s


#: health is driven before every endpoint and once at the end, a fifth of `--requests` each
#: time (at least 20): the baseline is the p50 of all those requests, so a machine that gets
#: busier or quieter during the run moves the baseline with the rows it divides
HEALTH_SHARE = 5


def sample(pooled: Outcome, burst: Outcome) -> None:
    """Add one burst to an endpoint's pooled outcome (its own p50 kept for the spread)."""
    pooled.times.extend(burst.times)
    pooled.elapsed += burst.elapsed
    for code, n in burst.statuses.items():
        pooled.statuses[code] = pooled.statuses.get(code, 0) + n
    if burst.times:
        pooled.bursts.append(statistics.median(burst.times))


def in_rounds(
    health: Endpoint,
    chosen: list[Endpoint],
    run: Callable[[Endpoint, int, float], Outcome],
    rounds: int,
    requests: int,
    seconds: float,
) -> list[Outcome]:
    """Go over `chosen` `rounds` times, a health burst before each endpoint and one at the end;
    `run(endpoint, count, seconds)` drives one burst. Returns health's pooled outcome (the
    baseline) first, then each endpoint's, pooled over its rounds."""
    rounds = max(1, rounds)
    share = -(-requests // rounds)  # each round's share of --requests, rounded up
    seconds /= rounds
    burst = max(20, share // HEALTH_SHARE)
    baseline = Outcome(health.name)
    pooled = {ep.name: Outcome(ep.name) for ep in chosen}
    for _ in range(rounds):
        for ep in chosen:
            out = pooled[ep.name]
            if out.missing:
                continue
            before = run(health, burst, seconds)
            sample(baseline, before)
            part = run(ep, share, seconds)
            if part.missing:
                out.missing = True
                continue
            sample(out, part)
            if part.times and before.times:
                out.round_ratios.append(
                    statistics.median(part.times) / statistics.median(before.times)
                )
    sample(baseline, run(health, burst, seconds))
    return [baseline, *pooled.values()]


def drive(base: str, auth: Auth, ep: Endpoint, count: int, seconds: float, conns: int) -> Outcome:
    out = Outcome(ep.name)
    lock = threading.Lock()
    issued = 0
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        nonlocal issued
        s = auth.session_for(ep.role)
        while True:
            with lock:
                if issued >= count or time.monotonic() > stop_at:
                    return
                issued += 1
            t0 = time.perf_counter()
            r = s.get(base + ep.path, timeout=120)
            _ = r.content
            dt = time.perf_counter() - t0
            with lock:
                out.times.append(dt)
                out.statuses[r.status_code] = out.statuses.get(r.status_code, 0) + 1

    # one warm-up request (imports, caches, first connection)
    auth.session_for(ep.role).get(base + ep.path, timeout=120)
    threads = [threading.Thread(target=worker) for _ in range(conns)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.elapsed = time.perf_counter() - t0
    return out


#: issue 20's table: (request, the endpoints of this bench it names, their goal: p50 ÷ health
#: p50 at most this); `bench.run` prints it for every database and size it ran
GOALS: list[tuple[str, list[str], float]] = [
    ("projects, admin, risk_level=high", ["projects risk_level=high"], 5),
    ("search, a common word / a project code", ["search common word", "search project code"], 5),
    ("search, a rare word / a Korean word", ["search rare word", "search Korean word"], 5),
    ("NDAs expiring in 30 days", ["NDAs expiring 30 d"], 5),
    ("projects, admin / lawyer", ["projects, admin", "projects, lawyer"], 5),
    (
        "HTML project list, lawyer / project page, lawyer",
        ["HTML project list, lawyer", "HTML project page, lawyer"],
        6,
    ),
    (
        "detail, assets, transfers, audit, operator dashboard",
        [
            "project detail, lawyer",
            "assets of a project",
            "transfers, auditor",
            "audit",
            "dashboard, operator",
        ],
        5,
    ),
    (
        "portfolio assets: admin / lawyer / operator",
        ["portfolio assets, admin", "portfolio assets, lawyer", "portfolio assets, operator"],
        5,
    ),
    (
        "portfolio assets: by due / trade secrets / q=",
        ["portfolio assets by due", "portfolio assets trade secrets", "portfolio assets q= word"],
        5,
    ),
    (
        "portfolio reviews: admin / high / lawyer",
        ["portfolio reviews, admin", "portfolio reviews high", "portfolio reviews, lawyer"],
        5,
    ),
    (
        "HTML portfolio assets, lawyer / reviews, admin",
        ["HTML portfolio assets, lawyer", "HTML portfolio reviews, admin"],
        6,
    ),
]


def ratios(results: list[Outcome]) -> dict[str, float | None]:
    """Each endpoint's p50 ÷ health's p50 (None: missing or no answer)."""
    base = statistics.median(results[0].times) if results and results[0].times else None
    return {
        r.name: statistics.median(r.times) / base if base and r.times and not r.missing else None
        for r in results
    }


def goal_cells(found: dict[str, float | None], names: list[str], goal: float) -> str:
    """ "4.2 / 6.1 (over)": the ratios of `names` joined, marked when one misses `goal`."""
    values = [found.get(name) for name in names]
    if all(v is None for v in values):
        return "–"
    text = " / ".join("–" if v is None else f"{v:.1f}" for v in values)
    return text + (" (over)" if any(v is not None and v > goal for v in values) else "")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def endpoints(base: str, auth: Auth) -> list[Endpoint]:
    """The endpoints, with ids picked from the generated data through the API itself."""
    s = auth.session_for("lawyer")
    first = s.get(f"{base}/api/v1/projects", params={"per_page": 1}, timeout=60).json()
    pid = first["items"][0]["id"]
    code = first["items"][0]["code"]
    admin = auth.session_for("admin")
    any_project = admin.get(f"{base}/api/v1/projects", params={"per_page": 1}, timeout=60)
    admin_pid = any_project.json()["items"][0]["id"]
    numbered = admin.get(f"{base}/api/v1/assets", params={"per_page": 50}, timeout=60).json()
    number = next((i["application_no"] for i in numbered["items"] if i["application_no"]), "0")
    p = "/api/v1/projects?per_page=50"
    a, r = "/api/v1/assets?per_page=50", "/api/v1/risk-reviews?per_page=50"
    return [
        Endpoint("health (baseline)", "/api/v1/health", "-", "/api/v1/health"),
        Endpoint("projects, admin", p, "admin", "/api/v1/projects"),
        Endpoint("projects, lawyer", p, "lawyer", "/api/v1/projects"),
        Endpoint("projects, company", p, "company", "/api/v1/projects"),
        Endpoint("projects, operator", p, "operator", "/api/v1/projects"),
        Endpoint("projects risk_level=high", p + "&risk_level=high", "admin", "/api/v1/projects"),
        Endpoint(
            "projects sort=-code status",
            p + "&status=active&sort=-code",
            "admin",
            "/api/v1/projects",
        ),
        Endpoint("q= common word", p + "&q=module", "admin", "/api/v1/projects"),
        Endpoint("q= rare word", p + "&q=zephyrine", "admin", "/api/v1/projects"),
        Endpoint("q= project code", p + f"&q={code}", "admin", "/api/v1/projects"),
        Endpoint("q= Korean word", p + "&q=배터리", "admin", "/api/v1/projects"),
        Endpoint("q= Korean word-part", p + "&q=냉장고", "admin", "/api/v1/projects"),
        # search across records (every kind, the caller's scope)
        Endpoint("search common word", "/api/v1/search?q=module", "admin", "/api/v1/search"),
        Endpoint("search rare word", "/api/v1/search?q=zephyrine", "admin", "/api/v1/search"),
        Endpoint("search project code", f"/api/v1/search?q={code}", "admin", "/api/v1/search"),
        Endpoint("search Korean word", "/api/v1/search?q=배터리", "admin", "/api/v1/search"),
        Endpoint("search common, lawyer", "/api/v1/search?q=module", "lawyer", "/api/v1/search"),
        Endpoint("search Korean word-part", "/api/v1/search?q=냉장고", "admin", "/api/v1/search"),
        Endpoint("search Korean, lawyer", "/api/v1/search?q=배터리", "lawyer", "/api/v1/search"),
        Endpoint(
            "search application number", f"/api/v1/search?q={number}", "admin", "/api/v1/search"
        ),
        Endpoint(
            "project detail, lawyer",
            f"/api/v1/projects/{pid}",
            "lawyer",
            "/api/v1/projects/{project_id}",
        ),
        Endpoint(
            "assets of a project",
            f"/api/v1/projects/{pid}/assets",
            "lawyer",
            "/api/v1/projects/{project_id}/assets",
        ),
        Endpoint(
            "NDAs expiring 30 d", "/api/v1/ndas?expiring_within_days=30", "admin", "/api/v1/ndas"
        ),
        Endpoint("transfers, auditor", "/api/v1/transfers", "auditor", "/api/v1/transfers"),
        # the portfolio across projects (goal: within 5x of health at 10k projects)
        Endpoint("portfolio assets, admin", a, "admin", "/api/v1/assets"),
        Endpoint("portfolio assets, lawyer", a, "lawyer", "/api/v1/assets"),
        Endpoint("portfolio assets, operator", a, "operator", "/api/v1/assets"),
        Endpoint("portfolio assets by due", a + "&sort=next_due_on", "admin", "/api/v1/assets"),
        Endpoint(
            "portfolio assets trade secrets", a + "&kind=trade_secret", "admin", "/api/v1/assets"
        ),
        Endpoint("portfolio assets q= word", a + "&q=module", "admin", "/api/v1/assets"),
        Endpoint("portfolio assets q= code", a + f"&q={code}", "admin", "/api/v1/assets"),
        Endpoint("portfolio assets q= number", a + f"&q={number}", "admin", "/api/v1/assets"),
        Endpoint("portfolio reviews, admin", r, "admin", "/api/v1/risk-reviews"),
        Endpoint("portfolio reviews high", r + "&level=high", "admin", "/api/v1/risk-reviews"),
        Endpoint("portfolio reviews, lawyer", r, "lawyer", "/api/v1/risk-reviews"),
        Endpoint("HTML portfolio assets, lawyer", "/assets", "html:lawyer", kind="html"),
        Endpoint("HTML portfolio reviews, admin", "/risk-reviews", "html:admin", kind="html"),
        Endpoint("audit", "/api/v1/audit", "auditor", "/api/v1/audit"),
        Endpoint(
            "deadlines 30 d, lawyer",
            "/api/v1/deadlines?within_days=30",
            "lawyer",
            "/api/v1/deadlines",
        ),
        Endpoint("dashboard, admin", "/api/v1/dashboard", "admin", "/api/v1/dashboard"),
        Endpoint("dashboard, lawyer", "/api/v1/dashboard", "lawyer", "/api/v1/dashboard"),
        Endpoint("dashboard, operator", "/api/v1/dashboard", "operator", "/api/v1/dashboard"),
        Endpoint("HTML project list, lawyer", "/projects", "html:lawyer", kind="html"),
        Endpoint("HTML project list, admin", "/projects", "html:admin", kind="html"),
        Endpoint("HTML project page", f"/projects/{admin_pid}", "html:admin", kind="html"),
        Endpoint("HTML project page, lawyer", f"/projects/{pid}", "html:lawyer", kind="html"),
        Endpoint("HTML search, lawyer", "/search?q=module", "html:lawyer", kind="html"),
        Endpoint(
            "CSV export, projects", "/api/v1/projects?format=csv", "admin", "/api/v1/projects"
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", help="Tracker's database (required unless --external)")
    parser.add_argument("--instance", type=Path)
    parser.add_argument("--requests", type=int, default=200, help="per endpoint")
    parser.add_argument("--seconds", type=float, default=20, help="cap per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="go over the endpoints this many times, each taking its share of --requests",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--only", help="substrings of the endpoint names to run, separated by commas"
    )
    parser.add_argument("--json", type=Path, help="write {endpoint: p50 ÷ health p50} here")
    parser.add_argument(
        "--external",
        help="drive a server already running at this base URL with the same client (the peer, "
        "bench/peer/README.md) instead of starting Tracker",
    )
    parser.add_argument(
        "--path",
        action="append",
        default=[],
        help="with --external: NAME=PATH, repeatable; the first is the baseline",
    )
    parser.add_argument(
        "--header", action="append", default=[], help="with --external: 'Name: value', repeatable"
    )
    args = parser.parse_args(argv)
    if args.external:
        return external(args)
    if not args.database:
        parser.error("--database is required (or --external)")

    from tracker.db import normalise_database_url

    url = normalise_database_url(args.database)
    instance = (args.instance or default_instance(url)).resolve()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_gunicorn(url, instance, port, args.workers)
    try:
        auth = Auth(base)
        spec = requests.get(f"{base}/api/v1/openapi.json", timeout=60).json()
        paths = set(spec.get("paths", {}))
        health, *rest = endpoints(base, auth)
        wanted = [w for w in (args.only or "").split(",") if w]
        chosen = [ep for ep in rest if not wanted or any(w in ep.name for w in wanted)]

        def run(ep: Endpoint, count: int, seconds: float) -> Outcome:
            if ep.kind == "api" and ep.spec_path and ep.spec_path not in paths:
                return Outcome(ep.name, missing=True)
            out = drive(base, auth, ep, count, seconds, args.connections)
            if ep.kind == "html" and set(out.statuses) == {404}:
                out.missing = True
            if ep is not health:
                print(f"  {ep.name}: done", file=sys.stderr, flush=True)
            return out

        results = in_rounds(health, chosen, run, args.rounds, args.requests, args.seconds)
    finally:
        stop(proc)
    report(results, url, args)
    found = ratios(results)
    print(f"\n{'issue 20 request (p50 ÷ health p50)':<54}{'this run':<34}goal")
    for label, names, goal in GOALS:
        print(f"{label:<54}{goal_cells(found, names, goal):<34}≤ {goal:g}×")
    if args.json:
        args.json.write_text(json.dumps({"load": os.getloadavg(), "ratios": found}))
    return 0


class FixedHeaders:
    """The `Auth` of a server this bench did not start: the same headers on every session."""

    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers

    def session_for(self, _role: str) -> requests.Session:
        s = requests.Session()
        s.headers.update(self.headers)
        return s


def external(args: argparse.Namespace) -> int:
    """`--external`: the `--path`s of a running server, driven and reported like Tracker's."""
    if not args.path or any("=" not in p for p in args.path):
        raise SystemExit("--external needs --path NAME=PATH (the first one is the baseline)")
    headers = {}
    for line in args.header:
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    base, auth = args.external.rstrip("/"), FixedHeaders(headers)
    results = []
    for spec in args.path:
        name, _, path = spec.partition("=")
        results.append(
            drive(base, auth, Endpoint(name, path), args.requests, args.seconds, args.connections)
        )
        print(f"  {name}: done", file=sys.stderr, flush=True)
    report(results, base, args, title=f"external server {base}")
    if args.json:
        args.json.write_text(json.dumps({"load": os.getloadavg(), "ratios": ratios(results)}))
    return 0


def report(
    results: list[Outcome], url: str, args: argparse.Namespace, title: str | None = None
) -> None:
    base_p50 = statistics.median(results[0].times) if results and results[0].times else None
    print(f"load average before the report: {os.getloadavg()[0]:.1f} (cpus: {os.cpu_count()})")
    server = title or f"{url.split(':', 1)[0]}, {args.workers} sync workers"
    print(
        f"\n{server}, {args.connections} connections, "
        f"≤{args.requests} requests or ≤{args.seconds:.0f} s per endpoint"
    )
    head = (
        f"{'endpoint':<30}{'n':>5}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'×health':>9}"
        f"{'by round':>12}  status"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        if r.missing:
            print(f"{r.name:<30}{'missing':>13}")
            continue
        if not r.times:
            print(f"{r.name:<30}{'no answer within the cap':>30}")
            continue
        p50 = statistics.median(r.times) * 1000
        p95 = percentile(r.times, 95) * 1000
        rate = len(r.times) / r.elapsed if r.elapsed else 0
        ratio = f"{p50 / (base_p50 * 1000):.1f}" if base_p50 else "-"
        codes = ",".join(f"{k}×{v}" for k, v in sorted(r.statuses.items()))
        by_round = (
            f"{min(r.round_ratios):.1f}–{max(r.round_ratios):.1f}"
            if len(r.round_ratios) > 1
            else ""
        )
        print(
            f"{r.name:<30}{len(r.times):>5}{rate:>8.1f}{p50:>9.1f}{p95:>9.1f}{ratio:>9}"
            f"{by_round:>12}  {codes}"
        )
    if results and len(results[0].bursts) > 1:
        spread = [t * 1000 for t in results[0].bursts]
        print(
            f"health p50 per burst ({len(spread)} bursts, one before each endpoint in each "
            f"round and one at the end): {min(spread):.1f}–{max(spread):.1f} ms"
        )


if __name__ == "__main__":
    raise SystemExit(main())
