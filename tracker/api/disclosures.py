"""Invention disclosures: companies file, lawyers decide; every read of the content is audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tracker.api.common import PageArgs, page_of, paginate, user
from tracker.audit.service import record
from tracker.auth import policy
from tracker.cases import disclosures
from tracker.cases.loading import project_or_404, record_or_404
from tracker.cases.models import (
    ASSET_KINDS,
    DISCLOSURE_STATUSES,
    SENSITIVITIES,
    Disclosure,
    Project,
)
from tracker.db import db
from tracker.transfers.xlsx import workbook_bytes

blp = Blueprint(
    "api_disclosures", __name__, url_prefix="/api/v1", description="Invention disclosures"
)


class InventorSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    #: a percentage with at most two decimals; the shares of a disclosure add up to 100
    share_pct = fields.Decimal(required=True, load_only=True)
    nationality = fields.String(allow_none=True, validate=validate.Length(equal=2))
    employer = fields.String(allow_none=True, validate=validate.Length(max=300))


class InventorOutSchema(Schema):
    name = fields.String()
    share_pct = fields.Float()
    nationality = fields.String(allow_none=True)
    employer = fields.String(allow_none=True)
    #: nationality given and not KR
    foreign = fields.Function(disclosures.is_foreign)


class DisclosureSchema(Schema):
    id = fields.Integer(dump_only=True)
    project_id = fields.Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    description = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    inventors = fields.List(fields.Nested(InventorSchema), required=True, load_only=True)
    conceived_on = fields.Date(required=True)
    disclosed_externally = fields.Boolean(load_default=False)
    status = fields.String(dump_only=True)
    has_foreign_inventor = fields.Function(disclosures.has_foreign_inventor, dump_only=True)
    filed_by_id = fields.Integer(dump_only=True)
    reviewer_id = fields.Integer(dump_only=True, allow_none=True)
    reviewer_note = fields.String(dump_only=True, allow_none=True)
    decided_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    asset_id = fields.Integer(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)


class DisclosureOutSchema(DisclosureSchema):
    inventors = fields.List(fields.Nested(InventorOutSchema))


class DisclosurePatchSchema(Schema):
    version = fields.Integer(required=True)
    title = fields.String(validate=validate.Length(min=1, max=300))
    description = fields.String(validate=validate.Length(min=1, max=20000))
    inventors = fields.List(fields.Nested(InventorSchema))
    conceived_on = fields.Date()
    disclosed_externally = fields.Boolean()


class DisclosureAssetSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(ASSET_KINDS))
    sensitivity = fields.String(required=True, validate=validate.OneOf(SENSITIVITIES))


class DisclosureDecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(disclosures.DECISIONS))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    #: the IP asset to create on accept (default: a confidential patent)
    asset = fields.Nested(DisclosureAssetSchema, load_default=None, allow_none=True)
    #: optional optimistic lock
    version = fields.Integer(load_default=None, allow_none=True)


# --- list exports (shared by the disclosure, session and review lists) --------------------------

EXPORT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class RecordListArgs(PageArgs):
    #: `csv` or `xlsx`: the whole list (not one page) as a download, audited
    format = fields.String(validate=validate.OneOf(("json", *EXPORT_TYPES)), load_default="json")


def _csv_cell(value: str) -> str:
    """A spreadsheet never runs a CSV cell as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _render(fmt: str, name: str, columns: Sequence[str], rows: list[list[str]]) -> bytes:
    if fmt == "xlsx":
        return workbook_bytes(name[:31], [list(columns), *rows])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode()


def page_or_export(
    stmt: sa.Select[Any],
    args: dict[str, Any],
    project: Project,
    name: str,
    columns: Sequence[str],
    row: Callable[[Any], Sequence[Any]],
) -> Any:
    """One page as JSON, or with `format=csv|xlsx` every row as a download (audited as
    `export.list`: the list's name, format and row count)."""
    if args.get("format", "json") == "json":
        return paginate(stmt, args)
    records = db.session.execute(stmt).scalars().unique().all()
    rows = [["" if v is None else str(v) for v in row(r)] for r in records]
    record(
        "export.list", project, detail={"list": name, "format": args["format"], "rows": len(rows)}
    )
    return Response(
        _render(args["format"], name, columns, rows),
        mimetype=EXPORT_TYPES[args["format"]],
        headers={
            "Content-Disposition": f'attachment; filename="{name}-{project.code}.{args["format"]}"'
        },
    )


class DisclosureFilterArgs(RecordListArgs):
    status = fields.String(validate=validate.OneOf(DISCLOSURE_STATUSES))


@blp.route("/projects/<int:project_id>/disclosures", methods=["GET"])
@blp.arguments(DisclosureFilterArgs, location="query")
@blp.response(200, page_of(DisclosureOutSchema))
def list_disclosures(args: dict[str, Any], project_id: int) -> Any:
    project = project_or_404(user(), project_id)
    policy.require(user(), "disclosure.read", project)
    stmt = disclosures.disclosures_query(project)
    if "status" in args:
        stmt = stmt.where(Disclosure.status == args["status"])
    page = page_or_export(
        stmt, args, project, "disclosures", disclosures.EXPORT_COLUMNS, disclosures.export_row
    )
    if isinstance(page, dict):
        disclosures.audit_listed(project, page["items"])
    return page


@blp.route("/projects/<int:project_id>/disclosures", methods=["POST"])
@blp.arguments(DisclosureSchema)
@blp.response(201, DisclosureOutSchema)
def file_disclosure(body: dict[str, Any], project_id: int) -> Any:
    project = project_or_404(user(), project_id)
    policy.require(user(), "disclosure.file", project)
    return disclosures.file_disclosure(project, user(), body)


@blp.route("/disclosures/<int:disclosure_id>", methods=["GET"])
@blp.response(200, DisclosureOutSchema)
def get_disclosure(disclosure_id: int) -> Any:
    disclosure = record_or_404(user(), Disclosure, disclosure_id)
    policy.require(user(), "disclosure.read", disclosure)
    return disclosures.open_disclosure(disclosure)


@blp.route("/disclosures/<int:disclosure_id>", methods=["PATCH"])
@blp.arguments(DisclosurePatchSchema)
@blp.response(200, DisclosureOutSchema)
def resubmit_disclosure(body: dict[str, Any], disclosure_id: int) -> Any:
    disclosure = record_or_404(user(), Disclosure, disclosure_id)
    policy.require(user(), "disclosure.file", disclosure)
    version = body.pop("version")
    return disclosures.resubmit_disclosure(disclosure, version, body)


@blp.route("/disclosures/<int:disclosure_id>/decision", methods=["POST"])
@blp.arguments(DisclosureDecisionSchema)
@blp.response(200, DisclosureOutSchema)
def decide_disclosure(body: dict[str, Any], disclosure_id: int) -> Any:
    disclosure = record_or_404(user(), Disclosure, disclosure_id)
    policy.require(user(), "disclosure.decide", disclosure)
    return disclosures.decide_disclosure(
        disclosure, user(), body["decision"], body["note"], body["asset"], body["version"]
    )
