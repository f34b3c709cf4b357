"""HTML pages of the portfolio: every IP asset and every risk review in the user's scope."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_babel import get_locale

from tracker import i18n, policy
from tracker.auth.models import Zone
from tracker.cases.labels import choice, label
from tracker.cases.pages import template_helpers
from tracker.cases.portfolio import listing
from tracker.cases.portfolio.forms import AssetFilterForm, ReviewFilterForm
from tracker.db import db
from tracker.web import current
from tracker.web.paging import link_args, page_args
from tracker.web.urls import id_url

bp = Blueprint("portfolio", __name__, template_folder="../templates")
bp.context_processor(template_helpers)


def _filters(form: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The form's valid filters; a zone list in the reader's language first."""
    korean = str(get_locale()) == "ko"
    name = Zone.name_ko if korean else Zone.name_en
    zones = db.session.execute(sa.select(Zone.id, name).order_by(Zone.code)).all()
    form.zone_id.choices = [choice(0, "—")] + [choice(i, text) for i, text in zones]
    form.validate()
    return {n: form[n].data for n in names if not form[n].errors and form[n].data}


@bp.route("/assets")
def asset_portfolio() -> Any:
    user = current.user()
    policy.require(user, "asset.view")
    full = policy.can(user, "asset.view_full")
    form = AssetFilterForm(formdata=request.args)
    if not full:  # operators see no deadline, so no order by one either
        form.sort.choices = [c for c in form.sort.choices if "next_due_on" not in c[0]]
    filters = _filters(form, ("zone_id", "q", "kind", "sensitivity", "nct_status", "sort"))
    page = listing.asset_page(user, {**filters, **page_args()}, "html")
    # each value's label looked up once, not once per row and column; each link and day
    # written from one URL and one reader's zone per page
    shown = {a[name] for a in page["items"] for name in ("kind", "sensitivity", "nct_status")}
    day = i18n.day_writer(user)
    project_url = id_url("projects.project_detail", "project_id")
    asset_url = id_url("assets.asset_detail", "asset_id")
    for a in page["items"]:
        a["project_url"], a["asset_url"] = project_url(a["project_id"]), asset_url(a["id"])
        a["due_day"] = day(a.get("next_due_on"))
    return render_template(
        "cases/portfolio_assets.html",
        form=form,
        page=page,
        labels={value: label(value) for value in shown},
        full=full,
        sort=filters.get("sort", "title"),
        args=link_args(),
    )


@bp.route("/risk-reviews")
def review_portfolio() -> Any:
    user = current.user()
    policy.require(user, "review.view_result")
    form = ReviewFilterForm(formdata=request.args)
    filters = _filters(form, ("zone_id", "level", "status", "valid_before", "sort"))
    page = listing.review_page(user, {**filters, **page_args()}, "html")
    day = i18n.day_writer(user)
    project_url = id_url("projects.project_detail", "project_id")
    review_url = id_url("reviews.review_detail", "review_id")
    for r in page["items"]:
        r["submitted_day"], r["valid_day"] = day(r["created_at"]), day(r["valid_until"])
        r["project_url"], r["review_url"] = project_url(r["project_id"]), review_url(r["id"])
    return render_template(
        "cases/portfolio_reviews.html",
        form=form,
        page=page,
        sort=filters.get("sort", "-created_at"),
        args=link_args(),
    )
