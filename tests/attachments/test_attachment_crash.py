"""SIGKILL a real server (gunicorn in a subprocess) in the middle of uploads: after a restart
and a sweep, no partial file is visible, nothing is orphaned, acknowledged uploads are intact."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import sqlalchemy.orm

from tests.attachments.live import LiveServer, deploy, flask_cli
from tests.support import MARKER, database_url, grep_tree, multipart, pdf


@pytest.fixture
def deployment(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Any:
    url = database_url(tmp_path_factory, worker_id, "attkill")
    env, project_id = deploy(tmp_path, url, 64 * 1024 * 1024)
    engine = sa.create_engine(url)
    yield env, project_id, engine, tmp_path / "blobs"
    engine.dispose()


@pytest.fixture
def server(deployment: Any) -> Any:
    live = LiveServer(deployment[0])
    yield live
    live.close()


def test_sigkill_during_uploads(deployment: Any, server: LiveServer) -> None:
    env, project_id, engine, blobs = deployment
    acknowledged: dict[int, bytes] = {}
    big = pdf(8 * 1024 * 1024, marker=MARKER)
    body = multipart([("file", "big.pdf", big)])
    # kill points: headers only, inside the multipart preamble, deep inside the file, and right
    # after the last byte (the upload may or may not have committed: either way it is whole)
    for sent in (0, 100, 6 * 1024 * 1024, len(body)):
        server.start()
        token = server.token()
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
        sock = server.partial_upload(
            f"/api/v1/projects/{project_id}/attachments", token, body, sent
        )
        if sent == len(body):
            pass  # kill at once
        elif sent > 1024 * 1024:  # wait until the worker is writing the temporary blob
            tmp = blobs / "tmp"
            deadline = time.monotonic() + 120  # a busy machine reads the body slowly
            while not any(p.stat().st_size > 1024 * 1024 for p in tmp.iterdir()):
                assert time.monotonic() < deadline, "the worker never wrote the temporary blob"
                time.sleep(0.05)
        else:
            time.sleep(0.2)  # the worker is blocked reading the body
        server.kill()
        sock.close()
    assert server.proc is not None and server.proc.returncode == -9

    leftovers = list((blobs / "tmp").iterdir())
    assert leftovers, "the kill deep inside the file should have left a temporary file"
    assert grep_tree(blobs, MARKER) == []  # even the interrupted upload is ciphertext only
    swept = flask_cli(env, "attachments", "sweep", "--grace-seconds", "0")
    assert swept.returncode == 0, swept.stderr
    # no partial file visible, no orphan: every blob on disk is a ready row, and nothing else
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT blob_name, state FROM attachment_versions")).all()
    assert {state for _name, state in rows} == {"ready"}
    assert len(acknowledged) <= len(rows) <= len(acknowledged) + 1
    on_disk = sorted(p.name for p in blobs.rglob("*") if p.is_file())
    assert on_disk == sorted(name for name, _state in rows)
    assert grep_tree(blobs, MARKER) == []
    verified = flask_cli(env, "attachments", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    # after a restart every acknowledged upload reads back intact
    server.start()
    token = server.token()
    status, listing = server.request(
        "GET",
        f"/api/v1/projects/{project_id}/attachments",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert status == 200
    listed = {i["id"]: i for i in json.loads(listing)["items"]}
    assert set(acknowledged) <= set(listed) and len(listed) == len(rows)
    unacknowledged = {k: big for k in listed if k not in acknowledged}
    assert all(listed[k]["filename"] == "big.pdf" for k in unacknowledged)
    for attachment_id, data in {**acknowledged, **unacknowledged}.items():
        status, got = server.request(
            "GET",
            f"/api/v1/attachments/{attachment_id}/content",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert status == 200
        assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest()
