"""`keys rotate`, `attachments sweep` and `attachments verify`."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support import blob_files, pdf, upload, version_rows
from tracker import keys
from tracker.attachments import maintenance
from tracker.attachments.models import Attachment, AttachmentVersion
from tracker.attachments.storage import TEMP_DIR, new_blob_name
from tracker.auth import totp
from tracker.db import db, utcnow


@pytest.fixture
def key_file(app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the key file and ring, so rotating does not touch other tests."""
    ring = copy.deepcopy(app.extensions["tracker_keys"])
    path = tmp_path / "keys.json"
    keys.write(ring, path)
    monkeypatch.setitem(app.config, "TRACKER_KEY_FILE", str(path))
    monkeypatch.setitem(app.extensions, "tracker_keys", ring)
    return path


@pytest.fixture
def uploaded(world: Any, api_as: Any) -> dict[int, bytes]:
    api = api_as(world.users["company"])
    files = {}
    for i, name in enumerate(["a.pdf", "b.pdf", "a.pdf", "c.pdf"]):
        data = pdf(70_000 + i, marker=b"file-%d" % i)
        body = upload(api, world.project.id, data, name=name).get_json()
        files[body["id"]] = data  # the latest version of each attachment
    return files


def _downloads(api: Any, files: dict[int, bytes]) -> None:
    for attachment_id, data in files.items():
        assert api.get(f"/api/v1/attachments/{attachment_id}/content").get_data() == data


def test_rotate_rewraps_every_key_and_keeps_files_readable(
    app: Any, runner: Any, key_file: Path, uploaded: dict[int, bytes], world: Any, api_as: Any
) -> None:
    old = app.extensions["tracker_keys"].active_kek_id
    before = {
        v.id: (v.ciphertext_sha256, v.blob_name)
        for v in db.session.execute(sa.select(AttachmentVersion)).scalars()
    }
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "Rows still using an old key: 0." in result.output
    assert "Re-wrapped data keys: 4." in result.output
    ring = app.extensions["tracker_keys"]
    assert ring.active_kek_id != old
    on_disk = json.loads(key_file.read_text())
    assert on_disk["active_kek"] == ring.active_kek_id and old in on_disk["keks"]
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    for material in ring.keks.values():  # never prints key material
        assert base64.b64encode(material).decode() not in result.output
    db.session.expire_all()
    rows = list(db.session.execute(sa.select(AttachmentVersion)).scalars())
    assert {r.kek_id for r in rows} == {ring.active_kek_id}
    # content untouched: same blobs, same ciphertext
    assert {r.id: (r.ciphertext_sha256, r.blob_name) for r in rows} == before
    assert maintenance.old_key_rows(ring) == 0
    _downloads(api_as(world.users["lawyer"]), uploaded)
    assert runner.invoke(args=["attachments", "verify"]).exit_code == 0


def test_rotation_is_resumable(
    app: Any, runner: Any, key_file: Path, uploaded: dict[int, bytes], world: Any, api_as: Any
) -> None:
    ring = app.extensions["tracker_keys"]
    kid = keys.new_kek_id()
    ring.keks[kid] = os.urandom(32)
    ring.active_kek_id = kid
    keys.write(ring, key_file, overwrite=True)
    assert maintenance.rewrap_all(ring, batch=1, limit=1) == 1  # "interrupted" after one row
    assert maintenance.old_key_rows(ring) == 3
    result = runner.invoke(args=["keys", "rotate", "--resume"])
    assert result.exit_code == 0, result.output
    assert "Rows still using an old key: 0." in result.output
    assert app.extensions["tracker_keys"].active_kek_id == kid
    _downloads(api_as(world.users["company"]), uploaded)


def test_verify_reports_a_damaged_blob(
    runner: Any, uploaded: dict[int, bytes], blob_dir: Path
) -> None:
    result = runner.invoke(args=["attachments", "verify"])
    assert result.exit_code == 0, result.output
    assert "Checked 4 versions, 0 failed." in result.output
    victim = (
        db.session.execute(sa.select(AttachmentVersion).order_by(AttachmentVersion.id))
        .scalars()
        .first()
    )
    victim_id = victim.id
    path = blob_dir / victim.blob_name[:2] / victim.blob_name
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 1
    path.write_bytes(bytes(raw))
    result = runner.invoke(args=["attachments", "verify"])
    assert result.exit_code == 1
    assert f"attachment version {victim_id}:" in result.output
    assert "Checked 4 versions, 1 failed." in result.output
    # a row whose KEK is not in the key file is named too (it used to end the check)
    second = (
        db.session.execute(sa.select(AttachmentVersion).order_by(AttachmentVersion.id.desc()))
        .scalars()
        .first()
    )
    second_id = second.id
    second.kek_id = "kek-gone"
    db.session.commit()
    result = runner.invoke(args=["attachments", "verify"])
    assert result.exit_code == 1, result.output
    assert f"attachment version {second_id}: key id 'kek-gone' is not in the key file" in (
        result.output
    )
    assert "Checked 4 versions, 2 failed." in result.output


def _age(path: Path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_sweep_removes_leftovers_and_keeps_ready_files(
    runner: Any, uploaded: dict[int, bytes], blob_dir: Path, world: Any, api_as: Any
) -> None:
    ready = {p.name for p in blob_files(blob_dir)}
    for p in blob_files(blob_dir):
        _age(p, 7200)
    # a temporary file of an upload that died, an old and a fresh one
    old_tmp = blob_dir / TEMP_DIR / "dead.part"
    old_tmp.write_bytes(b"x")
    _age(old_tmp, 7200)
    fresh_tmp = blob_dir / TEMP_DIR / "inflight.part"
    fresh_tmp.write_bytes(b"x")
    _age(fresh_tmp, 0)  # written now by the suite's clock (the file system keeps the real time)
    # a blob renamed into place whose row never committed
    orphan = new_blob_name()
    (blob_dir / orphan[:2]).mkdir(exist_ok=True)
    (blob_dir / orphan[:2] / orphan).write_bytes(b"y")
    _age(blob_dir / orphan[:2] / orphan, 7200)
    # a row that never became ready, with its blob
    pending_blob = new_blob_name()
    (blob_dir / pending_blob[:2]).mkdir(exist_ok=True)
    (blob_dir / pending_blob[:2] / pending_blob).write_bytes(b"z")
    _age(blob_dir / pending_blob[:2] / pending_blob, 7200)
    _add_stale_pending_version(pending_blob)
    rows = version_rows()
    result = runner.invoke(args=["attachments", "sweep"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 temporary files, 1 unfinished rows, 1 orphan blobs." in result.output
    assert not old_tmp.exists() and fresh_tmp.exists()
    assert {p.name for p in blob_files(blob_dir) if p.parent.name != TEMP_DIR} == ready
    assert version_rows() == rows - 1
    _downloads(api_as(world.users["lawyer"]), uploaded)
    # nothing left: a second run removes nothing
    again = runner.invoke(args=["attachments", "sweep", "--grace-seconds", "0"])
    assert "Removed 1 temporary files, 0 unfinished rows, 0 orphan blobs." in again.output


def test_sweep_at_start_never_raises(
    app: Any, blob_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = blob_dir / TEMP_DIR
    stale.mkdir(parents=True)
    (stale / "old.part").write_bytes(b"x")
    _age(stale / "old.part", 7200)
    report = maintenance.sweep_at_start(app)
    assert report is not None and report.temporary_files == 1

    def broken(_grace: float = 0) -> None:
        raise OSError("store unavailable")

    monkeypatch.setattr(maintenance, "sweep", broken)
    assert maintenance.sweep_at_start(app) is None


def test_a_running_server_follows_a_rotation_done_elsewhere(
    app: Any, key_file: Path, uploaded: dict[int, bytes], world: Any, api_as: Any
) -> None:
    """`keys rotate` runs in its own process: the server's ring object never sees the new KEK,
    yet it must read the re-wrapped keys and wrap new uploads with the new KEK."""
    api = api_as(world.users["lawyer"])
    _downloads(api, uploaded)  # the server has read the key file once
    served = app.extensions["tracker_keys"]
    other = keys.load(key_file)  # "another process"
    kid = keys.new_kek_id()
    other.keks[kid] = os.urandom(32)
    other.active_kek_id = kid
    keys.write(other, key_file, overwrite=True)
    assert maintenance.rewrap_all(other) == 4
    assert kid not in served.keks  # the ring the server holds never learns the new KEK
    _downloads(api, uploaded)
    body = upload(api, world.project.id, pdf(5000), name="after.pdf").get_json()
    row = db.session.execute(
        sa.select(AttachmentVersion).where(AttachmentVersion.attachment_id == body["id"])
    ).scalar_one()
    assert row.kek_id == kid


def test_a_second_rotation_at_the_same_time_is_refused(
    app: Any, runner: Any, key_file: Path, uploaded: dict[int, bytes]
) -> None:
    """Two rotations at once would each write the key file with their own new KEK: the rows
    re-wrapped by the one whose file was overwritten could never be read again."""
    import fcntl

    before = key_file.read_bytes()
    kek_ids = {v.kek_id for v in db.session.execute(sa.select(AttachmentVersion)).scalars()}
    with open(key_file.with_name(key_file.name + ".lock"), "a") as running:
        fcntl.flock(running, fcntl.LOCK_EX | fcntl.LOCK_NB)  # "another rotation" holds it
        result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code != 0
    assert "Another `keys rotate` is running" in result.output
    assert key_file.read_bytes() == before
    db.session.expire_all()
    assert {v.kek_id for v in db.session.execute(sa.select(AttachmentVersion)).scalars()} == (
        kek_ids
    )
    # once the other one is done, rotating works
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0


def test_a_damaged_key_does_not_stop_the_rotation(
    app: Any, runner: Any, key_file: Path, uploaded: dict[int, bytes], world: Any, api_as: Any
) -> None:
    """One row whose wrapped key no longer unwraps is reported and left alone; every other row
    is re-wrapped (it used to stop the rotation at that row, run after run)."""
    first = (
        db.session.execute(sa.select(AttachmentVersion).order_by(AttachmentVersion.id))
        .scalars()
        .first()
    )
    damaged_id = first.id
    wrapped = bytearray(first.wrapped_dek)
    wrapped[-1] ^= 1
    first.wrapped_dek = bytes(wrapped)
    db.session.commit()
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 1, result.output
    assert f"attachment version {damaged_id}: not re-wrapped:" in result.output
    assert "Re-wrapped data keys: 3." in result.output
    assert "Rows still using an old key: 1." in result.output
    ring = app.extensions["tracker_keys"]
    db.session.expire_all()
    rows = {v.id: v.kek_id for v in db.session.execute(sa.select(AttachmentVersion)).scalars()}
    assert [i for i, kid in rows.items() if kid != ring.active_kek_id] == [damaged_id]
    api = api_as(world.users["lawyer"])
    for attachment_id, data in uploaded.items():
        if attachment_id != first.attachment_id:
            assert api.get(f"/api/v1/attachments/{attachment_id}/content").get_data() == data


def test_sweep_removes_a_row_whose_blob_was_never_written(
    runner: Any, uploaded: dict[int, bytes], blob_dir: Path
) -> None:
    """A pending row whose blob never reached the store (not even its fan-out directory)."""
    names = {p.name[:2] for p in blob_files(blob_dir)}
    never = next(n for n in (new_blob_name() for _ in range(1000)) if n[:2] not in names)
    _add_stale_pending_version(never)
    rows = version_rows()
    result = runner.invoke(args=["attachments", "sweep"])
    assert result.exit_code == 0, result.output
    assert "1 unfinished rows" in result.output
    assert version_rows() == rows - 1


def test_rotation_reseals_totp_seeds(app, make_user, runner):
    """A user's TOTP seed is sealed by a KEK too: after `keys rotate` it opens with the new
    key alone, and the rotation counts it until then."""
    import pyotp

    from tracker import keys

    user = make_user("lawyer")
    secret = pyotp.random_base32()
    assert totp.enrol_totp(user, secret, pyotp.TOTP(secret).now())
    db.session.commit()
    path = keys.current().path
    saved = path.read_text()
    try:
        result = runner.invoke(args=["keys", "rotate"])
        assert result.exit_code == 0, result.output
        assert "Re-sealed TOTP seeds: 1." in result.output
        ring = keys.current()
        assert ring.sealed_kek_id(user.totp_secret_sealed) == ring.active_kek_id
        assert totp.totp_secret(user) == secret
    finally:
        keys.write_private_file(path, saved)
        keys.current()


def _add_stale_pending_version(blob_name: str) -> None:
    """A version of the first attachment that never became ready, two hours old."""
    attachment = db.session.execute(sa.select(Attachment)).scalars().first()
    db.session.add(
        AttachmentVersion(
            uuid=str(uuid.uuid4()),
            attachment=attachment,
            number=99,
            filename="p.pdf",
            size=1,
            content_type="application/pdf",
            ciphertext_sha256="0" * 64,
            plaintext_sha256_sealed=b"0",
            kek_id="k",
            wrapped_dek=b"0",
            blob_name=blob_name,
            state="pending",
            created_at=utcnow() - dt.timedelta(hours=2),
        )
    )
    db.session.flush()
