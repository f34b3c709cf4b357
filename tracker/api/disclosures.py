"""Invention disclosures: companies file, lawyers decide; every read of the content is audited."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tracker import policy
from tracker.api.common import ListArgs, allowed_on, page_of, page_or_download, user
from tracker.cases.assets.models import (
    ASSET_KINDS,
    NCT_STATUSES,
    SENSITIVITIES,
    STRATEGIC_ITEM,
    IpAsset,
)
from tracker.cases.disclosures import inventors as inventor_rules
from tracker.cases.disclosures import service as disclosures
from tracker.cases.disclosures.models import DISCLOSURE_STATUSES, Disclosure, Inventor
from tracker.cases.projects.models import Project
from tracker.db import text_limit
from tracker.policy import project_or_404, record_or_404
from tracker.web import sorting

blp = Blueprint(
    "api_disclosures", __name__, url_prefix="/api/v1", description="Invention disclosures"
)


class InventorSchema(Schema):
    name = fields.String(
        required=True, validate=validate.Length(min=1, max=text_limit(Inventor.name))
    )
    #: a percentage with at most two decimals; the shares of a disclosure add up to 100
    share_pct = fields.Decimal(required=True, load_only=True)
    nationality = fields.String(
        allow_none=True, validate=validate.Length(equal=text_limit(Inventor.nationality))
    )
    employer = fields.String(
        allow_none=True, validate=validate.Length(max=text_limit(Inventor.employer))
    )


class InventorOutSchema(Schema):
    name = fields.String()
    share_pct = fields.Float()
    nationality = fields.String(allow_none=True)
    employer = fields.String(allow_none=True)
    #: nationality given and not KR
    foreign = fields.Function(inventor_rules.is_foreign)


class DisclosureSchema(Schema):
    id = fields.Integer(dump_only=True)
    project_id = fields.Integer(dump_only=True)
    title = fields.String(
        required=True, validate=validate.Length(min=1, max=text_limit(Disclosure.title))
    )
    description = fields.String(
        required=True, validate=validate.Length(min=1, max=text_limit(Disclosure.description))
    )
    inventors = fields.List(fields.Nested(InventorSchema), required=True, load_only=True)
    conceived_on = fields.Date(required=True)
    disclosed_externally = fields.Boolean(load_default=False)
    status = fields.String(dump_only=True)
    has_foreign_inventor = fields.Function(inventor_rules.has_foreign_inventor, dump_only=True)
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
    version = fields.Integer(strict=True, required=True)
    title = fields.String(validate=validate.Length(min=1, max=text_limit(Disclosure.title)))
    description = fields.String(
        validate=validate.Length(min=1, max=text_limit(Disclosure.description))
    )
    inventors = fields.List(fields.Nested(InventorSchema))
    conceived_on = fields.Date()
    disclosed_externally = fields.Boolean()


class DecisionOwnerSchema(Schema):
    organization_id = fields.Integer(required=True, strict=True)
    share_pct = fields.Decimal(required=True)


class DisclosureAssetSchema(Schema):
    """The asset an accepted disclosure becomes. `kind` and `sensitivity` as before; the rest
    were added later: an older body without them still works, the asset's regulatory status is
    then "unknown" (the gate fails on it until a lawyer sets it) and its owners are the
    proposal from the inventors' employers (a foreign co-inventor's share left unassigned)."""

    kind = fields.String(required=True, validate=validate.OneOf(ASSET_KINDS))
    sensitivity = fields.String(required=True, validate=validate.OneOf(SENSITIVITIES))
    #: default: the disclosure's title
    title = fields.String(validate=validate.Length(min=1, max=text_limit(IpAsset.title)))
    #: the lawyer's own description of the asset (never copied from the disclosure)
    description = fields.String(
        allow_none=True, validate=validate.Length(max=text_limit(IpAsset.description))
    )
    nct_status = fields.String(validate=validate.OneOf(NCT_STATUSES))
    nct_ref = fields.String(
        allow_none=True, validate=validate.Length(max=text_limit(IpAsset.nct_ref))
    )
    strategic_item = fields.String(validate=validate.OneOf(STRATEGIC_ITEM))
    owners = fields.List(fields.Nested(DecisionOwnerSchema), validate=validate.Length(max=20))


class DisclosureDecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(disclosures.DECISIONS))
    note = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=text_limit(Disclosure.reviewer_note)),
    )
    #: the IP asset to create on accept (default: a confidential patent)
    asset = fields.Nested(DisclosureAssetSchema, load_default=None, allow_none=True)
    #: optional optimistic lock
    version = fields.Integer(strict=True, load_default=None, allow_none=True)


class DisclosureFilterArgs(ListArgs):
    status = fields.String(validate=validate.OneOf(DISCLOSURE_STATUSES))
    sort = sorting.sort_field(disclosures.SORTS, "-created_at")


@blp.route("/projects/<int:project_id>/disclosures", methods=["GET"])
@blp.arguments(DisclosureFilterArgs, location="query")
@blp.response(200, page_of(DisclosureOutSchema))
def list_disclosures(args: dict[str, Any], project_id: int) -> Any:
    project = project_or_404(user(), project_id)
    policy.require(user(), "disclosure.read", project)
    stmt = disclosures.disclosures_query(project, args["sort"])
    if "status" in args:
        stmt = stmt.where(Disclosure.status == args["status"])
    page = page_or_download(stmt, args, DisclosureOutSchema(), "disclosures", project)
    if isinstance(page, dict):
        disclosures.audit_listed(project, page["items"])
    return page


@blp.route("/projects/<int:project_id>/disclosures", methods=["POST"])
@allowed_on("disclosure.file")
@blp.arguments(DisclosureSchema)
@blp.response(201, DisclosureOutSchema)
def file_disclosure(body: dict[str, Any], project: Project) -> Any:
    return disclosures.file_disclosure(project, user(), body)


@blp.route("/disclosures/<int:disclosure_id>", methods=["GET"])
@blp.response(200, DisclosureOutSchema)
def get_disclosure(disclosure_id: int) -> Any:
    disclosure = record_or_404(user(), Disclosure, disclosure_id)
    policy.require(user(), "disclosure.read", disclosure)
    return disclosures.open_disclosure(disclosure)


@blp.route("/disclosures/<int:disclosure_id>", methods=["PATCH"])
@allowed_on("disclosure.file", Disclosure, "disclosure_id")
@blp.arguments(DisclosurePatchSchema)
@blp.response(200, DisclosureOutSchema)
def resubmit_disclosure(body: dict[str, Any], disclosure: Disclosure) -> Any:
    version = body.pop("version")
    return disclosures.resubmit_disclosure(disclosure, version, body)


@blp.route("/disclosures/<int:disclosure_id>/decision", methods=["POST"])
@allowed_on("disclosure.decide", Disclosure, "disclosure_id")
@blp.arguments(DisclosureDecisionSchema)
@blp.response(200, DisclosureOutSchema)
def decide_disclosure(body: dict[str, Any], disclosure: Disclosure) -> Any:
    return disclosures.decide_disclosure(
        disclosure, user(), body["decision"], body["note"], body["asset"], body["version"]
    )
