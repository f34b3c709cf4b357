"""Blob stores: where the encrypted content lives (the filesystem store by default).

A store only ever sees ciphertext. Writing is durable before the database row says `ready`:
temporary file (O_EXCL, 0600) → fsync → atomic rename → fsync of the directory.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app

TEMP_DIR = "tmp"
TEMP_SUFFIX = ".part"


class BlobWriter(Protocol):
    def write(self, data: bytes | memoryview) -> None: ...

    def write_parts(self, parts: Sequence[bytes | memoryview]) -> None:
        """Write `parts` in order, as one `write` of their concatenation would."""

    def publish(self, name: str) -> None:
        """Make the blob durable under `name` (after this, a crash keeps it)."""

    def discard(self) -> None:
        """Remove what was written (idempotent; a no-op after `publish`)."""


class BlobStore(Protocol):
    def new_blob(self) -> BlobWriter: ...

    def open(self, name: str) -> BinaryIO: ...

    def delete(self, name: str) -> None: ...

    def names(self) -> Iterator[tuple[str, float]]:
        """Every published blob as (name, modification time)."""

    def remove_stale_temporaries(self, older_than: float) -> int: ...


def new_blob_name() -> str:
    return secrets.token_hex(16)


#: bytes written between two `fdatasync`s of a blob being written
SYNC_EVERY = 32 * 1024 * 1024
#: buffers per `writev` (within every system's IOV_MAX)
WRITEV_PARTS = 1024


class _FileWriter:
    def __init__(self, store: FilesystemStore) -> None:
        self.store = store
        self.temp = store.root / TEMP_DIR / f"{secrets.token_hex(16)}{TEMP_SUFFIX}"
        # unbuffered: the upload writes whole pieces of about 1 MiB, gathered (`write_parts`)
        fd = os.open(self.temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.fh: BinaryIO | None = os.fdopen(fd, "wb", buffering=0)
        self.published = False
        self.unsynced = 0
        self._syncing: threading.Thread | None = None
        self._sync_error: OSError | None = None
        # The writes run in the upload's writer thread, `discard` in the request's (an
        # interrupted upload): the lock, and `fh` set to None when the file is closed, keep a
        # write from ever using the file's descriptor number after it was closed (and perhaps
        # reused for another file).
        self._lock = threading.Lock()

    def write(self, data: bytes | memoryview) -> None:
        self.write_parts([data])

    def write_parts(self, parts: Sequence[bytes | memoryview]) -> None:
        # One `writev` per piece: no joining copy, one release of the GIL.
        with self._lock:
            if self.fh is None:
                raise ValueError("write to a closed blob")
            fd = self.fh.fileno()
            for start in range(0, len(parts), WRITEV_PARTS):
                batch = parts[start : start + WRITEV_PARTS]
                total = sum(len(part) for part in batch)
                done = os.writev(fd, batch)
                if done < total:  # a short write (a full disk reports ENOSPC on the next one)
                    rest = memoryview(b"".join(batch))[done:]
                    while rest:
                        rest = rest[os.write(fd, rest) :]
                self.unsynced += total
            if self.unsynced >= SYNC_EVERY:
                self._sync_behind(fd)
                self.unsynced = 0

    def _sync_behind(self, fd: int) -> None:
        """Write back as we go, so `publish` does not wait for a whole file's dirty pages at the
        end; in a thread of its own, so the writes go on while the disk catches up (in the
        writer's thread it stopped the writes for about half a second per GiB, measured in
        docs/performance.md). At most one runs;
        the next waits for it, so at most about 2 x SYNC_EVERY bytes are ever unsynced."""
        self._wait_for_sync()
        self._syncing = threading.Thread(
            target=self._sync, args=(fd,), name="attachment-sync", daemon=True
        )
        self._syncing.start()

    def _sync(self, fd: int) -> None:
        try:
            os.fdatasync(fd)
        except OSError as exc:  # raised in the writer's thread (an error is reported once)
            self._sync_error = exc

    def _wait_for_sync(self) -> None:
        if self._syncing is not None:
            self._syncing.join()
            self._syncing = None
        if self._sync_error is not None:
            raise self._sync_error

    def publish(self, name: str) -> None:
        with self._lock:
            if self.fh is None:
                raise ValueError("publish of a closed blob")
            self._wait_for_sync()
            os.fsync(self.fh.fileno())
            self.fh.close()
            self.fh = None
        target = self.store.path(name)
        target.parent.mkdir(mode=0o700, exist_ok=True)
        fsync_dir(target.parent.parent)  # a new fan-out directory must survive a crash too
        os.rename(self.temp, target)  # atomic within one filesystem; names are never reused
        fsync_dir(target.parent)
        self.published = True

    def discard(self) -> None:
        with self._lock:  # waits for a write under way; none starts after it
            if self._syncing is not None:
                self._syncing.join()  # never close the file under a running sync
            if self.fh is not None:
                self.fh.close()
                self.fh = None
        if not self.published:
            self.temp.unlink(missing_ok=True)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FilesystemStore:
    """Blobs as files under `root`, fanned out by the first two characters of the name."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        (self.root / TEMP_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        if len(name) != 32 or not all(c in "0123456789abcdef" for c in name):
            raise ValueError("not a blob name")
        return self.root / name[:2] / name

    def new_blob(self) -> BlobWriter:
        return _FileWriter(self)

    def open(self, name: str) -> BinaryIO:
        return self.path(name).open("rb")

    def delete(self, name: str) -> None:
        path = self.path(name)
        try:
            path.unlink()
        except FileNotFoundError:
            return  # never published (its fan-out directory may not even exist)
        fsync_dir(path.parent)

    def names(self) -> Iterator[tuple[str, float]]:
        for fan in sorted(self.root.iterdir()):
            if not fan.is_dir() or fan.name == TEMP_DIR:
                continue
            for entry in os.scandir(fan):
                if entry.is_file():
                    yield entry.name, entry.stat().st_mtime

    def remove_stale_temporaries(self, older_than: float) -> int:
        removed = 0
        cutoff = time.time() - older_than
        for entry in os.scandir(self.root / TEMP_DIR):
            if entry.name.endswith(TEMP_SUFFIX) and entry.stat().st_mtime <= cutoff:
                Path(entry.path).unlink(missing_ok=True)
                removed += 1
        return removed


def blob_store() -> BlobStore:
    """The application's store: S3-compatible storage when TRACKER_BLOB_URL is s3://bucket/prefix
    (see tracker.attachments.s3), else files under TRACKER_BLOB_DIR."""
    url = current_app.config.get("TRACKER_BLOB_URL") or os.environ.get("TRACKER_BLOB_URL")
    store = current_app.extensions.get("tracker_blob_store")
    if url:
        from tracker.attachments.s3 import S3Store

        if not isinstance(store, S3Store) or store.source != url:
            store = S3Store.from_url(url)
            current_app.extensions["tracker_blob_store"] = store
        return store  # type: ignore[no-any-return]
    root = Path(current_app.config["TRACKER_BLOB_DIR"])
    if store is None or getattr(store, "root", None) != root:
        store = FilesystemStore(root)
        current_app.extensions["tracker_blob_store"] = store
    return store  # type: ignore[no-any-return]
