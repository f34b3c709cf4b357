"""Projects: the case files (GET for everyone in scope; admins create; admins and lawyers edit)."""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tracker.api.common import PageArgs, page_of, paginate, requires, user
from tracker.audit.service import record
from tracker.auth import policy
from tracker.cases import service
from tracker.cases.loading import project_or_404, record_or_404
from tracker.cases.models import PROJECT_STATUSES, RISK_LEVELS, SECURITY_LEVELS, Project
from tracker.db import db
from tracker.transfers.xlsx import workbook_bytes

blp = Blueprint("api_projects", __name__, url_prefix="/api/v1", description="Projects")

_max50 = validate.Length(max=50)
F = TypeVar("F", bound=Callable[..., Any])


def allowed_on(action: str, model: type | None = None, key: str = "project_id") -> Callable[[F], F]:
    """Load the project (or the `model` record) named by the URL and ask the policy before the
    body is validated: 404 out of scope, 403 in scope but not allowed."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if model is None:
                obj: Any = project_or_404(user(), kwargs[key])
            else:
                obj = record_or_404(user(), model, kwargs[key])
            policy.require(user(), action, obj)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


EXPORT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ListArgs(PageArgs):
    #: `csv` or `xlsx`: the whole filtered list (not one page) as a download, audited
    format = fields.String(load_default="json", validate=validate.OneOf(("json", *EXPORT_TYPES)))


def _text(value: Any) -> str:
    """A cell: lists joined with "; ", nested records as key=value."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return " ".join(f"{k}={_text(v)}" for k, v in value.items())
    return str(value)


def _csv_cell(text: str) -> str:
    """A spreadsheet never runs a CSV cell as a formula (XLSX cells are inline strings)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def page_or_download(
    stmt: Any, args: dict[str, Any], schema: Schema, name: str, project: Project | None = None
) -> Any:
    """One page as JSON; with `format=csv|xlsx` every row of the filtered list as a download,
    with the columns of `schema` (the same the JSON uses, so nobody gets more than in the
    API). Audited as `export.list` with the list's name, format and row count."""
    fmt = args.get("format", "json")
    if fmt == "json":
        return paginate(stmt, args)
    policy.require(user(), "export.list", project)
    items = schema.dump(db.session.execute(stmt).scalars().unique().all(), many=True)
    columns = list(schema.dump_fields)
    rows = [[_text(item.get(c)) for c in columns] for item in items]
    record(
        "export.list",
        project,
        object_type=None if project else name,
        detail={"list": name, "format": fmt, "rows": len(rows)},
    )
    if fmt == "xlsx":
        body = workbook_bytes(name[:31], [columns, *rows])
    else:
        out = io.StringIO()
        csv.writer(out).writerows([columns, *([_csv_cell(v) for v in r] for r in rows)])
        body = ("\ufeff" + out.getvalue()).encode()
    filename = f"{name}-{project.code}.{fmt}" if project else f"{name}.{fmt}"
    return Response(
        body,
        mimetype=EXPORT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


class ProjectSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    zone_id = fields.Integer(required=True, strict=True)
    company_id = fields.Integer(required=True, strict=True)
    partner_ids = fields.List(fields.Integer(strict=True), load_default=list, validate=_max50)
    lawyer_ids = fields.List(fields.Integer(strict=True), load_default=list, validate=_max50)
    start_date = fields.Date(allow_none=True, load_default=None)
    end_date = fields.Date(allow_none=True, load_default=None)
    budget_krw = fields.Integer(
        strict=True, allow_none=True, load_default=None, validate=validate.Range(min=0)
    )
    security_level = fields.String(load_default="general", validate=validate.OneOf(SECURITY_LEVELS))
    security_level_set_by_id = fields.Integer(dump_only=True)
    security_level_set_at = fields.AwareDateTime(dump_only=True)
    status = fields.String(load_default="active", validate=validate.OneOf(PROJECT_STATUSES))
    version = fields.Integer(dump_only=True)
    #: the level of the latest approved, unexpired risk review; null until one is approved
    risk_level = fields.String(dump_only=True, allow_none=True)
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)


class ProjectPatchSchema(Schema):
    code = fields.String(validate=validate.Length(min=1, max=32))
    title = fields.String(validate=validate.Length(min=1, max=300))
    zone_id = fields.Integer(strict=True)
    company_id = fields.Integer(strict=True)
    partner_ids = fields.List(fields.Integer(strict=True), validate=_max50)
    lawyer_ids = fields.List(fields.Integer(strict=True), validate=_max50)
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    budget_krw = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=0))
    security_level = fields.String(validate=validate.OneOf(SECURITY_LEVELS))
    status = fields.String(validate=validate.OneOf(PROJECT_STATUSES))
    #: the version this edit was made on; a stale one answers 409
    version = fields.Integer(required=True, strict=True)


class ProjectFilterArgs(ListArgs):
    zone_id = fields.Integer()
    status = fields.String(validate=validate.OneOf(PROJECT_STATUSES))
    risk_level = fields.String(validate=validate.OneOf((*RISK_LEVELS, "none")))
    q = fields.String(validate=validate.Length(max=200))


@blp.route("/projects", methods=["GET"])
@blp.arguments(ProjectFilterArgs, location="query")
@blp.response(200, page_of(ProjectSchema))
def list_projects(args: dict[str, Any]) -> Any:
    policy.require(user(), "project.view")
    return page_or_download(service.project_query(user(), args), args, ProjectSchema(), "projects")


@blp.route("/projects", methods=["POST"])
@requires("project.create")
@blp.arguments(ProjectSchema)
@blp.response(201, ProjectSchema)
def create_project(body: dict[str, Any]) -> Any:
    return service.with_risk_level(service.create_project(user(), body))


@blp.route("/projects/<int:project_id>", methods=["GET"])
@blp.response(200, ProjectSchema)
def get_project(project_id: int) -> Any:
    project = project_or_404(user(), project_id)
    policy.require(user(), "project.view", project)
    return service.with_risk_level(project)


@blp.route("/projects/<int:project_id>", methods=["PATCH"])
@allowed_on("project.edit")
@blp.arguments(ProjectPatchSchema)
@blp.response(200, ProjectSchema)
def update_project(body: dict[str, Any], project_id: int) -> Any:
    project = project_or_404(user(), project_id)
    return service.with_risk_level(service.update_project(user(), project, body))
