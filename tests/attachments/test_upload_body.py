"""The edge's fast path (`body._GunicornBody`) takes over gunicorn's private buffers, so it is
pinned to the gunicorn versions it was written for: the installed version must be one of them
(an upgrade fails here, loudly, until the adapter is checked against it), the range is the
dependency's range in pyproject.toml, and any other server or version reads the WSGI stream."""

from __future__ import annotations

import io
import re
import socket
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gunicorn
import pytest
from gunicorn.http.body import Body, LengthReader
from gunicorn.http.unreader import SocketUnreader

from tracker.attachments.body import GUNICORN_VERSIONS, _GunicornBody, supported_gunicorn

ROOT = Path(__file__).resolve().parents[2]


def test_the_installed_gunicorn_is_one_the_socket_reader_knows() -> None:
    assert supported_gunicorn(gunicorn.__version__), (
        f"gunicorn {gunicorn.__version__} is outside GUNICORN_VERSIONS {GUNICORN_VERSIONS}: "
        "check tracker/attachments/body.py::_GunicornBody against its buffers (and run "
        "tests/attachments/test_attachment_live_body.py), then widen both ranges"
    )


def test_the_supported_range_is_the_dependency_range() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = [d for d in dependencies if re.match(r"gunicorn\b", d)]
    low, high = GUNICORN_VERSIONS
    assert pins == [f"gunicorn>={low},<{high}"]


@pytest.mark.parametrize(
    ("version", "supported"),
    [
        ("23.0.0", True),
        ("27.0.1", True),
        ("22.0.0", False),
        ("28.0.0", False),
        ("100.1", False),
        ("", False),
        ("dev", False),
    ],
)
def test_versions_outside_the_range_are_not_supported(version: str, supported: bool) -> None:
    assert supported_gunicorn(version) is supported


@pytest.fixture
def sockets() -> Iterator[tuple[socket.socket, socket.socket]]:
    server, client = socket.socketpair()
    yield server, client
    server.close()
    client.close()


def _gunicorn_request(server: socket.socket, held: bytes, buffered: bytes, left: int) -> Any:
    """gunicorn's objects for a body of which `held` sits in the body's buffer, `buffered` in
    the unreader's (past the body: the next request's bytes) and `left` bytes are unread."""
    unreader = SocketUnreader(server)
    unreader.buf.write(buffered)
    body = Body(LengthReader(unreader, left))
    body.buf.write(held)
    return {"wsgi.input": body, "gunicorn.socket": server}


def test_a_gunicorn_body_is_read_from_the_socket_and_no_further(
    sockets: tuple[socket.socket, socket.socket],
) -> None:
    server, client = sockets
    environ = _gunicorn_request(server, b"held-", b"buffered-", 9 + 6)
    client.sendall(b"socket" + b"GET /next")
    fast = _GunicornBody.of(environ, 5 + 9 + 6)
    assert fast is not None
    read = b""
    while piece := fast.read(4):
        read += bytes(piece)
    assert read == b"held-buffered-socket"
    reader = environ["wsgi.input"].reader
    assert reader.length == 0  # gunicorn's count is kept: it reads the next request itself
    assert server.recv(100) == b"GET /next"


def test_an_unsupported_gunicorn_reads_the_wsgi_stream(
    sockets: tuple[socket.socket, socket.socket], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, _client = sockets
    environ = _gunicorn_request(server, b"held-", b"buffered-", 9)
    monkeypatch.setattr(gunicorn, "__version__", "28.0.0")
    assert _GunicornBody.of(environ, 5 + 9) is None
    # gunicorn's buffers are left as they were
    assert environ["wsgi.input"].buf.getvalue() == b"held-"
    assert environ["wsgi.input"].reader.unreader.buf.getvalue() == b"buffered-"


def test_another_server_reads_the_wsgi_stream(
    sockets: tuple[socket.socket, socket.socket],
) -> None:
    server, _client = sockets
    assert _GunicornBody.of({"wsgi.input": io.BytesIO(b"body")}, 4) is None
    plain = {"wsgi.input": io.BytesIO(b"body"), "gunicorn.socket": server}
    assert _GunicornBody.of(plain, 4) is None
    chunked = _gunicorn_request(server, b"", b"", 4)
    assert _GunicornBody.of(chunked, None) is None  # no declared length


def test_a_gunicorn_body_reads_into_a_buffer_a_whole_piece_per_call(
    sockets: tuple[socket.socket, socket.socket],
) -> None:
    """`readinto` asks the kernel for the whole piece (MSG_WAITALL): one system call and one
    hand-off of the GIL per piece, not one per few KiB that happened to arrive."""
    server, client = sockets
    environ = _gunicorn_request(server, b"held-", b"", 3 * 4096 + 4)
    fast = _GunicornBody.of(environ, 5 + 3 * 4096 + 4)
    assert fast is not None
    calls: list[tuple[int, int]] = []

    class Recording:
        def recv_into(self, view: memoryview, n: int, flags: int = 0) -> int:
            calls.append((n, flags))
            return server.recv_into(view, n, flags)

    fast._sock = Recording()  # type: ignore[assignment]
    sender = threading.Thread(target=lambda: [client.sendall(b"a" * 4096) for _ in range(3)])
    sender.start()
    buffer = bytearray(10_000)
    assert fast.readinto(buffer) == 5 and buffer[:5] == b"held-"  # gunicorn's bytes first
    assert fast.readinto(buffer) == 10_000
    sender.join()
    client.sendall(b"tail")
    left = 3 * 4096 + 4 - 10_000
    assert fast.readinto(buffer) == left  # only what is left of the body, not past it
    assert bytes(buffer[:left]) == b"a" * (left - 4) + b"tail"
    assert fast.readinto(buffer) == 0
    assert calls[0] == (10_000, socket.MSG_WAITALL)
    assert all(flags == socket.MSG_WAITALL for _, flags in calls)
    assert environ["wsgi.input"].reader.length == 0
