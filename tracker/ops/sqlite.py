"""SQLite: a copy made with SQLite's online backup API, restored the same way."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlalchemy as sa

from tracker.ops.errors import BackupError
from tracker.ops.files import create_private
from tracker.ops.snapshot import Snapshot, database_url, read_snapshot

#: the copy's name in a backup folder
DUMP_FILE = "database.sqlite3"


def _database_path() -> Path:
    url = database_url()
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _read_snapshot(path: Path) -> Snapshot:
    engine = sa.create_engine(f"sqlite:///{path}", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return read_snapshot(conn)
    finally:
        engine.dispose()


def dump(target: Path) -> Snapshot:
    """SQLite's online backup API: a consistent copy even while the app writes."""
    source = sqlite3.connect(_database_path())
    copy_path = target / DUMP_FILE
    os.close(create_private(copy_path))
    dest = sqlite3.connect(copy_path)
    try:
        with dest:
            source.backup(dest)
    finally:
        dest.close()
        source.close()
    snap = _read_snapshot(copy_path)
    dest = sqlite3.connect(copy_path)
    try:
        dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dest.close()
    return snap


def restore(dump_path: Path) -> None:
    """Replace every page of the configured database by the copy's."""
    target_path = _database_path()
    target_path.parent.mkdir(parents=True, exist_ok=True)
    # immutable: read it without creating a journal or lock file beside it
    backup_copy = sqlite3.connect(f"file:{dump_path}?mode=ro&immutable=1", uri=True)
    target = sqlite3.connect(target_path)
    try:
        with target:
            backup_copy.backup(target)  # replaces every page of the target, WAL included
    finally:
        target.close()
        backup_copy.close()
    os.chmod(target_path, 0o600)
