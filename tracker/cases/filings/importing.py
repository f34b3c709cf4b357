"""Importing an existing docket: a spreadsheet (CSV or XLSX, one filing a row) into a
project's assets and filings, checked row by row, all or nothing.

`check(project, data)` reads and checks every row and returns a `Docket` (the counts and
every problem as `{"row", "field", "message"}`, rows numbered as the spreadsheet numbers
them, the header being row 1); `import_docket(project, data)` stores it when there is no
problem (else InvalidRows, 422, nothing stored): the new assets, their filings (parents
first) and the deadlines the filing rules derive, audited as ONE event with the counts (no
cell value). Rows with the same `asset_title` are one asset; an asset of the project with
that title is reused. `parent_application_no` names another row's application number or one
of the asset's recorded filings.

A problem of the whole file is an error with a null `row`. Hostile files answer 4xx and
store nothing: over `MAX_BYTES` (413), not CSV or XLSX, a truncated or oversized XLSX (its
members' unpacked size is checked before parsing), a formula, a control character, more than
`MAX_ROWS` rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from tracker.audit.service import record
from tracker.auth.countries import iso_countries
from tracker.cases import search
from tracker.cases.assets.filing_rules import ROUTES, STATUSES
from tracker.cases.assets.models import IpAsset
from tracker.cases.assets.service import EXTRA_JURISDICTIONS
from tracker.cases.filings import derived
from tracker.cases.filings.models import PARENT_OFFICE, PARENT_ROUTE, Filing
from tracker.cases.filings.service import offices
from tracker.cases.projects.models import Project
from tracker.db import db, text_limit
from tracker.errors import InvalidInput

#: the largest file taken (a 1,000-row docket is about 150 KB as CSV, 60 KB as XLSX)
MAX_BYTES = 2 * 1024 * 1024
#: the most rows (besides the header) one import takes
MAX_ROWS = 5000
#: an XLSX may unpack to at most this much (a zip bomb is refused before parsing)
MAX_UNPACKED = 40 * 1024 * 1024
#: the kinds of asset that have filings
FILED_KINDS = ("patent", "utility_model", "design", "trademark")
#: an imported asset's sensitivity: unpublished applications are confidential
DEFAULT_SENSITIVITY = "confidential"

COLUMNS = (
    "asset_title",
    "asset_kind",
    "office",
    "route",
    "application_no",
    "parent_application_no",
    "filed_on",
    "priority_on",
    "published_on",
    "registered_on",
    "registration_no",
    "status",
)
DATE_COLUMNS = ("filed_on", "priority_on", "published_on", "registered_on")
#: Korean header names (spaces removed before matching)
KOREAN_HEADERS = {
    "자산명": "asset_title",
    "명칭": "asset_title",
    "발명의명칭": "asset_title",
    "자산종류": "asset_kind",
    "권리종류": "asset_kind",
    "종류": "asset_kind",
    "관청": "office",
    "출원국": "office",
    "국가": "office",
    "경로": "route",
    "출원경로": "route",
    "출원번호": "application_no",
    "모출원번호": "parent_application_no",
    "기초출원번호": "parent_application_no",
    "출원일": "filed_on",
    "우선일": "priority_on",
    "우선권주장일": "priority_on",
    "공개일": "published_on",
    "등록일": "registered_on",
    "등록번호": "registration_no",
    "상태": "status",
}
#: Korean values of the choice columns
KOREAN_VALUES = {
    "asset_kind": {
        "특허": "patent",
        "실용신안": "utility_model",
        "디자인": "design",
        "상표": "trademark",
    },
    "route": {
        "최초": "first",
        "파리": "paris",
        "pct": "pct",
        "국내단계": "national_phase",
        "유효화": "validation",
        "분할": "divisional",
    },
    "status": {
        "출원": "pending",
        "계속중": "pending",
        "심사중": "pending",
        "등록결정": "allowed",
        "등록": "registered",
        "거절": "refused",
        "취하": "withdrawn",
        "포기": "withdrawn",
        "소멸": "lapsed",
        "만료": "expired",
    },
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DATE = re.compile(r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})\.?$")


class InvalidRows(InvalidInput):
    """A docket with problems (422): every one by row and column; nothing was stored."""

    def __init__(self, docket: Docket) -> None:
        super().__init__({"file": [_("Some rows are not valid; nothing was imported.")]})
        self.docket = docket


@dataclass
class Row:
    number: int
    values: dict[str, Any]
    asset: IpAsset | None = None
    parent: Row | None = None
    parent_filing: Filing | None = None
    filing: Filing | None = None


@dataclass
class Docket:
    """What a file holds: its rows, the assets (new and reused) and the problems."""

    rows: list[Row] = field(default_factory=list)
    new_assets: dict[str, dict[str, Any]] = field(default_factory=dict)
    reused: dict[str, IpAsset] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def add(self, row: int, column: str, message: str) -> None:
        self.errors.append({"row": row, "field": column, "message": message})

    def counts(self) -> dict[str, Any]:
        return {
            "rows": len(self.rows),
            "assets": len(self.new_assets) + len(self.reused),
            "filings": len(self.rows),
            "errors": sorted(self.errors, key=lambda e: (e["row"] or 0, e["field"])),
        }


# -- reading the file ------------------------------------------------------------------------


def _refuse(message: str) -> InvalidRows:
    """A problem of the whole file (not of one row): `row` is null."""
    docket = Docket()
    docket.errors.append({"row": None, "field": "file", "message": message})
    return InvalidRows(docket)


def read_table(data: bytes) -> list[list[Any]]:
    """The file's cells, row by row (the header first). XLSX when it is a zip, else CSV in
    UTF-8 (a BOM allowed) or the Korean Windows code page (CP949, what Excel writes)."""
    if len(data) > MAX_BYTES:
        raise RequestEntityTooLarge()
    if not data.strip():
        raise _refuse(_("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        return _xlsx(data)
    return _csv(data)


def _csv(data: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refuse(_("Not a CSV or XLSX file."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    try:
        return _capped(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error:
        raise _refuse(_("Not a CSV or XLSX file.")) from None


def _capped(rows: Iterable[list[Any]]) -> list[list[Any]]:
    out: list[list[Any]] = []
    for cells in rows:
        if len(out) > MAX_ROWS:
            raise _refuse(_("At most %(n)s rows can be imported at once.", n=MAX_ROWS))
        out.append(list(cells))
    return out


def _xlsx(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook  # heavy: only when an XLSX comes

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > 500 or sum(m.file_size for m in members) > MAX_UNPACKED:
                raise _refuse(_("The spreadsheet unpacks to more than can be imported."))
            if archive.testzip() is not None:
                raise _refuse(_("The spreadsheet is damaged or truncated."))
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            sheet = book.worksheets[0]
            return _capped(_sheet_rows(sheet))
        finally:
            book.close()
    except InvalidRows:
        raise
    except Exception:  # a hostile or broken file may fail anywhere in the parser
        raise _refuse(_("The spreadsheet is damaged or truncated.")) from None


def _sheet_rows(sheet: Any) -> Iterator[list[Any]]:
    for cells in sheet.iter_rows():
        values = []
        for cell in cells:
            if getattr(cell, "data_type", None) == "f":
                values.append(_Formula())
            else:
                values.append(cell.value)
        yield values


class _Formula:
    """A cell holding a formula: refused (its value is whatever the formula computes)."""


# -- checking the rows -----------------------------------------------------------------------


def _header(cells: list[Any], docket: Docket) -> dict[int, str] | None:
    columns: dict[int, str] = {}
    for i, cell in enumerate(cells):
        text = "" if cell is None else str(cell)
        name = _column_name(text)
        if not text.strip():
            continue
        if name is None:
            docket.add(1, "header", _("Unknown column %(name)s.", name=_shown(text)))
        elif name in columns.values():
            docket.add(1, name, _("This column appears twice."))
        else:
            columns[i] = name
    for needed in ("asset_title", "office", "filed_on"):
        if needed not in columns.values():
            docket.add(1, needed, _("This column is required."))
    return None if docket.errors else columns


def _column_name(text: str) -> str | None:
    plain = text.strip().lower().replace(" ", "_")
    if plain in COLUMNS:
        return plain
    return KOREAN_HEADERS.get(re.sub(r"\s+", "", text))


def _shown(text: str) -> str:
    """A header as a message may quote it: no control characters, 40 characters at most."""
    return _CONTROL.sub("", text)[:40]


def _cell(value: Any, column: str, number: int, docket: Docket) -> Any:
    """The cell as the column's type (None when empty); a problem is added, None returned."""
    if isinstance(value, _Formula):
        docket.add(number, column, _("Formulas are not accepted: enter the value."))
        return None
    if value is None:
        return None
    if column in DATE_COLUMNS:
        return _date(value, column, number, docket)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        docket.add(number, column, _("Text expected, not a date."))
        return None
    text = str(value).strip()
    if not text:
        return None
    if _CONTROL.search(text):
        docket.add(number, column, _("Control characters are not accepted."))
        return None
    if text.startswith("="):
        docket.add(number, column, _("Formulas are not accepted: enter the value."))
        return None
    return text


def _date(value: Any, column: str, number: int, docket: Docket) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    found = _DATE.match(text)
    try:
        if found:
            return dt.date(*(int(g) for g in found.groups()))
    except ValueError:
        pass
    docket.add(number, column, _("A date as YYYY-MM-DD."))
    return None


def _choice(values: dict[str, Any], column: str, choices: tuple[str, ...]) -> bool:
    """Normalise a choice column (English or Korean); False when it is not one of them."""
    raw = values.get(column)
    if raw is None:
        return True
    plain = str(raw).strip()
    mapped = KOREAN_VALUES.get(column, {}).get(plain.replace(" ", "").lower())
    value = mapped or plain.lower().replace(" ", "_")
    values[column] = value
    return value in choices


def check(project: Project, data: bytes) -> Docket:
    """Read and check every row of the file (nothing is stored)."""
    table = read_table(data)
    docket = Docket()
    while table and not any(c not in (None, "") for c in table[-1]):
        table.pop()
    if not table:
        raise _refuse(_("The file is empty."))
    columns = _header(table[0], docket)
    if columns is None:
        return docket
    for number, cells in enumerate(table[1:], start=2):
        if not any(c not in (None, "") for c in cells):
            continue  # a blank line between blocks
        values = {name: None for name in COLUMNS}
        for i, name in columns.items():
            values[name] = _cell(cells[i] if i < len(cells) else None, name, number, docket)
        docket.rows.append(Row(number, values))
    if not docket.rows:
        docket.add(2, "asset_title", _("The file has no rows below the header."))
        return docket
    _check_rows(project, docket)
    return docket


def _check_rows(project: Project, docket: Docket) -> None:
    existing = _existing_assets(project, {r.values["asset_title"] for r in docket.rows})
    recorded = _recorded_filings([a for a in existing.values() if a is not None])
    valid_offices = offices()
    by_number: dict[str, Row] = {}
    for row in docket.rows:
        v, n = row.values, row.number
        title = v["asset_title"]
        if title is None:
            docket.add(n, "asset_title", _("This cell is required."))
        elif len(title) > text_limit(IpAsset.title):
            docket.add(n, "asset_title", _("Too long."))
        elif title in existing:
            _reuse(row, existing[title], docket)
        else:
            _new_asset(row, docket)
        if not _choice(v, "route", ROUTES):
            docket.add(n, "route", _("Not one of the allowed values."))
        if not _choice(v, "status", STATUSES):
            docket.add(n, "status", _("Not one of the allowed values."))
        v["status"] = v["status"] or "pending"
        office = (v["office"] or "").upper()
        v["office"] = office or None
        if not office:
            docket.add(n, "office", _("This cell is required."))
        elif office not in valid_offices:
            docket.add(n, "office", _("An ISO 3166 country code, or EP, WO, EM or WIPO."))
        if v["route"] is None:
            v["route"] = (
                "pct" if office == "WO" else "first" if not v["parent_application_no"] else None
            )
            if v["route"] is None:
                docket.add(n, "route", _("This cell is required when a parent is named."))
        if v["route"] == "pct" and office and office != "WO":
            docket.add(n, "office", _("A PCT international application is filed as WO."))
        if v["filed_on"] is None:
            docket.add(n, "filed_on", _("The filing date is required."))
        for name, limit in (
            ("application_no", Filing.application_no),
            ("registration_no", Filing.registration_no),
            ("parent_application_no", Filing.application_no),
        ):
            if v[name] is not None and len(v[name]) > text_limit(limit):
                docket.add(n, name, _("Too long."))
        _dates_in_order(row, docket)
        number = v["application_no"]
        if number is not None:
            if number in by_number:
                docket.add(
                    n,
                    "application_no",
                    _("The same number is on row %(row)s.", row=by_number[number].number),
                )
            elif row.asset is not None and number in recorded.get(row.asset.id, {}):
                docket.add(n, "application_no", _("This filing is already recorded."))
            else:
                by_number[number] = row
    for row in docket.rows:
        _parent(row, by_number, recorded, docket)


def _existing_assets(project: Project, titles: set[Any]) -> dict[str, IpAsset | None]:
    """The project's assets by title (None: two assets have it, so a row cannot name one)."""
    wanted = [t for t in titles if t]
    if not wanted:
        return {}
    found: dict[str, IpAsset | None] = {}
    rows = db.session.execute(
        sa.select(IpAsset).where(IpAsset.project_id == project.id, IpAsset.title.in_(wanted))
    ).scalars()
    for asset in rows:
        found[asset.title] = None if asset.title in found else asset
    return found


def _recorded_filings(assets: list[IpAsset]) -> dict[int, dict[str, Filing]]:
    """The recorded filings of these assets by application number (one statement)."""
    if not assets:
        return {}
    found: dict[int, dict[str, Filing]] = {}
    rows = db.session.execute(
        sa.select(Filing).where(
            Filing.asset_id.in_([a.id for a in assets]), Filing.application_no.is_not(None)
        )
    ).scalars()
    for filing in rows:
        found.setdefault(filing.asset_id, {})[filing.application_no or ""] = filing
    return found


def _reuse(row: Row, asset: IpAsset | None, docket: Docket) -> None:
    v, n = row.values, row.number
    if asset is None:
        docket.add(n, "asset_title", _("Two assets of the project have this title."))
        return
    if not _choice(v, "asset_kind", FILED_KINDS) or v["asset_kind"] not in (None, asset.kind):
        docket.add(n, "asset_kind", _("The asset of this title is of another kind."))
    row.asset = asset
    docket.reused[asset.title] = asset


def _new_asset(row: Row, docket: Docket) -> None:
    v, n = row.values, row.number
    title = v["asset_title"]
    if not _choice(v, "asset_kind", FILED_KINDS):
        docket.add(n, "asset_kind", _("A patent, utility model, design or trademark."))
        return
    seen = docket.new_assets.get(title)
    if seen is None:
        if v["asset_kind"] is None:
            docket.add(n, "asset_kind", _("A new asset needs its kind."))
            return
        docket.new_assets[title] = {"kind": v["asset_kind"], "row": n}
    elif v["asset_kind"] not in (None, seen["kind"]):
        docket.add(
            n, "asset_kind", _("Row %(row)s gives this asset another kind.", row=seen["row"])
        )


def _dates_in_order(row: Row, docket: Docket) -> None:
    v = row.values
    pairs = [("priority_on", "filed_on", "priority_on")]
    pairs += [("filed_on", later, later) for later in ("published_on", "registered_on")]
    for first, second, column in pairs:
        if v[first] is not None and v[second] is not None and v[first] > v[second]:
            docket.add(row.number, column, _("The dates are in the wrong order."))


def _parent(
    row: Row, by_number: dict[str, Row], recorded: dict[int, dict[str, Filing]], docket: Docket
) -> None:
    """The row's parent (another row, or a recorded filing of the same asset) and the route's
    rule for it: a national phase from the PCT filing, a validation of the EP filing."""
    v, n = row.values, row.number
    route, number = v["route"], v["parent_application_no"]
    if number is None:
        if route in PARENT_OFFICE or route == "divisional":
            docket.add(n, "parent_application_no", _("This route needs the filing it comes from."))
        return
    if route == "first":
        docket.add(
            n, "parent_application_no", _("A first filing claims no priority: it has no parent.")
        )
        return
    parent_row = by_number.get(number)
    recorded_parent = recorded.get(row.asset.id, {}).get(number) if row.asset else None
    if (
        parent_row is not None
        and parent_row.values["asset_title"] == v["asset_title"]
        and parent_row is not row
    ):
        row.parent = parent_row
        office, parent_route = parent_row.values["office"], parent_row.values["route"]
    elif recorded_parent is not None:
        row.parent_filing = recorded_parent
        office, parent_route = recorded_parent.office, recorded_parent.route
    else:
        docket.add(n, "parent_application_no", _("Not another filing of this asset."))
        return
    if _cycle(row):
        docket.add(
            n, "parent_application_no", _("A filing cannot come from one of its own descendants.")
        )
    elif PARENT_ROUTE.get(route) not in (None, parent_route):
        docket.add(n, "parent_application_no", _("A national phase enters from the PCT filing."))
    elif PARENT_OFFICE.get(route) not in (None, office):
        docket.add(n, "parent_application_no", _("A validation validates the EP filing."))


def _cycle(row: Row) -> bool:
    seen = {id(row)}
    at = row.parent
    while at is not None:
        if id(at) in seen:
            return True
        seen.add(id(at))
        at = at.parent
    return False


# -- storing ---------------------------------------------------------------------------------


def import_docket(project: Project, data: bytes, *, dry_run: bool = False) -> dict[str, Any]:
    """Check the file and, unless `dry_run`, store it: all or nothing (InvalidRows, 422, for
    any problem). The counts, as the API answers them."""
    docket = check(project, data)
    if docket.errors:
        raise InvalidRows(docket)
    if dry_run:
        return docket.counts()
    _store(project, docket)
    return docket.counts()


def _store(project: Project, docket: Docket) -> None:
    """Insert the assets and filings (rows, then parents), index them for search (one flush),
    derive every family's deadlines with no flush in between, flush once, audit once. New rows
    start with empty collections, so nothing is lazily loaded per row."""
    assets: dict[str, IpAsset] = dict(docket.reused)
    for title, spec in docket.new_assets.items():
        asset = IpAsset(
            project=project,
            title=title,
            kind=spec["kind"],
            sensitivity=DEFAULT_SENSITIVITY,
            nct_status="not_nct",
            strategic_item="no",
            jurisdictions=[],
            owners=[],
            deadlines=[],
            derived_deadlines=[],
        )
        asset.filings = []
        db.session.add(asset)
        assets[title] = asset
    valid = iso_countries() | EXTRA_JURISDICTIONS
    for row in docket.rows:
        v = row.values
        asset = assets[v["asset_title"]]
        row.filing = Filing(
            office=v["office"],
            route=v["route"],
            application_no=v["application_no"],
            registration_no=v["registration_no"],
            filed_on=v["filed_on"],
            priority_on=v["priority_on"],
            published_on=v["published_on"],
            registered_on=v["registered_on"],
            status=v["status"],
            events=[],
            deadlines=[],
        )
        asset.filings.append(row.filing)
        if v["office"] in valid and v["office"] not in (asset.jurisdictions or []):
            asset.jurisdictions = [*(asset.jurisdictions or []), v["office"]]
    db.session.flush()
    for row in docket.rows:
        assert row.filing is not None
        if row.parent is not None and row.parent.filing is not None:
            row.filing.parent_id = row.parent.filing.id
        elif row.parent_filing is not None:
            row.filing.parent_id = row.parent_filing.id
    created = [assets[title] for title in docket.new_assets]
    search.index_new(project.id, [*created, *(row.filing for row in docket.rows)])
    with db.session.no_autoflush:
        for asset in assets.values():
            derived.sync_family(asset)
    db.session.flush()
    counts = docket.counts()
    record(
        "filing.imported",
        project,
        detail={
            "project_id": project.id,
            "rows": counts["rows"],
            "assets": counts["assets"],
            "new_assets": len(docket.new_assets),
            "filings": counts["filings"],
        },
    )
