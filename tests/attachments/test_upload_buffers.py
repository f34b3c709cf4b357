"""The upload's buffers are reused, not made anew for every piece: the parser reads into a buffer
the plaintext digest gave back, and the encryptor seals into an output buffer the blob writer gave
back. Fresh buffers cost an allocation, a zero fill and cold memory per 1 MiB piece (measured in
docs/performance.md); the bytes stored and read back are the same."""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from pathlib import Path
from typing import Any

from tests.support import multipart, pdf
from tracker.attachments import crypto
from tracker.attachments.multipart import SPARE_BUFFERS, Data, MultipartReader, Part
from tracker.attachments.receive import READ_SIZE, receive
from tracker.attachments.storage import FilesystemStore, new_blob_name

BOUNDARY = b"XyZ"


class _Recording(io.BytesIO):
    """A stream that keeps every buffer it was asked to read into (alive, so no two of them
    can share an address and look like one)."""

    def __init__(self, data: bytes, most: int | None = None) -> None:
        super().__init__(data)
        self.most = most
        self.buffers: list[Any] = []

    def readinto(self, buffer: Any, /) -> int:
        view = memoryview(buffer)
        self.buffers.append(view.obj)
        if self.most is not None:
            view = view[: self.most]
        return super().readinto(view)

    def distinct(self) -> int:
        return len({id(b) for b in self.buffers})


def test_the_reader_reads_into_a_buffer_given_back() -> None:
    payload = os.urandom(40 * 4096 + 123)
    stream = _Recording(multipart([("file", "a.pdf", payload)]))
    reader = MultipartReader(stream.read, BOUNDARY, 4096, 8, stream.readinto)
    got = bytearray()
    for event in reader.events():
        if isinstance(event, Data):
            got += event.data
            if isinstance(event.data, memoryview):
                reader.reuse(event.data.obj)  # done with it, as the digest thread is
    assert got == payload
    assert len(stream.buffers) > 40
    # the first reads (headers) are of another size; then one buffer, given back each time
    assert stream.distinct() <= 3


def test_without_giving_back_every_read_has_a_buffer_of_its_own() -> None:
    payload = os.urandom(10 * 4096)
    stream = _Recording(multipart([("file", "a.pdf", payload)]))
    reader = MultipartReader(stream.read, BOUNDARY, 4096, 8, stream.readinto)
    views = [e.data for e in reader.events() if isinstance(e, Data)]
    assert b"".join(bytes(v) for v in views) == payload  # none overwritten by a later read
    assert stream.distinct() == len(stream.buffers)


def test_a_short_read_into_a_buffer_given_back_keeps_its_bytes() -> None:
    """A reused buffer may still have a view of it alive (the digest thread's last item): it
    cannot be resized, so a short read is copied out of it rather than cut in place."""
    payload = os.urandom(3 * 4096 + 500)
    stream = _Recording(multipart([("file", "a.pdf", payload)]), most=4096 + 3)
    reader = MultipartReader(stream.read, BOUNDARY, 4096 * 2, 8, stream.readinto)
    got, alive = bytearray(), []
    for event in reader.events():
        if isinstance(event, Data):
            got += event.data
            alive.append(event.data)  # a view kept, as a queue's last item is
            if isinstance(event.data, memoryview):
                reader.reuse(event.data.obj)
    assert got == payload


def test_the_reader_keeps_only_whole_piece_buffers_and_a_few() -> None:
    reader = MultipartReader(io.BytesIO(b"").read, BOUNDARY, 4096, 8)
    reader.reuse(bytearray(100))  # too small to read a piece into
    reader.reuse(b"x" * 5000)  # not a buffer it can read into
    for _ in range(SPARE_BUFFERS + 3):
        reader.reuse(bytearray(4096 + 6))
    assert len(reader._spare) == SPARE_BUFFERS


def test_the_encryptor_seals_into_an_output_given_back() -> None:
    dek, vid = crypto.new_dek(), uuid.uuid4()
    enc = crypto.StreamEncryptor(dek, vid)
    plaintext = os.urandom(8 * crypto.CHUNK_SIZE + 77)
    blob, bases = [enc.header], []
    for at in range(0, len(plaintext), 2 * crypto.CHUNK_SIZE):
        sealed = enc.update_chunks(plaintext[at : at + 2 * crypto.CHUNK_SIZE])
        bases += [s.obj for s in sealed]
        blob += [bytes(s) for s in sealed]
        enc.reuse(sealed)  # written: its buffer may take the next chunks
    blob.append(enc.finalize())
    assert crypto.decrypt_bytes(dek, vid, b"".join(blob)) == plaintext
    assert len(bases) == 8
    # chunks sealed by one call share one buffer; the first call seals one chunk (one is
    # always kept back), every later one two or fewer: the second call's buffer serves them all
    assert len({id(b) for b in bases}) == 2


def test_an_upload_is_read_and_sealed_into_a_few_buffers(tmp_path: Path) -> None:
    """Through `receive`, as an upload runs: 12 pieces, each hashed and written in the
    workers' threads, go through a handful of read and output buffers, not 12 of each."""
    data = pdf(12 * READ_SIZE + 5000)
    stream = _Recording(multipart([("file", "big.pdf", data)]))
    store = FilesystemStore(tmp_path)
    outputs: list[Any] = []
    new_blob = store.new_blob

    def recording_blob() -> Any:
        writer = new_blob()
        write_parts = writer.write_parts

        def write(parts: list[Any]) -> None:
            outputs.extend(getattr(p, "obj", None) for p in parts[:1])
            write_parts(parts)

        writer.write_parts = write  # type: ignore[method-assign]
        return writer

    store.new_blob = recording_blob  # type: ignore[method-assign]
    received = receive(stream, BOUNDARY, store, 64 * READ_SIZE)
    incoming = received.file
    name = new_blob_name()
    incoming.writer.publish(name)
    assert incoming.plaintext_sha256 == hashlib.sha256(data).digest()
    blob = store.path(name).read_bytes()
    assert crypto.decrypt_bytes(incoming.dek, incoming.uuid, blob) == data
    digest = crypto.TagDigest()
    digest.update(blob)
    assert digest.hexdigest() == incoming.blob_sha256
    assert len(stream.buffers) >= 13 and len(outputs) >= 12
    # the queues hold at most four pieces each: the buffers in flight are bounded by them
    assert stream.distinct() <= SPARE_BUFFERS + 4
    assert len({id(o) for o in outputs}) <= crypto.SPARE_OUTPUTS + 4


def test_events_without_reuse_are_unchanged() -> None:
    body = multipart([("record_type", None, b"asset"), ("file", "a.pdf", b"%PDF-1.7 x")])
    events = list(MultipartReader(io.BytesIO(body).read, BOUNDARY, 7, 8).events())
    assert [e for e in events if isinstance(e, Part)] == [
        Part("record_type", None, None),
        Part("file", "a.pdf", None),
    ]
