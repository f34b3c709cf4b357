"""Risk reviews and the factor catalogue.

Everyone in scope sees a review's result; its answers, summary and driving factors only reach
roles with `review.view_answers` (operators see the result alone: the keys are absent).

Drafts (an extension of the API, docs/decisions.md "Rough edges"): a POST with
`"status": "draft"` keeps the review as its author's draft (factors may be left out; no result
until every one is answered); `PATCH /risk-reviews/{id}` changes a draft or, with
`"status": "submitted"`, submits it; `DELETE` removes a draft. Nobody but the author knows of a
draft (404, left out of lists and exports). A POST without `status` files the review as
`submitted`, as before drafts.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from flask_smorest import Blueprint
from marshmallow import Schema, fields, post_dump, validate

from tracker import policy
from tracker.api.audit import ActorSchema
from tracker.api.common import ListArgs, allowed_on, page_of, page_or_download, user
from tracker.cases.portfolio import listing
from tracker.cases.portfolio import service as portfolio
from tracker.cases.projects.models import Project
from tracker.cases.reviews import service as risk
from tracker.cases.reviews.models import REVIEW_STATUSES, RISK_LEVELS, RiskReview
from tracker.db import text_limit
from tracker.policy import project_or_404, record_or_404
from tracker.web import sorting
from tracker.web.lean import dump_names, page_response

blp = Blueprint("api_reviews", __name__, url_prefix="/api/v1", description="Risk reviews")

LABELS = fields.Dict(keys=fields.String(), values=fields.String())


class RiskChoiceSchema(Schema):
    code = fields.String()
    score = fields.Integer()
    label = LABELS


class RiskFactorSchema(Schema):
    code = fields.String()
    #: "impact" or "likelihood"
    group = fields.String()
    label = LABELS
    choices = fields.List(fields.Nested(RiskChoiceSchema))


class RiskCatalogueSchema(Schema):
    version = fields.String()
    factors = fields.List(fields.Nested(RiskFactorSchema))


def _nct_forced(review: RiskReview) -> bool | None:
    result = risk.result_of(review)
    return result.nct_forced if result else None


class RiskReviewSchema(Schema):
    id = fields.Integer(dump_only=True)
    project_id = fields.Integer(dump_only=True)
    catalogue_version = fields.String(dump_only=True)
    #: factor code → choice code, every factor of the catalogue (absent for roles that may
    #: see the result only)
    answers = fields.Dict(keys=fields.String(), values=fields.String())
    summary = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=text_limit(RiskReview.summary)),
    )
    #: the result: null only for a draft that does not answer every factor yet
    likelihood = fields.Integer(dump_only=True, allow_none=True)
    impact = fields.Integer(dump_only=True, allow_none=True)
    score = fields.Integer(dump_only=True, allow_none=True)
    level = fields.String(dump_only=True, allow_none=True)
    #: national core technology among the project's assets forced impact 5
    nct_forced = fields.Function(_nct_forced, dump_only=True, allow_none=True)
    drivers = fields.Function(
        lambda r: risk.drivers(r.answers, str(get_locale() or "en")),
        dump_only=True,
    )
    #: draft (seen by its author alone), submitted, approved or rejected
    status = fields.String(dump_only=True)
    author_id = fields.Integer(dump_only=True)
    #: who wrote it
    author = fields.Nested(ActorSchema, dump_only=True)
    reviewer_id = fields.Integer(dump_only=True, allow_none=True)
    #: who decided it (the reviewer); null until decided
    decided_by = fields.Nested(ActorSchema, dump_only=True, allow_none=True)
    decided_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    conditions = fields.String(dump_only=True, allow_none=True)
    valid_until = fields.Date(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)

    @post_dump(pass_original=True)
    def _answers_only_where_allowed(self, data: dict[str, Any], original: Any, **_: Any) -> Any:
        if not policy.can(user(), "review.view_answers", original):
            for key in ("answers", "summary", "drivers"):
                data.pop(key, None)
        return data


class RiskReviewInSchema(RiskReviewSchema):
    """A review as written: every factor answered (a draft may leave factors out)."""

    answers = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    #: "draft" keeps it as the author's draft; absent or "submitted" files it
    status = fields.String(
        load_default="submitted", validate=validate.OneOf(("draft", "submitted"))
    )


class RiskReviewDraftSchema(Schema):
    """A change to a draft: what is sent replaces what it held."""

    answers = fields.Dict(keys=fields.String(), values=fields.String())
    summary = fields.String(
        allow_none=True, validate=validate.Length(max=text_limit(RiskReview.summary))
    )
    #: "submitted" files the draft (every factor answered); "draft" or absent keeps it a draft
    status = fields.String(load_default="draft", validate=validate.OneOf(("draft", "submitted")))
    #: optional optimistic lock
    version = fields.Integer(strict=True, load_default=None, allow_none=True)


class VersionArgs(Schema):
    #: optional optimistic lock
    version = fields.Integer(load_default=None, allow_none=True)


class RiskReviewDecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "reject")))
    conditions = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=text_limit(RiskReview.conditions)),
    )
    #: required to approve; must be in the future
    valid_until = fields.Date(load_default=None, allow_none=True)
    #: optional optimistic lock
    version = fields.Integer(strict=True, load_default=None, allow_none=True)


@blp.route("/risk-factors", methods=["GET"])
@blp.response(200, RiskCatalogueSchema)
def risk_factors() -> Any:
    return risk.catalogue()


@blp.route("/projects/<int:project_id>/risk-reviews", methods=["GET"])
@blp.arguments(ListArgs, location="query")
@blp.response(200, page_of(RiskReviewSchema))
def list_reviews(args: dict[str, Any], project_id: int) -> Any:
    project = project_or_404(user(), project_id)
    policy.require(user(), "review.view_result", project)
    # a download names the author and the reviewer by their id columns
    return page_or_download(
        risk.reviews_query(project, user()),
        args,
        RiskReviewSchema(exclude=("author", "decided_by")),
        "risk-reviews",
        project,
    )


@blp.route("/projects/<int:project_id>/risk-reviews", methods=["POST"])
@allowed_on("review.write")
@blp.arguments(RiskReviewInSchema)
@blp.response(201, RiskReviewSchema)
def submit_review(body: dict[str, Any], project: Project) -> Any:
    return risk.submit_review(
        project, user(), body["answers"], body["summary"], draft=body["status"] == "draft"
    )


@blp.route("/risk-reviews/<int:review_id>", methods=["GET"])
@blp.response(200, RiskReviewSchema)
def get_review(review_id: int) -> Any:
    review = record_or_404(user(), RiskReview, review_id)
    policy.require(user(), "review.view_result", review)
    return review


@blp.route("/risk-reviews/<int:review_id>/decision", methods=["POST"])
@allowed_on("review.decide", RiskReview, "review_id")
@blp.arguments(RiskReviewDecisionSchema)
@blp.response(200, RiskReviewSchema)
def decide_review(body: dict[str, Any], review: RiskReview) -> Any:
    return risk.decide_review(
        review, user(), body["decision"], body["valid_until"], body["conditions"], body["version"]
    )


@blp.route("/risk-reviews/<int:review_id>", methods=["PATCH"])
@allowed_on("review.write", RiskReview, "review_id")
@blp.arguments(RiskReviewDraftSchema)
@blp.response(200, RiskReviewSchema)
def update_draft(body: dict[str, Any], review: RiskReview) -> Any:
    return risk.save_draft(
        review,
        body.get("answers", review.answers),
        body.get("summary", review.summary),
        body["version"],
        submit=body["status"] == "submitted",
    )


@blp.route("/risk-reviews/<int:review_id>", methods=["DELETE"])
@allowed_on("review.write", RiskReview, "review_id")
@blp.arguments(VersionArgs, location="query")
@blp.response(204)
def delete_draft(args: dict[str, Any], review: RiskReview) -> None:
    risk.delete_draft(review, args["version"])


class PortfolioReviewSchema(RiskReviewSchema):
    """A review in the portfolio: with its project's code."""

    project_code = fields.Function(lambda r: r.project.code, dump_only=True)


#: what a portfolio item holds: the schema's output fields, written from lean rows (listing.py)
_PORTFOLIO_FIELDS = dump_names(PortfolioReviewSchema)
#: the same for roles that see the result alone (`_answers_only_where_allowed`)
_PORTFOLIO_RESULT_FIELDS = [
    n for n in _PORTFOLIO_FIELDS if n not in ("answers", "summary", "drivers")
]


class ReviewPortfolioArgs(ListArgs):
    zone_id = fields.Integer()
    project_id = fields.Integer()
    level = fields.String(validate=validate.OneOf(RISK_LEVELS))
    status = fields.String(validate=validate.OneOf(REVIEW_STATUSES))
    valid_before = fields.Date()
    sort = sorting.sort_field(portfolio.REVIEW_SORTS, "-created_at")


@blp.route("/risk-reviews", methods=["GET"])
@blp.arguments(ReviewPortfolioArgs, location="query")
@blp.response(200, page_of(PortfolioReviewSchema))
def list_portfolio_reviews(args: dict[str, Any]) -> Any:
    """Every risk review of the caller's projects (drafts only to their author). Unfiltered,
    in the scope of every project, the total is exact up to 1,000 reviews and an estimate
    beyond (`total_estimated: true`)."""
    policy.require(user(), "review.view_result")
    if args.get("format", "json") == "json":
        answers = policy.may(user(), "review.view_answers")  # every row is in scope
        names = _PORTFOLIO_FIELDS if answers else _PORTFOLIO_RESULT_FIELDS
        return page_response(listing.review_page(user(), args, "api"), names)
    return page_or_download(
        portfolio.reviews(user(), args),
        args,
        PortfolioReviewSchema(exclude=("author", "decided_by")),
        "risk-reviews",
    )
