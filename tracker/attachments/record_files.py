"""A record's files for a package that ships them whole (an asset's evidence pack): its ready
versions, what a manifest says of each and their decrypting streams. The versions stay inside
this package, so the caller imports no attachment model (docs/architecture.md "Adding a
record kind")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker import records
from tracker.attachments import downloads
from tracker.attachments.models import Attachment, AttachmentVersion
from tracker.attachments.reading import plaintext_sha256
from tracker.db import db


class RecordFile:
    """One ready version of a record's file."""

    def __init__(self, version: AttachmentVersion) -> None:
        self._version = version
        self.id: int = version.id
        self.attachment_id: int = version.attachment_id
        self.number: int = version.number
        self.filename: str = version.filename
        self.size: int = version.size
        self.uploaded_at: dt.datetime | None = version.ready_at
        self.uploaded_by: str | None = version.uploaded_by.name if version.uploaded_by else None

    def sha256(self) -> str:
        """The plaintext SHA-256 (hex), unsealed: only for a reader who may download it."""
        return plaintext_sha256(self._version)

    def stream(self) -> Iterable[bytes]:
        """The decrypting stream; the download is audited now, as a download would be."""
        return downloads.download(self._version).chunks


def ready_files(record: Any) -> list[RecordFile]:
    """The ready versions of the record's files (its kind's `files`), oldest file first, then
    by version, uploaders loaded: one statement and one for the versions."""
    kind = records.of(record)
    if kind.files is None:
        return []
    attachments = (
        db.session.execute(
            sa.select(Attachment)
            .where(
                Attachment.project_id == record.project_id,
                Attachment.record_type == kind.files.type,
                Attachment.record_id == record.id,
            )
            .options(selectinload(Attachment.versions).joinedload(AttachmentVersion.uploaded_by))
            .order_by(Attachment.id)
        )
        .scalars()
        .all()
    )
    return [RecordFile(v) for a in attachments for v in a.versions if v.state == "ready"]
