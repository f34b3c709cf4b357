"""The upload service takes a stream, not a request: called with a plain `io.BytesIO` and a
user, in an app context only (as a command would), it stores, encrypts and audits the file as
the API does, and a refused or cut-off body leaves nothing behind."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from flask import has_request_context
from werkzeug.exceptions import BadRequest

from tests.support import MARKER, audit_actions, blob_files, multipart, pdf, version_rows
from tracker.attachments import reading, service
from tracker.attachments.receive import FileTooLarge, UploadBody
from tracker.db import db


class _Counting(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.read_bytes = 0

    def read(self, size: int | None = -1, /) -> bytes:
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk


def test_a_stream_is_stored_encrypted_and_audited_without_a_request(
    world: Any, blob_dir: Any
) -> None:
    db.session.commit()  # the service starts by releasing the caller's transaction
    lawyer, data = world.users["lawyer"], pdf(300_000, marker=MARKER)
    body = multipart([("file", "계획.pdf", data), ("record_type", None, b"")])
    assert not has_request_context()
    version = service.upload(world.project, lawyer, UploadBody(io.BytesIO(body), b"XyZ"))
    db.session.commit()
    assert (version.filename, version.size, version.content_type) == (
        "계획.pdf",
        len(data),
        "application/pdf",
    )
    assert (version.uploaded_by_id, version.attachment.created_by_id) == (lawyer.id, lawyer.id)
    assert reading.plaintext_sha256(version) == hashlib.sha256(data).hexdigest()
    [blob] = blob_files(blob_dir)
    assert MARKER not in blob.read_bytes() and blob.stat().st_size > len(data)
    [event] = audit_actions("attachment.uploaded")
    assert (event.actor_id, event.ip) == (lawyer.id, None)
    assert event.detail == {
        "attachment_id": version.attachment_id,
        "version": 1,
        "version_id": version.id,
        "size": len(data),
        "content_type": "application/pdf",
        "record_type": None,
        "record_id": None,
    }


def test_a_declared_length_over_the_limit_is_refused_unread(
    world: Any, app: Any, blob_dir: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "TRACKER_MAX_UPLOAD_BYTES", 1000)
    db.session.commit()
    body = multipart([("file", "big.pdf", pdf(200_000))])
    stream = _Counting(body)
    with pytest.raises(FileTooLarge):
        service.upload(world.project, world.users["lawyer"], UploadBody(stream, b"XyZ", len(body)))
    assert stream.read_bytes == 0
    assert version_rows() == 0 and blob_files(blob_dir) == []


def test_a_stream_that_ends_early_leaves_nothing(world: Any, blob_dir: Any) -> None:
    db.session.commit()
    body = multipart([("file", "cut.pdf", pdf(300_000))])
    cut = UploadBody(io.BytesIO(body[: len(body) // 2]), b"XyZ", len(body))
    with pytest.raises(BadRequest):
        service.upload(world.project, world.users["lawyer"], cut)
    assert version_rows() == 0 and blob_files(blob_dir) == []
    assert audit_actions("attachment.uploaded") == []
