"""The evidence pack's data: the manifest (docs/product.md) and the files to stream.

Four statements whatever the asset's history: its files with their ready versions (+ uploaders),
the NDAs covering it, the audit events that touched it or its files. The plaintext SHA-256 of a
file is unsealed only for a reader who may download it (as the attachment metadata does).
The asset is the asset kind's record, loaded by the caller; its files come from attachments
(`tracker.attachments.record_files`), so no record model is imported here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa

from tracker import policy
from tracker.attachments.record_files import RecordFile, ready_files
from tracker.audit.models import AuditEvent
from tracker.audit.service import sealed
from tracker.auth.models import User
from tracker.cases.ndas.service import covering_ndas
from tracker.db import db
from tracker.reports.evidence import member_names

#: the object types an event about the asset or its files may carry: the table names the trail
#: wrote first and the API's resource names (docs/product.md), so the pack finds both
ASSET_TYPES = ("ip_assets", "asset")
ATTACHMENT_TYPES = ("attachments", "attachment")
VERSION_TYPES = ("attachment_versions",)


def _covering_ndas(asset: Any, today: dt.date) -> list[dict[str, Any]]:
    return [
        {
            "id": n.id,
            "partner": n.partner.name,
            "effective_on": n.effective_on,
            "expires_on": n.expires_on,
            "status": n.effective_status(today),
        }
        for n in covering_ndas(asset)
    ]


def access_events_query(asset: Any, versions: Iterable[RecordFile]) -> sa.Select[Any]:
    """Every audit event on the asset, its attachments and their versions, oldest first."""
    versions = list(versions)
    attachment_ids = sorted({v.attachment_id for v in versions})
    version_ids = sorted({v.id for v in versions})
    touched = [sa.and_(AuditEvent.object_type.in_(ASSET_TYPES), AuditEvent.object_id == asset.id)]
    if attachment_ids:
        touched.append(
            sa.and_(
                AuditEvent.object_type.in_(ATTACHMENT_TYPES),
                AuditEvent.object_id.in_(attachment_ids),
            )
        )
    if version_ids:
        touched.append(
            sa.and_(
                AuditEvent.object_type.in_(VERSION_TYPES), AuditEvent.object_id.in_(version_ids)
            )
        )
    stmt = sa.select(AuditEvent).where(sealed(), sa.or_(*touched))
    return stmt.order_by(AuditEvent.seq)


def _asset(asset: Any) -> dict[str, Any]:
    project = asset.project
    return {
        "id": asset.id,
        "title": asset.title,
        "kind": asset.kind,
        "sensitivity": asset.sensitivity,
        "confidentiality_marked": asset.confidentiality_marked,
        "project_id": project.id,
        "project": project.code,
        "company_id": project.company_id,
        "company": project.company.name,
        "created_at": asset.created_at,
    }


def arcname(version: RecordFile) -> str:
    """The name a version's bytes are given in the ZIP, before `MemberNames` makes it safe and
    puts it under `files/` (unique: attachment id and version number)."""
    return f"{version.attachment_id}/v{version.number}/{version.filename}"


def evidence(
    user: User,
    asset: Any,
    generated_at: dt.datetime,
    today: dt.date,
    dump_events: Callable[[list[AuditEvent]], list[dict[str, Any]]],
) -> tuple[dict[str, Any], list[RecordFile]]:
    """The manifest and the versions whose bytes the pack may carry (none for a reader who may
    not download). `dump_events` serialises audit events as the audit API does."""
    versions = ready_files(asset)
    may_download = policy.can(user, "attachment.download", asset.project)
    events = db.session.execute(access_events_query(asset, versions)).scalars().all()
    # the names the ZIP gives the files (`file_streams` hands it the same arcnames in order)
    paths = member_names(arcname(v) for v in versions)
    manifest = {
        "asset": _asset(asset),
        "generated_at": generated_at,
        "generated_by": {"id": user.id, "name": user.name, "role": user.role},
        "files": [
            {
                "attachment_id": v.attachment_id,
                "version": v.number,
                "filename": v.filename,
                "size": v.size,
                "sha256": v.sha256() if may_download else None,
                "uploaded_at": v.uploaded_at,
                "uploaded_by": v.uploaded_by,
                "path": path if may_download else None,
            }
            for v, path in zip(versions, paths, strict=True)
        ],
        "originality_cert_no": asset.originality_cert_no,
        "covering_ndas": _covering_ndas(asset, today),
        # who touched the asset and its files, and when: not the client addresses or the chain's
        # MACs, which the pack's readers (the company among them) may not read in the audit
        "access_events": [
            {k: v for k, v in event.items() if k not in ("ip", "mac")}
            for event in dump_events(list(events))
        ],
    }
    return manifest, versions if may_download else []


def file_streams(versions: list[RecordFile]) -> list[tuple[str, Iterable[bytes]]]:
    """Each version's decrypting stream, its download audited now (as a download would be);
    the bytes are read only while the ZIP is written."""
    return [(arcname(v), v.stream()) for v in versions]
