"""The transfer ledger as a CSV download (audited)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from flask import Response

from tracker.audit.service import record
from tracker.db import db
from tracker.transfers.attachments import file_sha256
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


def _cell(value: Any) -> str:
    """A spreadsheet never runs a cell as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


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
    return [_cell(v) for v in row]


def ledger_csv(stmt: Any, filters: dict[str, Any]) -> Response:
    """Every row of `stmt` (not one page) as CSV; audits `transfer.ledger_exported`."""
    rows: Iterable[TransferRequest] = db.session.execute(stmt).scalars().unique()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    for transfer in rows:
        writer.writerow(ledger_row(transfer))
        count += 1
    record(
        "transfer.ledger_exported",
        object_type="transfer_ledger",
        detail={"format": "csv", "rows": count, "filters": filters},
    )
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="transfer-ledger.csv"'},
    )
