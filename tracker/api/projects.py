"""Projects: the case files (GET for everyone in scope; admins create; admins and lawyers edit)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tracker import policy
from tracker.api.common import ListArgs, allowed_on, page_of, page_or_download, requires, user
from tracker.cases.projects import listing, service
from tracker.cases.projects.models import PROJECT_STATUSES, SECURITY_LEVELS, Project
from tracker.cases.reviews.models import RISK_LEVELS
from tracker.cases.search import MAX_QUERY_LENGTH
from tracker.db import text_limit
from tracker.policy import project_or_404
from tracker.web import sorting
from tracker.web.lean import dump_names, page_response

blp = Blueprint("api_projects", __name__, url_prefix="/api/v1", description="Projects")

_max50 = validate.Length(max=50)
_budget = validate.Range(min=0, max=service.MAX_BUDGET_KRW)


class ProjectSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String(
        required=True, validate=validate.Length(min=1, max=text_limit(Project.code))
    )
    title = fields.String(
        required=True, validate=validate.Length(min=1, max=text_limit(Project.title))
    )
    zone_id = fields.Integer(required=True, strict=True)
    company_id = fields.Integer(required=True, strict=True)
    partner_ids = fields.List(fields.Integer(strict=True), load_default=list, validate=_max50)
    lawyer_ids = fields.List(fields.Integer(strict=True), load_default=list, validate=_max50)
    start_date = fields.Date(allow_none=True, load_default=None)
    end_date = fields.Date(allow_none=True, load_default=None)
    budget_krw = fields.Integer(strict=True, allow_none=True, load_default=None, validate=_budget)
    security_level = fields.String(load_default="general", validate=validate.OneOf(SECURITY_LEVELS))
    security_level_set_by_id = fields.Integer(dump_only=True)
    security_level_set_at = fields.AwareDateTime(dump_only=True)
    status = fields.String(load_default="active", validate=validate.OneOf(PROJECT_STATUSES))
    version = fields.Integer(dump_only=True)
    #: the level of the latest approved, unexpired risk review; null until one is approved
    risk_level = fields.String(dump_only=True, allow_none=True)
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)


#: what a list item holds: the schema's output fields, written from lean rows (listing.py)
_LIST_FIELDS = dump_names(ProjectSchema)


class ProjectPatchSchema(Schema):
    code = fields.String(validate=validate.Length(min=1, max=text_limit(Project.code)))
    title = fields.String(validate=validate.Length(min=1, max=text_limit(Project.title)))
    zone_id = fields.Integer(strict=True)
    company_id = fields.Integer(strict=True)
    partner_ids = fields.List(fields.Integer(strict=True), validate=_max50)
    lawyer_ids = fields.List(fields.Integer(strict=True), validate=_max50)
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    budget_krw = fields.Integer(strict=True, allow_none=True, validate=_budget)
    security_level = fields.String(validate=validate.OneOf(SECURITY_LEVELS))
    status = fields.String(validate=validate.OneOf(PROJECT_STATUSES))
    #: the version this edit was made on; a stale one answers 409
    version = fields.Integer(required=True, strict=True)


class ProjectFilterArgs(ListArgs):
    zone_id = fields.Integer()
    status = fields.String(validate=validate.OneOf(PROJECT_STATUSES))
    risk_level = fields.String(validate=validate.OneOf((*RISK_LEVELS, "none")))
    q = fields.String(validate=validate.Length(max=MAX_QUERY_LENGTH))
    sort = sorting.sort_field(listing.SORTS, "code")


@blp.route("/projects", methods=["GET"])
@blp.arguments(ProjectFilterArgs, location="query")
@blp.response(200, page_of(ProjectSchema))
def list_projects(args: dict[str, Any]) -> Any:
    policy.require(user(), "project.view")
    if args.get("format", "json") == "json":
        page = listing.page(user(), args, args["page"], args["per_page"])
        return page_response(page, _LIST_FIELDS)
    return page_or_download(listing.all_rows(user(), args), args, ProjectSchema(), "projects")


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
def update_project(body: dict[str, Any], project: Project) -> Any:
    return service.with_risk_level(service.update_project(user(), project, body))
