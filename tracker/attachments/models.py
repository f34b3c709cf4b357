"""Encrypted files attached to a project or to one of its records, with their versions."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.attachments.crypto import DIGEST_TAGS
from tracker.auth.models import User
from tracker.cases.projects.models import Project
from tracker.db import Model, UTCDateTime, str_enum, utcnow

RECORD_TYPES = ("nda", "asset", "disclosure", "session", "review", "transfer")
VERSION_STATES = ("pending", "ready", "deleted")


def new_uuid() -> str:
    return str(uuid_module.uuid4())


class Attachment(Model):
    """One file of a project (optionally of one record); its content lives in its versions."""

    __tablename__ = "attachments"
    #: the object type of its audit events (the API's resource name)
    __audit_type__ = "attachment"
    __table_args__ = (
        # the project's list (newest first) and a record's files
        sa.Index("ix_attachments_project_listing", "project_id", "updated_at", "id"),
        # ... sorted by name
        sa.Index("ix_attachments_project_filename", "project_id", "filename", "id"),
        sa.Index("ix_attachments_record", "project_id", "record_type", "record_id", "filename"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uuid)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"))
    #: the kind of record the file belongs to (None: the project itself)
    record_type: Mapped[str | None] = mapped_column(str_enum(*RECORD_TYPES, name="record_type"))
    #: id of that record in its own table (checked against the project on upload)
    record_id: Mapped[int | None]
    #: sanitised original name of the latest version; metadata only, never a path
    filename: Mapped[str] = mapped_column(sa.String(255))
    #: number of the latest ready version (0 while none is ready)
    current_version: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: when the latest version became ready (the list's sort key)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship()
    created_by: Mapped[User | None] = relationship()
    versions: Mapped[list[AttachmentVersion]] = relationship(
        back_populates="attachment", order_by="AttachmentVersion.number"
    )


class AttachmentVersion(Model):
    """One uploaded content of an attachment: its wrapped key, hashes and blob."""

    __tablename__ = "attachment_versions"
    #: its events (uploads, downloads) are filed against the attachment, the version in
    #: the detail
    __audit_type__ = "attachment"
    __audit_parent__ = "attachment_id"
    __table_args__ = (
        sa.UniqueConstraint("attachment_id", "number"),
        # the sweeper looks for old rows that never became ready
        sa.Index("ix_attachment_versions_state_created", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: bound into the wrapped DEK and the stream key: a blob moved elsewhere fails to decrypt
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uuid)
    attachment_id: Mapped[int] = mapped_column(sa.ForeignKey("attachments.id", ondelete="CASCADE"))
    number: Mapped[int]
    filename: Mapped[str] = mapped_column(sa.String(255))
    #: plaintext size in bytes
    size: Mapped[int] = mapped_column(sa.BigInteger)
    #: detected from the bytes (never from the client's claim)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    #: the blob's digest, hex: storage checks need no key. Computed by `blob_digest_scheme`
    #: (tracker.attachments.crypto): 1, sha256 of every byte (versions stored before
    #: 2026-12-06); 2, sha256 of the header and the chunks' GCM tags
    ciphertext_sha256: Mapped[str] = mapped_column(sa.String(64))
    blob_digest_scheme: Mapped[int] = mapped_column(
        sa.SmallInteger, default=DIGEST_TAGS, server_default=sa.text("1")
    )
    #: sha256 of the plaintext, sealed under a key derived from the DEK
    plaintext_sha256_sealed: Mapped[bytes] = mapped_column(sa.LargeBinary(64))
    #: the KEK that wraps the DEK (rotation re-wraps and changes it)
    kek_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    #: nonce ‖ AES-256-GCM(KEK, DEK) with the key id and uuid as associated data
    wrapped_dek: Mapped[bytes] = mapped_column(sa.LargeBinary(64))
    #: server-generated name in the blob store
    blob_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    state: Mapped[str] = mapped_column(str_enum(*VERSION_STATES, name="state"), default="pending")
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ready_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    attachment: Mapped[Attachment] = relationship(back_populates="versions")
    uploaded_by: Mapped[User | None] = relationship()

    @property
    def project(self) -> Project:
        return self.attachment.project
