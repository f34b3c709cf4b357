"""The filesystem blob writer: gathered writes land as their concatenation, the write-back of
a large blob runs beside the writes (not in their way), and a failed write-back is never lost:
the blob is not published."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pytest

from tracker.attachments import storage
from tracker.attachments.storage import SYNC_EVERY, TEMP_DIR, FilesystemStore, new_blob_name


def test_gathered_parts_are_written_in_order(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path)
    writer = store.new_blob()
    parts = [os.urandom(n) for n in (48, 65_552, 0, 1, 65_552)]
    writer.write(parts[0])
    writer.write_parts(parts[1:])
    writer.write_parts([])
    name = new_blob_name()
    writer.publish(name)
    assert store.path(name).read_bytes() == b"".join(parts)


def test_a_short_gathered_write_is_completed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.writev
    monkeypatch.setattr(os, "writev", lambda fd, parts: real(fd, [bytes(parts[0])[:3]]))
    writer = FilesystemStore(tmp_path).new_blob()
    writer.write_parts([b"abcdef", b"ghij"])
    name = new_blob_name()
    writer.publish(name)
    assert FilesystemStore(tmp_path).path(name).read_bytes() == b"abcdefghij"


def test_the_write_back_runs_beside_the_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that passes SYNC_EVERY returns while its `fdatasync` is still running; `publish`
    waits for it before its own fsync."""
    started, release, finished = threading.Event(), threading.Event(), []
    real = os.fdatasync

    def slow_fdatasync(fd: int) -> None:
        started.set()
        release.wait(30)
        real(fd)
        finished.append(fd)

    monkeypatch.setattr(storage.os, "fdatasync", slow_fdatasync)
    writer = FilesystemStore(tmp_path).new_blob()
    writer.write_parts([b"x" * (SYNC_EVERY // 2), b"y" * (SYNC_EVERY // 2)])
    assert started.wait(30)
    assert not finished  # the write returned before the write-back ended
    release.set()
    name = new_blob_name()
    writer.publish(name)
    assert finished
    assert FilesystemStore(tmp_path).path(name).stat().st_size == SYNC_EVERY


def test_a_failed_write_back_is_raised_and_nothing_is_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(fd: int) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(storage.os, "fdatasync", failing)
    store = FilesystemStore(tmp_path)
    writer = store.new_blob()
    writer.write(b"x" * SYNC_EVERY)  # its write-back fails in the background
    name = new_blob_name()
    with pytest.raises(OSError, match="I/O error"):
        writer.publish(name)
    writer.discard()
    assert not store.path(name).exists()
    assert not list((tmp_path / TEMP_DIR).iterdir())


def test_a_discard_during_a_write_waits_and_later_writes_raise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An interrupted upload discards its blob from the request's thread while the writer's
    thread may still be writing: the discard waits for that write, so the descriptor is never
    closed (and reused by another file) under it, and a write after the discard raises
    instead of writing to whatever file now has that descriptor number."""
    real = os.writev
    writing, go_on = threading.Event(), threading.Event()

    def slow_writev(fd: int, parts: list[bytes]) -> int:
        writing.set()
        go_on.wait(10)
        return real(fd, parts)

    writer = FilesystemStore(tmp_path / "store").new_blob()
    monkeypatch.setattr(os, "writev", slow_writev)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            writer.write_parts([b"sealed chunk"])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    writing_thread = threading.Thread(target=write)
    writing_thread.start()
    assert writing.wait(10)
    discarding = threading.Thread(target=writer.discard)
    discarding.start()
    discarding.join(0.3)
    other = tmp_path / "other"
    fd = os.open(other, os.O_WRONLY | os.O_CREAT, 0o600)  # takes a closed descriptor's number
    try:
        go_on.set()
        writing_thread.join(10)
        discarding.join(10)
    finally:
        os.close(fd)
    assert not errors
    assert other.read_bytes() == b""
    assert list((tmp_path / "store" / TEMP_DIR).iterdir()) == []
    with pytest.raises(ValueError):
        writer.write_parts([b"late"])
    with pytest.raises(ValueError):
        writer.write(b"late")
