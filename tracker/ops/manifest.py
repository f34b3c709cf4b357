"""A backup's manifest: what it holds and the SHA-256 of every other file in its folder,
authenticated by an HMAC-SHA256 under a key derived from the key file.

Written last, read (its MAC, then every file checked against it) before a restore touches
anything. The MAC key is HKDF-SHA256 of the key file's audit key with its own label (the audit
key is never rotated, so a backup stays verifiable after `keys rotate`); someone with the
backup but not the key file can neither read the sealed text in it nor forge a manifest that
a restore accepts, whatever hashes they recompute.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

from tracker import keys
from tracker.keys import KeyRing
from tracker.ops.errors import BackupError
from tracker.ops.files import create_private, sha256

#: 2: the manifest carries `mac` (format 1 had none and is refused)
FORMAT = 2
MAC_LABEL = b"tracker backup manifest mac v1"
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


def mac_key(ring: KeyRing) -> bytes:
    """The manifest's MAC key: derived from the key file, its own label."""
    return keys.derive(ring.audit_key, MAC_LABEL)


def manifest_mac(ring: KeyRing, manifest: dict[str, Any]) -> str:
    """HMAC-SHA256 of the manifest without its `mac`, in canonical JSON."""
    body = {k: v for k, v in manifest.items() if k != "mac"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(mac_key(ring), canonical.encode(), hashlib.sha256).hexdigest()


def write_manifest(folder: Path, manifest: dict[str, Any], ring: KeyRing) -> None:
    """Write the manifest with its MAC as a new file of mode 0600, synced to disk."""
    signed = {**manifest, "mac": manifest_mac(ring, manifest)}
    with os.fdopen(create_private(folder / MANIFEST), "w") as fh:
        json.dump(signed, fh, indent=2, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())


def read_manifest(source: Path, ring: KeyRing) -> dict[str, Any]:
    """The manifest, after checking its MAC and then every file's SHA-256 (and that no file
    was added or removed); BackupError otherwise."""
    try:
        manifest = json.loads((source / MANIFEST).read_text())
        files: dict[str, str] = manifest["files"]
        db_file = manifest["database"]["file"]
    except (OSError, ValueError, KeyError, TypeError):
        raise BackupError(f"{source / MANIFEST} is missing or unreadable") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"backup format {manifest.get('format')!r} is not {FORMAT}: only authenticated "
            "backups are restored"
        )
    given = manifest.get("mac")
    if not isinstance(given, str) or not hmac.compare_digest(given, manifest_mac(ring, manifest)):
        raise BackupError(
            "the manifest's MAC does not verify: the backup was altered, or made with another "
            "key file; nothing was restored"
        )
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
