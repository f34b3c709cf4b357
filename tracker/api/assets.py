"""IP assets: everyone in scope reads them (operators a reduced view); lawyers write them."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from marshmallow.utils import missing

from tracker import policy
from tracker.api.common import ListArgs, allowed_on, page_of, page_or_download, user
from tracker.cases.assets import service as assets
from tracker.cases.assets.models import (
    ASSET_KINDS,
    DEADLINE_KINDS,
    NCT_STATUSES,
    SENSITIVITIES,
    STRATEGIC_ITEM,
    AssetDeadline,
    DerivedDeadline,
    IpAsset,
)
from tracker.cases.portfolio import listing
from tracker.cases.portfolio import service as portfolio
from tracker.cases.projects.models import Project
from tracker.cases.search import MAX_QUERY_LENGTH
from tracker.db import text_limit
from tracker.errors import InvalidInput
from tracker.policy import project_or_404, record_or_404
from tracker.web import sorting
from tracker.web.lean import dump_names, page_response

blp = Blueprint("api_assets", __name__, url_prefix="/api/v1", description="IP assets")


class AssetOwnerSchema(Schema):
    organization_id = fields.Integer(required=True, strict=True)
    share_pct = fields.Float(
        required=True, validate=validate.Range(min=0, max=100, min_inclusive=False)
    )


class AssetDeadlineSchema(Schema):
    """A deadline of the asset: entered by hand (`derived: false`), or derived by a docketing
    rule (`derived: true`, `rule`, `key`). Sent back in a PATCH, an entry with a `key` sets
    only the `done` mark of that derived deadline; entries without replace the hand-entered
    ones."""

    #: `id` and `rule` are accepted back (a response sent back as it came) and ignored
    id = fields.Integer(allow_none=True)
    kind = fields.String(validate=validate.OneOf(DEADLINE_KINDS))
    due_on = fields.Date()
    note = fields.String(
        allow_none=True, validate=validate.Length(max=text_limit(AssetDeadline.note))
    )
    done = fields.Boolean(load_default=False)
    derived = fields.Boolean(load_default=False)
    rule = fields.String(
        allow_none=True, validate=validate.Length(max=text_limit(DerivedDeadline.rule))
    )
    key = fields.String(
        allow_none=True, validate=validate.Length(min=1, max=text_limit(DerivedDeadline.key))
    )

    @validates_schema
    def _entered_needs_kind_and_date(self, data: dict[str, Any], **_kw: Any) -> None:
        if data.get("key"):
            return
        missing_fields = {n: ["Missing data for required field."] for n in ("kind", "due_on")}
        wanted = {n: m for n, m in missing_fields.items() if data.get(n) is None}
        if wanted:
            raise ValidationError(wanted)


class AssetDeadlinesField(fields.List):
    """`deadlines` of an asset: the hand-entered ones, then the derived ones."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing) -> Any:
        if isinstance(obj, IpAsset):
            return assets.deadline_items(obj)
        return super().get_value(obj, attr, accessor, default)


class AssetLimitedSchema(Schema):
    """What an operator sees: title, kind, sensitivity and the regulatory status."""

    id = fields.Integer(dump_only=True)
    project_id = fields.Integer(dump_only=True)
    title = fields.String(
        required=True, validate=validate.Length(min=1, max=text_limit(IpAsset.title))
    )
    kind = fields.String(required=True, validate=validate.OneOf(ASSET_KINDS))
    sensitivity = fields.String(required=True, validate=validate.OneOf(SENSITIVITIES))
    nct_status = fields.String(load_default="not_nct", validate=validate.OneOf(NCT_STATUSES))
    nct_ref = fields.String(
        allow_none=True, validate=validate.Length(max=text_limit(IpAsset.nct_ref))
    )
    #: the export approval or report was filed: the 45-day review clock runs until `nct_ref`
    nct_filed_on = fields.Date(allow_none=True)
    strategic_item = fields.String(load_default="no", validate=validate.OneOf(STRATEGIC_ITEM))
    export_licence_ref = fields.String(
        allow_none=True, validate=validate.Length(max=text_limit(IpAsset.export_licence_ref))
    )
    export_licence_until = fields.Date(allow_none=True)
    version = fields.Integer(dump_only=True)


class AssetSchema(AssetLimitedSchema):
    """The whole asset (everyone in scope with `asset.view_full`; operators get the limited
    schema above)."""

    description = fields.String(
        allow_none=True, validate=validate.Length(max=text_limit(IpAsset.description))
    )
    jurisdictions = fields.List(
        fields.String(validate=validate.Length(equal=2)),
        load_default=list,
        validate=validate.Length(max=100),
    )
    owners = fields.List(
        fields.Nested(AssetOwnerSchema), load_default=list, validate=validate.Length(max=20)
    )
    application_no = fields.String(
        allow_none=True, validate=validate.Length(max=text_limit(IpAsset.application_no))
    )
    #: the earliest priority date (docketing rules count from it, else from `filed_on`)
    priority_on = fields.Date(allow_none=True)
    filed_on = fields.Date(allow_none=True)
    registration_no = fields.String(
        allow_none=True, validate=validate.Length(max=text_limit(IpAsset.registration_no))
    )
    registered_on = fields.Date(allow_none=True)
    originality_cert_no = fields.String(
        allow_none=True, validate=validate.Length(max=text_limit(IpAsset.originality_cert_no))
    )
    confidentiality_marked = fields.Boolean(load_default=False)
    deadlines = AssetDeadlinesField(
        fields.Nested(AssetDeadlineSchema), load_default=list, validate=validate.Length(max=200)
    )
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)
    #: the accepted disclosure this asset was made from (its description stays there)
    disclosure_id = fields.Integer(dump_only=True, allow_none=True)


class AssetPatchSchema(AssetSchema):
    #: the version this edit was made on; a stale one answers 409
    version = fields.Integer(required=True, strict=True)


#: every field of a PATCH is optional but `version`
_PATCH = AssetPatchSchema(
    partial=tuple(n for n in AssetPatchSchema._declared_fields if n != "version")
)


def _either(schema: Any, limited: Any) -> dict[str, Any]:
    """OpenAPI: a 200 answer that is `schema`, or `limited` for callers without
    `asset.view_full` (operators)."""
    # anyOf: an empty page is valid under both shapes
    content = {"application/json": {"schema": {"anyOf": [schema, limited]}}}
    return {"responses": {"200": {"description": "OK", "content": content}}}


def _dump(asset: IpAsset) -> Any:
    schema = AssetSchema if policy.can(user(), "asset.view_full", asset) else AssetLimitedSchema
    return jsonify(schema().dump(asset))


@blp.route("/projects/<int:project_id>/assets", methods=["GET"])
@blp.arguments(ListArgs, location="query")
@blp.doc(**_either(page_of(AssetSchema), page_of(AssetLimitedSchema)))
def list_assets(args: dict[str, Any], project_id: int) -> Any:
    project = project_or_404(user(), project_id)
    policy.require(user(), "asset.view", project)
    full = policy.can(user(), "asset.view_full", project)
    schema = AssetSchema if full else AssetLimitedSchema
    page = page_or_download(assets.asset_query(project), args, schema(), "assets", project)
    return jsonify(page_of(schema)().dump(page)) if isinstance(page, dict) else page


@blp.route("/projects/<int:project_id>/assets", methods=["POST"])
@allowed_on("asset.edit")
@blp.arguments(AssetSchema)
@blp.response(201, AssetSchema)
def create_asset(body: dict[str, Any], project: Project) -> Any:
    return assets.create_asset(project, body)


@blp.route("/assets/<int:asset_id>", methods=["GET"])
@blp.doc(**_either(AssetSchema, AssetLimitedSchema))
def get_asset(asset_id: int) -> Any:
    asset = record_or_404(user(), IpAsset, asset_id)
    policy.require(user(), "asset.view", asset)
    return _dump(asset)


@blp.route("/assets/<int:asset_id>", methods=["PATCH"])
@allowed_on("asset.edit", IpAsset, "asset_id")
@blp.arguments(_PATCH)
@blp.response(200, AssetSchema)
def update_asset(body: dict[str, Any], asset: IpAsset) -> Any:
    return assets.update_asset(asset, body)


class PortfolioAssetLimitedSchema(AssetLimitedSchema):
    """An asset in the portfolio (operators): the limited fields and its project's code."""

    project_code = fields.Function(lambda a: a.project.code, dump_only=True)


class PortfolioAssetSchema(AssetSchema):
    """An asset in the portfolio: the whole asset, its project's code and its earliest
    deadline not yet done."""

    project_code = fields.Function(lambda a: a.project.code, dump_only=True)
    next_due_on = fields.Date(dump_only=True, allow_none=True)


#: what a portfolio item holds: the schemas' output fields, written from lean rows (listing.py)
_FULL_FIELDS = dump_names(PortfolioAssetSchema)
_LIMITED_FIELDS = dump_names(PortfolioAssetLimitedSchema)


class AssetPortfolioArgs(ListArgs):
    zone_id = fields.Integer()
    project_id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(ASSET_KINDS))
    sensitivity = fields.String(validate=validate.OneOf(SENSITIVITIES))
    nct_status = fields.String(validate=validate.OneOf(NCT_STATUSES))
    q = fields.String(validate=validate.Length(max=MAX_QUERY_LENGTH))
    sort = sorting.sort_field(portfolio.ASSET_SORTS, "title")


@blp.route("/assets", methods=["GET"])
@blp.arguments(AssetPortfolioArgs, location="query")
@blp.doc(**_either(page_of(PortfolioAssetSchema), page_of(PortfolioAssetLimitedSchema)))
def list_portfolio_assets(args: dict[str, Any]) -> Any:
    """Every IP asset of the caller's projects (operators: the limited fields, no deadlines).
    In the scope of every project, unfiltered, the total is exact up to 1,000 assets and an
    estimate beyond (`total_estimated: true`); searching a word (`q`), the total is estimated
    from its newest 250 hits when they point to 3,000 or more (hits crowded among the newest
    assets can make it overshoot), and exact otherwise. Such an estimate is kept a minute by
    the server for the same words, filters and role: within that minute it may not yet count
    assets added or removed since (`total_estimated: true` only; an exact total is always
    current). Downloads hold every row."""
    me = user()
    policy.require(me, "asset.view")
    full = policy.can(me, "asset.view_full")
    if not full and args["sort"].removeprefix("-") == "next_due_on":
        # deadlines are not theirs to see, nor their order
        raise InvalidInput(_("This list cannot be sorted that way."), "sort")
    if args.get("format", "json") == "json":
        shape, fields_ = ("full", _FULL_FIELDS) if full else ("limited", _LIMITED_FIELDS)
        return page_response(listing.asset_page(me, args, shape), fields_)
    schema = PortfolioAssetSchema if full else PortfolioAssetLimitedSchema
    return page_or_download(portfolio.assets(me, args), args, schema(), "assets")
