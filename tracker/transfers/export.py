"""The transfer ledger (and the request list) as CSV or XLSX downloads (audited).

Columns name things (project, zone, partner and its country, assets, requester, approver),
ids follow in their own columns; headers, channels, statuses and checks are in the reader's
language; dates and times are date cells in XLSX. A file's plaintext SHA-256 is shown only to
a reader who may download the file (`attachment.download` on the project), as everywhere."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response
from sqlalchemy.orm import joinedload

from tracker.audit.service import record
from tracker.audit.types import EXPORT
from tracker.cases.projects.models import Project
from tracker.db import db
from tracker.reports.columns import header, zone_label
from tracker.reports.exports import Cell, download
from tracker.transfers.files import file_sha256, may_see_sha256
from tracker.transfers.forms import CHANNEL_LABELS, STATUS_LABELS
from tracker.transfers.gate import check_label
from tracker.transfers.models import TransferFile, TransferRequest
from tracker.web.current import user

#: (column key, is a time in UTC)
COLUMNS: tuple[tuple[str, bool], ...] = (
    ("id", False),
    ("project", False),
    ("zone", False),
    ("partner", False),
    ("partner_country", False),
    ("channel", False),
    ("planned_on", False),
    ("status", False),
    ("assets", False),
    ("files", False),
    ("purpose", False),
    ("requested_by", False),
    ("approved_by", False),
    ("approved_at", True),
    ("checks", False),
    ("project_id", False),
    ("zone_id", False),
    ("partner_id", False),
    ("asset_ids", False),
    ("requested_by_id", False),
    ("approved_by_id", False),
)


def _file_text(f: TransferFile, with_digest: bool) -> str:
    """A file of a request: its name, version and size; the plaintext hash only for those
    who may download it (DESIGN section 7)."""
    size = f"{f.size} B" if f.size is not None else "?"
    text = f"{f.filename} (v{f.attachment_version}, {size})"
    return f"{text} sha256={file_sha256(f)}" if with_digest else text


def ledger_row(t: TransferRequest, with_digest: bool) -> list[Cell]:
    """One request as a row of `COLUMNS`; file hashes only `with_digest`."""
    checks = t.decision_checks or t.checks or []
    decided = t.decided_by
    row: list[Cell] = [
        str(t.id),
        f"{t.project.code} {t.project.title}",
        zone_label(t.project.zone),
        t.partner.name,
        t.partner.country,
        str(CHANNEL_LABELS.get(t.channel, t.channel)),
        t.planned_on,
        str(STATUS_LABELS.get(t.status, t.status)),
        "; ".join(a.title for a in t.assets),
        "; ".join(_file_text(f, with_digest) for f in t.files),
        t.purpose,
        t.requested_by.name,
        decided.name if decided else "",
        t.decided_at.replace(tzinfo=None) if t.decided_at else None,
        "; ".join(f"{check_label(c['code'])}: {'✔' if c['ok'] else '✘'}" for c in checks),
        str(t.project_id),
        str(t.project.zone_id),
        str(t.partner_id),
        "; ".join(str(a.id) for a in t.assets),
        str(t.requested_by_id),
        str(t.decided_by_id) if t.decided_by_id else "",
    ]
    return row


def headers(ledger: bool) -> list[str]:
    """Translated headers; in the request list the decision may be a denial."""
    decided = (
        {}
        if ledger
        else {
            "approved_by": "decided_by",
            "approved_by_id": "decided_by_id",
            "approved_at": "decided_at",
        }
    )
    return [header(decided.get(key, key), time=time) for key, time in COLUMNS]


def rows_of(transfers: Sequence[TransferRequest]) -> list[list[Cell]]:
    """The rows, each with file hashes only for readers who may download that project's
    files (asked once per project)."""
    may: dict[int, bool] = {}
    rows = []
    for t in transfers:
        if t.project_id not in may:
            may[t.project_id] = may_see_sha256(user(), t)
        rows.append(ledger_row(t, may[t.project_id]))
    return rows


def export(stmt: Any, fmt: str, name: str, filters: dict[str, Any]) -> Response:
    """Every row of `stmt` (not one page) as a CSV or XLSX download.

    Audits `transfer.exported` with the list's name, the format, the filters and the count,
    once the body is built (in the request's transaction: it commits with the answer)."""
    stmt = stmt.options(joinedload(TransferRequest.project).selectinload(Project.lawyers))
    transfers = db.session.execute(stmt).scalars().unique().all()
    rows = rows_of(transfers)
    ledger = name == "transfer-ledger"
    response = download(fmt, headers(ledger), rows, name, sheet="ledger" if ledger else "requests")
    record(
        "transfer.exported",
        object_type=EXPORT,
        detail={"list": name, "format": fmt, "rows": len(rows), "filters": filters},
    )
    return response
