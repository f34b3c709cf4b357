"""A backup's manifest: what it holds and the SHA-256 of every other file in its folder.

Written last, read (and every file checked against it) before a restore touches anything.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tracker.ops.errors import BackupError
from tracker.ops.files import create_private, sha256

FORMAT = 1
MANIFEST = "manifest.json"
KEYS_NOTE = (
    "The key file (TRACKER_KEY_FILE) is not in this backup: back it up separately and keep it "
    "apart. Without it the blobs cannot be decrypted nor the audit chain verified."
)


def _files(folder: Path) -> list[Path]:
    return [p for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST]


def hash_files(folder: Path) -> dict[str, str]:
    """The SHA-256 of every file in `folder` but the manifest, by relative path."""
    return {str(p.relative_to(folder)): sha256(p) for p in _files(folder)}


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest as a new file of mode 0600, synced to disk."""
    with os.fdopen(create_private(folder / MANIFEST), "w") as fh:
        json.dump(manifest, fh, indent=2, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())


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
    present = {str(p.relative_to(source)) for p in _files(source)}
    if present != set(files) or db_file not in files:
        extra, missing = len(present - set(files)), len(set(files) - present)
        raise BackupError(
            f"backup files differ from the manifest: {extra} extra, {missing} missing"
        )
    bad = [name for name, digest in files.items() if sha256(source / name) != digest]
    if bad:
        raise BackupError(f"{len(bad)} files do not match their SHA-256 in the manifest: {bad[:5]}")
    return manifest
