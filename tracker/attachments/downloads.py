"""Downloads: audited, decrypted and authenticated chunk by chunk while they stream.

A chunk that fails authentication ends the response with an error (the WSGI server cuts the
connection, so the client sees an incomplete transfer, never altered bytes as complete) and the
failure is audited in its own transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_request_context, request
from flask_login import current_user

from tracker.attachments import crypto
from tracker.attachments.models import AttachmentVersion
from tracker.attachments.service import key_ring
from tracker.attachments.storage import blob_store
from tracker.audit.service import record, record_apart


@dataclass
class Download:
    filename: str
    content_type: str
    size: int
    sha256: bytes
    chunks: Iterator[bytes]


def download(version: AttachmentVersion) -> Download:
    """Audit the download and return the decrypting stream of `version`.

    The stream raises IntegrityFailure at the first chunk that does not authenticate; that
    failure is audited (and committed on its own, as the response has already started).
    """
    ring = key_ring()
    version_uuid = uuid.UUID(version.uuid)
    try:
        dek = crypto.unwrap_dek(ring, version.kek_id, version.wrapped_dek, version_uuid)
        digest = crypto.open_digest(dek, version_uuid, version.plaintext_sha256_sealed)
    except crypto.IntegrityFailure as exc:
        audit_integrity_failure(_which(version), str(exc), actor_id())
        raise
    detail = {"attachment_id": version.attachment_id, "version": version.number}
    record("attachment.downloaded", version, detail=detail)
    failure = _failure_auditor(_which(version))
    chunks = _decrypting(blob_store(), version.blob_name, dek, version_uuid, failure)
    return Download(version.filename, version.content_type, version.size, digest, chunks)


def actor_id() -> int | None:
    """The signed-in user downloading, if any (the failure auditor runs after the request)."""
    return int(current_user.id) if current_user.is_authenticated else None


def _which(version: AttachmentVersion) -> dict[str, int]:
    """The file and version an integrity failure is filed under."""
    return {
        "attachment_id": version.attachment_id,
        "version": version.number,
        "version_id": version.id,
    }


def _failure_auditor(which: dict[str, int]) -> Callable[[str], None]:
    """Audits a failure found while streaming, after the request context is gone: it runs in
    its own app context and transaction, with the actor and address captured now."""

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    actor = actor_id()
    address = request.remote_addr if has_request_context() else None

    def audit(reason: str) -> None:
        with app.app_context():
            audit_integrity_failure(which, reason, actor_id=actor, address=address)

    return audit


def _decrypting(
    store: Any,
    blob_name: str,
    dek: bytes,
    version_uuid: uuid.UUID,
    on_failure: Callable[[str], None],
) -> Iterator[bytes]:
    try:
        with store.open(blob_name) as fh:
            yield from crypto.decrypt_stream(fh.read, dek, version_uuid)
    except crypto.IntegrityFailure as exc:
        on_failure(str(exc))
        raise
    except OSError as exc:
        on_failure(f"blob unreadable: {type(exc).__name__}")
        raise crypto.IntegrityFailure("the blob cannot be read") from None


def audit_integrity_failure(
    which: dict[str, int], reason: str, actor_id: int | None = None, address: str | None = None
) -> None:
    """Record a failed authentication in its own transaction (the request will not commit)."""
    record_apart(
        "attachment.integrity_failed",
        reason="the download is cut off and never commits; the failure must stay on record",
        object_type=AttachmentVersion.__audit_type__,
        object_id=which["attachment_id"],
        actor_id=actor_id,
        detail={**which, "reason": reason[:200], "client": address},
    )
