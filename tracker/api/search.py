"""GET /api/v1/search: the records matching a text, across the caller's projects."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tracker import policy
from tracker.api.common import PageArgs, user
from tracker.cases import search, search_results

blp = Blueprint("api_search", __name__, url_prefix="/api/v1", description="Search")


class SearchArgs(PageArgs):
    q = fields.String(required=True, validate=validate.Length(min=1, max=search.MAX_QUERY_LENGTH))


class SearchHitSchema(Schema):
    #: the record's kind: the audit trail's object type (`project`, `asset`, `nda`, ...)
    type = fields.String()
    id = fields.Integer()
    project_id = fields.Integer()
    project_code = fields.String()
    title = fields.String()
    #: the indexed text around the first word found (titles, names, advice: never sealed text)
    snippet = fields.String()


class SearchPageSchema(Schema):
    items = fields.List(fields.Nested(SearchHitSchema))
    #: exact up to 1,000 hits; beyond, an estimate (`total_estimated`)
    total = fields.Integer()
    total_estimated = fields.Boolean()
    page = fields.Integer()
    per_page = fields.Integer()


@blp.route("/search", methods=["GET"])
@blp.arguments(SearchArgs, location="query")
@blp.response(200, SearchPageSchema)
def search_records(args: dict[str, Any]) -> Any:
    """Projects, assets, disclosures, NDAs, advisory sessions (advice), risk reviews,
    data-sharing requests and files whose indexed text matches `q`, in the caller's scope."""
    policy.require(user(), "project.view")
    hits = search_results.find(user(), args["q"], args["page"], args["per_page"])
    return {
        "items": hits.items,
        "total": hits.total,
        "total_estimated": hits.estimated,
        "page": args["page"],
        "per_page": args["per_page"],
    }
