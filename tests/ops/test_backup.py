"""`flask backup DIR` and `flask restore DIR`: a real backup of committed data (pg_dump on
PostgreSQL, SQLite's backup API), restored into a fresh database and blob folder; the counts
match, every blob decrypts, the audit chain verifies and the schema is at head."""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask, current_app

from tests.support import database_url, make_session, make_test_app
from tracker import keys
from tracker.attachments import maintenance
from tracker.audit.service import record
from tracker.audit.verify import verify_chain
from tracker.db import db, normalise_database_url
from tracker.ops import backup as ops
from tracker.ops.manifest import manifest_mac
from tracker.ops.postgresql import libpq_url


def table_counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            name: conn.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
            for name in sa.inspect(conn).get_table_names()
        }


def invoke(app: Flask, *args: str) -> Any:
    """Run a command against `app` (the CLI uses the app context already pushed, if any)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def upload(api: Any, project_id: int, data: bytes, name: str) -> Any:
    return api.post(
        f"/api/v1/projects/{project_id}/attachments",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def source(world: Any, api_as: Any, blob_dir: Path) -> dict[str, Any]:
    """Committed data: the world's users and project, three uploaded files (two versions of
    one), audit events from all of it."""
    lawyer = api_as(world.users["lawyer"])
    company = api_as(world.users["company"])
    project_id = world.project.id
    db.session.commit()
    for client, name, body in [
        (lawyer, "a.pdf", b"%PDF-1.7\nfirst version of a\n" * 50),
        (lawyer, "a.pdf", b"%PDF-1.7\nsecond version of a\n" * 70),
        (company, "b.txt", "한국어 본문 and English text\n".encode() * 30),
    ]:
        r = upload(client, project_id, body, name)
        assert r.status_code == 201, r.get_data(as_text=True)[:300]
    record("test.backup", object_type="test", object_id=1)
    db.session.commit()
    return {"counts": table_counts()}


@pytest.fixture
def fresh_app(
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
    worker_id: str,
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Flask]:
    """A second instance on a new, migrated, empty database and an empty blob folder, with the
    first instance's key file (restored separately, as the README says)."""
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", os.environ.get("TRACKER_INSTANCE_PATH", ""))
    url = database_url(tmp_path_factory, worker_id, "restore")
    other = make_test_app(
        tmp_path_factory,
        url,
        TRACKER_KEY_FILE=app.config["TRACKER_KEY_FILE"],
        TRACKER_BLOB_DIR=str(tmp_path / "restored-blobs"),
        TRACKER_AUDIT_CHECKPOINT_FILE=str(tmp_path / "restored-checkpoints"),
    )
    with other.app_context():
        flask_migrate.upgrade()
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()
    if url.startswith("postgresql"):
        admin_url = sa.engine.make_url(normalise_database_url(url)).set(database="postgres")
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            name = sa.engine.make_url(url).database
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.real_commits
def test_backup_and_restore_into_a_fresh_instance(
    app: Flask, source: dict[str, Any], fresh_app: Flask, tmp_path: Path
) -> None:
    target = tmp_path / "backup"
    out = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert out.exit_code == 0, out.output
    assert "3 blobs" in out.output and "key file" in out.output

    manifest = json.loads((target / "manifest.json").read_text())
    dialect = db.engine.dialect.name
    assert manifest["format"] == 2 and manifest["database"]["dialect"] == dialect
    assert manifest["row_counts"] == source["counts"]
    assert manifest["blob_count"] == 3 and manifest["alembic_revision"]
    assert "not in this backup" in manifest["keys"]
    files = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert files == sorted([*manifest["files"], "manifest.json"])
    db_file = "database.dump" if dialect == "postgresql" else "database.sqlite3"
    assert manifest["database"]["file"] == db_file and db_file in manifest["files"]
    # the key file is never in it: not by name, not by content, no key anywhere
    key_text = Path(app.config["TRACKER_KEY_FILE"]).read_bytes()
    ring = app.extensions["tracker_keys"]
    secrets_ = [key_text, ring.audit_key, *ring.keks.values()]
    for path in target.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not any(s in content for s in secrets_), path

    out = invoke(fresh_app, "restore", str(target))
    assert out.exit_code == 0, out.output
    assert "3 blobs" in out.output

    with fresh_app.app_context():
        assert table_counts() == source["counts"]
        report = maintenance.verify()
        assert report.checked == 3 and report.failures == []
        chain = verify_chain(current_app.extensions["tracker_keys"].audit_key, None)
        assert chain.intact and chain.events == source["counts"]["audit_events"] > 3
        revision = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        assert {revision} == ops.head_revisions()
        db.session.remove()
    verify_out = invoke(fresh_app, "attachments", "verify")
    assert verify_out.exit_code == 0 and "Checked 3 versions, 0 failed" in verify_out.output
    audit_out = invoke(fresh_app, "audit", "verify")
    assert audit_out.exit_code == 0 and "intact" in audit_out.output

    # the instance now holds data: a second restore is refused without --force
    again = invoke(fresh_app, "restore", str(target))
    assert again.exit_code == 1 and "holds data" in again.output
    forced = invoke(fresh_app, "restore", "--force", str(target))
    assert forced.exit_code == 0, forced.output
    with fresh_app.app_context():
        assert table_counts() == source["counts"]
        db.session.remove()


@pytest.mark.real_commits
def test_restore_checks_the_manifest_before_touching_anything(
    app: Flask, source: dict[str, Any], fresh_app: Flask, tmp_path: Path
) -> None:
    target = tmp_path / "backup"
    assert app.test_cli_runner().invoke(args=["backup", str(target)]).exit_code == 0
    blob = next(p for p in (target / "blobs").rglob("*") if p.is_file())
    data = bytearray(blob.read_bytes())
    data[-1] ^= 1
    blob.write_bytes(bytes(data))
    out = invoke(fresh_app, "restore", str(target))
    assert out.exit_code == 1 and "do not match their SHA-256" in out.output
    with fresh_app.app_context():
        counts = table_counts()
        assert counts["users"] == 0 and counts["attachment_versions"] == 0
        db.session.remove()
    assert not (Path(fresh_app.config["TRACKER_BLOB_DIR"]) / blob.parent.name).exists()
    # an added file is refused as well
    blob.write_bytes(bytes(data[:-1]) + bytes([data[-1] ^ 1]))
    (target / "blobs" / "extra").write_bytes(b"x")
    out = invoke(fresh_app, "restore", str(target))
    assert out.exit_code == 1 and "1 extra" in out.output


@pytest.mark.real_commits
def test_backup_refuses_a_folder_that_is_not_empty(app: Flask, tmp_path: Path) -> None:
    target = tmp_path / "backup"
    target.mkdir()
    (target / "something").write_text("x")
    out = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert out.exit_code == 1 and "not empty" in out.output


def test_libpq_url_keeps_the_password_off_the_command_line() -> None:
    url = sa.engine.make_url(
        "postgresql+psycopg://tracker:s3cret@db.example:6543/t?sslmode=require"
    )
    plain, env = libpq_url(url)
    assert plain == "postgresql://tracker@db.example:6543/t?sslmode=require"
    assert env == {"PGPASSWORD": "s3cret"}


# --- authenticated backups (issue 21) ----------------------------------------------------------


def _refused(fresh_app: Flask, target: Path, expected: str) -> None:
    """The restore exits non-zero naming `expected`, and the fresh instance is untouched."""
    out = invoke(fresh_app, "restore", str(target))
    assert out.exit_code == 1 and expected in out.output, out.output
    with fresh_app.app_context():
        counts = table_counts()
        assert counts["users"] == 0 and counts["attachment_versions"] == 0
        assert counts["advisory_sessions"] == 0
        db.session.remove()
    assert not any(p.is_file() for p in Path(fresh_app.config["TRACKER_BLOB_DIR"]).rglob("*"))


def _rehash(target: Path) -> None:
    """What the attacker of finding 1 did: recompute every plain SHA-256 in the manifest."""
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["files"] = {
        name: hashlib.sha256((target / name).read_bytes()).hexdigest() for name in manifest["files"]
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))


@pytest.mark.real_commits
def test_backup_files_are_private(app: Flask, source: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "backup"
    assert app.test_cli_runner().invoke(args=["backup", str(target)]).exit_code == 0
    folders = [target, *(p for p in target.rglob("*") if p.is_dir())]
    files = [p for p in target.rglob("*") if p.is_file()]
    assert len(folders) >= 3 and len(files) >= 5
    assert {oct(p.stat().st_mode & 0o777) for p in folders} == {oct(0o700)}
    assert {oct(p.stat().st_mode & 0o777) for p in files} == {oct(0o600)}
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["format"] == 2 and len(manifest["mac"]) == 64


@pytest.mark.real_commits
def test_one_edited_byte_in_any_file_is_refused(
    app: Flask, source: dict[str, Any], fresh_app: Flask, tmp_path: Path
) -> None:
    target = tmp_path / "backup"
    assert app.test_cli_runner().invoke(args=["backup", str(target)]).exit_code == 0
    files = sorted(p for p in target.rglob("*") if p.is_file())
    for path in files:
        original = path.read_bytes()
        edited = bytearray(original)
        edited[len(edited) // 2] ^= 0x01
        path.write_bytes(bytes(edited))
        expected = "manifest" if path.name == "manifest.json" else "do not match their SHA-256"
        _refused(fresh_app, target, expected)
        # the same edit with the plain hashes recomputed: the MAC refuses it
        if path.name != "manifest.json":
            saved = (target / "manifest.json").read_bytes()
            _rehash(target)
            _refused(fresh_app, target, "MAC does not verify")
            (target / "manifest.json").write_bytes(saved)
        path.write_bytes(original)
    # untouched, it restores
    out = invoke(fresh_app, "restore", str(target))
    assert out.exit_code == 0, out.output


@pytest.mark.real_commits
def test_finding_1_a_forged_backup_with_recomputed_hashes_is_refused(
    app: Flask, world: Any, source: dict[str, Any], fresh_app: Flask, tmp_path: Path
) -> None:
    """The outside test's finding 1: a lawyer made admin and a privileged note rewritten in the
    dump, the manifest's plain SHA-256 recomputed; `flask restore` must refuse it."""
    make_session(world.project, world.users["lawyer"], privileged_notes="The real note")
    lawyer_id = world.users["lawyer"].id
    db.session.commit()
    target = tmp_path / "backup"
    assert app.test_cli_runner().invoke(args=["backup", str(target)]).exit_code == 0
    # the forgery, made the way one can without the key file: the database edited (a note
    # copied from another column), dumped again over the backup's dump, hashes recomputed
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE users SET role = 'admin' WHERE id = :i"), {"i": lawyer_id})
        conn.execute(sa.text("UPDATE advisory_sessions SET privileged_notes = advice"))
    dialect = db.engine.dialect.name
    forged = tmp_path / "forged"
    forged.mkdir()
    ops.ENGINES[dialect].dump(forged)
    dump_file = ops.ENGINES[dialect].DUMP_FILE
    (target / dump_file).write_bytes((forged / dump_file).read_bytes())
    _rehash(target)
    _refused(fresh_app, target, "MAC does not verify")


@pytest.mark.real_commits
def test_a_backup_of_another_key_file_or_without_a_mac_is_refused(
    app: Flask, source: dict[str, Any], fresh_app: Flask, tmp_path: Path
) -> None:
    target = tmp_path / "backup"
    assert app.test_cli_runner().invoke(args=["backup", str(target)]).exit_code == 0
    manifest = json.loads((target / "manifest.json").read_text())
    other = keys.generate()
    body = {k: v for k, v in manifest.items() if k != "mac"}
    (target / "manifest.json").write_text(json.dumps({**body, "mac": manifest_mac(other, body)}))
    _refused(fresh_app, target, "MAC does not verify")
    (target / "manifest.json").write_text(json.dumps({**body, "format": 1}))
    _refused(fresh_app, target, "only authenticated backups")
