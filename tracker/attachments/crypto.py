"""Envelope encryption of attachments: the STREAM format and DEK wrapping.

The byte layout is specified in docs/attachment-format.md; keep the two in step.

- Each attachment version has a random 256-bit data key (DEK), wrapped under a key-encryption
  key (KEK) with AES-256-GCM, the associated data binding the key id and the version's uuid.
- Content is sealed in the STREAM construction (Tink's streaming AEAD, age): a 48-byte header
  (magic, format version, chunk size, HKDF salt, nonce prefix), a per-file key
  HKDF-SHA256(DEK, salt, info = label ‖ version uuid), 64 KiB plaintext chunks each sealed with
  AES-256-GCM under nonce = prefix ‖ chunk index (4 bytes, big-endian) ‖ last flag (1 byte),
  with the header as associated data.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import struct
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tracker.keys import KeyRing

MAGIC = b"TRKA"
FORMAT_VERSION = 1
CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
SALT_SIZE = 32
PREFIX_SIZE = 7
#: magic (4) ‖ version (1) ‖ chunk size (4, big-endian) ‖ salt (32) ‖ nonce prefix (7)
HEADER = struct.Struct(f">4sBI{SALT_SIZE}s{PREFIX_SIZE}s")
HEADER_SIZE = HEADER.size  # 48
MAX_CHUNKS = 2**32
MIN_CHUNK, MAX_CHUNK = 1024, 4 * 1024 * 1024
STREAM_INFO = b"tracker attachment stream v1|"
DIGEST_INFO = b"tracker attachment sha256 v1|"
DEK_AD = b"tracker dek v1|"
TAGS_INFO = b"tracker blob tags v1|"
#: how `attachment_versions.ciphertext_sha256` was computed (docs/attachment-format.md §4):
#: 1, the sha256 of every byte of the blob (versions stored before 2026-12-06); 2, the sha256 of
#: the header and every chunk's GCM tag (one pass less over the ciphertext on upload)
DIGEST_WHOLE_BLOB, DIGEST_TAGS = 1, 2
#: sealed output buffers an encryptor keeps for reuse (about as many as are in flight between it
#: and the blob writer: the writer's queue and the one it is writing)
SPARE_OUTPUTS = 6


class IntegrityFailure(Exception):
    """The ciphertext (or a wrapped key) does not authenticate: altered, truncated, reordered,
    extended, or moved from another attachment version."""


def new_dek() -> bytes:
    return secrets.token_bytes(32)


def _derive(dek: bytes, salt: bytes | None, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(dek)


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    if index >= MAX_CHUNKS:
        raise ValueError("too many chunks for one stream")
    return prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


# --- data keys -----------------------------------------------------------------------------------


def _dek_ad(kek_id: str, version_uuid: uuid.UUID) -> bytes:
    return DEK_AD + kek_id.encode() + b"|" + version_uuid.bytes


def wrap_dek(ring: KeyRing, dek: bytes, version_uuid: uuid.UUID) -> tuple[str, bytes]:
    """Wrap `dek` under the active KEK: returns (key id, nonce ‖ ciphertext ‖ tag)."""
    kek_id = ring.active_kek_id
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(ring.kek(kek_id)).encrypt(nonce, dek, _dek_ad(kek_id, version_uuid))
    return kek_id, nonce + sealed


def unwrap_dek(ring: KeyRing, kek_id: str, wrapped: bytes, version_uuid: uuid.UUID) -> bytes:
    try:
        return AESGCM(ring.kek(kek_id)).decrypt(
            wrapped[:12], wrapped[12:], _dek_ad(kek_id, version_uuid)
        )
    except InvalidTag:
        raise IntegrityFailure("the wrapped data key does not authenticate") from None


def seal_digest(dek: bytes, version_uuid: uuid.UUID, digest: bytes) -> bytes:
    """Seal the plaintext sha256 so a database reader cannot confirm a known document."""
    key = _derive(dek, None, DIGEST_INFO + version_uuid.bytes)
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(key).encrypt(nonce, digest, None)


def open_digest(dek: bytes, version_uuid: uuid.UUID, sealed: bytes) -> bytes:
    key = _derive(dek, None, DIGEST_INFO + version_uuid.bytes)
    try:
        return AESGCM(key).decrypt(sealed[:12], sealed[12:], None)
    except InvalidTag:
        raise IntegrityFailure("the sealed digest does not authenticate") from None


# --- the stream ----------------------------------------------------------------------------------


class StreamEncryptor:
    """Encrypts a plaintext fed in pieces of any size; memory stays at about one chunk.

    `header` is written first, then whatever `update()` and `finalize()` return. Also counts
    the plaintext size and, unless told not to, its sha256 on the way.
    """

    def __init__(
        self,
        dek: bytes,
        version_uuid: uuid.UUID,
        chunk_size: int = CHUNK_SIZE,
        hash_plaintext: bool = True,
    ) -> None:
        salt, prefix = secrets.token_bytes(SALT_SIZE), secrets.token_bytes(PREFIX_SIZE)
        self.header = HEADER.pack(MAGIC, FORMAT_VERSION, chunk_size, salt, prefix)
        self._aead = AESGCM(_derive(dek, salt, STREAM_INFO + version_uuid.bytes))
        self._prefix, self._chunk = prefix, chunk_size
        self._buffer = bytearray()
        self._index = 0
        self._spare: deque[bytearray] = deque()  # output buffers given back (`reuse`)
        self.size = 0
        self.sha256 = hashlib.sha256() if hash_plaintext else None

    def _seal(self, chunk: bytes | bytearray | memoryview, last: bool) -> bytes:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._index, last), chunk, self.header)
        self._index += 1
        return sealed

    def update(self, data: bytes) -> bytes:
        return b"".join(self.update_chunks(data))

    def update_chunks(self, data: bytes | memoryview) -> list[memoryview]:
        """Like `update`, but the sealed chunks one by one (no joining copy): views of one
        output buffer, sealed into it in place (`encrypt_into`), which is one given back by
        `reuse` when one is large enough, else a new one."""
        self.size += len(data)
        if self.sha256 is not None:
            self.sha256.update(data)
        # The last chunk is only known at the end, so 1..chunk bytes are always kept back.
        if len(self._buffer) + len(data) <= self._chunk:
            self._buffer += data
            return []
        view = memoryview(data)
        held = bool(self._buffer)
        need = self._chunk - len(self._buffer)
        # whole chunks sealed straight from the caller's bytes (no copy), the tail kept back
        whole = (len(view) - (need if held else 0) - 1) // self._chunk * self._chunk
        unit = self._chunk + TAG_SIZE
        count = held + whole // self._chunk
        out = memoryview(self._output(count * unit))[: count * unit]
        sealed = [out[at : at + unit] for at in range(0, count * unit, unit)]
        into = iter(sealed)
        if held:  # complete the held-back chunk: more data follows, so it is not last
            self._buffer += view[:need]
            self._seal_into(self._buffer, next(into))
            view = view[need:]
        for start in range(0, whole, self._chunk):
            self._seal_into(view[start : start + self._chunk], next(into))
        self._buffer = bytearray(view[whole:])
        return sealed

    def _seal_into(self, chunk: bytes | bytearray | memoryview, out: memoryview) -> None:
        nonce = _nonce(self._prefix, self._index, False)
        self._aead.encrypt_into(nonce, chunk, self.header, out)
        self._index += 1

    def _output(self, size: int) -> bytearray:
        """A buffer of at least `size` bytes (only its first `size` are used)."""
        while self._spare:
            buffer = self._spare.pop()
            if len(buffer) >= size:
                return buffer
        return bytearray(size)

    def reuse(self, sealed: list[memoryview] | list[bytes]) -> None:
        """Give back the buffer of chunks `update_chunks` returned, once nothing reads them any
        more (the blob writer has written them): the next call seals into it instead of a new
        one, so the memory stays warm and nothing is allocated and zeroed per piece. Safe from
        another thread; at most `SPARE_OUTPUTS` are kept."""
        base = getattr(sealed[0], "obj", None) if sealed else None
        if isinstance(base, bytearray) and len(self._spare) < SPARE_OUTPUTS:
            self._spare.append(base)

    def finalize(self) -> bytes:
        sealed = self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()
        return sealed


def parse_header(header: bytes) -> tuple[int, bytes, bytes]:
    """(chunk size, salt, nonce prefix); IntegrityFailure for anything but format 1."""
    if len(header) != HEADER_SIZE:
        raise IntegrityFailure("the blob is shorter than its header")
    magic, version, chunk_size, salt, prefix = HEADER.unpack(header)
    if magic != MAGIC or version != FORMAT_VERSION:
        raise IntegrityFailure("not a tracker attachment blob of a known format")
    if not MIN_CHUNK <= chunk_size <= MAX_CHUNK:
        raise IntegrityFailure("the header names an impossible chunk size")
    return chunk_size, salt, prefix


class TagDigest:
    """The blob digest of scheme 2 (`DIGEST_TAGS`): SHA-256 over the label, the 48-byte header,
    each sealed chunk's 16-byte GCM tag in order, and the blob length (8 bytes, big-endian).

    Every chunk is already authenticated by its tag under a key only the key file yields, so
    the digest need not read the ciphertext twice: it binds the header, the chunk count and
    order, the length and every tag. Fed sealed chunks one by one (`add_chunk`, the upload) or
    a blob's bytes in pieces of any size (`update`, the checks), memory stays at one chunk."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256(TAGS_INFO)
        self._length = 0
        self._unit = 0
        self._pending = bytearray()

    def add_header(self, header: bytes) -> None:
        self._hash.update(header)
        self._length += len(header)

    def add_chunk(self, sealed: bytes | bytearray | memoryview) -> None:
        self._hash.update(sealed[-TAG_SIZE:])
        self._length += len(sealed)

    def update(self, data: bytes) -> None:
        """A blob's bytes as they are read (header first); the units are cut here."""
        self._pending += data
        if not self._unit:
            if len(self._pending) < HEADER_SIZE:
                return
            header = bytes(self._pending[:HEADER_SIZE])
            self._unit = parse_header(header)[0] + TAG_SIZE
            self.add_header(header)
            del self._pending[:HEADER_SIZE]
        # a full unit is only known not to be the last when more follows: keep one back
        while len(self._pending) > self._unit:
            self.add_chunk(self._pending[: self._unit])
            del self._pending[: self._unit]

    def hexdigest(self) -> str:
        tail = self._hash.copy()
        if self._pending:
            if not self._unit:
                raise IntegrityFailure("the blob is shorter than its header")
            tail.update(self._pending[-TAG_SIZE:])
            length = self._length + len(self._pending)
        else:
            length = self._length
        tail.update(length.to_bytes(8, "big"))
        return tail.hexdigest()


def blob_digester(scheme: int) -> Any:
    """A fresh digest of a blob's bytes for the scheme a version was stored under."""
    if scheme == DIGEST_WHOLE_BLOB:
        return hashlib.sha256()
    if scheme == DIGEST_TAGS:
        return TagDigest()
    raise ValueError(f"unknown blob digest scheme {scheme}")


def decrypt_stream(
    read: Callable[[int], bytes], dek: bytes, version_uuid: uuid.UUID
) -> Iterator[bytes]:
    """Yield the plaintext chunk by chunk, each authenticated before it is yielded.

    Raises IntegrityFailure at the first chunk that fails (flipped bit, reordered or missing
    chunk, truncated or extended blob, other key or version); the caller must then treat
    everything already yielded as unconfirmed.
    """
    header = _read_exactly(read, HEADER_SIZE)
    chunk_size, salt, prefix = parse_header(header)
    aead = AESGCM(_derive(dek, salt, STREAM_INFO + version_uuid.bytes))
    unit = chunk_size + TAG_SIZE
    index = 0
    current = _read_exactly(read, unit)
    while True:
        following = _read_exactly(read, unit) if len(current) == unit else b""
        last = not following
        if len(current) < TAG_SIZE:
            raise IntegrityFailure("the blob is truncated")
        try:
            yield aead.decrypt(_nonce(prefix, index, last), current, header)
        except InvalidTag:
            raise IntegrityFailure(f"chunk {index} does not authenticate") from None
        if last:
            return
        index += 1
        current = following


def _read_exactly(read: Callable[[int], bytes], n: int) -> bytes:
    """Read up to `n` bytes, looping over short reads; fewer only at the end of the stream."""
    data = read(n)
    if len(data) == n or not data:
        return data
    parts = [data]
    got = len(data)
    while got < n:
        more = read(n - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def encrypt_bytes(dek: bytes, version_uuid: uuid.UUID, plaintext: bytes) -> bytes:
    """The whole blob for a small plaintext (tests, tools)."""
    enc = StreamEncryptor(dek, version_uuid)
    return enc.header + enc.update(plaintext) + enc.finalize()


def decrypt_bytes(dek: bytes, version_uuid: uuid.UUID, blob: bytes) -> bytes:

    return b"".join(decrypt_stream(io.BytesIO(blob).read, dek, version_uuid))
