"""Property tests (hypothesis) of the attachment format: any plaintext, cut into any pieces,
with any allowed chunk size, round-trips; any truncation, extension or single bit flip of the
blob is detected (IntegrityFailure or a refused header, never wrong plaintext)."""

from __future__ import annotations

import io
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.attachments import crypto
from tracker.attachments.crypto import MIN_CHUNK, IntegrityFailure

DEK = crypto.new_dek()
VID = uuid.UUID(int=11)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
plaintexts = st.binary(max_size=5 * MIN_CHUNK)
chunk_sizes = st.sampled_from([MIN_CHUNK, MIN_CHUNK + 1, 3 * MIN_CHUNK])


def _encrypt(plaintext: bytes, chunk: int, cuts: list[int]) -> bytes:
    enc = crypto.StreamEncryptor(DEK, VID, chunk_size=chunk)
    out, start = [enc.header], 0
    for cut in sorted(c % (len(plaintext) + 1) for c in cuts):
        out.append(enc.update(plaintext[start:cut]))
        start = cut
    out.append(enc.update(plaintext[start:]))
    out.append(enc.finalize())
    return b"".join(out)


def _decrypt(blob: bytes) -> bytes:
    return b"".join(crypto.decrypt_stream(io.BytesIO(blob).read, DEK, VID))


@SETTINGS
@given(plaintexts, chunk_sizes, st.lists(st.integers(min_value=0), max_size=6))
def test_any_plaintext_in_any_pieces_round_trips(
    plaintext: bytes, chunk: int, cuts: list[int]
) -> None:
    assert _decrypt(_encrypt(plaintext, chunk, cuts)) == plaintext


@SETTINGS
@given(plaintexts, chunk_sizes, st.data())
def test_truncation_is_detected(plaintext: bytes, chunk: int, data: st.DataObject) -> None:
    blob = _encrypt(plaintext, chunk, [])
    keep = data.draw(st.integers(min_value=0, max_value=len(blob) - 1))
    with pytest.raises((IntegrityFailure, ValueError)):
        _decrypt(blob[:keep])


@SETTINGS
@given(plaintexts, chunk_sizes, st.binary(min_size=1, max_size=64))
def test_extension_is_detected(plaintext: bytes, chunk: int, tail: bytes) -> None:
    with pytest.raises((IntegrityFailure, ValueError)):
        _decrypt(_encrypt(plaintext, chunk, []) + tail)


@SETTINGS
@given(plaintexts, chunk_sizes, st.data())
def test_any_bit_flip_is_detected(plaintext: bytes, chunk: int, data: st.DataObject) -> None:
    blob = bytearray(_encrypt(plaintext, chunk, []))
    bit = data.draw(st.integers(min_value=0, max_value=len(blob) * 8 - 1))
    blob[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises((IntegrityFailure, ValueError)):
        _decrypt(bytes(blob))


@SETTINGS
@given(plaintexts)
def test_another_version_id_does_not_open_the_blob(plaintext: bytes) -> None:
    blob = crypto.encrypt_bytes(DEK, VID, plaintext)
    with pytest.raises(IntegrityFailure):
        crypto.decrypt_bytes(DEK, uuid.UUID(int=12), blob)
