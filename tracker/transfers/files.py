"""The attachments a request names, with their plaintext sha256 as it was at filing.

The digest is evidence, so the ledger keeps its own copy (the attachment may later get a new
version or be deleted and swept). Like the attachments' own digest (docs/product.md) it is
not stored in the clear, so a database reader cannot confirm that a known document went out:
it is sealed with AES-256-GCM under a key derived (HKDF) from the audit key, which lives in the
key file and is never rotated by `keys rotate` (a KEK rotation therefore leaves these intact).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from tracker import keys, policy
from tracker.attachments import reading as attachment_reading
from tracker.attachments.models import Attachment
from tracker.cases.projects.models import Project
from tracker.db import db
from tracker.transfers.models import TransferFile

DIGEST_INFO = b"tracker transfer file sha256 v1"
NONCE_SIZE = 12


def _key() -> bytes:
    return keys.derive(keys.current().audit_key, DIGEST_INFO)


def _context(attachment_id: int, version: int) -> bytes:
    return f"transfer_file|{attachment_id}|{version}".encode()


def seal_digest(hex_digest: str, attachment_id: int, version: int) -> bytes:
    nonce = secrets.token_bytes(NONCE_SIZE)
    sealed = AESGCM(_key()).encrypt(
        nonce, bytes.fromhex(hex_digest), _context(attachment_id, version)
    )
    return nonce + sealed


def file_sha256(file: TransferFile) -> str:
    """The plaintext sha256 (hex) the file had when the request was filed."""
    return digester()(file.attachment_id, file.attachment_version, file.sha256_sealed)


def digester() -> Callable[[int, int, bytes], str]:
    """`file_sha256` of (attachment id, version, sealed digest), the key derived once for a
    list of files."""
    aead = AESGCM(_key())

    def digest(attachment_id: int, version: int, sealed: bytes) -> str:
        context = _context(attachment_id, version)
        return aead.decrypt(sealed[:NONCE_SIZE], sealed[NONCE_SIZE:], context).hex()

    return digest


def may_see_sha256(user: Any, transfer: Any) -> bool:
    """Whether `user` may see the plaintext digests of the files a request names: only those who
    may download them (docs/product.md). A digest lets its holder confirm a guessed document;
    operators and auditors see a file's name, size and version instead."""
    return policy.can(user, "attachment.download", transfer)


def _ready_stmt(project: Project) -> sa.Select[Any]:
    """The project's attachments that have a ready version."""
    return sa.select(Attachment).where(
        Attachment.project_id == project.id, Attachment.current_version > 0
    )


def _ready(project: Project, attachment_ids: Sequence[int]) -> list[Attachment]:
    stmt = (
        _ready_stmt(project)
        .where(Attachment.id.in_(set(attachment_ids)))
        .options(selectinload(Attachment.versions))
    )
    return list(db.session.execute(stmt).scalars())


def files_for(
    project: Project, attachment_ids: Sequence[int]
) -> tuple[list[TransferFile], list[str]]:
    """The files for `attachment_ids` (ready attachments of `project`, their current version),
    or the reason they cannot be named."""
    if not attachment_ids:
        return [], []
    files = []
    for attachment in _ready(project, attachment_ids):
        ready = [
            v
            for v in attachment.versions
            if v.state == "ready" and v.number == attachment.current_version
        ]
        if not ready:
            continue
        version = ready[0]
        digest = attachment_reading.plaintext_sha256(version)
        files.append(
            TransferFile(
                attachment_id=attachment.id,
                attachment_version=version.number,
                filename=version.filename,
                size=version.size,
                sha256_sealed=seal_digest(digest, attachment.id, version.number),
            )
        )
    if len(files) != len(set(attachment_ids)):
        return [], [_("Every file must be a ready attachment of this project.")]
    return files, []


def carried_asset_ids(project: Project, attachment_ids: Sequence[int]) -> set[int]:
    """The assets whose files are among `attachment_ids`: sharing an asset's file shares the
    asset, so the gate must check it as if it were named."""
    if not attachment_ids:
        return set()
    stmt = sa.select(Attachment.record_id).where(
        Attachment.project_id == project.id,
        Attachment.id.in_(set(attachment_ids)),
        Attachment.record_type == "asset",
    )
    return {rid for rid in db.session.execute(stmt).scalars() if rid is not None}


def choices(project: Project) -> list[tuple[int, str]]:
    """The ready attachments of `project` a request may name, as (id, label)."""
    stmt = _ready_stmt(project).order_by(Attachment.filename, Attachment.id).limit(500)
    return [(a.id, a.filename) for a in db.session.execute(stmt).scalars()]
