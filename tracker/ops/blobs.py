"""The encrypted blob store in a backup: published blobs out (never the key file), all in."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from tracker.attachments.storage import TEMP_DIR, fsync_dir
from tracker.ops.errors import BackupError
from tracker.ops.files import copy_file

#: the blob store's folder in a backup
BLOBS = "blobs"


def _root() -> Path:
    return Path(current_app.config["TRACKER_BLOB_DIR"])


def key_file() -> Path | None:
    value = current_app.config.get("TRACKER_KEY_FILE")
    return Path(value).resolve() if value else None


def copy_out(target: Path, wanted: set[str]) -> int:
    """Copy every published blob (not the temporary folder); each blob the snapshot names must
    be among them. Returns how many were copied."""
    root, keys = _root(), key_file()
    copied: set[str] = set()
    if root.exists():
        for fan in sorted(p for p in root.iterdir() if p.is_dir() and p.name != TEMP_DIR):
            for blob in sorted(p for p in fan.iterdir() if p.is_file()):
                if keys is not None and blob.resolve() == keys:
                    continue  # never, even if someone put it there
                copy_file(blob, target / BLOBS / fan.name / blob.name)
                copied.add(blob.name)
    missing = wanted - copied
    if missing:
        raise BackupError(f"{len(missing)} blobs named by the database are missing from the store")
    return len(copied)


def store_holds_data() -> bool:
    root = _root()
    if not root.exists():
        return False
    fans = [fan for fan in root.iterdir() if fan.name != TEMP_DIR]
    return any(p.is_file() for fan in fans for p in fan.rglob("*"))


def copy_in(source: Path) -> int:
    """Copy the backup's blobs into the store (added to what it holds). Returns how many."""
    root, count = _root(), 0
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    blobs = source / BLOBS
    if blobs.exists():
        for blob in sorted(p for p in blobs.rglob("*") if p.is_file()):
            copy_file(blob, root / blob.relative_to(blobs))
            count += 1
        for fan in sorted(p for p in root.iterdir() if p.is_dir()):
            fsync_dir(fan)
    return count
