"""Attachment operations shared by the HTML views, the API and the CLI.

Upload: the body stream the caller hands over (a request's, opened by tracker.attachments.body;
any readable elsewhere) is received and encrypted into a temporary blob
(tracker.attachments.receive), the blob is made durable (fsync, rename, directory fsync), and
only then is the version row flushed as `ready` with its audit event, which the caller (the
request) commits together. Nothing here reads the request or the signed-in user.
Download: every download is audited; the content is decrypted and authenticated chunk by chunk
while it streams, and a chunk that fails ends the response with an error (and is audited).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import NotFound

from tracker import policy, records
from tracker.attachments import crypto
from tracker.attachments.models import RECORD_TYPES, Attachment, AttachmentVersion
from tracker.attachments.receive import IncomingFile, UploadBody, receive, refuse_oversized
from tracker.attachments.storage import blob_store, new_blob_name
from tracker.audit.service import record
from tracker.auth.models import User
from tracker.cases import search
from tracker.cases.projects.models import Project
from tracker.db import db, utcnow
from tracker.errors import InvalidInput, StateConflict
from tracker.keys import current as key_ring
from tracker.web.ids import get_or_none, is_id


def upload_limit() -> int:
    """The largest file accepted, in bytes: the app's setting, read in an app context (the
    blob store and the key ring need one too), so no request is needed."""
    return int(current_app.config["TRACKER_MAX_UPLOAD_BYTES"])


def upload(
    project: Project,
    user: User,
    body: UploadBody,
    before_file: Callable[[dict[str, str]], None] | None = None,
) -> AttachmentVersion:
    """Store the file of the multipart `body` (`file`, optional `record_type` + `record_id` or
    `attachment_id`) as a new attachment or a new version, uploaded by `user`.

    A version is added when `attachment_id` is sent, or when the same record (or the project)
    already has a ready file of the same name. Raises InvalidInput (422: no file, empty or
    disallowed file, bad record), FileTooLarge (413), BadRequest (400: malformed body),
    StateConflict (409: a concurrent upload took the version number), NotFound or Forbidden
    (the uploader lost the project or the role while the body streamed in). Audited.
    The caller's transaction is rolled back first: it must hold nothing unsaved.
    """
    project_id = project.id
    store = blob_store()
    refuse_oversized(body.length, upload_limit())
    # Release the read transaction before a long stream: SQLite runs every transaction as
    # BEGIN IMMEDIATE, so holding it would block every writer for the whole upload. The
    # caller has written nothing yet (a view has only loaded and checked).
    db.session.rollback()
    received = receive(body.stream, body.boundary, store, upload_limit(), before_file)
    incoming = received.file
    name = new_blob_name()
    try:
        # durable (fsync, rename, directory fsync) before the database is touched again, so no
        # lock is held while a large file is flushed
        incoming.writer.publish(name)
    except BaseException:
        incoming.abort()
        raise
    try:
        # Uploads to one project are serialised from here to the commit (a row lock on
        # PostgreSQL; SQLite's BEGIN IMMEDIATE already does it), so two uploads of the same
        # name cannot both create an attachment, nor take the same version number. NO KEY
        # UPDATE: rows that merely reference the project (foreign keys) are not held up.
        project = (
            db.session.get(Project, project_id, with_for_update={"key_share": True}) or _gone()
        )
        # asked again: a long upload may end after the uploader lost the project or the role
        policy.require(user, "attachment.upload", project)
        attachment = _target(project, user, received.fields, incoming.filename)
        return _record_version(attachment, user, incoming, name)
    except BaseException:
        store.delete(name)
        raise


def _gone() -> Project:
    raise NotFound()


def _record_version(
    attachment: Attachment, user: User, incoming: IncomingFile, blob_name: str
) -> AttachmentVersion:
    ring = key_ring()
    kek_id, wrapped = crypto.wrap_dek(ring, incoming.dek, incoming.uuid)
    now = utcnow()
    version = AttachmentVersion(
        uuid=str(incoming.uuid),
        attachment=attachment,
        number=attachment.current_version + 1,
        filename=incoming.filename,
        size=incoming.size,
        content_type=incoming.content_type,
        ciphertext_sha256=incoming.blob_sha256,
        plaintext_sha256_sealed=crypto.seal_digest(
            incoming.dek, incoming.uuid, incoming.plaintext_sha256
        ),
        kek_id=kek_id,
        wrapped_dek=wrapped,
        blob_name=blob_name,
        state="ready",
        uploaded_by=user,
        created_at=now,
        ready_at=now,
    )
    attachment.current_version = version.number
    attachment.filename = incoming.filename
    attachment.updated_at = now
    db.session.add(version)
    try:
        db.session.flush()
    except IntegrityError:
        raise StateConflict(
            _("Another version of this file was uploaded at the same time.")
        ) from None
    search.index(attachment)
    record(
        "attachment.uploaded",
        version,
        actor_id=user.id,
        detail={
            "attachment_id": attachment.id,
            "version": version.number,
            "size": version.size,
            "content_type": version.content_type,
            "record_type": attachment.record_type,
            "record_id": attachment.record_id,
        },
    )
    return version


def _int_field(fields: dict[str, str], name: str) -> int | None:
    raw = fields.get(name, "").strip()
    if not raw:
        return None
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        raise InvalidInput({name: [_("Not a valid integer.")]})
    return int(raw)


def _target(project: Project, user: User, fields: dict[str, str], filename: str) -> Attachment:
    """The attachment the upload goes to (new or existing), after checking its record."""
    record_type = fields.get("record_type", "").strip() or None
    record_id = _int_field(fields, "record_id")
    attachment_id = _int_field(fields, "attachment_id")
    if attachment_id is not None:
        existing = get_or_none(Attachment, attachment_id)
        if existing is None or existing.project_id != project.id or not existing.current_version:
            raise InvalidInput({"attachment_id": [_("No such file in this project.")]})
        if record_type is not None and (record_type, record_id) != (
            existing.record_type,
            existing.record_id,
        ):
            raise InvalidInput({"attachment_id": [_("This file belongs to another record.")]})
        return existing
    if record_type is not None or record_id is not None:
        check_record(project, user, record_type, record_id)
    existing = db.session.execute(
        sa.select(Attachment)
        .where(
            Attachment.project_id == project.id,
            Attachment.record_type.is_(None)
            if record_type is None
            else Attachment.record_type == record_type,
            Attachment.record_id.is_(None)
            if record_id is None
            else Attachment.record_id == record_id,
            Attachment.filename == filename,
            Attachment.current_version > 0,
        )
        # the newest, should an older database hold two of the same name
        .order_by(Attachment.updated_at.desc(), Attachment.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    attachment = Attachment(
        project=project,
        record_type=record_type,
        record_id=record_id,
        filename=filename,
        current_version=0,
        created_by=user,
    )
    db.session.add(attachment)
    return attachment


def check_record(
    project: Project, user: User, record_type: str | None, record_id: int | None
) -> None:
    """The record named by (record_type, record_id) must exist in `project`, and not be
    another user's draft (else 422)."""
    if record_type not in RECORD_TYPES:
        raise InvalidInput(
            {"record_type": [_("Must be one of: %(values)s.", values=", ".join(RECORD_TYPES))]}
        )
    if record_id is None:
        raise InvalidInput({"record_id": [_("Give the id of the record.")]})
    # the kind whose files carry that record_type (`tracker.records`); none when that kind is
    # not registered, so it simply has no records to attach to
    kind = records.by_file_type(record_type)
    found: Any = db.session.get(kind.model, record_id) if kind and is_id(record_id) else None
    owner = getattr(found, "private_to", None)
    if found is None or found.project_id != project.id or owner not in (None, user.id):
        raise InvalidInput({"record_id": [_("No such record in this project.")]})
    if owner is not None:
        # a draft's files would show in the project's file list; it takes files once submitted
        raise InvalidInput({"record_id": [_("Submit the draft before attaching files.")]})
