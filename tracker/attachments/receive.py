"""Receiving an upload: the multipart body parsed incrementally and encrypted as it arrives.

Nothing buffers the file: the body stream (any readable; a request's is opened by the edge,
tracker.attachments.body) is read in pieces, `MultipartReader` turns them into events, and
the file's bytes go straight into the STREAM encryptor and a temporary blob.
Memory stays bounded whatever the size (a few MiB: reads of READ_SIZE, at most four in the
sink's queue; see docs/performance.md); plaintext never touches the disk.
"""

from __future__ import annotations

import hashlib
import queue
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest, ClientDisconnected, RequestEntityTooLarge

from tracker.attachments import content, crypto, kinds
from tracker.attachments.multipart import Incomplete, MultipartReader, Part
from tracker.attachments.storage import BlobStore, BlobWriter
from tracker.errors import InvalidInput

READ_SIZE = 1024 * 1024
#: room for the multipart framing and the small fields around the file
MULTIPART_OVERHEAD = 64 * 1024
MAX_FIELD_BYTES = 1024
MAX_PARTS = 8
FILE_FIELD = "file"
#: the small fields an upload may carry besides the file
FIELDS = frozenset({"record_type", "record_id", "attachment_id", "csrf_token"})


class FileTooLarge(RequestEntityTooLarge):
    description = "The file is larger than the upload limit."


QUEUE_ITEMS = 4


class _Worker(threading.Thread):
    """Applies `work` to each queued item in its own thread. hashlib (for pieces over 2 KiB)
    and file writes release the GIL, so workers run beside the request thread's parsing and
    encryption; the bounded queue bounds memory. A failure is re-raised at the next `put`."""

    def __init__(self, name: str, work: Callable[[Any], None]) -> None:
        super().__init__(daemon=True, name=name)
        self.work = work
        self.error: BaseException | None = None
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_ITEMS)
        self.start()

    def run(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is not None:
                continue
            try:
                self.work(item)
            except BaseException as exc:  # reported to the request thread at its next put
                self.error = exc

    def put(self, item: Any) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(item)

    def close(self) -> None:
        """Wait until everything queued is done; re-raise a failure of the thread."""
        if self.is_alive():
            self.queue.put(None)
            self.join()
        if self.error is not None:
            raise self.error


class _Sink:
    """The plaintext digest in one worker thread, the writes and the blob digest in another.

    Two workers rather than one: on a busy machine each runnable thread gets its share of the
    CPU, and the plaintext digest (about 0.85 s per GiB) and the writes no longer queue behind
    one another (measured in docs/performance.md). The blob digest reads only the chunks'
    tags (`crypto.TagDigest`), not the ciphertext again. Each piece's buffers are given back
    once their worker is done with them (`reuse_plaintext`: the parser's read buffer;
    `reuse_sealed`: the encryptor's output), so the next piece is read and sealed into warm
    memory instead of a new allocation."""

    def __init__(
        self,
        writer: BlobWriter,
        header: bytes,
        reuse_plaintext: Callable[[Any], None] | None = None,
        reuse_sealed: Callable[[list[memoryview]], None] | None = None,
    ) -> None:
        self.writer = writer
        self.plaintext_sha256 = hashlib.sha256()
        self.blob_digest = crypto.TagDigest()
        self._reuse_plaintext, self._reuse_sealed = reuse_plaintext, reuse_sealed
        # written before either thread starts, so it stays first
        writer.write(header)
        self.blob_digest.add_header(header)
        self._hasher = _Worker("attachment-hash", self._hash)
        self._writer = _Worker("attachment-write", self._write)

    def _hash(self, plaintext: bytes | memoryview) -> None:
        self.plaintext_sha256.update(plaintext)
        if self._reuse_plaintext is not None and isinstance(plaintext, memoryview):
            self._reuse_plaintext(plaintext.obj)

    def _write(self, sealed: list[memoryview]) -> None:
        # One gathered write and one pass of digest updates per read piece (about 1 MiB), not a
        # write per 64 KiB chunk: each call releases and re-takes the GIL, and re-taking it from
        # a busy request thread can wait up to the switch interval (5 ms).
        self.writer.write_parts(sealed)
        for chunk in sealed:
            self.blob_digest.add_chunk(chunk)
        if self._reuse_sealed is not None:
            self._reuse_sealed(sealed)

    def put(self, plaintext: bytes | memoryview, sealed: list[memoryview]) -> None:
        if plaintext:
            self._hasher.put(plaintext)
        if sealed:
            self._writer.put(sealed)

    def close(self) -> None:
        try:
            self._hasher.close()
        finally:
            self._writer.close()


@dataclass
class IncomingFile:
    """The file part of an upload, encrypted into a temporary blob as it arrives."""

    writer: BlobWriter
    filename: str
    limit: int
    uuid: uuid.UUID = field(default_factory=uuid.uuid4)
    dek: bytes = field(default_factory=crypto.new_dek)
    content_type: str | None = None
    complete: bool = False
    #: takes back a buffer the fed data was a view of, once it is hashed (the parser's `reuse`)
    reuse_input: Callable[[Any], None] | None = None
    #: known after `finish()`
    plaintext_sha256: bytes = field(default=b"", init=False)
    blob_sha256: str = field(default="", init=False)

    def __post_init__(self) -> None:
        self.encryptor = crypto.StreamEncryptor(self.dek, self.uuid, hash_plaintext=False)
        self._sink = _Sink(
            self.writer, self.encryptor.header, self.reuse_input, self.encryptor.reuse
        )
        self._head = bytearray()

    @property
    def size(self) -> int:
        return self.encryptor.size

    def feed(self, data: bytes | memoryview) -> None:
        if self.encryptor.size + len(data) > self.limit:
            raise FileTooLarge()
        if self.content_type is None and len(self._head) < content.SNIFF_BYTES:
            self._head += data[: content.SNIFF_BYTES - len(self._head)]
            if len(self._head) >= content.SNIFF_BYTES:
                self._check_type()  # refuse early, before a large body is stored
        self._sink.put(data, self.encryptor.update_chunks(data))

    def _check_type(self) -> None:
        detected = content.detect(bytes(self._head))
        if detected is None:
            raise InvalidInput(
                {
                    FILE_FIELD: [
                        _("This type of file is not accepted (see the list of allowed types).")
                    ]
                }
            )
        kinds.check_name(self.filename, detected)  # the name must agree with the bytes
        self.content_type = detected

    def finish(self) -> None:
        if self.encryptor.size == 0:
            raise InvalidInput({FILE_FIELD: [_("The file is empty.")]})
        if self.content_type is None:
            self._check_type()
        self._sink.put(b"", [memoryview(self.encryptor.finalize())])
        self._sink.close()
        self.plaintext_sha256 = self._sink.plaintext_sha256.digest()
        self.blob_sha256 = self._sink.blob_digest.hexdigest()

    def abort(self) -> None:
        """Stop the sink thread and remove the temporary blob."""
        try:
            self._sink.close()
        except BaseException:  # noqa: S110 - the upload is failing anyway; the blob goes
            pass
        self.writer.discard()


@dataclass
class Received:
    fields: dict[str, str]
    file: IncomingFile


class Readable(Protocol):
    def read(self, size: int, /) -> bytes | bytearray: ...


@dataclass(frozen=True)
class UploadBody:
    """A multipart upload as the service reads it. A view opens the request's
    (tracker.attachments.body.request_body); a command or a test hands over any readable."""

    stream: Readable
    boundary: bytes
    #: the length the sender declared (Content-Length), None when unknown (chunked)
    length: int | None = None


def refuse_oversized(length: int | None, limit: int) -> None:
    """FileTooLarge (413) when a declared length cannot fit, before anything is read."""
    if length is not None and length > limit + MULTIPART_OVERHEAD:
        raise FileTooLarge()


def receive(
    body: Readable,
    boundary: bytes,
    store: BlobStore,
    limit: int,
    before_file: Callable[[dict[str, str]], None] | None = None,
) -> Received:
    """Parse and encrypt an upload. The caller owns `Received.file.writer` (publish or discard);
    on any error here the temporary blob is already removed.

    Raises BadRequest (malformed or truncated body, client gone), FileTooLarge (413) and
    InvalidInput (no `file`, several files, an empty or disallowed file, oversized fields).
    `before_file(fields)` runs before the first byte of the file is stored (CSRF checks).
    """
    # a stream that can read into a buffer (the socket's, the WSGI stream's) saves a copy
    reader = MultipartReader(
        body.read, boundary, READ_SIZE, MAX_PARTS, getattr(body, "readinto", None)
    )
    fields: dict[str, str] = {}
    incoming: IncomingFile | None = None
    part: str | None = None  # the field being read, or FILE_FIELD
    value = bytearray()
    try:
        for event in reader.events():
            if isinstance(event, Part):
                if event.filename is not None:
                    if event.name != FILE_FIELD or incoming is not None:
                        raise InvalidInput({FILE_FIELD: [_("Send exactly one file, as `file`.")]})
                    if before_file is not None:
                        before_file(fields)
                    incoming = IncomingFile(
                        store.new_blob(),
                        content.sanitise_filename(event.filename),
                        limit,
                        reuse_input=reader.reuse,
                    )
                    part = FILE_FIELD
                else:
                    if event.name not in FIELDS:
                        raise InvalidInput({event.name or "_schema": [_("Unknown field.")]})
                    if event.name in fields:
                        raise InvalidInput({event.name: [_("Send this field once.")]})
                    part, value = event.name, bytearray()
            elif part == FILE_FIELD and incoming is not None:
                incoming.feed(event.data)
                incoming.complete = not event.more
            elif part is not None:
                value += event.data
                if len(value) > MAX_FIELD_BYTES:
                    raise InvalidInput({part: [_("This field is too long.")]})
                if not event.more:
                    fields[part] = value.decode("utf-8", "replace")
        if incoming is None or not incoming.complete:
            if before_file is not None:
                before_file(fields)
            raise InvalidInput({FILE_FIELD: [_("Attach a file.")]})
        incoming.finish()
        return Received(fields, incoming)
    except Incomplete:
        _discard(incoming)
        raise BadRequest("The multipart body is incomplete.") from None
    except ValueError:
        _discard(incoming)
        raise BadRequest("The multipart body is malformed or incomplete.") from None
    except ClientDisconnected:
        _discard(incoming)
        raise BadRequest("The upload was interrupted.") from None
    except BaseException:
        _discard(incoming)
        raise


def _discard(incoming: IncomingFile | None) -> None:
    if incoming is not None:
        incoming.abort()
