"""Export tables that name things: what a list download holds, column by column.

A list is exported with the columns of its API schema (nobody gets more than the JSON gives),
turned into a table a person can read:

- every reference to an organisation, zone, user, project or asset gets a column with its name
  (`zone`, `partners`, `lawyers`, ...) right before the id column it names, which stays;
- headers are translated labels in the reader's language (`COLUMN_LABELS`, one per key);
- coded values (status, kind, level, ...) and yes/no are translated labels; countries and
  offices are named (`PLACES`);
- dates and times stay `date` / `datetime` values, so an XLSX holds real date cells (times in
  UTC, said in the header), and CSV writes them in ISO 8601.

Names are read in one statement per kind of record referenced, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from flask_babel import get_locale, gettext
from marshmallow import Schema, fields

from tracker import records
from tracker.auth.countries import country_name
from tracker.auth.models import Organization, User, Zone
from tracker.cases.filings.labels import office_name
from tracker.cases.labels import LABELS
from tracker.db import db
from tracker.reports.exports import Cell
from tracker.reports.headers import CODED, COLUMN_LABELS, STATUS_LABELS, header

__all__ = ["COLUMN_LABELS", "Names", "header", "references", "schema_table", "zone_label"]

#: id column -> (kind of record, key of the name column put before it): accounts, zones and
#: organisations; the record kinds add theirs (`RecordKind.references`, see `references()`)
_REFERENCES: dict[str, tuple[str, str]] = {
    "zone_id": ("zone", "zone"),
    "company_id": ("organization", "company"),
    "partner_id": ("organization", "partner"),
    "partner_ids": ("organization", "partners"),
    "organization_id": ("organization", "organization"),
    "lawyer_id": ("user", "lawyer"),
    "lawyer_ids": ("user", "lawyers"),
    "author_id": ("user", "author"),
    "reviewer_id": ("user", "reviewer"),
    "filed_by_id": ("user", "filed_by"),
    "created_by_id": ("user", "created_by"),
    "requested_by_id": ("user", "requested_by"),
    "decided_by_id": ("user", "decided_by"),
    "security_level_set_by_id": ("user", "security_level_set_by"),
}

#: columns holding a country's or an office's code: shown by its name in the reader's language
PLACES: dict[str, Callable[[str | None], str]] = {
    "office": office_name,
    "jurisdictions": office_name,
    "country": country_name,
    "partner_country": country_name,
    "nationality": country_name,
}

_DATE_FIELDS = (fields.Date,)
_TIME_FIELDS = (fields.DateTime,)  # AwareDateTime and NaiveDateTime are DateTimes


def zone_label(zone: Zone) -> str:
    name = zone.name_ko if str(get_locale()) == "ko" else zone.name_en
    return f"{name} ({zone.code})"


def references() -> dict[str, tuple[str, str]]:
    """Every id column that names a record: -> (its kind, the key of the name column)."""
    found = dict(_REFERENCES)
    for kind in records.kinds():
        found.update({key: (kind.type, name) for key, name in kind.references.items()})
    return found


def _name_query(kind: str, ids: list[int]) -> records.Rows:
    if kind == "organization":
        return sa.select(Organization.id, Organization.name).where(Organization.id.in_(ids))
    if kind == "user":
        return sa.select(User.id, User.name).where(User.id.in_(ids))
    found = records.kind(kind)  # a record kind is named by its label (a code, a title)
    assert found.label is not None
    stmt = sa.select(found.model.id, *found.label.columns()).where(found.model.id.in_(ids))
    return stmt.join(*found.label.join) if found.label.join is not None else stmt


def _name(kind: str, values: Sequence[Any]) -> str:
    """A record's name as its kind's label says it (a person's or an organisation's name)."""
    found = records.find(kind)
    if found is None or found.label is None:
        return str(values[0])
    return found.label.name(values)


class Names:
    """The names of the records a set of rows refers to, one statement per kind."""

    def __init__(self, wanted: dict[str, set[int]], refs: dict[str, tuple[str, str]]) -> None:
        #: the id columns that name records (`references()`)
        self.refs = refs
        self._names: dict[str, dict[int, str]] = {}
        for kind, ids in wanted.items():
            if not ids:
                continue
            if kind == "zone":
                zones = db.session.execute(sa.select(Zone).where(Zone.id.in_(ids))).scalars()
                self._names[kind] = {z.id: zone_label(z) for z in zones}
            else:
                rows = db.session.execute(_name_query(kind, sorted(ids))).all()
                self._names[kind] = {row[0]: _name(kind, row[1:]) for row in rows}

    def of(self, kind: str, ident: Any) -> str:
        if ident is None:
            return ""
        return self._names.get(kind, {}).get(int(ident), gettext("a record not shown to you"))


def _wanted(
    items: Iterable[dict[str, Any]], columns: Sequence[str], refs: dict[str, tuple[str, str]]
) -> dict[str, set[int]]:
    wanted: dict[str, set[int]] = defaultdict(set)

    def visit(key: str, value: Any) -> None:
        if key in refs and value is not None:
            kind = refs[key][0]
            wanted[kind].update(int(v) for v in (value if isinstance(value, list) else [value]))
        elif isinstance(value, list):
            for v in value:
                if isinstance(v, dict):
                    for k, inner in v.items():
                        visit(k, inner)

    for item in items:
        for key in columns:
            visit(key, item.get(key))
    return wanted


def _yes_no(value: bool) -> str:
    return str(LABELS["yes"] if value else LABELS["no"])


def _text(value: Any, names: Names, key: str = "") -> str:
    """A cell: lists joined with "; ", nested records as "label: value" with names put in."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _yes_no(value)
    if key in PLACES:  # a country or an office by its name, never its code
        values = value if isinstance(value, list) else [value]
        return "; ".join(PLACES[key](str(v)) for v in values)
    refs = names.refs
    if key in refs:
        kind = refs[key][0]
        values = value if isinstance(value, list) else [value]
        return "; ".join(names.of(kind, v) for v in values)
    if isinstance(value, list):
        return "; ".join(_text(v, names) for v in value)
    if isinstance(value, dict):
        return ", ".join(
            f"{header(refs[k][1]) if k in refs else header(k)}: {_text(v, names, k)}"
            for k, v in value.items()
        )
    if key in CODED:
        sources = {k.type: k.name for k in records.kinds()}  # a deadline's source_type
        for labels in (LABELS, STATUS_LABELS, records.deadline_kinds(), sources):
            if value in labels:
                return str(labels[value])
        return str(value)
    return str(value)


def _typed(value: Any, field: fields.Field | None) -> Cell:
    """Dates and times as values (for XLSX date cells); the schema dumped them as text."""
    if value in (None, ""):
        return None
    if isinstance(field, _TIME_FIELDS):
        when = dt.datetime.fromisoformat(str(value))
        return when.astimezone(dt.UTC).replace(tzinfo=None) if when.tzinfo else when
    if isinstance(field, _DATE_FIELDS):
        return dt.date.fromisoformat(str(value))
    return None


def schema_table(schema: Schema, records: Sequence[Any]) -> tuple[list[str], list[list[Cell]]]:
    """The header and rows of a list export: `schema`'s columns with names put in before the
    ids they name, translated headers and labels, dates as dates."""
    items: list[dict[str, Any]] = schema.dump(records, many=True)
    keys = list(schema.dump_fields)
    refs = references()
    names = Names(_wanted(items, keys, refs), refs)
    # (output key, source key, is the name column)
    columns: list[tuple[str, str, bool]] = []
    for key in keys:
        if key in refs:
            name_key = refs[key][1]
            if f"{name_key}_name" not in keys and name_key not in keys:
                columns.append((name_key, key, True))
        columns.append((key, key, False))
    timed = {k for k in keys if isinstance(schema.dump_fields[k], _TIME_FIELDS)}
    head = [header(out, time=src in timed and not is_name) for out, src, is_name in columns]
    rows: list[list[Cell]] = []
    for item in items:
        row: list[Cell] = []
        for _out, src, is_name in columns:
            value = item.get(src)
            if is_name:
                row.append(_text(value, names, src))
            elif src in refs:
                row.append(
                    "; ".join(str(v) for v in value)
                    if isinstance(value, list)
                    else ("" if value is None else str(value))
                )
            else:
                typed = _typed(value, schema.dump_fields[src])
                row.append(typed if typed is not None else _text(value, names, src))
        rows.append(row)
    return head, rows
