"""Backing up and restoring an instance: the database, the encrypted blobs and a manifest.

A backup folder holds::

    database.dump      PostgreSQL: `pg_dump --format=custom`, taken on an exported snapshot
    database.sqlite3   SQLite: a copy made with SQLite's online backup API
    blobs/xx/<name>    the encrypted blob store (ciphertext only)
    manifest.json      format, time, alembic revision, row counts per table, blob count, the
                       SHA-256 of every other file, and an HMAC-SHA256 of all of it under a
                       key derived from the key file (`tracker.ops.manifest`)

The key file is never in it: without the key file the blobs cannot be decrypted nor the audit
chain verified, so it is backed up separately (and stored apart). The counts and the blob list
are read in the same snapshot the dump is taken from, so they describe exactly what was dumped.

The folder is 0700 and every file in it 0600; the database holds sealed text only
(`tracker.sealing`), so the backup does too.

Restore checks the manifest's MAC and then every file's hash before touching anything,
refuses a target database (or blob folder) that holds data unless forced, restores, copies
the blobs and checks that the schema is at the migrations' head.

The engines' modules (`postgresql`, `sqlite`) are alike (`Engine`); the manifest has its own
module.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from flask import current_app

from tracker import keys
from tracker.attachments.storage import fsync_dir
from tracker.ops import blobs, postgresql, sqlite
from tracker.ops.errors import BackupError
from tracker.ops.files import sha256
from tracker.ops.manifest import FORMAT, KEYS_NOTE, hash_files, read_manifest, write_manifest
from tracker.ops.snapshot import Snapshot, database_url, holds_data, read_snapshot


class Engine(Protocol):
    """What `tracker.ops.postgresql` and `tracker.ops.sqlite` each provide."""

    DUMP_FILE: str

    def dump(self, target: Path) -> Snapshot: ...

    def restore(self, dump_path: Path) -> None: ...


ENGINES: dict[str, Engine] = {"postgresql": postgresql, "sqlite": sqlite}


def _engine(dialect: str) -> Engine:
    if dialect not in ENGINES:
        raise BackupError(f"backing up {dialect} databases is not supported")
    return ENGINES[dialect]


def _prepare_target(target: Path) -> None:
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; back up into a new folder")
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(target, 0o700)


def _refuse_key_file(files: dict[str, str]) -> None:
    key_file = blobs.key_file()
    if key_file is not None and key_file.exists() and sha256(key_file) in files.values():
        raise BackupError("the key file ended up in the backup; refusing to finish it")


def backup(target: Path) -> dict[str, Any]:
    """Write a backup of the configured database and blob store into `target` (new or empty).
    Returns the manifest."""
    target = Path(target)
    _prepare_target(target)
    dialect = database_url().get_backend_name()
    engine = _engine(dialect)
    snap = engine.dump(target)
    blob_count = blobs.copy_out(target, snap.blob_names)
    files = hash_files(target)
    _refuse_key_file(files)
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "database": {"dialect": dialect, "file": engine.DUMP_FILE},
        "alembic_revision": snap.revision,
        "row_counts": snap.row_counts,
        "blob_count": blob_count,
        "files": files,
        "keys": KEYS_NOTE,
    }
    write_manifest(target, manifest, keys.current())
    for folder in sorted({p.parent for p in target.rglob("*") if p.is_file()}):
        fsync_dir(folder)
    return manifest


@contextlib.contextmanager
def _no_pooled_connections() -> Iterator[None]:
    """Let go of the app's connections around a restore (pg_restore --clean drops tables).
    Disposing of the engine also closes this process's SQLite watchers of the file
    (`tracker.db.close_watchers`): the next request opens another on the restored file."""
    from tracker.db import db

    db.session.remove()
    db.engine.dispose()
    yield
    db.engine.dispose()


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


def _refuse_data(force: bool) -> None:
    from tracker.db import db

    if force:
        return
    with db.engine.connect() as conn:
        if holds_data(conn):
            raise BackupError("the target database holds data; use --force to replace it")
    if blobs.store_holds_data():
        raise BackupError("the target blob folder holds blobs; use --force to add to it")


def restore(source: Path, *, force: bool = False) -> RestoreReport:
    """Restore a backup into the configured database and blob store."""
    from tracker.db import db

    source = Path(source)
    manifest = read_manifest(source, keys.current())
    dialect = database_url().get_backend_name()
    if manifest["database"]["dialect"] != dialect:
        raise BackupError(
            f"this backup is of a {manifest['database']['dialect']} database; "
            f"the configured one is {dialect}"
        )
    engine = _engine(dialect)
    _refuse_data(force)
    with _no_pooled_connections():
        engine.restore(source / manifest["database"]["file"])
    blob_count = blobs.copy_in(source)
    with db.engine.connect() as conn:
        snap = read_snapshot(conn)
    expected: dict[str, int] = manifest["row_counts"]
    mismatches = [
        name
        for name in sorted(set(expected) | set(snap.row_counts))
        if expected.get(name) != snap.row_counts.get(name)
    ]
    return RestoreReport(
        blobs=blob_count,
        row_counts=snap.row_counts,
        revision=snap.revision,
        at_head=snap.revision is not None and {snap.revision} == head_revisions(),
        count_mismatches=mismatches,
    )
