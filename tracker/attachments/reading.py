"""Reading attachments: one inside the caller's scope, lists, what a user may learn of a file."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import NotFound

from tracker import policy, record_names, records
from tracker.attachments import crypto
from tracker.attachments.models import Attachment, AttachmentVersion
from tracker.auth.models import User
from tracker.cases.projects.models import Project
from tracker.db import db
from tracker.keys import current as key_ring
from tracker.web import sorting
from tracker.web.ids import is_id

#: the sortable columns of a project's files (`sorting.ordered`): each backed by an index that
#: starts with the project (`ix_attachments_project_listing`, `ix_attachments_project_filename`)
SORTS: dict[str, Any] = {
    "filename": Attachment.filename,
    "uploaded_at": Attachment.updated_at,
}
#: the list's order when none is asked for: the latest upload first
DEFAULT_SORT = "-uploaded_at"


def attachment_or_404(user: User, attachment_id: int) -> Attachment:
    """A listed (ready) attachment inside the user's scope, with its versions loaded; 403 when
    the user may not see the record it belongs to."""
    if not is_id(attachment_id):
        raise NotFound()
    attachment = db.session.execute(
        sa.select(Attachment)
        .where(Attachment.id == attachment_id, Attachment.current_version > 0)
        .options(
            joinedload(Attachment.project),
            selectinload(Attachment.versions).joinedload(AttachmentVersion.uploaded_by),
        )
    ).scalar_one_or_none()
    if attachment is None or not policy.in_scope(user, attachment.project):
        raise NotFound()
    policy.require(user, records.file_visibility()[attachment.record_type], attachment.project)
    return attachment


def list_stmt(
    user: User,
    project: Project,
    record_type: str | None = None,
    record_id: int | None = None,
    sort: str = DEFAULT_SORT,
) -> sa.Select[Any]:
    """Ready attachments of a project (optionally of one record) whose records `user` may
    see, in the order of `sort` (a value of `sorting.choices(SORTS)`: the latest upload first
    without one), the id breaking ties."""
    types = policy.visible_file_types(user, project)
    named = [t for t in types if t is not None]
    of_visible_records = sa.or_(
        Attachment.record_type.in_(named),
        Attachment.record_type.is_(None) if None in types else sa.false(),
    )
    stmt = (
        sa.select(Attachment)
        .where(
            Attachment.project_id == project.id,
            Attachment.current_version > 0,
            of_visible_records,
        )
        .options(selectinload(Attachment.versions).joinedload(AttachmentVersion.uploaded_by))
    )
    stmt = sorting.ordered(stmt, sort, SORTS, Attachment.id)
    if record_type is not None:
        stmt = stmt.where(Attachment.record_type == record_type)
    if record_id is not None:
        # an id no row can have matches nothing (in SQL it would fail: a 500)
        stmt = stmt.where(Attachment.record_id == record_id if is_id(record_id) else sa.false())
    return stmt


def belongs_to(user: User, attachments: list[Attachment]) -> dict[int, tuple[str, str | None]]:
    """The name and link of the record each file belongs to (attachment id -> (name, link);
    files of the project itself are left out), named as the audit trail names it
    (`tracker.record_names`), all in one statement: the kind's name alone, without a link,
    where the user may not see the record's name."""
    kinds = {a.id: records.by_file_type(a.record_type) for a in attachments if a.record_type}
    wanted: dict[str, set[int]] = defaultdict(set)
    for attachment in attachments:
        kind = kinds.get(attachment.id)
        if kind is not None and attachment.record_id is not None:
            wanted[kind.type].add(attachment.record_id)
    found = record_names.names(user, wanted) if wanted else {}
    named: dict[int, tuple[str, str | None]] = {}
    for attachment in attachments:
        kind = kinds.get(attachment.id)
        if kind is not None:
            key = (kind.type, attachment.record_id or 0)
            named[attachment.id] = found.get(key) or (str(kind.name), None)
    return named


def ready_versions(attachment: Attachment) -> list[AttachmentVersion]:
    return [v for v in attachment.versions if v.state == "ready"]


def version_of(attachment: Attachment, number: int | None) -> AttachmentVersion:
    wanted = number if number is not None else attachment.current_version
    for version in ready_versions(attachment):
        if version.number == wanted:
            return version
    raise NotFound()


def plaintext_sha256(version: AttachmentVersion) -> str:
    """The plaintext sha256 (hex), unsealed; only for users who may download the file."""
    ring = key_ring()
    version_uuid = uuid.UUID(version.uuid)
    dek = crypto.unwrap_dek(ring, version.kek_id, version.wrapped_dek, version_uuid)
    return crypto.open_digest(dek, version_uuid, version.plaintext_sha256_sealed).hex()


def version_dict(version: AttachmentVersion, show_digest: bool) -> dict[str, Any]:
    return {
        "version": version.number,
        "filename": version.filename,
        "size": version.size,
        "content_type": version.content_type,
        "sha256": plaintext_sha256(version) if show_digest else None,
        "uploaded_by": version.uploaded_by.name if version.uploaded_by else None,
        "uploaded_at": version.ready_at,
    }


def describe(attachment: Attachment, user: User, with_versions: bool = False) -> dict[str, Any]:
    """The metadata a user may see: the plaintext sha256 only for those who may download."""
    show_digest = policy.can(user, "attachment.download", attachment.project)
    latest = version_of(attachment, None)
    # each version described once (its digest costs a key unwrap), the latest among them
    described = {
        v.number: version_dict(v, show_digest)
        for v in (ready_versions(attachment) if with_versions else [latest])
    }
    body = {
        "id": attachment.id,
        "record_type": attachment.record_type,
        "record_id": attachment.record_id,
        "created_at": attachment.created_at,
        "updated_at": attachment.updated_at,
        **described[latest.number],
    }
    if with_versions:
        body["versions"] = list(described.values())
    return body
