"""Risk reviews: the factor catalogue, the scoring of docs/product.md, writing and deciding.

Scoring: likelihood and impact are each `1 + round(4 × points / max points)` over their
factors, rounded half up (not Python's banker's rounding: 0.5 → 1, 2.5 → 3, as a reader of the
rule expects). The arithmetic is exact integer arithmetic. With the shipped catalogue (impact
max 9, likelihood max 18) no exact half can occur, but the rule holds for any catalogue.
Any national core technology among the project's assets forces impact 5.

Four eyes: the author of a review may not decide it; a second lawyer assigned to the project
must (403 otherwise).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.exceptions import Forbidden

from tracker import clock, policy
from tracker.audit.service import record
from tracker.auth.models import User
from tracker.auth.notifications import notify
from tracker.cases import search
from tracker.cases.assets.models import IpAsset
from tracker.cases.labels import label as case_label
from tracker.cases.ndas.models import Nda
from tracker.cases.projects import service
from tracker.cases.projects.models import Project
from tracker.cases.reviews.models import RiskReview
from tracker.cases.reviews.scoring import (  # noqa: F401  (the service speaks these too)
    SENSITIVITY_RANK,
    Result,
    catalogue,
    complete,
    current_version,
    drivers,
    factors_by_code,
    label,
    level_of,
    nct_forced,
    scale,
    score_answers,
    stored_result,
    validate_answers,
)
from tracker.db import db
from tracker.errors import InvalidInput, StateConflict
from tracker.web import sorting


def project_has_nct(project: Project) -> bool:
    return bool(
        db.session.execute(
            sa.select(sa.literal(1))
            .where(IpAsset.project_id == project.id, IpAsset.nct_status != "not_nct")
            .limit(1)
        ).first()
    )


def prefill(project: Project) -> dict[str, Any]:
    """Answers the project's records suggest, and its NCT status (for the form)."""
    today = clock.today()
    suggested: dict[str, str] = {}
    sensitivities = db.session.execute(
        sa.select(IpAsset.sensitivity).where(IpAsset.project_id == project.id).distinct()
    ).scalars()
    highest = max(sensitivities, key=lambda s: SENSITIVITY_RANK[s], default=None)
    if highest is not None:
        suggested["asset_sensitivity"] = highest
    ndas = db.session.execute(sa.select(Nda).where(Nda.project_id == project.id)).scalars().all()
    coverage = [
        _nda_coverage([n for n in ndas if n.partner_id == p.id], today) for p in project.partners
    ]
    if coverage:
        suggested["nda_coverage"] = max(coverage, key=NDA_COVERAGE_RANK.__getitem__)
    return {"answers": suggested, "has_nct": project_has_nct(project)}


NDA_COVERAGE_RANK = {"active_full": 0, "active_partial": 1, "draft_or_expired": 2, "none": 3}


def _nda_coverage(ndas: list[Nda], today: dt.date) -> str:
    """The best coverage one partner's NDAs give."""
    best = "none"
    for nda in ndas:
        status = nda.effective_status(today)
        if status == "active" and nda.effective_on <= today:
            found = (
                "active_full" if nda.return_or_destroy and nda.audit_rights else "active_partial"
            )
        elif status in ("draft", "expired", "active"):
            found = "draft_or_expired"
        else:
            continue
        if NDA_COVERAGE_RANK[found] < NDA_COVERAGE_RANK[best]:
            best = found
    return best


#: the sortable columns of a project's reviews (`sort`), each backed by a `(project_id, column)`
#: index; a level is its score's band (`scoring.level_of`), so the levels sort by the score
SORTS: dict[str, Any] = {
    "created_at": RiskReview.created_at,
    "score": RiskReview.score,
    "level": RiskReview.score,
    "status": RiskReview.status,
    "valid_until": RiskReview.valid_until,
}


def reviews_query(project: Project, user: User, sort: str = "-created_at") -> sa.Select[RiskReview]:
    """A project's reviews the user may know of (others' drafts left out), newest first
    (ix_risk_reviews_project_created) or in the order of `sort` (a value of
    `sorting.choices(SORTS)`); drafts, unscored, last by score or level."""
    stmt = sa.select(RiskReview).where(
        RiskReview.project_id == project.id, RiskReview.seen_by(user.id)
    )
    return sorting.ordered(stmt, sort, SORTS, RiskReview.id)


def awaiting_decision(user: User) -> sa.Select[RiskReview]:
    """Submitted reviews in the user's scope that the user may decide (not their own), oldest
    first (for dashboards)."""
    stmt = (
        sa.select(RiskReview)
        .join(Project, Project.id == RiskReview.project_id)
        .where(
            policy.visible_projects(user),
            RiskReview.status == "submitted",
            RiskReview.author_id != user.id,
        )
        .order_by(RiskReview.created_at, RiskReview.id)
    )
    return stmt if policy.may(user, "review.decide") else stmt.where(sa.false())


def submit_review(
    project: Project, author: User, answers: Any, summary: str | None, *, draft: bool = False
) -> RiskReview:
    """Score the answers and file the review as `submitted`; with `draft`, keep it as the
    author's draft (factors may be left unanswered; scored once every one is). Raises
    InvalidInput (422). Audited."""
    review = RiskReview(project=project, author_id=author.id, status="draft")
    _write(review, answers, summary, submit=not draft)
    db.session.add(review)
    db.session.flush()
    _audit_written(review)
    return review


def save_draft(
    review: RiskReview,
    answers: Any,
    summary: str | None,
    version: int | None = None,
    *,
    submit: bool = False,
) -> RiskReview:
    """Replace a draft's answers and summary; with `submit`, file it as `submitted` (every
    factor answered). Raises StateConflict (409) for a review that is no longer a draft or a
    stale `version`, InvalidInput (422). Audited."""
    if version is not None:
        service.check_version(review, version)
    if review.status != "draft":
        raise StateConflict(_("Only a draft can be changed or deleted."))
    _write(review, answers, summary, submit=submit)
    db.session.flush()
    _audit_written(review)
    return review


def delete_draft(review: RiskReview, version: int | None = None) -> None:
    """Delete a draft (never a submitted review: 409). Audited."""
    if version is not None:
        service.check_version(review, version)
    if review.status != "draft":
        raise StateConflict(_("Only a draft can be changed or deleted."))
    record("review.draft_deleted", review, detail={"project_id": review.project_id})
    db.session.delete(review)
    db.session.flush()


def _write(review: RiskReview, answers: Any, summary: str | None, *, submit: bool) -> None:
    """Validate and store the answers and summary, the result when every factor is
    answered; `submit` requires every one and files the review."""
    answers = validate_answers(answers, partial=not submit)
    result = score_answers(answers, project_has_nct(review.project)) if complete(answers) else None
    review.catalogue_version = current_version()
    review.answers = answers
    review.likelihood = result.likelihood if result else None
    review.impact = result.impact if result else None
    review.score = result.score if result else None
    review.level = result.level if result else None
    review.summary = (summary or "").strip() or None
    # a review is dated by its submission; a draft by its last save
    review.created_at = clock.now()
    if submit:
        review.status = "submitted"


def _audit_written(review: RiskReview) -> None:
    if review.status == "draft":
        # a draft's answers and result stay its author's: the trail says only that it exists
        record("review.draft", review, detail={"project_id": review.project_id})
    else:
        search.index(review)
        record(
            "review.submitted",
            review,
            detail={"project_id": review.project_id, "score": review.score, "level": review.level},
        )


def decide_review(
    review: RiskReview,
    reviewer: User,
    decision: str,
    valid_until: dt.date | None = None,
    conditions: str | None = None,
    version: int | None = None,
) -> RiskReview:
    """Approve (with `valid_until` in the future) or reject a submitted review.

    Raises Forbidden when the reviewer wrote it (four eyes), StateConflict (409) when it is
    already decided, InvalidInput (422) for a missing or past `valid_until`."""
    if review.author_id == reviewer.id:
        raise Forbidden("A second lawyer must decide a review; its author may not.")
    if version is not None:
        service.check_version(review, version)
    if review.status != "submitted":
        raise StateConflict(
            _("This review is already %(status)s.", status=case_label(review.status))
        )
    if decision not in ("approve", "reject"):
        raise InvalidInput({"decision": [_("Choose approve or reject.")]})
    if decision == "approve":
        if valid_until is None:
            raise InvalidInput({"valid_until": [_("An approval needs a validity date.")]})
        if valid_until <= clock.today():
            raise InvalidInput({"valid_until": [_("The validity date must be in the future.")]})
        review.valid_until = valid_until
        review.conditions = (conditions or "").strip() or None
    review.status = "approved" if decision == "approve" else "rejected"
    review.reviewer_id = reviewer.id
    review.decided_at = clock.now()
    db.session.flush()
    record(
        f"review.{review.status}",
        review,
        detail={"project_id": review.project_id, "level": review.level},
    )
    notify(review.author_id, "review_decided", review, review.project_id)
    return review


def result_of(review: RiskReview) -> Result | None:
    """The stored result, with whether national core technology forced the impact; None for
    a draft that does not answer every factor yet (`scoring.stored_result`)."""
    return stored_result(
        review.likelihood,
        review.impact,
        review.score,
        review.level,
        review.answers,
        review.catalogue_version,
    )


def matrix(review: RiskReview) -> list[list[dict[str, Any]]]:
    """The 5×5 matrix, impact 5 at the top, likelihood 1..5 left to right."""
    return [
        [
            {
                "likelihood": likelihood,
                "impact": impact,
                "score": likelihood * impact,
                "level": level_of(likelihood * impact),
                "current": likelihood == review.likelihood and impact == review.impact,
            }
            for likelihood in range(1, 6)
        ]
        for impact in range(5, 0, -1)
    ]


def default_valid_until(today: dt.date) -> dt.date:
    """What an approval's "valid until" offers: one year from today (28 February for a
    29 February)."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)
