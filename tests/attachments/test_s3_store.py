"""The S3 blob store against a real S3-compatible server (moto's standalone server on loopback),
through the real boto3 client: multipart upload, publish, discard, delete, listing, the sweep of
stale multipart uploads, and an upload and download through the attachment API."""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from tests.attachments.live import ROOT
from tests.support import MARKER, audit_actions, multipart, pdf, raw_upload
from tracker.attachments.crypto import HEADER_SIZE, IntegrityFailure
from tracker.attachments.models import AttachmentVersion
from tracker.attachments.s3 import PART_SIZE, S3Store, client_from_environment, parse_url
from tracker.attachments.storage import blob_store, new_blob_name
from tracker.db import db

BUCKET = "tracker-test"
SMALL_PART = 5 * 1024 * 1024  # S3's minimum for every part but the last


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.clockrun", "-m", "moto.server", "-H", "127.0.0.1"]
        + ["-p", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    saved = {k: os.environ.get(k) for k in _ENV}
    os.environ.update(
        {
            "TRACKER_S3_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        client_from_environment().create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


_ENV = (
    "TRACKER_S3_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_DEFAULT_REGION",
)


@pytest.fixture
def store(s3_endpoint: str, request: pytest.FixtureRequest) -> S3Store:
    """A store under a prefix of its own, with small parts so that tests stay quick."""
    s = S3Store.from_url(f"s3://{BUCKET}/t/{request.node.name[:40]}-{new_blob_name()[:8]}")
    s.part_size = SMALL_PART
    return s


def _uploads(store: S3Store) -> list[dict[str, Any]]:
    response = store.client.list_multipart_uploads(Bucket=store.bucket, Prefix=store.prefix)
    return list(response.get("Uploads", []))


def _keys(store: S3Store) -> list[str]:
    response = store.client.list_objects_v2(Bucket=store.bucket, Prefix=store.prefix)
    return [o["Key"] for o in response.get("Contents", [])]


def _data(size: int) -> bytes:
    block = hashlib.sha256(b"seed").digest() * 2048  # 64 KiB, not compressible to nothing
    return (block * (size // len(block) + 1))[:size]


def test_parse_url() -> None:
    assert parse_url("s3://bucket/a/b/") == ("bucket", "a/b/")
    assert parse_url("s3://bucket") == ("bucket", "")
    with pytest.raises(ValueError):
        parse_url("file:///tmp/x")
    with pytest.raises(ValueError):
        parse_url("s3:///prefix")


def test_multipart_publish_open_round_trip(store: S3Store) -> None:
    data = _data(2 * SMALL_PART + 12345)  # three parts, the last one short
    writer = store.new_blob()
    for i in range(0, len(data), 100_000):  # the app writes chunks much smaller than a part
        writer.write(data[i : i + 100_000])
    assert len(writer.parts) == 2  # two full parts already sent, the rest still buffered
    assert len(_uploads(store)) == 1 and _keys(store) == []  # nothing visible before publish
    name = new_blob_name()
    writer.publish(name)
    assert len(writer.parts) == 3
    assert _uploads(store) == []
    assert _keys(store) == [f"{store.prefix}{name[:2]}/{name}"]  # the temporary key is gone
    with store.open(name) as fh:
        received = b"".join(iter(lambda: fh.read(1 << 20), b""))
    assert received == data
    attributes = store.client.get_object_attributes(
        Bucket=store.bucket, Key=f"{store.prefix}{name[:2]}/{name}", ObjectAttributes=["ObjectSize"]
    )
    assert attributes["ObjectSize"] == len(data)
    head = store.client.head_object(
        Bucket=store.bucket, Key=f"{store.prefix}{name[:2]}/{name}", ChecksumMode="ENABLED"
    )  # a full-object SHA-256, computed by the server at the copy, checked by boto3 on reads
    assert head["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert [n for n, _ in store.names()] == [name]
    writer.discard()  # a no-op after publish
    assert [n for n, _ in store.names()] == [name]


def test_parts_carry_sha256_checksums(store: S3Store) -> None:
    data = _data(SMALL_PART + 10)
    writer = store.new_blob()
    writer.write(data)
    writer.publish(new_blob_name())
    sums = [p.get("ChecksumSHA256") for p in writer.parts]
    assert sums[0] == base64.b64encode(hashlib.sha256(data[:SMALL_PART]).digest()).decode()
    assert sums[1] == base64.b64encode(hashlib.sha256(data[SMALL_PART:]).digest()).decode()


def test_small_and_empty_blobs(store: S3Store) -> None:
    for data in (b"", b"tiny"):
        writer = store.new_blob()
        writer.write(data)
        name = new_blob_name()
        writer.publish(name)
        with store.open(name) as fh:
            assert fh.read() == data


def test_discard_aborts_the_upload_and_leaves_nothing(store: S3Store) -> None:
    writer = store.new_blob()
    writer.write(_data(SMALL_PART + 1))
    assert len(_uploads(store)) == 1
    writer.discard()
    writer.discard()  # idempotent
    assert _uploads(store) == [] and _keys(store) == []
    with pytest.raises(ValueError):
        writer.write(b"more")
    unstarted = store.new_blob()  # nothing sent yet: discard talks to nobody's upload
    unstarted.write(b"abc")
    unstarted.discard()
    assert _uploads(store) == [] and _keys(store) == []


def test_delete_and_missing_blobs(store: S3Store) -> None:
    writer = store.new_blob()
    writer.write(b"ciphertext")
    name = new_blob_name()
    writer.publish(name)
    store.delete(name)
    assert list(store.names()) == []
    store.delete(name)  # deleting twice is fine
    with pytest.raises(FileNotFoundError):
        store.open(name)
    with pytest.raises(ValueError):
        store.open("../../etc/passwd")


def test_names_lists_only_published_blobs(store: S3Store) -> None:
    published = []
    for _ in range(3):
        writer = store.new_blob()
        writer.write(b"x")
        name = new_blob_name()
        writer.publish(name)
        published.append(name)
    pending = store.new_blob()
    pending.write(_data(SMALL_PART))  # an upload in progress
    # a stray object under the temporary prefix (a crash between copy and delete)
    store.client.put_object(Bucket=store.bucket, Key=f"{store.prefix}tmp/{'a' * 32}", Body=b"x")
    listed = dict(store.names())
    assert sorted(listed) == sorted(published)
    assert all(mtime > time.time() - 3600 for mtime in listed.values())
    pending.discard()


def test_stale_multipart_uploads_and_temporaries_are_removed(store: S3Store) -> None:
    stale = store.new_blob()
    stale.write(_data(SMALL_PART))
    old = f"{store.prefix}tmp/{int(time.time()) - 7200}-{'b' * 32}"  # stray, two hours old
    store.client.put_object(Bucket=store.bucket, Key=old, Body=b"x")
    kept = store.new_blob()
    kept.write(b"x")
    name = new_blob_name()
    kept.publish(name)
    assert store.remove_stale_temporaries(older_than=3600) == 1  # only the old stray object
    assert len(_uploads(store)) == 1
    time.sleep(1.1)  # start times have a resolution of one second
    assert store.remove_stale_temporaries(older_than=1) == 1
    assert _uploads(store) == []
    assert _keys(store) == [f"{store.prefix}{name[:2]}/{name}"]  # the published blob stays


# --- through the application ------------------------------------------------------------------


@pytest.fixture
def s3_app(app: Any, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"s3://{BUCKET}/app-{new_blob_name()[:8]}"
    monkeypatch.setitem(app.config, "TRACKER_BLOB_URL", url)
    monkeypatch.delitem(app.extensions, "tracker_blob_store", raising=False)
    yield url
    app.extensions.pop("tracker_blob_store", None)


def test_upload_and_download_through_the_api(
    world: Any, api_as: Any, s3_app: str, blob_dir: Any
) -> None:
    api = api_as(world.users["lawyer"])
    data = pdf(2 * PART_SIZE + 100_000)  # three parts of the default size
    # a prepared body (the test client would spool a large form into a file it never closes)
    r = raw_upload(api, world.project.id, multipart([("file", "big.pdf", data)]))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    store = blob_store()
    assert isinstance(store, S3Store) and store.source == s3_app
    names = [n for n, _ in store.names()]
    assert len(names) == 1
    with store.open(names[0]) as fh:
        stored = fh.read()
    assert MARKER not in stored  # ciphertext only
    assert len(stored) > len(data)
    assert not blob_dir.exists() or not any(p.is_file() for p in blob_dir.rglob("*"))
    d = api.get(f"/api/v1/attachments/{body['id']}/content")
    assert d.status_code == 200
    assert d.get_data() == data
    assert len(audit_actions("attachment.downloaded")) == 1
    # the same blob cannot be read by someone outside the project
    outsider = api_as(world.outsiders["lawyer"])
    assert outsider.get(f"/api/v1/attachments/{body['id']}/content").status_code in (403, 404)


def test_tampered_and_missing_objects_fail_the_download_and_are_audited(
    world: Any, api_as: Any, s3_app: str
) -> None:
    api = api_as(world.users["lawyer"])
    first = raw_upload(api, world.project.id, multipart([("file", "a.pdf", pdf(300_000))]))
    second = raw_upload(api, world.project.id, multipart([("file", "b.pdf", pdf(1000))]))
    assert first.status_code == second.status_code == 201
    store = blob_store()
    assert isinstance(store, S3Store)
    query = sa.select(AttachmentVersion.attachment_id, AttachmentVersion.blob_name)
    rows = {a: b for a, b in db.session.execute(query).all()}
    key = store.key(rows[first.get_json()["id"]])
    with store.open(rows[first.get_json()["id"]]) as fh:
        raw = bytearray(fh.read())
    raw[HEADER_SIZE + 65_536 + 16 + 10] ^= 0x40  # a bit in the second chunk
    store.client.put_object(Bucket=store.bucket, Key=key, Body=bytes(raw))
    response = api.get(f"/api/v1/attachments/{first.get_json()['id']}/content")
    assert response.status_code == 200  # the headers went out before the bad chunk
    with pytest.raises(IntegrityFailure):
        response.get_data()
    store.delete(rows[second.get_json()["id"]])
    with pytest.raises(IntegrityFailure):
        api.get(f"/api/v1/attachments/{second.get_json()['id']}/content").get_data()
    assert len(audit_actions("attachment.integrity_failed")) == 2
