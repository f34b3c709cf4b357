"""Helpers for the attachment tests: a fresh blob directory per test, multipart uploads."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tracker.attachments.models import AttachmentVersion
from tracker.audit.models import AuditEvent
from tracker.db import db

MARKER = b"PLAINTEXT-MARKER-7f3a9c"


def pdf(size: int = 1000, marker: bytes = MARKER) -> bytes:
    """A PDF-looking file of exactly `size` bytes, carrying `marker` several times."""
    head = b"%PDF-1.7\n" + marker + b"\n"
    body = (marker + b" ") * (size // (len(marker) + 1) + 1)
    return (head + body)[:size]


@pytest.fixture(autouse=True)
def blob_dir(app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "blobs"
    monkeypatch.setitem(app.config, "TRACKER_BLOB_DIR", str(path))
    return path


def blob_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return [p for p in root.rglob("*") if p.is_file()]


def upload(api: Any, project_id: int, data: bytes, name: str = "report.pdf", **fields: Any) -> Any:
    form = {"file": (io.BytesIO(data), name), **{k: str(v) for k, v in fields.items()}}
    return api.post(
        f"/api/v1/projects/{project_id}/attachments",
        data=form,
        content_type="multipart/form-data",
    )


def raw_upload(api: Any, project_id: int, body: bytes, boundary: str = "XyZ") -> Any:
    return api.post(
        f"/api/v1/projects/{project_id}/attachments",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def multipart(parts: list[tuple[str, str | None, bytes]], boundary: str = "XyZ") -> bytes:
    out = b""
    for name, filename, value in parts:
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disp}\r\n\r\n".encode() + value + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def version_rows() -> int:
    return int(db.session.execute(sa.select(sa.func.count(AttachmentVersion.id))).scalar_one())


def audit_actions(action: str) -> list[AuditEvent]:
    return list(
        db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars()
    )


def grep_tree(root: Path, needle: bytes) -> list[str]:
    found = []
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            if needle in (Path(dirpath) / f).read_bytes():
                found.append(f)
    return found
