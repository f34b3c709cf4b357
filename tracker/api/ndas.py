"""The NDA register: everyone in scope reads it; lawyers write; company staff write drafts."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tracker import clock, policy
from tracker.api.common import ListArgs, allowed_on, page_of, page_or_download, user
from tracker.cases.ndas import listing
from tracker.cases.ndas import service as ndas
from tracker.cases.ndas.models import NDA_STATUSES, Nda
from tracker.cases.projects.models import Project
from tracker.db import text_limit
from tracker.policy import project_or_404, record_or_404
from tracker.web import sorting
from tracker.web.lean import dump_names, page_response

blp = Blueprint("api_ndas", __name__, url_prefix="/api/v1", description="NDA register")


class NdaSchema(Schema):
    id = fields.Integer(dump_only=True)
    project_id = fields.Integer(dump_only=True)
    partner_id = fields.Integer(required=True, strict=True)
    partner_name = fields.Function(lambda nda: nda.partner.name, dump_only=True)
    signed_on = fields.Date(allow_none=True, load_default=None)
    effective_on = fields.Date(required=True)
    expires_on = fields.Date(required=True)
    governing_law = fields.String(
        allow_none=True, validate=validate.Length(max=text_limit(Nda.governing_law))
    )
    purpose = fields.String(allow_none=True, validate=validate.Length(max=text_limit(Nda.purpose)))
    asset_ids = fields.List(
        fields.Integer(strict=True), load_default=list, validate=validate.Length(max=200)
    )
    return_or_destroy = fields.Boolean(load_default=False)
    audit_rights = fields.Boolean(load_default=False)
    #: in: draft, active or terminated; out: the effective status (an active NDA past its
    #: expiry date reads `expired`)
    status = fields.Function(
        lambda nda: nda.effective_status(clock.today()) if isinstance(nda, Nda) else nda,
        deserialize=lambda value: value,
        load_default="draft",
        validate=validate.OneOf(ndas.SETTABLE_STATUSES),
    )
    #: the status as recorded
    recorded_status = fields.String(attribute="status", dump_only=True)
    created_by_id = fields.Integer(dump_only=True)
    version = fields.Integer(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)


#: what a list item holds: the schema's output fields, written from lean rows (listing.py)
_LIST_FIELDS = dump_names(NdaSchema)


class NdaPatchSchema(NdaSchema):
    #: the version this edit was made on; a stale one answers 409
    version = fields.Integer(required=True, strict=True)


_PATCH = NdaPatchSchema(partial=tuple(n for n in NdaPatchSchema._declared_fields if n != "version"))


class NdaFilterArgs(ListArgs):
    status = fields.String(validate=validate.OneOf(NDA_STATUSES))
    partner_id = fields.Integer()
    expiring_within_days = fields.Integer(validate=validate.Range(min=0, max=3650))
    sort = sorting.sort_field(ndas.SORTS, "expires_on")


@blp.route("/ndas", methods=["GET"])
@blp.arguments(NdaFilterArgs, location="query")
@blp.response(200, page_of(NdaSchema))
def list_all_ndas(args: dict[str, Any]) -> Any:
    policy.require(user(), "nda.view")
    if args.get("format", "json") == "json":
        return page_response(listing.page(user(), args), _LIST_FIELDS)
    return page_or_download(ndas.nda_query(user(), args), args, NdaSchema(), "ndas")


@blp.route("/projects/<int:project_id>/ndas", methods=["GET"])
@blp.arguments(NdaFilterArgs, location="query")
@blp.response(200, page_of(NdaSchema))
def list_ndas(args: dict[str, Any], project_id: int) -> Any:
    project = project_or_404(user(), project_id)
    policy.require(user(), "nda.view", project)
    if args.get("format", "json") == "json":
        return page_response(listing.page(user(), args, project.id), _LIST_FIELDS)
    stmt = ndas.nda_query(user(), args, project)
    return page_or_download(stmt, args, NdaSchema(), "ndas", project)


@blp.route("/projects/<int:project_id>/ndas", methods=["POST"])
@allowed_on("nda.draft")
@blp.arguments(NdaSchema)
@blp.response(201, NdaSchema)
def create_nda(body: dict[str, Any], project: Project) -> Any:
    return ndas.create_nda(user(), project, body)


@blp.route("/ndas/<int:nda_id>", methods=["GET"])
@blp.response(200, NdaSchema)
def get_nda(nda_id: int) -> Any:
    nda = record_or_404(user(), Nda, nda_id)
    policy.require(user(), "nda.view", nda)
    return nda


@blp.route("/ndas/<int:nda_id>", methods=["PATCH"])
@allowed_on("nda.draft", Nda, "nda_id")
@blp.arguments(_PATCH)
@blp.response(200, NdaSchema)
def update_nda(body: dict[str, Any], nda: Nda) -> Any:
    return ndas.update_nda(user(), nda, body)
