"""Backing up and restoring an instance: the database, the encrypted blobs and a manifest.

A backup folder holds::

    database.dump      PostgreSQL: `pg_dump --format=custom`, taken on an exported snapshot
    database.sqlite3   SQLite: a copy made with SQLite's online backup API
    blobs/xx/<name>    the encrypted blob store (ciphertext only)
    manifest.json      format, time, alembic revision, row counts per table, blob count and the
                       SHA-256 of every other file

The key file is never in it: without the key file the blobs cannot be decrypted nor the audit
chain verified, so it is backed up separately (and stored apart). The counts and the blob list
are read in the same snapshot the dump is taken from, so they describe exactly what was dumped.

Restore checks the manifest's hashes before touching anything, refuses a target database (or
blob folder) that holds data unless forced, restores, copies the blobs and checks that the
schema is at the migrations' head.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import hashlib
import json
import os
import shutil
import sqlite3

# pg_dump / pg_restore are run with argument lists, never through a shell
import subprocess  # nosec B404
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from tracker.attachments.storage import fsync_dir

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
BLOBS = "blobs"
KEYS_NOTE = (
    "The key file (TRACKER_KEY_FILE) is not in this backup: back it up separately and keep it "
    "apart. Without it the blobs cannot be decrypted nor the audit chain verified."
)
CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    """A backup or restore refused or failed; the message names no record content."""


@dataclass
class Snapshot:
    """What the dumped database holds: counts per table, the revision, ready blob names."""

    row_counts: dict[str, int] = field(default_factory=dict)
    revision: str | None = None
    blob_names: set[str] = field(default_factory=set)


# --- helpers ---------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_file(source: Path, target: Path) -> None:
    """Copy with mode 0600 and fsync (blobs are ciphertext, but still nobody else's)."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with source.open("rb") as src, os.fdopen(fd, "wb") as dst:
        shutil.copyfileobj(src, dst, CHUNK)
        dst.flush()
        os.fsync(dst.fileno())


def _database_url() -> sa.engine.URL:
    return sa.engine.make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def libpq_url(url: sa.engine.URL) -> tuple[str, dict[str, str]]:
    """The SQLAlchemy URL as a libpq connection URI without the password, and the environment
    carrying the password (never on a command line, where `ps` shows it)."""
    env = {}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = sa.engine.URL.create(
        "postgresql", url.username, None, url.host, url.port, url.database, url.query
    )
    return plain.render_as_string(hide_password=False), env


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: on PATH, else the newest Debian cluster's binaries."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if candidates:
        return candidates[-1]
    raise BackupError(f"{name} is not installed (PostgreSQL client tools are needed)")


def _run(args: list[str], env: dict[str, str]) -> None:
    # a fixed tool path and an argument list, never a shell
    done = subprocess.run(  # noqa: S603  # nosec B603
        args, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        # pg_* errors name objects, not row values; keep only the last lines
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise BackupError(f"{Path(args[0]).name} failed ({done.returncode}): {tail}")


def _blob_root() -> Path:
    return Path(current_app.config["TRACKER_BLOB_DIR"])


def _key_file() -> Path | None:
    value = current_app.config.get("TRACKER_KEY_FILE")
    return Path(value).resolve() if value else None


def _snapshot(conn: sa.Connection) -> Snapshot:
    """Row counts of every table, the alembic revision and the ready blobs, as `conn` sees."""
    snap = Snapshot()
    names = sorted(sa.inspect(conn).get_table_names())
    for name in names:
        table = sa.table(name)
        count = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        snap.row_counts[name] = int(count)
    if "alembic_version" in names:
        snap.revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    if "attachment_versions" in names:
        rows = conn.execute(sa.text("SELECT blob_name FROM attachment_versions"))
        snap.blob_names = {str(r[0]) for r in rows if r[0]}
    return snap


# --- backup ----------------------------------------------------------------------------------


def _prepare_target(target: Path) -> None:
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; back up into a new folder")
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(target, 0o700)


def _dump_postgresql(target: Path) -> Snapshot:
    """pg_dump on a snapshot exported from a read-only REPEATABLE READ transaction, in which
    the counts and blob names are read too: they describe exactly the dump."""
    from tracker.db import db

    url, env = libpq_url(_database_url())
    engine = db.engine
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            snapshot_id = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            args = [
                pg_tool("pg_dump"),
                "--format=custom",
                f"--snapshot={snapshot_id}",
                f"--file={target / PG_DUMP}",
                f"--dbname={url}",
            ]
            _run(args, env)
            return _snapshot(conn)


def _sqlite_path(url: sa.engine.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _dump_sqlite(target: Path) -> Snapshot:
    """SQLite's online backup API: a consistent copy even while the app writes."""
    source = sqlite3.connect(_sqlite_path(_database_url()))
    copy_path = target / SQLITE_COPY
    fd = os.open(copy_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    dest = sqlite3.connect(copy_path)
    try:
        with dest:
            source.backup(dest)
    finally:
        dest.close()
        source.close()
    engine = sa.create_engine(f"sqlite:///{copy_path}", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            snap = _snapshot(conn)
    finally:
        engine.dispose()
    dest = sqlite3.connect(copy_path)
    try:
        dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dest.close()
    return snap


def _copy_blobs(target: Path, wanted: set[str]) -> int:
    """Copy every published blob (not the temporary folder); each blob the snapshot names must
    be among them. Returns how many were copied."""
    from tracker.attachments.storage import TEMP_DIR

    root, key_file = _blob_root(), _key_file()
    copied: set[str] = set()
    if root.exists():
        for fan in sorted(p for p in root.iterdir() if p.is_dir() and p.name != TEMP_DIR):
            for blob in sorted(p for p in fan.iterdir() if p.is_file()):
                if key_file is not None and blob.resolve() == key_file:
                    continue  # never, even if someone put it there
                _copy_file(blob, target / BLOBS / fan.name / blob.name)
                copied.add(blob.name)
    missing = wanted - copied
    if missing:
        raise BackupError(f"{len(missing)} blobs named by the database are missing from the store")
    return len(copied)


def backup(target: Path) -> dict[str, Any]:
    """Write a backup of the configured database and blob store into `target` (new or empty).
    Returns the manifest."""
    target = Path(target)
    _prepare_target(target)
    dialect = _database_url().get_backend_name()
    if dialect == "postgresql":
        snap, db_file = _dump_postgresql(target), PG_DUMP
    elif dialect == "sqlite":
        snap, db_file = _dump_sqlite(target), SQLITE_COPY
    else:
        raise BackupError(f"backing up {dialect} databases is not supported")
    blob_count = _copy_blobs(target, snap.blob_names)
    files = {
        str(p.relative_to(target)): _sha256(p)
        for p in sorted(target.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }
    key_file = _key_file()
    if key_file is not None and key_file.exists():
        key_hash = _sha256(key_file)
        if key_hash in files.values():
            raise BackupError("the key file ended up in the backup; refusing to finish it")
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "database": {"dialect": dialect, "file": db_file},
        "alembic_revision": snap.revision,
        "row_counts": snap.row_counts,
        "blob_count": blob_count,
        "files": files,
        "keys": KEYS_NOTE,
    }
    path = target / MANIFEST
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(manifest, fh, indent=2, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    for folder in sorted({p.parent for p in target.rglob("*") if p.is_file()}):
        fsync_dir(folder)
    return manifest


# --- restore ---------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest, after checking every file's SHA-256 (and that no file was added)."""
    try:
        manifest = json.loads((source / MANIFEST).read_text())
        files: dict[str, str] = manifest["files"]
        db_file = manifest["database"]["file"]
    except (OSError, ValueError, KeyError, TypeError):
        raise BackupError(f"{source / MANIFEST} is missing or unreadable") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    present = {
        str(p.relative_to(source)) for p in source.rglob("*") if p.is_file() and p.name != MANIFEST
    }
    if present != set(files) or db_file not in files:
        extra, missing = len(present - set(files)), len(set(files) - present)
        raise BackupError(
            f"backup files differ from the manifest: {extra} extra, {missing} missing"
        )
    bad = [name for name, digest in files.items() if _sha256(source / name) != digest]
    if bad:
        raise BackupError(f"{len(bad)} files do not match their SHA-256 in the manifest: {bad[:5]}")
    return manifest


def _holds_data(conn: sa.Connection) -> bool:
    """Whether a database has rows beyond a fresh `db upgrade` (the genesis head) in any of
    the application's tables (SQLite's full-text shadow tables have rows from the start)."""
    from tracker.db import db

    for name in sa.inspect(conn).get_table_names():
        if name not in db.metadata.tables:
            continue
        if name == "audit_head":
            seq = conn.execute(sa.text("SELECT max(seq) FROM audit_head")).scalar()
            if seq:
                return True
            continue
        if conn.execute(sa.select(sa.literal(1)).select_from(sa.table(name)).limit(1)).first():
            return True
    return False


def _blob_store_holds_data() -> bool:
    from tracker.attachments.storage import TEMP_DIR

    root = _blob_root()
    if not root.exists():
        return False
    fans = [fan for fan in root.iterdir() if fan.name != TEMP_DIR]
    return any(p.is_file() for fan in fans for p in fan.rglob("*"))


@contextlib.contextmanager
def _no_pooled_connections() -> Iterator[None]:
    """Let go of the app's connections around a restore (pg_restore --clean drops tables)."""
    from tracker.db import db

    db.session.remove()
    db.engine.dispose()
    yield
    db.engine.dispose()


def _restore_postgresql(source: Path, manifest: dict[str, Any]) -> None:
    url, env = libpq_url(_database_url())
    args = [
        pg_tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--clean",
        "--if-exists",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={url}",
        str(source / manifest["database"]["file"]),
    ]
    _run(args, env)


def _restore_sqlite(source: Path, manifest: dict[str, Any]) -> None:
    target_path = _sqlite_path(_database_url())
    target_path.parent.mkdir(parents=True, exist_ok=True)
    copy_path = source / manifest["database"]["file"]
    # immutable: read it without creating a journal or lock file beside it
    backup_copy = sqlite3.connect(f"file:{copy_path}?mode=ro&immutable=1", uri=True)
    target = sqlite3.connect(target_path)
    try:
        with target:
            backup_copy.backup(target)  # replaces every page of the target, WAL included
    finally:
        target.close()
        backup_copy.close()
    os.chmod(target_path, 0o600)


def _copy_blobs_in(source: Path) -> int:
    root, count = _blob_root(), 0
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    blobs = source / BLOBS
    if blobs.exists():
        for blob in sorted(p for p in blobs.rglob("*") if p.is_file()):
            _copy_file(blob, root / blob.relative_to(blobs))
            count += 1
        for fan in sorted(p for p in root.iterdir() if p.is_dir()):
            fsync_dir(fan)
    return count


def head_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    return set(ScriptDirectory.from_config(config).get_heads())


@dataclass
class RestoreReport:
    blobs: int
    row_counts: dict[str, int]
    revision: str | None
    at_head: bool
    count_mismatches: list[str]


def restore(source: Path, *, force: bool = False) -> RestoreReport:
    """Restore a backup into the configured database and blob store."""
    from tracker.db import db

    source = Path(source)
    manifest = read_manifest(source)
    dialect = _database_url().get_backend_name()
    if manifest["database"]["dialect"] != dialect:
        raise BackupError(
            f"this backup is of a {manifest['database']['dialect']} database; "
            f"the configured one is {dialect}"
        )
    if not force:
        with db.engine.connect() as conn:
            if _holds_data(conn):
                raise BackupError("the target database holds data; use --force to replace it")
        if _blob_store_holds_data():
            raise BackupError("the target blob folder holds blobs; use --force to add to it")
    with _no_pooled_connections():
        if dialect == "postgresql":
            _restore_postgresql(source, manifest)
        else:
            _restore_sqlite(source, manifest)
    blobs = _copy_blobs_in(source)
    with db.engine.connect() as conn:
        snap = _snapshot(conn)
    expected: dict[str, int] = manifest["row_counts"]
    mismatches = [
        name
        for name in sorted(set(expected) | set(snap.row_counts))
        if expected.get(name) != snap.row_counts.get(name)
    ]
    return RestoreReport(
        blobs=blobs,
        row_counts=snap.row_counts,
        revision=snap.revision,
        at_head=snap.revision is not None and {snap.revision} == head_revisions(),
        count_mismatches=mismatches,
    )
