"""The STREAM format and DEK wrapping: round trips and every tamper case."""

from __future__ import annotations

import uuid

import pytest

from tracker import keys
from tracker.attachments import crypto
from tracker.attachments.crypto import CHUNK_SIZE, HEADER_SIZE, TAG_SIZE, IntegrityFailure

UNIT = CHUNK_SIZE + TAG_SIZE


def _blob(size: int) -> tuple[bytes, uuid.UUID, bytes, bytes]:
    dek, vid = crypto.new_dek(), uuid.uuid4()
    plaintext = bytes(i % 251 for i in range(size))
    return dek, vid, plaintext, crypto.encrypt_bytes(dek, vid, plaintext)


@pytest.mark.parametrize(
    "size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE, 3 * CHUNK_SIZE + 7]
)
def test_round_trip(size: int) -> None:
    dek, vid, plaintext, blob = _blob(size)
    chunks = max(1, -(-size // CHUNK_SIZE))
    assert len(blob) == HEADER_SIZE + size + chunks * TAG_SIZE
    assert crypto.decrypt_bytes(dek, vid, blob) == plaintext


def test_fed_in_odd_pieces_gives_the_same_plaintext() -> None:
    dek, vid = crypto.new_dek(), uuid.uuid4()
    plaintext = bytes(range(256)) * 1000
    enc = crypto.StreamEncryptor(dek, vid)
    out = [enc.header]
    for i in range(0, len(plaintext), 1013):
        out.append(enc.update(plaintext[i : i + 1013]))
    out.append(enc.finalize())
    assert crypto.decrypt_bytes(dek, vid, b"".join(out)) == plaintext
    assert enc.size == len(plaintext)


def test_header_layout() -> None:
    _dek, _vid, _p, blob = _blob(10)
    assert blob[:4] == b"TRKA" and blob[4] == 1
    assert int.from_bytes(blob[5:9], "big") == CHUNK_SIZE


def _fails(dek: bytes, vid: uuid.UUID, blob: bytes) -> None:
    with pytest.raises(IntegrityFailure):
        crypto.decrypt_bytes(dek, vid, blob)


@pytest.mark.parametrize("position", [0, 5, 20, HEADER_SIZE, HEADER_SIZE + UNIT + 3, -1])
def test_flipped_bit_fails(position: int) -> None:
    dek, vid, _p, blob = _blob(3 * CHUNK_SIZE + 100)
    tampered = bytearray(blob)
    tampered[position] ^= 0x01
    _fails(dek, vid, bytes(tampered))


def test_swapped_chunks_fail() -> None:
    dek, vid, _p, blob = _blob(3 * CHUNK_SIZE + 100)
    header, body = blob[:HEADER_SIZE], blob[HEADER_SIZE:]
    c0, c1, rest = body[:UNIT], body[UNIT : 2 * UNIT], body[2 * UNIT :]
    _fails(dek, vid, header + c1 + c0 + rest)


@pytest.mark.parametrize("cut", [1, TAG_SIZE, 100 + TAG_SIZE, UNIT])
def test_truncated_blob_fails(cut: int) -> None:
    dek, vid, _p, blob = _blob(3 * CHUNK_SIZE + 100)
    _fails(dek, vid, blob[:-cut])


def test_truncated_at_a_chunk_boundary_fails() -> None:
    dek, vid, _p, blob = _blob(3 * CHUNK_SIZE)  # every chunk full: the last one carries the flag
    _fails(dek, vid, blob[: HEADER_SIZE + 2 * UNIT])
    _fails(dek, vid, blob[:HEADER_SIZE])


def test_appended_chunk_fails() -> None:
    dek, vid, _p, blob = _blob(2 * CHUNK_SIZE)
    body = blob[HEADER_SIZE:]
    _fails(dek, vid, blob + body[:UNIT])  # a copy of chunk 0 appended
    _fails(dek, vid, blob + b"\x00" * 40)


def test_blob_of_another_version_fails() -> None:
    dek, _vid, _p, blob = _blob(1000)
    _fails(dek, uuid.uuid4(), blob)  # same key, other attachment version
    _fails(crypto.new_dek(), _vid, blob)


def test_header_from_another_blob_fails() -> None:
    dek, vid, _p, blob = _blob(1000)
    enc = crypto.StreamEncryptor(dek, vid)  # new salt and prefix
    _fails(dek, vid, enc.header + blob[HEADER_SIZE:])


def test_unknown_format_version_fails() -> None:
    dek, vid, _p, blob = _blob(10)
    _fails(dek, vid, blob[:4] + b"\x02" + blob[5:])


def test_dek_wrapping_binds_key_id_and_version() -> None:
    ring = keys.generate()
    dek, vid = crypto.new_dek(), uuid.uuid4()
    kid, wrapped = crypto.wrap_dek(ring, dek, vid)
    assert kid == ring.active_kek_id and dek not in wrapped
    assert crypto.unwrap_dek(ring, kid, wrapped, vid) == dek
    with pytest.raises(IntegrityFailure):
        crypto.unwrap_dek(ring, kid, wrapped, uuid.uuid4())
    other = keys.new_kek_id()
    ring.keks[other] = ring.keks[kid]  # same key material under another id still fails
    with pytest.raises(IntegrityFailure):
        crypto.unwrap_dek(ring, other, wrapped, vid)


def test_sealed_digest() -> None:
    dek, vid = crypto.new_dek(), uuid.uuid4()
    digest = bytes(range(32))
    sealed = crypto.seal_digest(dek, vid, digest)
    assert digest not in sealed
    assert crypto.open_digest(dek, vid, sealed) == digest
    with pytest.raises(IntegrityFailure):
        crypto.open_digest(dek, uuid.uuid4(), sealed)


def test_the_documented_decrypter_reads_our_blobs() -> None:
    """docs/attachment-format.md carries an independent decrypter: run it on real output."""
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "attachment-format.md").read_text()
    code = doc.split("## A decrypter in Python", 1)[1].split("```python", 1)[1].split("```")[0]
    namespace: dict[str, object] = {}
    exec(compile(code, "attachment-format.md", "exec"), namespace)  # noqa: S102
    decrypt = namespace["decrypt"]
    ring = keys.generate()
    for size in (0, 5, CHUNK_SIZE, 2 * CHUNK_SIZE + 3):
        dek, vid, plaintext, blob = _blob(size)
        kid, wrapped = crypto.wrap_dek(ring, dek, vid)
        assert decrypt(ring.kek(kid), kid, wrapped, str(vid), blob) == plaintext  # type: ignore[operator]


def test_chunking_does_not_depend_on_how_the_plaintext_is_fed() -> None:
    import hashlib
    import random

    rng = random.Random(4)
    for n in (0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE, 300_001):
        data = rng.randbytes(n)
        for pieces in (1, 7, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 1 << 20, None):
            dek, vid = crypto.new_dek(), uuid.uuid4()
            enc = crypto.StreamEncryptor(dek, vid)
            out, i = [enc.header], 0
            while i < n:
                step = pieces or rng.randrange(1, 200_000)
                out.append(enc.update(data[i : i + step]))
                i += step
            out.append(enc.finalize())
            blob = b"".join(out)
            assert len(blob) == HEADER_SIZE + n + TAG_SIZE * max(1, -(-n // CHUNK_SIZE))
            assert crypto.decrypt_bytes(dek, vid, blob) == data
            assert enc.sha256 is not None and enc.sha256.digest() == hashlib.sha256(data).digest()
