"""Keeping the store and the database in step: sweeping, verifying, re-wrapping keys."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask

from tracker.attachments import crypto
from tracker.attachments.models import AttachmentVersion
from tracker.attachments.service import key_ring
from tracker.attachments.storage import blob_store
from tracker.audit.service import record
from tracker.db import db, utcnow
from tracker.keys import KeyFileError, KeyRing

log = logging.getLogger(__name__)

#: uploads younger than this are left alone by the sweeper (they may still be in flight)
DEFAULT_GRACE_SECONDS = 3600
BATCH = 500


@dataclass
class SweepReport:
    temporary_files: int = 0
    pending_rows: int = 0
    orphan_blobs: int = 0

    def total(self) -> int:
        return self.temporary_files + self.pending_rows + self.orphan_blobs


def sweep(grace_seconds: float = DEFAULT_GRACE_SECONDS) -> SweepReport:
    """Remove what an interrupted upload left behind: temporary files, rows that never became
    ready (and their blobs), and blobs no row knows (a crash between rename and commit).
    Only things older than `grace_seconds` are touched (younger ones may be in flight).
    Commits; audits what it removed."""
    store = blob_store()
    report = SweepReport()
    report.temporary_files = store.remove_stale_temporaries(grace_seconds)
    cutoff = utcnow() - dt.timedelta(seconds=grace_seconds)
    stale = db.session.execute(
        sa.select(AttachmentVersion).where(
            AttachmentVersion.state == "pending",
            AttachmentVersion.created_at <= cutoff,
        )
    ).scalars()
    for version in stale:
        store.delete(version.blob_name)
        db.session.delete(version)
        report.pending_rows += 1
    db.session.flush()
    cutoff_ts = time.time() - grace_seconds
    candidates = [name for name, mtime in store.names() if mtime <= cutoff_ts]
    for start in range(0, len(candidates), BATCH):
        batch = candidates[start : start + BATCH]
        known = set(
            db.session.execute(
                sa.select(AttachmentVersion.blob_name).where(AttachmentVersion.blob_name.in_(batch))
            ).scalars()
        )
        for name in batch:
            if name not in known:
                store.delete(name)
                report.orphan_blobs += 1
    if report.total():
        record(
            "attachment.swept",
            object_type=AttachmentVersion.__audit_type__,
            detail={
                "temporary_files": report.temporary_files,
                "pending_rows": report.pending_rows,
                "orphan_blobs": report.orphan_blobs,
            },
            actor_id=None,
        )
    db.session.commit()
    return report


@dataclass
class VerifyReport:
    checked: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)


def verify_version(ring: KeyRing, version: AttachmentVersion) -> str | None:
    """None when the blob decrypts and both hashes match, else what is wrong."""
    version_uuid = uuid.UUID(version.uuid)
    blob_hash, plain_hash = crypto.blob_digester(version.blob_digest_scheme), hashlib.sha256()
    try:
        dek = crypto.unwrap_dek(ring, version.kek_id, version.wrapped_dek, version_uuid)
        expected = crypto.open_digest(dek, version_uuid, version.plaintext_sha256_sealed)
        with blob_store().open(version.blob_name) as fh:

            def read(n: int) -> bytes:
                data = fh.read(n)
                blob_hash.update(data)
                return data

            for chunk in crypto.decrypt_stream(read, dek, version_uuid):
                plain_hash.update(chunk)
    except (crypto.IntegrityFailure, KeyFileError) as exc:
        return str(exc)
    except OSError as exc:
        return f"blob unreadable: {type(exc).__name__}"
    if blob_hash.hexdigest() != version.ciphertext_sha256:
        return "blob digest differs"
    if plain_hash.digest() != expected:
        return "plaintext sha256 differs"
    return None


def verify() -> VerifyReport:
    """Check every ready blob (one batch of rows at a time)."""
    ring = key_ring()
    report = VerifyReport()
    last_id = 0
    while True:
        versions = list(
            db.session.execute(
                sa.select(AttachmentVersion)
                .where(AttachmentVersion.state == "ready", AttachmentVersion.id > last_id)
                .order_by(AttachmentVersion.id)
                .limit(BATCH)
            ).scalars()
        )
        if not versions:
            return report
        for version in versions:
            report.checked += 1
            problem = verify_version(ring, version)
            if problem:
                report.failures.append((version.id, problem))
        last_id = versions[-1].id
        db.session.commit()  # read-only: do not hold one transaction across the whole store
        db.session.expunge_all()


def old_key_rows(ring: KeyRing) -> int:
    """How many versions still have their DEK wrapped under a KEK other than the active one."""
    return int(
        db.session.execute(
            sa.select(sa.func.count()).where(AttachmentVersion.kek_id != ring.active_kek_id)
        ).scalar_one()
    )


def rewrap_all(
    ring: KeyRing,
    batch: int = BATCH,
    limit: int | None = None,
    failures: list[tuple[int, str]] | None = None,
) -> int:
    """Re-wrap every DEK under the active KEK, committing each batch (so an interrupted run
    resumes where it stopped; `limit` caps the rows looked at). Content is untouched. Returns
    how many rows were re-wrapped.

    A row whose key does not unwrap (damaged, or its KEK missing from the key file) is left as
    it is and appended to `failures` as (version id, reason): it must not keep every row after
    it under the old KEK. It still counts in `old_key_rows`."""
    done = examined = 0
    after = 0
    while limit is None or examined < limit:
        size = batch if limit is None else min(batch, limit - examined)
        rows = list(
            db.session.execute(
                sa.select(AttachmentVersion)
                .where(AttachmentVersion.kek_id != ring.active_kek_id, AttachmentVersion.id > after)
                .order_by(AttachmentVersion.id)
                .limit(size)
            ).scalars()
        )
        if not rows:
            break
        rewrapped = 0
        for version in rows:
            after = version.id
            version_uuid = uuid.UUID(version.uuid)
            try:
                dek = crypto.unwrap_dek(ring, version.kek_id, version.wrapped_dek, version_uuid)
            except (crypto.IntegrityFailure, KeyFileError) as exc:
                if failures is not None:
                    failures.append((version.id, str(exc)))
                continue
            version.kek_id, version.wrapped_dek = crypto.wrap_dek(ring, dek, version_uuid)
            rewrapped += 1
        examined += len(rows)
        done += rewrapped
        if rewrapped:
            record(
                "keys.rewrapped",
                object_type=AttachmentVersion.__audit_type__,
                detail={"kek_id": ring.active_kek_id, "rows": rewrapped},
                actor_id=None,
            )
        db.session.commit()
    return done


def stats() -> dict[str, Any]:
    return {"old_key_rows": old_key_rows(key_ring())}


def sweep_at_start(app: Flask) -> SweepReport | None:
    """Run the sweeper once when a server process starts (wsgi.py); never stops the start-up.

    With the default grace period it only removes what is at least an hour old, so several
    processes starting together, or uploads in flight on other instances, are safe."""
    try:
        with app.app_context():
            report = sweep()
    except Exception:
        log.exception("the start-up sweep of the attachment store failed")
        return None
    if report.total():
        log.warning(
            "start-up sweep removed %d temporary files, %d unfinished rows, %d orphan blobs",
            report.temporary_files,
            report.pending_rows,
            report.orphan_blobs,
        )
    return report
