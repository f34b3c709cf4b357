"""HTML pages of risk reviews: list, the form with every factor, the review page with its 5×5
matrix and driving answers, and the decision form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from tracker import clock, policy
from tracker.cases.labels import risk_label
from tracker.cases.pages import submit_page
from tracker.cases.reviews import service as risk
from tracker.cases.reviews.forms import (
    DraftDeleteForm,
    ReviewDecisionForm,
    review_answers,
    review_form,
)
from tracker.cases.reviews.level import current_risk_levels
from tracker.cases.reviews.models import RiskReview
from tracker.errors import StateConflict
from tracker.policy import project_or_404, record_or_404
from tracker.web import current, sorting
from tracker.web.forms import form_version, save_form
from tracker.web.paging import page_args, paginate

bp = Blueprint("reviews", __name__, template_folder="../templates")
bp.add_app_template_global(risk_label)


def _locale() -> str:
    return str(get_locale() or "en")


@bp.route("/projects/<int:project_id>/reviews")
def review_list(project_id: int) -> Any:
    project = project_or_404(current.user(), project_id)
    policy.require(current.user(), "review.view_result", project)
    sort = sorting.page_sort(risk.SORTS, "-created_at")
    return render_template(
        "cases/review_list.html",
        project=project,
        active="reviews.review_list",
        page=paginate(risk.reviews_query(project, current.user(), sort), page_args()),
        sort=sort,
        args={"sort": sort},
        current_level=current_risk_levels([project.id], clock.today())[project.id],
        can_write=policy.can(current.user(), "review.write", project),
    )


@bp.route("/projects/<int:project_id>/reviews/new", methods=["GET", "POST"])
def review_new(project_id: int) -> Any:
    project = project_or_404(current.user(), project_id)
    policy.require(current.user(), "review.write", project)
    suggested = risk.prefill(project)
    form = review_form(_locale(), defaults=suggested["answers"], draft=_drafting())
    return _submit_review_form(
        form,
        lambda: risk.submit_review(
            project, current.user(), review_answers(form), form.summary.data, draft=_drafting()
        ),
        project,
        suggested,
        None,
    )


@bp.route("/reviews/<int:review_id>/edit", methods=["GET", "POST"])
def review_edit(review_id: int) -> Any:
    """A draft, to change, save again or submit (its author alone knows of it)."""
    review = record_or_404(current.user(), RiskReview, review_id)
    policy.require(current.user(), "review.write", review)
    if review.status != "draft":
        raise StateConflict(_("Only a draft can be changed or deleted."))
    form = review_form(_locale(), defaults=review.answers, draft=_drafting())
    if request.method == "GET":
        form.summary.data = review.summary
        form.version.data = str(review.version)
    return _submit_review_form(
        form,
        lambda: risk.save_draft(
            review,
            review_answers(form),
            form.summary.data,
            form_version(form),
            submit=not _drafting(),
        ),
        review.project,
        {"answers": {}, "has_nct": risk.project_has_nct(review.project)},
        review,
    )


def _drafting() -> bool:
    """Whether the form was sent with its "Save draft" button."""
    return request.method == "POST" and "save_draft" in request.form


def _submit_review_form(
    form: Any,
    save: Callable[[], RiskReview],
    project: Any,
    suggested: dict[str, Any],
    review: RiskReview | None,
) -> Any:
    factors = [
        (f, getattr(form, f"factor_{f['code']}"), f["code"] in suggested["answers"])
        for f in risk.catalogue()["factors"]
    ]
    return submit_page(
        form,
        save,
        _("Draft saved.") if _drafting() else _("Review submitted for a second lawyer's decision."),
        _detail_url,
        "cases/review_form.html",
        factors=factors,
        project=project,
        review=review,
        has_nct=suggested["has_nct"],
        active="reviews.review_list",
    )


@bp.route("/reviews/<int:review_id>/delete", methods=["POST"])
def review_delete(review_id: int) -> Any:
    review = record_or_404(current.user(), RiskReview, review_id)
    policy.require(current.user(), "review.write", review)
    form = DraftDeleteForm()
    if not form.validate_on_submit():
        abort(400)
    project_id = review.project_id
    risk.delete_draft(review, form_version(form))
    flash(_("Draft deleted."))
    return redirect(url_for("reviews.review_list", project_id=project_id))


def _detail_url(review: RiskReview) -> str:
    return url_for("reviews.review_detail", review_id=review.id)


@bp.route("/reviews/<int:review_id>")
def review_detail(review_id: int) -> Any:
    review = record_or_404(current.user(), RiskReview, review_id)
    policy.require(current.user(), "review.view_result", review)
    form = ReviewDecisionForm()
    form.valid_until.data = risk.default_valid_until(clock.today())
    return _detail_page(review, form, 200)


def _detail_page(review: RiskReview, form: ReviewDecisionForm, status: int) -> Any:
    form.version.data = str(review.version)
    show_answers = policy.can(current.user(), "review.view_answers", review)
    return render_template(
        "cases/review_detail.html",
        review=review,
        project=review.project,
        active="reviews.review_list",
        result=risk.result_of(review),
        matrix=risk.matrix(review),
        answers=_answer_rows(review) if show_answers else None,
        drivers=risk.drivers(review.answers, _locale()) if show_answers else None,
        form=form,
        delete_form=DraftDeleteForm(version=str(review.version)),
        can_decide=review.status == "submitted"
        and review.author_id != current.user().id
        and policy.can(current.user(), "review.decide", review),
    ), status


def _answer_rows(review: RiskReview) -> list[dict[str, Any]]:
    rows = []
    for code, factor in risk.factors_by_code().items():
        choice = next((c for c in factor["choices"] if c["code"] == review.answers.get(code)), None)
        rows.append(
            {
                "group": factor["group"],
                "factor": risk.label(factor["label"], _locale()),
                "choice": risk.label(choice["label"], _locale())
                if choice
                else review.answers.get(code, "—"),
                "score": choice["score"] if choice else None,
            }
        )
    return rows


@bp.route("/reviews/<int:review_id>/decision", methods=["POST"])
def review_decide(review_id: int) -> Any:
    review = record_or_404(current.user(), RiskReview, review_id)
    policy.require(current.user(), "review.decide", review)
    form = ReviewDecisionForm()
    saved = save_form(
        form,
        lambda: risk.decide_review(
            review,
            current.user(),
            form.decision.data or "",
            form.valid_until.data,
            form.conditions.data,
            form_version(form),
        ),
        _("Decision recorded."),
        _detail_url,
    )
    return saved.response or _detail_page(review, form, saved.status)
