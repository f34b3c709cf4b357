"""The streaming multipart reader: the same parts as Werkzeug's parser whatever the read size
(delimiters straddling reads), and the hostile cases refused."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from tests.support import multipart
from tracker.attachments.multipart import (
    MAX_HEADER_BYTES,
    Incomplete,
    MultipartReader,
    Part,
)

BOUNDARY = b"XyZ"


class _ShortReads(io.BytesIO):
    """A stream that fills at most `most` bytes per `readinto`, as a socket may."""

    def __init__(self, data: bytes, most: int) -> None:
        super().__init__(data)
        self.most, self.calls = most, 0

    def readinto(self, buffer: Any, /) -> int:
        self.calls += 1
        with memoryview(buffer) as view:
            return super().readinto(view[: self.most])


def ours(
    body: bytes, read_size: int, max_parts: int = 8, into: int | None = None
) -> list[tuple[str, str | None, bytes]]:
    """The parts our reader finds; `into`: read with `readinto`, at most that many bytes a call."""
    if into is None:
        reader = MultipartReader(io.BytesIO(body).read, BOUNDARY, read_size, max_parts)
    else:
        stream = _ShortReads(body, into)
        reader = MultipartReader(stream.read, BOUNDARY, read_size, max_parts, stream.readinto)
    parts: list[tuple[str, str | None, bytes]] = []
    for event in reader.events():
        if isinstance(event, Part):
            parts.append((event.name, event.filename, b""))
        else:
            name, filename, data = parts[-1]
            parts[-1] = (name, filename, data + bytes(event.data))
    return parts


def werkzeugs(body: bytes) -> list[tuple[str, str | None, bytes]]:
    decoder = MultipartDecoder(BOUNDARY, max_form_memory_size=None)
    decoder.receive_data(body)
    decoder.receive_data(None)
    parts: list[tuple[str, str | None, bytes]] = []
    while not isinstance(event := decoder.next_event(), Epilogue | NeedData):
        if isinstance(event, File):
            parts.append((event.name, event.filename, b""))
        elif isinstance(event, Field):
            parts.append((event.name, None, b""))
        elif isinstance(event, Data):
            name, filename, data = parts[-1]
            parts[-1] = (name, filename, data + event.data)
    return parts


@pytest.mark.parametrize("read_size", [1, 2, 3, 5, 7, 64, 1000, 1 << 20])
def test_same_parts_as_werkzeug_for_every_read_size(read_size: int) -> None:
    payload = os.urandom(3000) + b"\r\n--XyY" + b"\r\n--Xy" + b"\r\n"  # near-delimiters inside
    body = b"preamble\r\n" + multipart(
        [("record_type", None, "자산".encode()), ("empty", None, b""), ("file", "a.pdf", payload)]
    )
    expected = werkzeugs(body)
    assert expected[2][2] == payload
    assert ours(body, read_size) == expected
    # read into the reader's buffer, whole pieces or short reads (a socket's)
    assert ours(body, read_size, into=read_size) == expected
    assert ours(body, read_size, into=max(1, read_size // 3)) == expected


def test_readinto_is_used_when_given_and_fills_behind_the_kept_bytes() -> None:
    payload = os.urandom(200_000)
    body = multipart([("record_type", None, b"asset"), ("file", "a.pdf", payload)])
    stream = _ShortReads(body, 1000)
    reader = MultipartReader(stream.read, BOUNDARY, 4096, 8, stream.readinto)
    data = b"".join(bytes(e.data) for e in reader.events() if not isinstance(e, Part))
    assert data == b"asset" + payload
    assert stream.calls >= len(body) // 1000  # every byte came through readinto


def test_an_empty_part_right_after_its_blank_line() -> None:
    body = b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="e.pdf"\r\n\r\n--XyZ--'
    assert ours(body, 4) == werkzeugs(body) == [("file", "e.pdf", b"")]


def test_truncated_body_is_incomplete() -> None:
    body = multipart([("file", "a.pdf", b"x" * 1000)])
    for cut in (0, 3, 40, 500, len(body) - 3):
        with pytest.raises(Incomplete):
            ours(body[:cut], 64)
        with pytest.raises(Incomplete):
            ours(body[:cut], 64, into=7)


def test_too_many_parts_is_413() -> None:
    body = multipart([(f"f{i}", None, b"v") for i in range(9)])
    assert len(ours(body, 64, max_parts=9)) == 9
    with pytest.raises(RequestEntityTooLarge):
        ours(body, 64, max_parts=8)


@pytest.mark.parametrize(
    "body",
    [
        b"no boundary at all" * 10_000,
        b"--XyZ\r\n" + b"X-Long: " + b"a" * (MAX_HEADER_BYTES + 10) + b"\r\n\r\ndata\r\n--XyZ--",
        b"--XyZ\r\nno colon here\r\n\r\ndata\r\n--XyZ--",
        b"--XyZ\r\nContent-Type: text/plain\r\n\r\ndata\r\n--XyZ--",  # no disposition
        b'--XyZ\r\nContent-Disposition: attachment; name="file"\r\n\r\ndata\r\n--XyZ--',
        b'--XyZ??Content-Disposition: form-data; name="file"\r\n\r\ndata\r\n--XyZ--',
    ],
)
def test_malformed_bodies_are_refused(body: bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - Incomplete or malformed: both a 400
        ours(body, 4096)
