"""The transfer ledger (and the request list) as CSV or XLSX downloads (audited)."""

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
from tracker.transfers.xlsx import workbook_bytes

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


def _csv_cell(value: str) -> str:
    """A spreadsheet never runs a CSV cell as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


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


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode()


FORMATS = {
    "csv": ("text/csv", _csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        lambda rows: workbook_bytes("ledger", [list(COLUMNS), *rows]),
    ),
}


def export(stmt: Any, fmt: str, name: str, filters: dict[str, Any]) -> Response:
    """Every row of `stmt` (not one page) as a CSV or XLSX download.

    Audits `transfer.exported` with the list's name, the format, the filters and the count."""
    transfers: Iterable[TransferRequest] = db.session.execute(stmt).scalars().unique()
    rows = [ledger_row(t) for t in transfers]
    mimetype, render = FORMATS[fmt]
    record(
        "transfer.exported",
        object_type="transfer_ledger" if name == "transfer-ledger" else "transfer_requests",
        detail={"list": name, "format": fmt, "rows": len(rows), "filters": filters},
    )
    return Response(
        render(rows),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )
