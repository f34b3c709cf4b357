"""A real deployment for the crash tests, the crash-safety proof and the benchmark: gunicorn in
a subprocess on a free port, its own database, key file and blob directory, one company user
and project (`deploy`; the proof loads the demo data instead)."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm

from tests import clock

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
EMAIL = "maker@example.test"
PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def flask_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        clock.command("flask", "--app", "tracker", *args),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def server_env(workdir: Path, url: str, **extra: str) -> dict[str, str]:
    """The environment of a server (and its `flask` commands) living in `workdir`."""
    instance = workdir / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "TRACKER_ENV": "development",
        "TRACKER_INSTANCE_PATH": str(instance),
        "TRACKER_DATABASE_URL": url,
        "TRACKER_SECRET_KEY": "live-test-secret",
        "TRACKER_KEY_FILE": str(workdir / "keys.json"),
        "TRACKER_BLOB_DIR": str(workdir / "blobs"),
        **extra,
    }


def run_cli(env: dict[str, str], *commands: tuple[str, ...]) -> None:
    """Run `flask` commands in order; RuntimeError naming the first that fails."""
    for args in commands:
        done = flask_cli(env, *args)
        if done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed: {done.stderr[-2000:]}")


def deploy(workdir: Path, url: str, max_upload: int) -> tuple[dict[str, str], int]:
    """Key file, migrated database and one company user with a project; returns the server's
    environment and the project id."""
    from tracker import create_app
    from tracker.auth.models import Organization, User, Zone
    from tracker.auth.passwords import hash_password
    from tracker.cases.projects.models import Project
    from tracker.db import db

    env = server_env(workdir, url, TRACKER_MAX_UPLOAD_BYTES=str(max_upload))
    run_cli(env, ("keys", "init"), ("db", "upgrade"))
    app = create_app(
        {
            "TRACKER_ENV": "development",
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": env["TRACKER_SECRET_KEY"],
            "TRACKER_KEY_FILE": env["TRACKER_KEY_FILE"],
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_KIB": 8,
            "ARGON2_PARALLELISM": 1,
        }
    )
    with app.app_context():
        # a session of this app's engine (in tests db.session is bound to the test connection)
        with sa.orm.Session(db.engine) as session:
            company = Organization(name="Maker", kind="company", country="KR")
            user = User(
                email=EMAIL,
                name="Maker",
                role="company",
                organization=company,
                password_hash=hash_password(PASSWORD),
                locale="en",
            )
            zone = Zone(code="ZL", name_en="Zone", name_ko="특구")
            project = Project(code="P-LIVE", title="Live", zone=zone, company=company)
            session.add_all([company, user, zone, project])
            session.commit()
            project_id = project.id
        db.engine.dispose()
    return env, project_id


def _gone(pid: int) -> bool:
    """Whether the process has exited (a zombie has: its files and locks are released)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def upload_head(path: str, token: str, length: int, boundary: str = "XyZ") -> bytes:
    """The request line and headers of a multipart upload of `length` body bytes."""
    return (
        f"POST {path} HTTP/1.1\r\n"
        f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


class LiveServer:
    def __init__(self, env: dict[str, str], workers: int = 1, log: Path | None = None) -> None:
        self.env = env
        self.workers = workers
        self.log = log  # gunicorn's error log (else discarded)
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        out = self.log.open("ab") if self.log is not None else subprocess.DEVNULL
        try:
            self.proc = subprocess.Popen(
                clock.command("gunicorn", "-w", str(self.workers), "--timeout", "600")
                + ["-b", f"127.0.0.1:{self.port}", "wsgi:app"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=out,
                start_new_session=True,  # its own process group: a kill reaches every worker
            )
        finally:
            if self.log is not None:
                out.close()  # type: ignore[union-attr]
        for _ in range(1200):
            if self.proc.poll() is not None:
                raise RuntimeError("the server exited at start")
            try:
                if self.request("GET", "/api/v1/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group (master and workers) and wait until every one of
        them has exited."""
        assert self.proc is not None
        members = [self.proc.pid, *self.worker_pids]
        os.killpg(self.proc.pid, sig)
        self.proc.wait(timeout=60)
        deadline = time.monotonic() + 60
        while not all(_gone(pid) for pid in members):
            if time.monotonic() > deadline:
                raise RuntimeError("a worker outlived the kill")
            time.sleep(0.01)

    def close(self) -> None:
        """Kill the server if it still runs (a failed test must not leave it behind)."""
        if self.proc is not None and self.proc.poll() is None:
            self.kill()

    @property
    def worker_pids(self) -> list[int]:
        assert self.proc is not None
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except FileNotFoundError:
            return []
        return [int(pid) for pid in children.split()]

    @property
    def worker_pid(self) -> int:
        return self.worker_pids[0]

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        conn = self.connection()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def partial_upload(self, path: str, token: str, body: bytes, sent: int) -> socket.socket:
        """Send the headers and the first `sent` bytes of a multipart upload, then leave it
        hanging (the caller closes the socket)."""
        sock = socket.create_connection(("127.0.0.1", self.port))
        sock.sendall(upload_head(path, token, len(body)) + body[:sent])
        return sock

    def token(self, email: str = EMAIL, password: str = PASSWORD, otp: str | None = None) -> str:
        """A bearer token; `otp`: the account's second factor, when it has one."""
        status, body = self.request(
            "POST",
            "/api/v1/auth/token",
            json.dumps({"email": email, "password": password, "otp": otp}).encode(),
            {"Content-Type": "application/json"},
        )
        if status != 201:
            raise RuntimeError(f"no token: {status} {body[:200]!r}")
        token: Any = json.loads(body)["token"]
        return str(token)
