"""Data-sharing requests: filing, the gate's checks, the operator's decision, the ledger."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, post_dump, validate

from tracker import policy
from tracker.api.common import PageArgs, allowed_on, page_of, user
from tracker.cases.projects.models import Project
from tracker.db import text_limit
from tracker.policy import project_or_404, record_or_404
from tracker.reports.exports import EXPORT_TYPES
from tracker.transfers import listing, queries, service
from tracker.transfers.export import export
from tracker.transfers.files import file_sha256, may_see_sha256
from tracker.transfers.gate import rendered
from tracker.transfers.models import CHANNELS, TRANSFER_STATUSES, TransferRequest
from tracker.web import sorting
from tracker.web.ids import MAX_ID
from tracker.web.lean import dump_names, page_response

blp = Blueprint("api_transfers", __name__, url_prefix="/api/v1", description="Data sharing")

#: a body's ids: one no row can have is invalid input (422), not a database error (500)
_id = validate.Range(min=1, max=MAX_ID)


class TransferCheckSchema(Schema):
    code = fields.String()
    ok = fields.Boolean()
    detail = fields.String()


class TransferFileSchema(Schema):
    attachment_id = fields.Integer()
    attachment_version = fields.Integer()
    filename = fields.String()
    size = fields.Integer(allow_none=True)
    #: the plaintext sha256 at filing; only for users who may download the file
    sha256 = fields.Function(
        file_sha256,
        metadata={"description": "Only for users who may download the file (lawyers, companies)."},
    )


class TransferSchema(Schema):
    """A request as filed: `POST /projects/{id}/transfers`."""

    partner_id = fields.Integer(required=True, validate=_id)
    asset_ids = fields.List(fields.Integer(validate=_id), load_default=list)
    attachment_ids = fields.List(fields.Integer(validate=_id), load_default=list)
    purpose = fields.String(
        required=True, validate=validate.Length(min=1, max=text_limit(TransferRequest.purpose))
    )
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    planned_on = fields.Date(required=True)


class TransferOutSchema(Schema):
    """A request with the gate's checks (their `detail` in the caller's language)."""

    id = fields.Integer()
    project_id = fields.Integer()
    partner_id = fields.Integer()
    partner_name = fields.Function(lambda t: t.partner.name)
    asset_ids = fields.Function(lambda t: [a.id for a in t.assets])
    files = fields.List(fields.Nested(TransferFileSchema))
    purpose = fields.String()
    channel = fields.String()
    planned_on = fields.Date()
    status = fields.String()
    checks = fields.Method("_checks")
    checked_at = fields.AwareDateTime()
    requested_by_id = fields.Integer()
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)
    #: the checks as they stood at the decision
    decision_checks = fields.Method("_decision_checks")
    version = fields.Integer()
    created_at = fields.AwareDateTime()

    @post_dump(pass_original=True)
    def _digests_for_downloaders(
        self, data: dict[str, Any], t: TransferRequest, **_kw: Any
    ) -> dict[str, Any]:
        if not may_see_sha256(user(), t):
            for file in data.get("files", []):
                file.pop("sha256", None)
        return data

    def _checks(self, t: TransferRequest) -> list[dict[str, Any]]:
        return rendered(t.checks)

    def _decision_checks(self, t: TransferRequest) -> list[dict[str, Any]] | None:
        return rendered(t.decision_checks) if t.decision_checks is not None else None


class TransferDecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(tuple(service.DECISIONS)))
    note = fields.String(
        load_default="", validate=validate.Length(max=text_limit(TransferRequest.decision_note))
    )
    #: optional: the version the decider saw (HTML forms send it)
    version = fields.Integer(load_default=None)


class TransferFilterArgs(PageArgs):
    zone_id = fields.Integer()
    project_id = fields.Integer()
    partner_id = fields.Integer()
    status = fields.String(validate=validate.OneOf(TRANSFER_STATUSES))
    planned_from = fields.Date()
    planned_to = fields.Date()
    #: none: newest first, an approved or denied list by the latest planned date
    sort = sorting.sort_field(queries.SORTS, None)
    #: `csv` or `xlsx`: the whole filtered list as a download (audited)
    format = fields.String(validate=validate.OneOf(("json", *EXPORT_TYPES)), load_default="json")


class ProjectTransferFilterArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(TRANSFER_STATUSES))
    sort = sorting.sort_field(queries.SORTS, None)


def _transfer(transfer_id: int, action: str) -> TransferRequest:
    transfer = record_or_404(user(), TransferRequest, transfer_id)
    policy.require(user(), action, transfer)
    return transfer


def _list(args: dict[str, Any], *, ledger: bool) -> Any:
    policy.require(user(), "transfer.view")
    filters = queries.TransferFilters.of(args)
    if args["format"] != "json":
        query = queries.ledger_query if ledger else queries.transfers_query
        name = "transfer-ledger" if ledger else "transfer-requests"
        return export(query(user(), filters), args["format"], name, filters.as_detail())
    return _lean_page(queries.ledger_filters(filters) if ledger else filters, args)


#: the fields a request is written with in a list (the schema's, in its order)
TRANSFER_FIELDS = dump_names(TransferOutSchema)


def _lean_page(filters: queries.TransferFilters, args: dict[str, Any]) -> Any:
    """One page written from plain rows (`tracker.transfers.listing`)."""
    found = listing.page(user(), filters, args["page"], args["per_page"])
    return page_response(found, TRANSFER_FIELDS)


@blp.route("/projects/<int:project_id>/transfers", methods=["GET"])
@blp.arguments(ProjectTransferFilterArgs, location="query")
@blp.response(200, page_of(TransferOutSchema))
def list_project_transfers(args: dict[str, Any], project_id: int) -> Any:
    project = project_or_404(user(), project_id)
    policy.require(user(), "transfer.view", project)
    filters = queries.TransferFilters(
        project_id=project.id, status=args.get("status"), sort=args.get("sort")
    )
    return _lean_page(filters, args)


@blp.route("/projects/<int:project_id>/transfers", methods=["POST"])
@allowed_on("transfer.request")
@blp.arguments(TransferSchema)
@blp.response(201, TransferOutSchema)
def file_transfer(body: dict[str, Any], project: Project) -> Any:
    return service.file_transfer(user(), project, service.TransferDraft(**body))


@blp.route("/transfers", methods=["GET"])
@blp.arguments(TransferFilterArgs, location="query")
@blp.response(200, page_of(TransferOutSchema))
def list_transfers(args: dict[str, Any]) -> Any:
    """Requests in scope; `format=csv` or `xlsx` downloads the whole filtered list."""
    return _list(args, ledger=False)


@blp.route("/transfers/ledger", methods=["GET"])
@blp.arguments(TransferFilterArgs, location="query")
@blp.response(200, page_of(TransferOutSchema))
def transfer_ledger(args: dict[str, Any]) -> Any:
    """Approved transfers in scope; `format=csv` or `xlsx` downloads the ledger (audited)."""
    return _list(args, ledger=True)


@blp.route("/transfers/<int:transfer_id>", methods=["GET"])
@blp.response(200, TransferOutSchema)
def get_transfer(transfer_id: int) -> Any:
    return _transfer(transfer_id, "transfer.view")


@blp.route("/transfers/<int:transfer_id>/recheck", methods=["POST"])
@blp.response(200, TransferOutSchema)
def recheck_transfer(transfer_id: int) -> Any:
    return service.recheck_transfer(_transfer(transfer_id, "transfer.request"))


@blp.route("/transfers/<int:transfer_id>/decision", methods=["POST"])
@allowed_on("transfer.decide", TransferRequest, "transfer_id")
@blp.arguments(TransferDecisionSchema)
@blp.response(200, TransferOutSchema)
def decide_transfer(body: dict[str, Any], transfer: TransferRequest) -> Any:
    return service.decide_transfer(
        user(), transfer, body["decision"], body["note"], body["version"]
    )
