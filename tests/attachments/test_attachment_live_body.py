"""Uploads through a real gunicorn, where the body is read straight from the socket
(`body._GunicornBody`): bytes gunicorn already holds, a body sent in one packet with its
headers, a client that goes away mid-body, and the server answering the next request."""

from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.attachments.live import LiveServer, deploy
from tests.support import MARKER, database_url, multipart, pdf


@pytest.fixture
def live(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Any:
    url = database_url(tmp_path_factory, worker_id, "attlive")
    env, project_id = deploy(tmp_path, url, 16 * 1024 * 1024)
    server = LiveServer(env)
    server.start()
    engine = sa.create_engine(url)
    yield server, server.token(), project_id, engine, tmp_path / "blobs"
    server.close()
    engine.dispose()


def _send(server: LiveServer, token: str, project_id: int, body: bytes, cut: int | None) -> bytes:
    """Headers and body in one sendall (gunicorn reads part of the body with the headers);
    with `cut`, only that much of the body, then the client closes its side."""
    head = (
        f"POST /api/v1/projects/{project_id}/attachments HTTP/1.1\r\n"
        f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n"
        f"Content-Type: multipart/form-data; boundary=XyZ\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as sock:
        sock.sendall(head + body[:cut])
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_uploads_read_from_the_socket(live: Any) -> None:
    server, token, project_id, engine, blobs = live
    for size in (1000, 300_000, 5 * 1024 * 1024 + 7):  # within gunicorn's first read, beyond
        data = pdf(size, marker=MARKER)
        answer = _send(server, token, project_id, multipart([("file", "a.pdf", data)]), None)
        assert answer.startswith(b"HTTP/1.1 201"), answer[:200]
        created = json.loads(answer.split(b"\r\n\r\n", 1)[1])
        assert created["size"] == len(data)
        assert created["sha256"] == hashlib.sha256(data).hexdigest()
        conn = server.connection()
        conn.request(
            "GET",
            f"/api/v1/attachments/{created['id']}/content",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert conn.getresponse().read() == data
        conn.close()


def test_a_body_cut_off_by_the_client_leaves_nothing(live: Any) -> None:
    server, token, project_id, engine, blobs = live
    body = multipart([("file", "cut.pdf", pdf(4 * 1024 * 1024, marker=MARKER))])
    for cut in (10, 2 * 1024 * 1024):
        answer = _send(server, token, project_id, body, cut)
        assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM attachment_versions")).scalar() == 0
    assert [p for p in blobs.rglob("*") if p.is_file()] == []
    assert server.request("GET", "/api/v1/health")[0] == 200
