"""A streaming multipart/form-data reader for uploads: the framing found with `bytes.find`.

Werkzeug's `MultipartDecoder` copies every piece of the body three times (into its buffer, out
as `bytes`, and the rest moved down) and searches it with a regular expression; for a 1 GiB
file that was about a third of the upload's time (docs/performance.md). Here the body is read
in pieces of `read_size`, the next delimiter is searched with `bytes.find` (C speed), and the
file's bytes are handed on as `memoryview`s of the piece that was read (no copy). Given a
`readinto`, each piece is read straight into a buffer of its own behind the bytes kept from the
last one (at most a delimiter's length), instead of read and then joined to them (a copy of every
byte); a buffer whose views the consumer no longer needs may be given back (`reuse`) and is
read into again. At most one read piece plus a delimiter's length is held; headers are bounded by
`MAX_HEADER_BYTES`.

Events, in order: `Part` (a part's name, filename or None, content type), then its data in
`Data` pieces, the last with `more=False`; after the closing delimiter the reader stops (the
epilogue is not read). A malformed or truncated body raises ValueError; too many parts raise
RequestEntityTooLarge, as Werkzeug's decoder did.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import parse_options_header

MAX_HEADER_BYTES = 16 * 1024
MAX_PREAMBLE_BYTES = 64 * 1024
#: read buffers a reader keeps for reuse (about as many as are in flight: the upload's digest
#: queue, the one being hashed and the one being parsed)
SPARE_BUFFERS = 6


class Incomplete(ValueError):
    """The body ended before the closing delimiter."""


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None  # None for a plain field (no `filename` parameter)
    content_type: str | None


@dataclass(frozen=True)
class Data:
    data: memoryview | bytes
    more: bool


class MultipartReader:
    def __init__(
        self,
        read: Callable[[int], bytes | bytearray],
        boundary: bytes,
        read_size: int,
        max_parts: int,
        readinto: Callable[[memoryview], int] | None = None,
    ) -> None:
        if not boundary or len(boundary) > 200:
            raise ValueError("bad boundary")
        self._read, self._read_size, self._max_parts = read, read_size, max_parts
        self._readinto = readinto
        self._first = b"--" + boundary
        self._delimiter = b"\r\n--" + boundary
        self._buf: bytes | bytearray = b""
        self._spare: deque[bytearray] = deque()  # buffers given back (`reuse`)

    def _fill(self) -> None:
        if self._readinto is not None:
            self._fill_into(self._readinto)
            return
        chunk = self._read(self._read_size)
        if not chunk:
            raise Incomplete("The multipart body is incomplete.")
        self._buf = self._buf + chunk if self._buf else chunk

    def _fill_into(self, readinto: Callable[[memoryview], int]) -> None:
        # A buffer of its own each time, never the last one: the data handed on may still be
        # in use (the upload hashes it in another thread). One given back by `reuse` is taken
        # when it has the size wanted (a whole piece behind the kept bytes), else a new one.
        kept = len(self._buf)
        size = kept + self._read_size
        buf = self._spare_of(size)
        reused = buf is not None
        if buf is None:
            buf = bytearray(size)
        buf[:kept] = self._buf
        with memoryview(buf) as view, view[kept:] as free:
            got = readinto(free)
        if not got:
            raise Incomplete("The multipart body is incomplete.")
        if got < self._read_size:
            if reused:
                # a view handed on earlier may still be alive (though never read again), and a
                # buffer with views cannot be resized: the bytes read are copied out of it
                buf = buf[: kept + got]
            else:
                del buf[kept + got :]
        self._buf = buf

    def _spare_of(self, size: int) -> bytearray | None:
        while self._spare:
            buffer = self._spare.pop()
            if len(buffer) == size:
                return buffer
        return None

    def reuse(self, buffer: object) -> None:
        """Give back a buffer whose data (handed on as `Data` views) nobody reads any more: the
        next read goes into it instead of a new one, so the memory stays warm and nothing is
        allocated and zeroed per piece. Only bytearrays of at least a piece's size are kept, at
        most `SPARE_BUFFERS` of them; safe to call from another thread."""
        if (
            isinstance(buffer, bytearray)
            and len(buffer) >= self._read_size
            and len(self._spare) < SPARE_BUFFERS
        ):
            self._spare.append(buffer)

    def _need(self, n: int) -> None:
        while len(self._buf) < n:
            self._fill()

    def events(self) -> Iterator[Part | Data]:
        # preamble, then the first delimiter
        while (at := self._buf.find(self._first)) < 0:
            if len(self._buf) > MAX_PREAMBLE_BYTES:
                raise ValueError("no boundary")
            self._fill()
        self._buf = self._buf[at + len(self._first) :]
        parts = 0
        while True:
            self._need(2)
            after, self._buf = self._buf[:2], self._buf[2:]
            if after == b"--":
                return  # the closing delimiter; the epilogue is not read
            if after != b"\r\n":
                raise ValueError("bad delimiter")
            parts += 1
            if parts > self._max_parts:
                raise RequestEntityTooLarge("Maximum number of parts exceeded.")
            yield self._headers()
            yield from self._data()

    def _headers(self) -> Part:
        while (end := self._buf.find(b"\r\n\r\n")) < 0:
            if len(self._buf) > MAX_HEADER_BYTES:
                raise ValueError("part headers too long")
            self._fill()
        if end > MAX_HEADER_BYTES:
            raise ValueError("part headers too long")
        raw, self._buf = self._buf[:end], self._buf[end + 4 :]
        disposition = content_type = None
        for line in raw.decode("utf-8", "replace").split("\r\n") if raw else ():
            key, sep, value = line.partition(":")
            if not sep:
                raise ValueError("bad part header")
            key = key.strip().lower()
            if key == "content-disposition":
                disposition = value.strip()
            elif key == "content-type":
                content_type = value.strip()
        if disposition is None:
            raise ValueError("a part without Content-Disposition")
        kind, options = parse_options_header(disposition)
        if kind != "form-data":
            raise ValueError("not form-data")
        return Part(options.get("name", ""), options.get("filename"), content_type)

    def _data(self) -> Iterator[Data]:
        keep = len(self._delimiter) - 1  # a delimiter may straddle two reads
        # An empty part may follow its blank line without a CRLF of its own (Werkzeug's test
        # client writes it so, and its decoder accepts it).
        while len(self._buf) < len(self._first) and self._first.startswith(self._buf):
            self._fill()
        if self._buf.startswith(self._first):
            self._buf = self._buf[len(self._first) :]
            yield Data(b"", more=False)
            return
        while True:
            at = self._buf.find(self._delimiter)
            if at >= 0:
                buf = self._buf
                self._buf = buf[at + len(self._delimiter) :]
                yield Data(memoryview(buf)[:at], more=False)
                return
            if len(self._buf) > keep:
                buf = self._buf
                self._buf = buf[len(buf) - keep :]
                yield Data(memoryview(buf)[: len(buf) - keep], more=True)
            self._fill()
