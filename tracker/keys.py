"""The key file: key-encryption keys (KEKs) and the audit key, kept outside the database.

Format (JSON, mode 0600)::

    {"format": 1, "active_kek": "<id>", "keks": {"<id>": "<base64 32 bytes>", ...},
     "audit_key": "<base64 32 bytes>"}

Old KEKs stay in the file after a rotation until no row uses them any more.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, current_app

from tracker.errors import ConfigurationError

log = logging.getLogger(__name__)


class KeyFileError(RuntimeError):
    pass


@dataclass
class KeyRing:
    active_kek_id: str
    keks: dict[str, bytes]
    audit_key: bytes
    path: Path | None = field(default=None, compare=False)

    @property
    def active_kek(self) -> bytes:
        return self.keks[self.active_kek_id]

    def kek(self, kek_id: str) -> bytes:
        try:
            return self.keks[kek_id]
        except KeyError:
            raise KeyFileError(f"key id {kek_id!r} is not in the key file") from None

    # Small secrets kept in the database (TOTP seeds) are sealed with a KEK, the key id in front.
    def seal(self, plaintext: bytes, context: bytes) -> bytes:
        kid = self.active_kek_id.encode()
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(self.active_kek).encrypt(nonce, plaintext, context + b"|" + kid)
        return bytes([len(kid)]) + kid + nonce + sealed

    def unseal(self, blob: bytes, context: bytes) -> bytes:
        n = blob[0]
        kid = blob[1 : 1 + n]
        nonce, sealed = blob[1 + n : 13 + n], blob[13 + n :]
        return AESGCM(self.kek(kid.decode())).decrypt(nonce, sealed, context + b"|" + kid)

    @staticmethod
    def sealed_kek_id(blob: bytes) -> str:
        """The id of the KEK a sealed blob was sealed with."""
        return blob[1 : 1 + blob[0]].decode()

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": 1,
                "active_kek": self.active_kek_id,
                "keks": {k: base64.b64encode(v).decode() for k, v in self.keks.items()},
                "audit_key": base64.b64encode(self.audit_key).decode(),
            },
            indent=2,
        )

    def __repr__(self) -> str:  # never print key material
        return f"KeyRing(active_kek_id={self.active_kek_id!r}, keks={sorted(self.keks)!r})"


def derive(material: bytes, label: bytes) -> bytes:
    """A 32-byte key of its own for one use (`label`) from a secret (`material`, the key
    file's audit key or the secret key): HKDF-SHA256, no salt, so the same every time, and no
    use's key can be matched against another's."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(material)


def new_kek_id() -> str:
    return f"kek-{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}-{secrets.token_hex(3)}"


def generate() -> KeyRing:
    kid = new_kek_id()
    return KeyRing(kid, {kid: secrets.token_bytes(32)}, secrets.token_bytes(32))


def write_private_file(path: Path, text: str) -> None:
    """Write `text` to `path` atomically and durably, mode 0600: an exclusive temporary file,
    fsync, rename into place, fsync of the directory."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write(ring: KeyRing, path: Path, *, overwrite: bool = False) -> None:
    """Write the key file with mode 0600; refuses to replace one unless `overwrite`."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise KeyFileError(f"{path} exists; refusing to overwrite a key file")
    write_private_file(path, ring.to_json())
    ring.path = path


def load(path: Path) -> KeyRing:
    try:
        data = json.loads(Path(path).read_text())
        keks = {k: base64.b64decode(v) for k, v in data["keks"].items()}
        ring = KeyRing(data["active_kek"], keks, base64.b64decode(data["audit_key"]), Path(path))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KeyFileError(f"cannot read key file {path}: {type(exc).__name__}") from None
    if ring.active_kek_id not in keks or any(len(k) != 32 for k in keks.values()):
        raise KeyFileError(f"key file {path} is malformed")
    return ring


def _open(app: Flask) -> KeyRing:
    """The key ring of the configured key file; development writes one when there is none,
    production refuses (ConfigurationError)."""
    path = Path(app.config["TRACKER_KEY_FILE"])
    if not path.exists():
        if app.config["TRACKER_ENV"] == "production":
            raise ConfigurationError(
                f"key file {path} is missing; create it with `flask --app tracker keys init`"
            )
        write(generate(), path)
        log.warning("%s: generated a key file in %s", app.config["TRACKER_ENV"], path)
    return load(path)


def require(app: Flask) -> KeyRing:
    """Read the key file now (servers call this before serving, so a missing one stops them
    at start rather than at the first request that needs a key)."""
    ring: KeyRing | None = app.extensions.get("tracker_keys")
    if ring is None:
        ring = app.extensions["tracker_keys"] = _open(app)
    return ring


def current() -> KeyRing:
    """The key ring as the key file now says: re-read once per process and whenever the file
    changes (`keys rotate` run by another process), so running servers unwrap keys re-wrapped
    under a new KEK, and wrap new ones with it, without a restart. One stat() per call; the
    file is always replaced atomically."""
    ring = require(current_app._get_current_object())  # type: ignore[attr-defined]
    if ring.path is None:
        return ring
    try:
        stat = ring.path.stat()
    except OSError:
        return ring
    stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    seen = current_app.extensions.get("tracker_keys_seen")
    if seen is None or seen[0] is not ring or seen[1] != stamp:
        ring = load(ring.path)
        current_app.extensions["tracker_keys"] = ring
        current_app.extensions["tracker_keys_seen"] = (ring, stamp)
    return ring
