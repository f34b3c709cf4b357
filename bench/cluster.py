"""Two instances of the tracker on one PostgreSQL, one Redis and one S3-compatible store.

    .venv/bin/python -m bench.cluster [--postgres URL] [--redis URL] [--seconds 240]

Starts, all on 127.0.0.1: a moto S3 server (bucket `tracker-cluster`), two gunicorn instances
(2 sync workers each) with the same TRACKER_SECRET_KEY, key file, TRACKER_BLOB_URL=s3://...,
TRACKER_REDIS_URL and database, on a database it creates (`tracker_cluster` by default)
and drops at the end; Redis's db is flushed before and after (give it a db you own). Then it
prints one line per check:

- a bearer token issued by A works on B, and a session cookie signed in on A works on B;
- a file uploaded through A downloads byte-identical through B (and the other way round);
- the sign-in throttle counts across both: failures alternated between A and B, and the
  sixth attempt is refused with 429 on either (LOGIN_MAX_FAILURES = 5);
- a transfer decision raced on A and B at once (several requests, each decided by both at
  the same moment) has exactly one winner per request, the other answers 409;
- the audit chain is linear: `flask audit verify` passes and `seq` runs 1..n without a gap.

Bounded: every HTTP request has a timeout, the whole run an alarm (`--seconds`); it stops
everything it started (by process group id) and exits non-zero when a check fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.attachments.live import flask_cli, free_port
from tests.support import approved_review

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "correct horse battery staple"
BUCKET = "tracker-cluster"
BOUNDARY = "clusterboundary5e2a"
TIMEOUT = 60


def wait_for_port(port: int, proc: subprocess.Popen[bytes], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start") from None
            time.sleep(0.1)


@contextmanager
def process(args: list[str], env: dict[str, str], port: int, what: str) -> Iterator[None]:
    proc = subprocess.Popen(
        args,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: one kill reaches master and workers
    )
    try:
        wait_for_port(port, proc, what)
        yield
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)


@contextmanager
def database(server: str, name: str) -> Iterator[str]:
    """A fresh PostgreSQL database `name` on `server`, dropped afterwards."""
    if server.startswith("postgresql://"):
        server = "postgresql+psycopg://" + server.removeprefix("postgresql://")
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def flushed_redis(url: str) -> Iterator[str]:
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


class Instance:
    """One gunicorn instance seen from a client on loopback."""

    def __init__(self, name: str, port: int) -> None:
        self.name, self.port = name, port

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def json(
        self, method: str, path: str, payload: Any = None, token: str | None = None
    ) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = None if payload is None else json.dumps(payload).encode()
        status, _, answer = self.request(method, path, body, headers)
        return status, json.loads(answer) if answer else None

    def token(self, email: str, password: str = PASSWORD) -> tuple[int, Any]:
        return self.json("POST", "/api/v1/auth/token", {"email": email, "password": password})

    def sign_in(self, email: str) -> str:
        """Signs in through the HTML form; returns the session cookie (`name=value`)."""
        status, headers, page = self.request("GET", "/login")
        cookie = headers.get("Set-Cookie", "").split(";")[0]
        found = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
        if status != 200 or not found:
            raise RuntimeError(f"no login form on {self.name}: {status}")
        form = f"csrf_token={found.group(1).decode()}&email={email}&password={PASSWORD}".replace(
            " ", "+"
        ).replace("@", "%40")
        status, headers, _ = self.request(
            "POST",
            "/login",
            form.encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        if status != 302:
            raise RuntimeError(f"sign-in on {self.name} answered {status}")
        return headers.get("Set-Cookie", "").split(";")[0]

    def upload(self, token: str, project_id: int, data: bytes, name: str) -> tuple[int, Any]:
        body = (
            (
                f"--{BOUNDARY}\r\n"
                f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/pdf\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{BOUNDARY}--\r\n".encode()
        )
        status, _, answer = self.request(
            "POST",
            f"/api/v1/projects/{project_id}/attachments",
            body,
            {
                "Authorization": f"Bearer {token}",
                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            },
        )
        return status, json.loads(answer)

    def download(self, token: str, attachment_id: int) -> tuple[int, bytes]:
        status, _, data = self.request(
            "GET",
            f"/api/v1/attachments/{attachment_id}/content",
            headers={"Authorization": f"Bearer {token}"},
        )
        return status, data


def seed(env: dict[str, str], transfers: int) -> dict[str, Any]:
    """Users, a project with an asset, an active NDA and an approved review, and `transfers`
    filed requests that pass the gate (filed through the service: audited as in production)."""
    from tracker import create_app
    from tracker.auth.models import Organization, User, Zone
    from tracker.auth.passwords import hash_password
    from tracker.cases.assets.models import IpAsset
    from tracker.cases.ndas.models import Nda
    from tracker.cases.projects.models import Project
    from tracker.db import db
    from tracker.transfers import service
    from tracker.transfers.service import TransferDraft

    app = create_app(
        {
            "TRACKER_ENV": "development",
            "SQLALCHEMY_DATABASE_URI": env["TRACKER_DATABASE_URL"],
            "SECRET_KEY": env["TRACKER_SECRET_KEY"],
            "TRACKER_KEY_FILE": env["TRACKER_KEY_FILE"],
            "TRACKER_BLOB_URL": env["TRACKER_BLOB_URL"],
            "TRACKER_REDIS_URL": env["TRACKER_REDIS_URL"],
        }
    )
    today = dt.date.today()
    with app.test_request_context():
        hashed = hash_password(PASSWORD)
        zone = Zone(code="ZC", name_en="Cluster zone", name_ko="클러스터 특구")
        company = Organization(name="Maker", kind="company", country="KR")
        partner = Organization(name="Partner", kind="partner", country="GB")

        def user(role: str, email: str, **kw: Any) -> User:
            return User(
                email=email,
                name=email.split("@")[0],
                role=role,
                password_hash=hashed,
                locale="en",
                **kw,
            )

        maker = user("company", "maker@example.test", organization=company)
        operator = user("operator", "operator@example.test", zone=zone)
        lawyer = user("lawyer", "lawyer@example.test")
        victim = user("company", "throttled@example.test", organization=company)
        project = Project(code="P-CLUSTER", title="Cluster", zone=zone, company=company)
        project.partners = [partner]
        project.lawyers = [lawyer]
        asset = IpAsset(
            project=project, title="Membrane process", kind="know_how", sensitivity="confidential"
        )
        db.session.add_all(
            [zone, company, partner, maker, operator, lawyer, victim, project, asset]
        )
        db.session.flush()
        nda = Nda(
            project=project,
            partner=partner,
            effective_on=today - dt.timedelta(days=30),
            expires_on=today + dt.timedelta(days=365),
            status="active",
            assets=[asset],
        )
        review = approved_review(
            project,
            lawyer.id,
            decided_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
            valid_until=today + dt.timedelta(days=180),
        )
        db.session.add_all([nda, review])
        db.session.flush()
        draft = TransferDraft(
            partner_id=partner.id,
            asset_ids=[asset.id],
            attachment_ids=[],
            purpose="Joint test",
            channel="secure_platform",
            planned_on=today + dt.timedelta(days=7),
        )
        ids = [service.file_transfer(maker, project, draft).id for _ in range(transfers)]
        db.session.commit()
        seeded = {"project_id": project.id, "transfer_ids": ids}
        db.session.remove()
    with app.app_context():
        db.engine.dispose()
    return seeded


def check(results: list[tuple[str, bool, str]], name: str, ok: bool, detail: str) -> None:
    results.append((name, ok, detail))
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)


def race(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """Runs the calls at the same moment in threads; their results in order."""
    barrier = threading.Barrier(len(calls))
    out: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait(timeout=TIMEOUT)
        out[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=TIMEOUT * 2)
    return out


def decide(inst: Instance, token: str, tid: int, decision: str, version: int) -> int:
    body = {"decision": decision, "note": f"decided on {inst.name}", "version": version}
    return inst.json("POST", f"/api/v1/transfers/{tid}/decision", body, token=token)[0]


def run_checks(
    a: Instance, b: Instance, env: dict[str, str], seeded: dict[str, Any], file_mib: int
) -> list[tuple[str, bool, str]]:
    results: list[tuple[str, bool, str]] = []

    # 1. a token made on A works on B; a session cookie made on A works on B
    status, issued = a.token("maker@example.test")
    token = issued["token"] if status == 201 else ""
    status_b, me = b.json("GET", "/api/v1/me", token=token)
    check(
        results,
        "token from A works on B",
        status == 201 and status_b == 200 and me.get("email") == "maker@example.test",
        f"issue {status}, /me on B {status_b}",
    )
    cookie = a.sign_in("lawyer@example.test")
    status_b, _, answer = b.request("GET", "/api/v1/me", headers={"Cookie": cookie})
    email = json.loads(answer).get("email") if status_b == 200 else None
    check(
        results,
        "session cookie from A works on B",
        email == "lawyer@example.test",
        f"/me on B with A's cookie: {status_b}",
    )

    # 2. uploaded through one, downloaded byte-identical through the other (both ways)
    data = b"%PDF-1.7\n" + os.urandom(file_mib * 1024 * 1024)
    digest = hashlib.sha256(data).hexdigest()
    for up, down in ((a, b), (b, a)):
        status, created = up.upload(token, seeded["project_id"], data, f"via-{up.name}.pdf")
        got_status, got = down.download(token, created.get("id", 0)) if status == 201 else (0, b"")
        check(
            results,
            f"upload via {up.name}, download via {down.name}",
            status == 201 and got_status == 200 and hashlib.sha256(got).hexdigest() == digest,
            f"{len(data)} bytes, upload {status}, download {got_status}, sha256 "
            f"{'equal' if hashlib.sha256(got).hexdigest() == digest else 'DIFFERENT'}",
        )

    from tracker.attachments.s3 import client_from_environment

    listed = client_from_environment().list_objects_v2(Bucket=BUCKET, Prefix="blobs/")
    check(
        results,
        "the blobs are in the shared S3 store",
        listed.get("KeyCount", 0) >= 2,
        f"{listed.get('KeyCount', 0)} objects under s3://{BUCKET}/blobs/",
    )

    # 3. the sign-in throttle counts across both instances
    answers = [
        (i % 2 and b or a).token("throttled@example.test", "wrong password")[0] for i in range(5)
    ]
    after = [a.token("throttled@example.test")[0], b.token("throttled@example.test")[0]]
    check(
        results,
        "sign-in throttle counts across A and B",
        answers == [401] * 5 and after == [429, 429],
        f"5 failures alternated A/B: {answers}; then the right password on A, B: {after}",
    )

    # 4. a decision raced on A and B: exactly one winner per request
    status, issued = b.token("operator@example.test")
    op = issued["token"] if status == 201 else ""
    outcomes = []
    for tid in seeded["transfer_ids"]:
        version = a.json("GET", f"/api/v1/transfers/{tid}", token=op)[1]["version"]
        calls = [
            functools.partial(decide, inst, op, tid, d, version)
            for inst, d in ((a, "approve"), (b, "deny"))
        ]
        outcomes.append(sorted(race(calls)))
    check(
        results,
        "a raced decision has one winner",
        all(o == [200, 409] for o in outcomes),
        f"{len(outcomes)} requests, each decided on A and B at once: "
        f"{sum(o == [200, 409] for o in outcomes)} with one 200 and one 409",
    )

    # 5. the audit chain stays linear
    done = flask_cli(env, "audit", "verify")
    engine = sa.create_engine(env["TRACKER_DATABASE_URL"])
    with engine.connect() as conn:
        seqs = [r[0] for r in conn.execute(sa.text("SELECT seq FROM audit_events ORDER BY seq"))]
    engine.dispose()
    contiguous = seqs == list(range(1, len(seqs) + 1))
    check(
        results,
        "audit chain linear",
        done.returncode == 0 and contiguous,
        f"`audit verify` exit {done.returncode}, {len(seqs)} events, seq 1..{len(seqs)} "
        f"{'contiguous' if contiguous else 'NOT contiguous'}",
    )
    return results


@contextmanager
def cluster(
    postgres: str, redis_url: str, db_name: str, transfers: int, workers: int = 2
) -> Iterator[tuple[Instance, Instance, dict[str, str], dict[str, Any]]]:
    """Everything started (and stopped again on exit)."""
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tracker-cluster-")))
        url = stack.enter_context(database(postgres, db_name))
        stack.enter_context(flushed_redis(redis_url))
        s3_port = free_port()
        env = {
            **os.environ,
            "TRACKER_ENV": "development",
            "TRACKER_INSTANCE_PATH": str(workdir / "instance"),
            # a measuring rig: its users sign in with a password alone (no second factor)
            "TRACKER_MFA_ROLES": "",
            "TRACKER_DATABASE_URL": url,
            "TRACKER_SECRET_KEY": secrets.token_urlsafe(32),
            "TRACKER_KEY_FILE": str(workdir / "keys.json"),
            "TRACKER_BLOB_URL": f"s3://{BUCKET}/blobs",
            "TRACKER_REDIS_URL": redis_url,
            "TRACKER_S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        stack.enter_context(
            process(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)],
                env,
                s3_port,
                "moto server",
            )
        )
        from tracker.attachments.s3 import client_from_environment

        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)  # the seeding app and the S3 client read the same environment
        stack.callback(_restore, saved)
        client_from_environment().create_bucket(Bucket=BUCKET)
        for args in (("keys", "init"), ("db", "upgrade")):
            done = flask_cli(env, *args)
            if done.returncode != 0:
                raise RuntimeError(f"flask {' '.join(args)} failed: {done.stderr[-2000:]}")
        seeded = seed(env, transfers)
        instances = []
        for name in ("A", "B"):
            port = free_port()
            stack.enter_context(
                process(
                    [
                        str(BIN / "gunicorn"),
                        "-w",
                        str(workers),
                        "--timeout",
                        "120",
                        "-b",
                        f"127.0.0.1:{port}",
                        "wsgi:app",
                    ],
                    env,
                    port,
                    f"gunicorn {name}",
                )
            )
            instances.append(Instance(name, port))
        yield instances[0], instances[1], env, seeded
        shutil.rmtree(workdir, ignore_errors=True)


def _restore(saved: dict[str, str | None]) -> None:
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="tracker_cluster")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/2")
    parser.add_argument("--transfers", type=int, default=10, help="requests raced on A and B")
    parser.add_argument("--file-mib", type=int, default=8, help="size of the round-trip file")
    parser.add_argument("--seconds", type=int, default=240, help="the whole run's time limit")
    args = parser.parse_args(argv)

    def too_long(_signum: int, _frame: Any) -> None:
        raise TimeoutError(f"bench.cluster: over {args.seconds} s")

    signal.signal(signal.SIGALRM, too_long)
    signal.alarm(args.seconds)
    start = time.monotonic()
    try:
        with cluster(args.postgres, args.redis, args.database, args.transfers) as (a, b, env, s):
            print(
                f"cluster up in {time.monotonic() - start:.1f} s: gunicorn A :{a.port}, "
                f"B :{b.port}, PostgreSQL {args.database}, Redis {args.redis}, "
                f"S3 {env['TRACKER_S3_ENDPOINT_URL']}",
                flush=True,
            )
            results = run_checks(a, b, env, s, args.file_mib)
    finally:
        signal.alarm(0)
    failed = [name for name, ok, _ in results if not ok]
    print(
        f"cluster: {len(results) - len(failed)}/{len(results)} checks passed "
        f"in {time.monotonic() - start:.1f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
