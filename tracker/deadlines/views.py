"""HTML: the deadlines page, the public calendar feed, the feed controls of the account page."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tracker import clock, policy, records
from tracker.auth.forms import ConfirmPasswordForm, PlainForm
from tracker.cases.projects.models import Project
from tracker.db import db
from tracker.deadlines import feeds, service
from tracker.deadlines.labels import in_grace_until, kind_label
from tracker.errors import SignInAgain
from tracker.web import current, sorting
from tracker.web.ids import is_id
from tracker.web.paging import page_args, paginate

bp = Blueprint("deadlines", __name__, template_folder="templates")
bp.add_app_template_global(kind_label, "deadline_kind_label")


@bp.app_template_global()
def grace_now(item: Any) -> Any:
    """The late limit of a lapsed deadline still payable late, as of today (else None)."""
    return in_grace_until(item, clock.today())


#: the windows the page offers (days from today; overdue ones always included)
WINDOWS = (7, 30, 90, 365)


def _filters() -> dict[str, Any]:
    """The page's filters from the query string; anything malformed is no filter."""
    args = request.args
    filters: dict[str, Any] = {}
    if args.get("kind") in service.kinds():
        filters["kind"] = args["kind"]
    window = args.get("within_days", "")
    if window.isascii() and window.isdigit() and int(window) in WINDOWS:
        filters["within_days"] = int(window)
    project = args.get("project_id", "")
    if project.isascii() and project.isdigit() and is_id(int(project)):
        filters["project_id"] = int(project)
    if args.get("overdue") == "true":
        filters["overdue"] = True
    filters["sort"] = sorting.page_sort(service.SORTS, "due_on")
    return filters


@bp.route("/deadlines")
def deadline_list() -> Any:
    user = current.user()
    filters = _filters()
    args = page_args()
    stmt, paged = service.listed(user, clock.today(), filters, args["page"] * args["per_page"])
    page = paginate(stmt, args, rows=True, paged=paged)
    projects = db.session.execute(
        sa.select(Project.id, Project.code)
        .where(policy.visible_projects(user))
        .order_by(Project.code)
    ).all()
    return render_template(
        "deadlines/list.html",
        page=page,
        filters=filters,
        sort=filters["sort"],
        args={k: ("true" if v is True else v) for k, v in filters.items()},
        kinds=[(k, str(label)) for k, label in records.deadline_kinds().items()],
        windows=WINDOWS,
        projects=projects,
        page_of=feeds.page_of,
    )


@bp.route("/calendar/<secret>.ics")
def calendar_feed(secret: str) -> Any:
    """Public: whoever holds the URL gets that user's deadlines (404 for any other secret)."""
    user = feeds.user_for_secret(secret)
    if user is None:
        abort(404)
    response = Response(feeds.feed_for(user), mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/account/calendar", methods=["POST"])
def calendar_issue() -> Any:
    """A new feed address (any earlier one stops working), shown once. Without a recent
    sign-in it asks for the password first."""
    form = ConfirmPasswordForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        url = feeds.issue_feed(current.user(), form.password.data or None)
    except SignInAgain:
        if not form.password.data:
            return render_template("deadlines/calendar_confirm.html", form=form)
        form.password.errors = [_("The password is not right.")]
        return render_template("deadlines/calendar_confirm.html", form=form), 422
    return render_template("deadlines/calendar_issued.html", url=url, plain_form=PlainForm())


@bp.route("/account/calendar/revoke", methods=["POST"])
def calendar_revoke() -> Any:
    if not PlainForm().validate_on_submit():
        abort(400)
    if feeds.revoke_feed(current.user()):
        flash(_("The calendar address no longer works."))
    return redirect(url_for("auth.account"))
