"""The blob digest over the chunks' tags (scheme 2) and the versions stored before it (scheme 1).

The upload computes the digest from the sealed chunks as it writes them; the storage check
computes it from the blob's bytes read in pieces of any size. Both must agree for every size
around the chunk boundaries, and the check must still catch what a key-less check can see."""

from __future__ import annotations

import hashlib
import random
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support import pdf, upload
from tracker.attachments import crypto
from tracker.attachments.models import AttachmentVersion
from tracker.db import db

CHUNK = crypto.CHUNK_SIZE


def _sealed(size: int) -> tuple[bytes, list[bytes]]:
    enc = crypto.StreamEncryptor(crypto.new_dek(), uuid.uuid4())
    chunks = enc.update_chunks(b"\x5a" * size) + [enc.finalize()]
    return enc.header, chunks


def _by_chunks(header: bytes, chunks: list[bytes]) -> str:
    digest = crypto.TagDigest()
    digest.add_header(header)
    for chunk in chunks:
        digest.add_chunk(chunk)
    return digest.hexdigest()


def _by_pieces(blob: bytes, seed: int) -> str:
    digest, rng, at = crypto.TagDigest(), random.Random(seed), 0
    while at < len(blob):
        step = rng.choice((1, 15, 16, 17, 47, 48, 4096, CHUNK + 16, 3 * CHUNK))
        digest.update(blob[at : at + step])
        at += step
    return digest.hexdigest()


@pytest.mark.parametrize("size", [1, 100, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 5])
def test_the_upload_and_the_check_agree_at_every_boundary(size: int) -> None:
    header, chunks = _sealed(size)
    blob = header + b"".join(chunks)
    expected = _by_chunks(header, chunks)
    for seed in range(4):
        assert _by_pieces(blob, seed) == expected
    # what docs/attachment-format.md §4 specifies, from the bytes alone
    body, unit = blob[crypto.HEADER_SIZE :], CHUNK + 16
    tags = b"".join(body[i : i + unit][-16:] for i in range(0, len(body), unit))
    spec = crypto.TAGS_INFO + header + tags + len(blob).to_bytes(8, "big")
    assert expected == hashlib.sha256(spec).hexdigest()


def test_what_the_digest_alone_catches() -> None:
    header, chunks = _sealed(2 * CHUNK + 10)
    blob = header + b"".join(chunks)
    good = _by_pieces(blob, 0)
    unit = CHUNK + 16
    damaged = {
        "a tag bit": blob[: crypto.HEADER_SIZE + unit - 1]
        + bytes([blob[crypto.HEADER_SIZE + unit - 1] ^ 1])
        + blob[crypto.HEADER_SIZE + unit :],
        "a header bit": blob[:20] + bytes([blob[20] ^ 1]) + blob[21:],
        "the last chunk cut off": blob[: crypto.HEADER_SIZE + 2 * unit],
        "a byte appended": blob + b"\0",
        "two chunks swapped": header + chunks[1] + chunks[0] + chunks[2],
    }
    for what, bad in damaged.items():
        assert _by_pieces(bad, 0) != good, what
    with pytest.raises(crypto.IntegrityFailure):
        _by_pieces(blob[:20], 0)


def _only_version() -> AttachmentVersion:
    return db.session.execute(sa.select(AttachmentVersion)).scalar_one()


def test_verify_checks_each_version_by_its_own_scheme(
    runner: Any, world: Any, api_as: Any, blob_dir: Path
) -> None:
    upload(api_as(world.users["company"]), world.project.id, pdf(150_000))
    version = _only_version()
    assert version.blob_digest_scheme == crypto.DIGEST_TAGS
    blob = (blob_dir / version.blob_name[:2] / version.blob_name).read_bytes()
    assert "Checked 1 versions, 0 failed." in runner.invoke(args=["attachments", "verify"]).output
    # a version stored before the tag digest: its digest is the sha256 of every byte
    version = _only_version()
    version.blob_digest_scheme = crypto.DIGEST_WHOLE_BLOB
    version.ciphertext_sha256 = hashlib.sha256(blob).hexdigest()
    db.session.commit()
    assert "Checked 1 versions, 0 failed." in runner.invoke(args=["attachments", "verify"]).output
    # read as a scheme 2 digest, the same value no longer matches: the scheme is honoured
    version = _only_version()
    version.blob_digest_scheme = crypto.DIGEST_TAGS
    db.session.commit()
    result = runner.invoke(args=["attachments", "verify"])
    assert result.exit_code == 1
    assert "blob digest differs" in result.output
