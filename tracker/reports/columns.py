"""Export tables that name things: what a list download holds, column by column.

A list is exported with the columns of its API schema (nobody gets more than the JSON gives),
turned into a table a person can read:

- every reference to an organisation, zone, user, project or asset gets a column with its name
  (`zone`, `partners`, `lawyers`, ...) right before the id column it names, which stays;
- headers are translated labels in the reader's language (`COLUMN_LABELS`, one per key);
- coded values (status, kind, level, ...) and yes/no are translated labels;
- dates and times stay `date` / `datetime` values, so an XLSX holds real date cells (times in
  UTC, said in the header), and CSV writes them in ISO 8601.

Names are read in one statement per kind of record referenced, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields

from tracker.auth.models import Organization, User, Zone
from tracker.cases.assets.models import IpAsset
from tracker.cases.labels import LABELS
from tracker.cases.projects.models import Project
from tracker.db import db
from tracker.reports.exports import Cell

#: id column -> (kind of record, key of the name column put before it)
REFERENCES: dict[str, tuple[str, str]] = {
    "zone_id": ("zone", "zone"),
    "company_id": ("organization", "company"),
    "partner_id": ("organization", "partner"),
    "partner_ids": ("organization", "partners"),
    "organization_id": ("organization", "organization"),
    "project_id": ("project", "project"),
    "asset_id": ("asset", "asset"),
    "asset_ids": ("asset", "assets"),
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

#: columns whose stored codes read as translated labels
CODED = frozenset(
    {
        "status",
        "recorded_status",
        "kind",
        "sensitivity",
        "level",
        "risk_level",
        "security_level",
        "nct_status",
        "strategic_item",
    }
)

#: record statuses the case file's LABELS do not name (reviews, disclosures, transfers)
STATUS_LABELS: dict[str, Any] = {
    "submitted": _l("Submitted"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "accepted": _l("Accepted"),
    "needs_info": _l("More information requested"),
    "blocked": _l("Blocked"),
    "pending_review": _l("Pending review"),
    "denied": _l("Denied"),
}

COLUMN_LABELS: dict[str, Any] = {
    "id": _l("ID"),
    "code": _l("Code"),
    "title": _l("Title"),
    "zone": _l("Zone"),
    "zone_id": _l("Zone ID"),
    "company": _l("Company"),
    "company_id": _l("Company ID"),
    "partner": _l("Partner"),
    "partner_id": _l("Partner ID"),
    "partner_name": _l("Partner name"),
    "partner_country": _l("Partner country"),
    "partners": _l("Partners"),
    "partner_ids": _l("Partner IDs"),
    "organization": _l("Organisation"),
    "organization_id": _l("Organisation ID"),
    "project": _l("Project"),
    "project_id": _l("Project ID"),
    "asset": _l("Asset"),
    "asset_id": _l("Asset ID"),
    "assets": _l("Assets"),
    "asset_ids": _l("Asset IDs"),
    "lawyer": _l("Lawyer"),
    "lawyer_id": _l("Lawyer ID"),
    "lawyers": _l("Lawyers"),
    "lawyer_ids": _l("Lawyer IDs"),
    "author": _l("Author"),
    "author_id": _l("Author ID"),
    "reviewer": _l("Reviewer"),
    "reviewer_id": _l("Reviewer ID"),
    "filed_by": _l("Filed by"),
    "filed_by_id": _l("Filed by (ID)"),
    "created_by": _l("Created by"),
    "created_by_id": _l("Created by (ID)"),
    "requested_by": _l("Requested by"),
    "requested_by_id": _l("Requested by (ID)"),
    "decided_by": _l("Decided by"),
    "decided_by_id": _l("Decided by (ID)"),
    "approved_by": _l("Approved by"),
    "approved_by_id": _l("Approved by (ID)"),
    "approved_at": _l("Approved at"),
    "security_level_set_by": _l("Security grade set by"),
    "security_level_set_by_id": _l("Security grade set by (ID)"),
    "security_level_set_at": _l("Security grade set at"),
    "security_level": _l("Security grade"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "budget_krw": _l("Budget (KRW)"),
    "status": _l("Status"),
    "recorded_status": _l("Recorded status"),
    "version": _l("Version"),
    "risk_level": _l("Risk level"),
    "created_at": _l("Created at"),
    "updated_at": _l("Updated at"),
    "signed_on": _l("Signed on"),
    "effective_on": _l("Effective on"),
    "expires_on": _l("Expires on"),
    "governing_law": _l("Governing law"),
    "purpose": _l("Purpose"),
    "return_or_destroy": _l("Return or destroy"),
    "audit_rights": _l("Audit rights"),
    "kind": _l("Kind"),
    "sensitivity": _l("Sensitivity"),
    "nct_status": _l("National core technology"),
    "nct_ref": _l("Approval or report reference"),
    "strategic_item": _l("Strategic item"),
    "export_licence_ref": _l("Export licence"),
    "export_licence_until": _l("Export licence valid until"),
    "description": _l("Description"),
    "jurisdictions": _l("Jurisdictions"),
    "owners": _l("Owners"),
    "application_no": _l("Application number"),
    "filed_on": _l("Filed on"),
    "registration_no": _l("Registration number"),
    "registered_on": _l("Registered on"),
    "originality_cert_no": _l("Originality certificate number"),
    "confidentiality_marked": _l("Marked confidential"),
    "deadlines": _l("Deadlines"),
    "inventors": _l("Inventors"),
    "conceived_on": _l("Conceived on"),
    "disclosed_externally": _l("Disclosed externally"),
    "has_foreign_inventor": _l("Foreign inventor"),
    "reviewer_note": _l("Reviewer's note"),
    "decided_at": _l("Decided at"),
    "held_on": _l("Held on"),
    "duration_minutes": _l("Duration (minutes)"),
    "attendees": _l("Attendees"),
    "topics": _l("Topics"),
    "advice": _l("Advice"),
    "follow_ups": _l("Follow-ups"),
    "catalogue_version": _l("Question catalogue"),
    "answers": _l("Answers"),
    "summary": _l("Summary"),
    "likelihood": _l("Likelihood"),
    "impact": _l("Impact"),
    "score": _l("Score"),
    "level": _l("Level"),
    "nct_forced": _l("Raised by national core technology"),
    "drivers": _l("Risk drivers"),
    "conditions": _l("Conditions"),
    "valid_until": _l("Valid until"),
    "channel": _l("Channel"),
    "planned_on": _l("Planned date"),
    "files": _l("Files"),
    "checks": _l("Checks"),
    # inside nested records (owners, inventors, deadlines, follow-ups)
    "name": _l("Name"),
    "share_pct": _l("Share (%)"),
    "nationality": _l("Nationality"),
    "employer": _l("Employer"),
    "foreign": _l("Foreign"),
    "due_on": _l("Due on"),
    "note": _l("Note"),
    "done": _l("Done"),
    "done_at": _l("Done at"),
    "owner": _l("Owner"),
}

_DATE_FIELDS = (fields.Date,)
_TIME_FIELDS = (fields.DateTime,)  # AwareDateTime and NaiveDateTime are DateTimes


def header(key: str, *, time: bool = False) -> str:
    """The translated header of a column (times are in UTC, and the header says so)."""
    text = str(COLUMN_LABELS.get(key, key))
    return f"{text} (UTC)" if time else text


def zone_label(zone: Zone) -> str:
    name = zone.name_ko if str(get_locale()) == "ko" else zone.name_en
    return f"{name} ({zone.code})"


def _name_queries() -> dict[str, Any]:
    return {
        "organization": lambda ids: sa.select(Organization.id, Organization.name).where(
            Organization.id.in_(ids)
        ),
        "user": lambda ids: sa.select(User.id, User.name).where(User.id.in_(ids)),
        "project": lambda ids: sa.select(Project.id, Project.code).where(Project.id.in_(ids)),
        "asset": lambda ids: sa.select(IpAsset.id, IpAsset.title).where(IpAsset.id.in_(ids)),
    }


class Names:
    """The names of the records a set of rows refers to, one statement per kind."""

    def __init__(self, wanted: dict[str, set[int]]) -> None:
        self._names: dict[str, dict[int, str]] = {}
        queries = _name_queries()
        for kind, ids in wanted.items():
            if not ids:
                continue
            if kind == "zone":
                zones = db.session.execute(sa.select(Zone).where(Zone.id.in_(ids))).scalars()
                self._names[kind] = {z.id: zone_label(z) for z in zones}
            else:
                rows = db.session.execute(queries[kind](sorted(ids))).all()
                self._names[kind] = {rid: str(name) for rid, name in rows}

    def of(self, kind: str, ident: Any) -> str:
        if ident is None:
            return ""
        return self._names.get(kind, {}).get(int(ident), f"#{ident}")


def _wanted(items: Iterable[dict[str, Any]], columns: Sequence[str]) -> dict[str, set[int]]:
    wanted: dict[str, set[int]] = defaultdict(set)

    def visit(key: str, value: Any) -> None:
        if key in REFERENCES and value is not None:
            kind = REFERENCES[key][0]
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
    if key in REFERENCES:
        kind = REFERENCES[key][0]
        values = value if isinstance(value, list) else [value]
        return "; ".join(names.of(kind, v) for v in values)
    if isinstance(value, list):
        return "; ".join(_text(v, names) for v in value)
    if isinstance(value, dict):
        return ", ".join(
            f"{header(REFERENCES[k][1]) if k in REFERENCES else header(k)}: {_text(v, names, k)}"
            for k, v in value.items()
        )
    if key in CODED:
        return str(LABELS.get(value) or STATUS_LABELS.get(value, value))
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
    names = Names(_wanted(items, keys))
    # (output key, source key, is the name column)
    columns: list[tuple[str, str, bool]] = []
    for key in keys:
        if key in REFERENCES:
            name_key = REFERENCES[key][1]
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
            elif src in REFERENCES:
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
