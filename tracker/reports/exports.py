"""Lists as CSV or XLSX downloads. Every cell is text: a spreadsheet never runs one as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

EXPORT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(text: str) -> str:
    """A CSV cell that a spreadsheet would read as a formula gets a leading apostrophe."""
    return "'" + text if text[:1] in _FORMULA_START else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read Korean correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([formula_safe(value) for value in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode()


def xlsx_bytes(sheet: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """One sheet of string cells (openpyxl, write-only: memory stays flat for long lists)."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])

    def cells(values: Sequence[str]) -> list[WriteOnlyCell]:
        out = []
        for value in values:
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"  # never a formula, whatever the text starts with
            out.append(cell)
        return out

    ws.append(cells(header))
    for row in rows:
        ws.append(cells(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def download(
    fmt: str, header: Sequence[str], rows: list[list[str]], filename: str, sheet: str
) -> Response:
    """The rows as a `csv` or `xlsx` attachment named `filename` (without the extension)."""
    body = xlsx_bytes(sheet, header, rows) if fmt == "xlsx" else csv_bytes(header, rows)
    return Response(
        body,
        mimetype=EXPORT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'},
    )
