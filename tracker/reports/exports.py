"""Lists as CSV or XLSX downloads. Every cell is text: a spreadsheet never runs one as a formula."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from tracker.i18n import zone_of
from tracker.web.downloads import content_disposition

EXPORT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

#: what a cell of an export holds: text, or a date or a time (stored in UTC, written in the
#: reader's zone) that XLSX keeps as a date
Cell = str | dt.date | dt.datetime | None

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: every character outside XML 1.0's `Char` production: C0 controls but tab, LF and CR, the
#: surrogates (a lone one can reach a cell) and the non-characters U+FFFE and U+FFFF. openpyxl
#: itself refuses only the C0 controls; lxml refuses the rest at save, which was a 500 for
#: every reader of a list holding one such character (issue 21, finding 4).
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """The text without the characters an XLSX (XML) cell or sheet name cannot hold."""
    return _XML_ILLEGAL.sub("", text)


def formula_safe(text: str) -> str:
    """A CSV cell that a spreadsheet would read as a formula gets a leading apostrophe."""
    return "'" + text if text[:1] in _FORMULA_START else text


def local_time(value: dt.datetime) -> dt.datetime:
    """A stored (UTC) time in the reader's zone: what a person reads in an export."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(zone_of())


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):  # ISO 8601 with the reader's offset
        return local_time(value).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return formula_safe(xml_safe(str(value)))


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read Korean correctly; dates and
    times in ISO 8601."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_csv_cell(h) for h in header])
    writer.writerows([_csv_cell(value) for value in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode()


def xlsx_bytes(sheet: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """One sheet (openpyxl, write-only: memory stays flat for long lists): text cells that are
    never formulas, dates and times as date cells."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(xml_safe(sheet)[:31] or "export")

    def cells(values: Sequence[Cell]) -> list[WriteOnlyCell]:
        out = []
        for value in values:
            if isinstance(value, dt.date):  # datetimes too: in the reader's zone
                if isinstance(value, dt.datetime):
                    value = local_time(value).replace(tzinfo=None)  # XLSX holds no zone
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = (
                    "yyyy-mm-dd hh:mm:ss" if isinstance(value, dt.datetime) else "yyyy-mm-dd"
                )
            else:
                cell = WriteOnlyCell(ws, value=xml_safe("" if value is None else str(value)))
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
    fmt: str, header: Sequence[str], rows: Sequence[Sequence[Cell]], filename: str, sheet: str
) -> Response:
    """The rows as a `csv` or `xlsx` attachment named `filename` (without the extension)."""
    body = xlsx_bytes(sheet, header, rows) if fmt == "xlsx" else csv_bytes(header, rows)
    return Response(
        body,
        mimetype=EXPORT_TYPES[fmt],
        headers={"Content-Disposition": content_disposition(f"{filename}.{fmt}")},
    )
