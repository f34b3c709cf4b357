"""SIGKILL a real server (gunicorn in a subprocess) in the middle of uploads: after a restart
and a sweep, no partial file is visible, nothing is orphaned, acknowledged uploads are intact."""

from __future__ import annotations

import hashlib
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

import pytest
import sqlalchemy as sa
import sqlalchemy.orm

from tests.attachments.conftest import MARKER, grep_tree, multipart, pdf
from tests.conftest import TEST_PASSWORD, database_url
from tracker import create_app
from tracker.auth.models import Organization, User, Zone
from tracker.auth.passwords import hash_password
from tracker.cases.models import Project
from tracker.db import db

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{self.port}", "wsgi:app"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the kill reaches master and worker
        )
        for _ in range(200):
            try:
                if self.request("GET", "/api/v1/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "flask"), "--app", "tracker", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def deployment(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Any:
    url = database_url(tmp_path_factory, worker_id, "attkill")
    env = {
        **os.environ,
        "TRACKER_ENV": "development",
        "TRACKER_INSTANCE_PATH": str(tmp_path / "instance"),
        "TRACKER_DATABASE_URL": url,
        "TRACKER_SECRET_KEY": "crash-test-secret",
        "TRACKER_KEY_FILE": str(tmp_path / "keys.json"),
        "TRACKER_BLOB_DIR": str(tmp_path / "blobs"),
        "TRACKER_MAX_UPLOAD_BYTES": str(64 * 1024 * 1024),
    }
    assert _cli(env, "keys", "init").returncode == 0
    migrated = _cli(env, "db", "upgrade")
    assert migrated.returncode == 0, migrated.stderr
    app = create_app(
        {
            "TRACKER_ENV": "development",
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "crash-test-secret",
            "TRACKER_KEY_FILE": env["TRACKER_KEY_FILE"],
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_KIB": 8,
            "ARGON2_PARALLELISM": 1,
        }
    )
    with app.app_context():
        zone = Zone(code="ZK", name_en="Zone", name_ko="특구")
        company = Organization(name="Maker", kind="company", country="KR")
        user = User(
            email="maker@example.test",
            name="Maker",
            role="company",
            organization=company,
            password_hash=hash_password(TEST_PASSWORD),
            locale="en",
        )
        project = Project(code="P-KILL", title="Kill", zone=zone, company=company)
        engine = db.engine  # this app's engine (db.session is bound to the test's connection)
        with sa.orm.Session(engine) as session:
            session.add_all([zone, company, user, project])
            session.commit()
            project_id = project.id
    yield env, project_id, engine, tmp_path / "blobs"
    engine.dispose()


def _token(server: Server) -> str:
    status, body = server.request(
        "POST",
        "/api/v1/auth/token",
        json.dumps({"email": "maker@example.test", "password": TEST_PASSWORD}).encode(),
        {"Content-Type": "application/json"},
    )
    assert status == 201, body
    return str(json.loads(body)["token"])


def _partial_upload(server: Server, token: str, project_id: int, body: bytes, sent: int) -> Any:
    """Send the headers and the first `sent` bytes of an upload, then leave it hanging."""
    sock = socket.create_connection(("127.0.0.1", server.port))
    head = (
        f"POST /api/v1/projects/{project_id}/attachments HTTP/1.1\r\n"
        f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary=XyZ\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    sock.sendall(head + body[:sent])
    return sock


def test_sigkill_during_uploads(deployment: Any) -> None:
    env, project_id, engine, blobs = deployment
    server = Server(env)
    acknowledged: dict[int, bytes] = {}
    big = pdf(8 * 1024 * 1024, marker=MARKER)
    body = multipart([("file", "big.pdf", big)])
    # kill points: headers only, inside the multipart preamble, deep inside the file
    for sent in (0, 100, 6 * 1024 * 1024):
        server.start()
        token = _token(server)
        small = pdf(300_000, marker=b"ack-%d" % sent)
        status, answer = server.request(
            "POST",
            f"/api/v1/projects/{project_id}/attachments",
            multipart([("file", f"ok-{sent}.pdf", small)]),
            {
                "Authorization": f"Bearer {token}",
                "Content-Type": "multipart/form-data; boundary=XyZ",
            },
        )
        assert status == 201, answer
        acknowledged[json.loads(answer)["id"]] = small
        sock = _partial_upload(server, token, project_id, body, sent)
        time.sleep(0.5)  # let the worker receive and encrypt what was sent
        server.kill()
        sock.close()

    leftovers = list((blobs / "tmp").iterdir())
    assert leftovers, "the kill deep inside the file should have left a temporary file"
    assert grep_tree(blobs, MARKER) == []  # even the interrupted upload is ciphertext only
    swept = _cli(env, "attachments", "sweep", "--grace-seconds", "0")
    assert swept.returncode == 0, swept.stderr
    # no partial file visible, no orphan: every blob on disk is a ready row, and nothing else
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT blob_name, state FROM attachment_versions")).all()
    assert {state for _name, state in rows} == {"ready"}
    assert len(rows) == len(acknowledged)
    on_disk = sorted(p.name for p in blobs.rglob("*") if p.is_file())
    assert on_disk == sorted(name for name, _state in rows)
    assert grep_tree(blobs, MARKER) == []
    verified = _cli(env, "attachments", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    # after a restart every acknowledged upload reads back intact
    server.start()
    try:
        token = _token(server)
        for attachment_id, data in acknowledged.items():
            status, got = server.request(
                "GET",
                f"/api/v1/attachments/{attachment_id}/content",
                headers={"Authorization": f"Bearer {token}"},
            )
            assert status == 200
            assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest()
    finally:
        server.kill()
