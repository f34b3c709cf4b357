"""HTML pages of the portfolio: every IP asset and every risk review in the user's scope."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_babel import get_locale

from tracker import policy
from tracker.auth.models import Zone
from tracker.cases.labels import choice, label
from tracker.cases.pages import template_helpers
from tracker.cases.portfolio import listing
from tracker.cases.portfolio.forms import AssetFilterForm, ReviewFilterForm
from tracker.db import db
from tracker.web import current
from tracker.web.paging import link_args, page_args

bp = Blueprint("portfolio", __name__, template_folder="../templates")
bp.context_processor(template_helpers)


def _filters(form: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The form's valid filters; a zone list in the reader's language first."""
    korean = str(get_locale()) == "ko"
    zones = db.session.execute(sa.select(Zone).order_by(Zone.code)).scalars().all()
    form.zone_id.choices = [choice(0, "—")] + [
        choice(z.id, z.name_ko if korean else z.name_en) for z in zones
    ]
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
    # each value's label looked up once, not once per row and column
    shown = {a[name] for a in page["items"] for name in ("kind", "sensitivity", "nct_status")}
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
    return render_template(
        "cases/portfolio_reviews.html",
        form=form,
        page=page,
        sort=filters.get("sort", "-created_at"),
        args=link_args(),
    )
