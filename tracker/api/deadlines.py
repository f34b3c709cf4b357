"""Deadlines across the caller's scope, and the caller's secret calendar feed."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tracker import clock
from tracker.api.common import ListArgs, page_of, page_or_download, user
from tracker.deadlines import feeds, service
from tracker.web import sorting
from tracker.web.ids import MAX_ID

blp = Blueprint("api_deadlines", __name__, url_prefix="/api/v1", description="Deadlines")

#: a window longer than this is no window (ten years)
MAX_WINDOW_DAYS = 3660


def _known_kind(value: str) -> None:
    """A deadline kind of a registered record kind (asked when a request comes, not at import)."""
    validate.OneOf(service.kinds())(value)


class DeadlineArgs(ListArgs):
    within_days = fields.Integer(validate=validate.Range(min=0, max=MAX_WINDOW_DAYS))
    overdue = fields.Boolean()
    project_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    kind = fields.String(validate=lambda value: _known_kind(value))
    sort = sorting.sort_field(service.SORTS, "due_on")


class DeadlineSchema(Schema):
    """The API's deadline item."""

    kind = fields.String()
    due_on = fields.Date()
    title = fields.String()
    project_id = fields.Integer()
    source_type = fields.String()
    source_id = fields.Integer()
    done = fields.Boolean()
    overdue = fields.Boolean()
    derived = fields.Boolean()
    rule = fields.String(allow_none=True)
    #: the office of a filing's deadline (null when not from a filing)
    office = fields.String(allow_none=True)
    filing_id = fields.Integer(allow_none=True)
    #: the last day a late act is still possible, with a surcharge (null: no grace)
    grace_until = fields.Date(allow_none=True)
    project_code = fields.String()


class CalendarSchema(Schema):
    url = fields.String()


@blp.route("/deadlines", methods=["GET"])
@blp.arguments(DeadlineArgs, location="query")
@blp.response(200, page_of(DeadlineSchema))
def list_deadlines(args: dict[str, Any]) -> Any:
    names = ("within_days", "overdue", "project_id", "kind", "sort")
    filters = {k: args[k] for k in names if k in args}
    # the page from a UNION whose parts each stop after the page's last row (in their due
    # index's order); the whole list is counted, and downloaded
    reach = args["page"] * args["per_page"] if args.get("format", "json") == "json" else None
    stmt, paged = service.listed(user(), clock.today(), filters, reach)
    page = page_or_download(stmt, args, DeadlineSchema(), "deadlines", rows=True, paged=paged)
    return jsonify(page_of(DeadlineSchema)().dump(page)) if isinstance(page, dict) else page


@blp.route("/me/calendar", methods=["POST"])
@blp.response(201, CalendarSchema)
@blp.alt_response(403, description="The token is older than REAUTH_MINUTES: sign in again")
def issue_calendar() -> Any:
    """A new feed address (any earlier one stops working). It outlives the token, so it needs
    a token issued within the last REAUTH_MINUTES (10): else 403, sign in again."""
    return {"url": feeds.issue_feed(user())}


@blp.route("/me/calendar", methods=["DELETE"])
@blp.response(204)
def revoke_calendar() -> None:
    feeds.revoke_feed(user())
