"""The transfer ledger (and the request list) as CSV or XLSX downloads (audited)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Response

from tracker.audit.service import record
from tracker.audit.types import EXPORT
from tracker.db import db
from tracker.reports.exports import download
from tracker.transfers.files import file_sha256
from tracker.transfers.models import TransferRequest

COLUMNS = (
    "id",
    "project_code",
    "zone_code",
    "partner",
    "partner_country",
    "channel",
    "planned_on",
    "assets",
    "files",
    "purpose",
    "requested_by",
    "approved_by",
    "approved_at",
    "checks",
)


def ledger_row(t: TransferRequest) -> list[str]:
    checks = t.decision_checks or t.checks or []
    row = [
        t.id,
        t.project.code,
        t.project.zone.code,
        t.partner.name,
        t.partner.country,
        t.channel,
        t.planned_on.isoformat(),
        "; ".join(f"{a.id}:{a.title}" for a in t.assets),
        "; ".join(f"{f.filename} sha256={file_sha256(f)}" for f in t.files),
        t.purpose,
        t.requested_by.email,
        t.decided_by.email if t.decided_by else "",
        t.decided_at.isoformat() if t.decided_at else "",
        "; ".join(f"{c['code']}={'ok' if c['ok'] else 'FAIL'}" for c in checks),
    ]
    return ["" if v is None else str(v) for v in row]


def export(stmt: Any, fmt: str, name: str, filters: dict[str, Any]) -> Response:
    """Every row of `stmt` (not one page) as a CSV or XLSX download.

    Audits `transfer.exported` with the list's name, the format, the filters and the count."""
    transfers: Iterable[TransferRequest] = db.session.execute(stmt).scalars().unique()
    rows = [ledger_row(t) for t in transfers]
    record(
        "transfer.exported",
        object_type=EXPORT,
        detail={"list": name, "format": fmt, "rows": len(rows), "filters": filters},
    )
    return download(fmt, COLUMNS, rows, name, sheet="ledger")
