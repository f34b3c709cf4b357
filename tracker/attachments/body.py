"""The edge of an upload: the current request's body as a stream for the upload service.

The views call `request_body()`; the service reads what it returns and never sees the
request. Under a gunicorn whose version is in `GUNICORN_VERSIONS` the body is read straight
from the socket (`_GunicornBody`); anything else, an unknown server or version included, reads
the WSGI stream, which is slower but always right.
"""

from __future__ import annotations

import io
import socket
import sys
from typing import Any

from flask import request
from werkzeug.exceptions import BadRequest

from tracker.attachments.receive import (
    MULTIPART_OVERHEAD,
    Readable,
    UploadBody,
    refuse_oversized,
)
from tracker.attachments.service import upload_limit

#: the gunicorn major versions whose buffers `_GunicornBody` knows: [from, to). The same range
#: as pyproject.toml's dependency; tests/attachments/test_upload_body.py holds them together.
GUNICORN_VERSIONS = (23, 28)


def request_body() -> UploadBody:
    """The current request's multipart body, unbuffered, with its boundary and length.

    Answers 400 for a body that is not multipart/form-data, and 413 from Content-Length alone
    when the body cannot fit (nothing is read or stored); a chunked body is cut off at the
    same size by the WSGI stream.
    """
    limit = upload_limit()
    boundary = request.mimetype_params.get("boundary", "")
    if request.mimetype != "multipart/form-data" or not boundary:
        raise BadRequest("Send the file as multipart/form-data with a boundary.")
    # Flask >= 3.1: a per-request limit, applied when the stream is first opened
    request.max_content_length = limit + MULTIPART_OVERHEAD
    # before the stream is opened: Werkzeug's own refusal would not say what was too large
    refuse_oversized(request.content_length, limit)
    length = request.content_length
    stream: Readable = _GunicornBody.of(request.environ, length) or request.stream
    return UploadBody(stream, boundary.encode("latin-1"), length)


def supported_gunicorn(version: str) -> bool:
    """Whether `_GunicornBody` may take over the buffers of this gunicorn version."""
    major = version.split(".", 1)[0]
    return major.isdigit() and GUNICORN_VERSIONS[0] <= int(major) < GUNICORN_VERSIONS[1]


class _GunicornBody:
    """The rest of a gunicorn request body of known length, read straight from the socket.

    gunicorn's body reader copies every byte five or six times on the way (its unreader's and
    its body's BytesIO buffers); for a 1 GiB upload that cost more than the multipart parsing
    (docs/performance.md). Only used under a supported gunicorn version and when the request
    is exactly what this expects (a gunicorn `Body` over a `LengthReader` over the
    connection's socket). Whatever gunicorn already holds is served first, gunicorn's count
    of the bytes left is kept up to date, and nothing past the body is read (a pipelined
    request stays in gunicorn's buffer). The length was checked against the limit already.
    """

    def __init__(self, sock: socket.socket, reader: Any, held: bytes) -> None:
        self._sock, self._reader, self._held = sock, reader, held

    @classmethod
    def of(cls, environ: dict[str, Any], length: int | None) -> _GunicornBody | None:
        body, sock = environ.get("wsgi.input"), environ.get("gunicorn.socket")
        reader = getattr(body, "reader", None)
        unreader = getattr(reader, "unreader", None)
        if (
            length is None
            or not type(body).__module__.startswith("gunicorn.")
            or not supported_gunicorn(getattr(sys.modules.get("gunicorn"), "__version__", ""))
            or not isinstance(sock, socket.socket)
            or type(reader).__name__ != "LengthReader"
            or getattr(unreader, "sock", None) is not sock
            or not isinstance(getattr(body, "buf", None), io.BytesIO)
            or not isinstance(getattr(unreader, "buf", None), io.BytesIO)
            or not isinstance(getattr(reader, "length", None), int)
        ):
            return None
        assert body is not None and reader is not None and unreader is not None
        # bytes the body reader holds were already counted off `reader.length`
        held = body.buf.getvalue()
        body.buf = io.BytesIO()
        buffered = unreader.buf.getvalue()
        take = buffered[: reader.length]
        unreader.buf = io.BytesIO()
        unreader.buf.write(buffered[len(take) :])
        reader.length -= len(take)
        return cls(sock, reader, held + take)  # type: ignore[arg-type]

    def read(self, size: int) -> bytes | bytearray:
        buf = bytearray(min(size, len(self._held) or self._reader.length))
        got = self.readinto(buf)
        return buf if got == len(buf) else buf[:got]  # a bytearray: no copy to bytes

    def readinto(self, buffer: bytearray | memoryview) -> int:
        """Fill `buffer` from the body. Fewer bytes than it holds: while gunicorn's
        already-held bytes last (they are served first, and only they, so the first calls may
        return fewer), at the body's end, or when the client went away (the parser then reports
        the body incomplete)."""
        view = memoryview(buffer).cast("B")
        if self._held:
            got = min(len(view), len(self._held))
            view[:got] = self._held[:got]
            self._held = self._held[got:]
            return got
        want = min(len(view), self._reader.length)
        got = 0
        while got < want:
            # MSG_WAITALL: one system call (and one release and re-take of the GIL) per piece
            # rather than one per few dozen KiB that happened to have arrived
            n = self._sock.recv_into(view[got:want], want - got, socket.MSG_WAITALL)
            if n == 0:
                break
            got += n
            self._reader.length -= n
        return got
