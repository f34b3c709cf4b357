"""The filings of an IP asset (its family) and their events: lawyers in scope write them;
whoever may read the asset in full reads them (`filing.view`; operators do not)."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from marshmallow.utils import missing

from tracker import policy
from tracker.api.common import ListArgs, allowed_on, page_of, page_or_download, paginate, user
from tracker.cases.assets.filing_rules import EVENT_KINDS, ROUTES, STATUSES
from tracker.cases.assets.models import IpAsset
from tracker.cases.filings import service as filings
from tracker.cases.filings.models import Filing, FilingDeadlineRow, FilingEvent
from tracker.db import text_limit
from tracker.policy import record_or_404
from tracker.web.ids import MAX_ID

blp = Blueprint("api_filings", __name__, url_prefix="/api/v1", description="IP filings")

#: a number as an office writes it: no control characters
_NUMBER = validate.Regexp(r"^[^\x00-\x1f\x7f]*$", error="No control characters.")


def _number(column: Any) -> fields.String:
    return fields.String(
        allow_none=True, validate=[validate.Length(max=text_limit(column)), _NUMBER]
    )


class FilingDeadlineSchema(Schema):
    """A deadline the filing rules derive for the filing; `key` names it within the filing."""

    key = fields.String()
    kind = fields.String()
    due_on = fields.Date()
    #: the last day the act can still be done late, with a surcharge (null: no grace)
    grace_until = fields.Date(allow_none=True)
    office = fields.String()
    year = fields.Integer(allow_none=True)
    rule = fields.String()
    #: marked done, or closed by an event (a response filed, a fee paid)
    done = fields.Boolean()
    closed = fields.Boolean()
    derived = fields.Boolean()


class FilingDeadlinesField(fields.List):
    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing) -> Any:
        if isinstance(obj, Filing):
            return filings.deadline_items(obj)
        return super().get_value(obj, attr, accessor, default)


class FilingSchema(Schema):
    id = fields.Integer(dump_only=True)
    asset_id = fields.Integer(dump_only=True)
    project_id = fields.Integer(dump_only=True)
    #: ISO 3166 alpha-2, or EP, WO, EM, WIPO
    office = fields.String(required=True, validate=validate.Length(min=2, max=4))
    route = fields.String(required=True, validate=validate.OneOf(ROUTES))
    #: the filing this one claims priority from (paris), enters from (national_phase: a PCT
    #: filing) or validates (validation: an EP filing)
    parent_id = fields.Integer(
        allow_none=True, strict=True, validate=validate.Range(min=1, max=MAX_ID)
    )
    application_no = _number(Filing.application_no)
    registration_no = _number(Filing.registration_no)
    filed_on = fields.Date(required=True)
    priority_on = fields.Date(allow_none=True)
    published_on = fields.Date(allow_none=True)
    examination_requested_on = fields.Date(allow_none=True)
    allowed_on = fields.Date(allow_none=True)
    registered_on = fields.Date(allow_none=True)
    status = fields.String(load_default="pending", validate=validate.OneOf(STATUSES))
    version = fields.Integer(dump_only=True)
    deadlines = FilingDeadlinesField(fields.Nested(FilingDeadlineSchema), dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)


class DoneMarkSchema(Schema):
    key = fields.String(
        required=True, validate=validate.Length(min=1, max=text_limit(FilingDeadlineRow.key))
    )
    done = fields.Boolean(required=True)


class FilingPatchSchema(FilingSchema):
    #: the version this edit was made on; a stale one answers 409
    version = fields.Integer(required=True, strict=True)
    #: done marks of derived deadlines, by key
    deadlines = fields.List(  # type: ignore[assignment]
        fields.Nested(DoneMarkSchema), validate=validate.Length(max=200)
    )


_PATCH = FilingPatchSchema(
    partial=tuple(n for n in FilingPatchSchema._declared_fields if n != "version")
)


class DeleteArgs(Schema):
    #: when given, the version the caller loaded (stale: 409)
    version = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


class FilingEventSchema(Schema):
    id = fields.Integer(dump_only=True)
    filing_id = fields.Integer(dump_only=True)
    kind = fields.String(required=True, validate=validate.OneOf(EVENT_KINDS))
    on = fields.Date(required=True)
    #: the date the office named (else the office's usual period)
    due_on = fields.Date(allow_none=True)
    note = fields.String(
        allow_none=True,
        validate=[validate.Length(max=text_limit(FilingEvent.note)), _NUMBER],
    )
    created_by_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = fields.AwareDateTime(dump_only=True)


class FilingEventCreatedSchema(FilingEventSchema):
    #: the filing's deadlines after the event (the ones that follow appear at once)
    deadlines = fields.List(fields.Nested(FilingDeadlineSchema), dump_only=True)


@blp.route("/assets/<int:asset_id>/filings", methods=["GET"])
@blp.arguments(ListArgs, location="query")
@blp.response(200, page_of(FilingSchema))
def list_filings(args: dict[str, Any], asset_id: int) -> Any:
    asset = record_or_404(user(), IpAsset, asset_id)
    policy.require(user(), "filing.view", asset)
    page = page_or_download(
        filings.filing_query(asset), args, FilingSchema(), "filings", asset.project
    )
    return jsonify(page_of(FilingSchema)().dump(page)) if isinstance(page, dict) else page


@blp.route("/assets/<int:asset_id>/filings", methods=["POST"])
@allowed_on("filing.edit", IpAsset, "asset_id")
@blp.arguments(FilingSchema)
@blp.response(201, FilingSchema)
def create_filing(body: dict[str, Any], asset: IpAsset) -> Any:
    return filings.create_filing(asset, body)


@blp.route("/filings/<int:filing_id>", methods=["GET"])
@blp.response(200, FilingSchema)
def get_filing(filing_id: int) -> Any:
    filing = record_or_404(user(), Filing, filing_id)
    policy.require(user(), "filing.view", filing)
    return filing


@blp.route("/filings/<int:filing_id>", methods=["PATCH"])
@allowed_on("filing.edit", Filing, "filing_id")
@blp.arguments(_PATCH)
@blp.response(200, FilingSchema)
def update_filing(body: dict[str, Any], filing: Filing) -> Any:
    return filings.update_filing(filing, body)


@blp.route("/filings/<int:filing_id>", methods=["DELETE"])
@allowed_on("filing.edit", Filing, "filing_id")
@blp.arguments(DeleteArgs, location="query")
@blp.response(204)
def delete_filing(args: dict[str, Any], filing: Filing) -> None:
    filings.delete_filing(filing, args.get("version"))


@blp.route("/filings/<int:filing_id>/events", methods=["GET"])
@blp.arguments(ListArgs, location="query")
@blp.response(200, page_of(FilingEventSchema))
def list_events(args: dict[str, Any], filing_id: int) -> Any:
    filing = record_or_404(user(), Filing, filing_id)
    policy.require(user(), "filing.view", filing)
    return paginate(filings.event_query(filing), args)


@blp.route("/filings/<int:filing_id>/events", methods=["POST"])
@allowed_on("filing.edit", Filing, "filing_id")
@blp.arguments(FilingEventSchema)
@blp.response(201, FilingEventCreatedSchema)
def create_event(body: dict[str, Any], filing: Filing) -> Any:
    event = filings.record_event(filing, body, user().id)
    fields_ = {name: getattr(event, name) for name in FilingEventSchema._declared_fields}
    return {**fields_, "deadlines": filings.deadline_items(filing)}
