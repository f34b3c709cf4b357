"""The start page: each role's dashboard (the same service as GET /api/v1/dashboard, plus the
sections only the page shows)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker import clock, policy
from tracker.auth.forms import PlainForm
from tracker.auth.models import User
from tracker.cases.projects import service as projects
from tracker.cases.projects import views as project_views
from tracker.cases.projects.models import Project
from tracker.dashboard import notices
from tracker.dashboard.project import project_activity as activity_of
from tracker.dashboard.project import project_board
from tracker.dashboard.quick import pickable_projects, quick_actions, target
from tracker.dashboard.sections import sections
from tracker.dashboard.service import (
    build_dashboard,
    header_counts,
    header_table,
    keep_header_counts,
)
from tracker.db import db
from tracker.deadlines.feeds import page_of
from tracker.deadlines.labels import QUEUE_LABELS
from tracker.records.work import item_url
from tracker.reports.heatmap import heat_map_svg
from tracker.web import carried, current

SOON_DAYS = 30
#: the newest notifications the start page lists
NOTICE_LIMIT = 20
bp = Blueprint("dashboard", __name__, template_folder="templates")

EMPTY = {
    "disclosures_to_decide": _l("No disclosure waits for a decision."),
    "reviews_to_decide": _l("No risk review waits for you."),
    "transfers_to_decide": _l("No request waits for a decision."),
    "my_requests": _l("No open request."),
    "overdue_follow_ups": _l("No follow-up is overdue."),
    "projects_without_current_review": _l("Every project has a current risk review."),
}


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    """Links of queue items and deadlines, for the start page and each project's summary."""
    return {"item_url": item_url, "deadline_url": page_of}


def _cell_url(likelihood: int, impact: int) -> str:
    return url_for("projects.project_list", likelihood=likelihood, impact=impact)


def soon(deadlines: list[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    """Deadlines not done that are overdue or fall due within the next 30 days."""
    horizon = (today + dt.timedelta(days=SOON_DAYS)).isoformat()
    return [d for d in deadlines if not d["done"] and (d["overdue"] or str(d["due_on"]) <= horizon)]


def project_codes(user: User, ids: set[int]) -> dict[int, str]:
    """The codes of these projects in the user's scope (one statement, none for no ids)."""
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Project.id, Project.code).where(
            Project.id.in_(ids), policy.visible_projects(user)
        )
    )
    return {pid: code for pid, code in rows}


def start_page() -> Any:
    """The signed-in user's start page."""
    user = current.user()
    today = clock.today()
    board = build_dashboard(user, today)
    due = soon(board["deadlines"], today)
    quick = quick_actions(user)
    heat = board["heat_map"]
    svg = (
        heat_map_svg(heat["cells"], _cell_url, unreviewed=heat["unreviewed"])
        if heat is not None
        else None
    )
    return render_template(
        "dashboard/start.html",
        board=board,
        queues=policy.queues_of(user),
        can=policy.can,
        extra=sections(user, today),
        heat_svg=svg,
        today=today,
        soon=due,
        codes=project_codes(user, {d["project_id"] for d in due}),
        queue_titles=QUEUE_LABELS,
        empty=EMPTY,
        notices=notices.page_of_notices(user, {"page": 1, "per_page": NOTICE_LIMIT}),
        quick=quick,
        quick_projects=pickable_projects(user, quick),
    )


@bp.route("/new")
def quick_new() -> Any:
    """A quick "new" action of the start page: on to the record's form in the chosen project
    (400 for an unknown action, 404 for a project out of scope, 403 when the policy refuses)."""
    return redirect(
        target(
            current.user(), request.args.get("what", ""), request.args.get("project_id", type=int)
        )
    )


def _header_counts() -> tuple[int, int]:
    if "header_counts" not in g:
        g.header_counts = header_counts(current.user())
    return tuple(g.header_counts)  # type: ignore[return-value]


@bp.app_template_global("waiting_count")
def waiting_badge() -> int:
    """How many items wait for the signed-in user (the badge on "Start" in every page's
    navigation): one statement with the unread count, at most once per request."""
    return _header_counts()[0]


@bp.app_template_global("unread_notifications")
def unread_badge() -> int:
    """How many notifications the signed-in user has not read (every page's header)."""
    return _header_counts()[1]


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
def read_notification(notification_id: int) -> Any:
    """Mark one of the user's notifications read (another user's: 404), back to the list."""
    if not PlainForm().validate_on_submit():
        abort(400)
    notices.mark_read(current.user(), notification_id)
    return redirect(url_for("main.index", _anchor="notifications"))


@bp.route("/notifications/read", methods=["POST"])
def read_all_notifications() -> Any:
    """Mark every notification of the user read, back to the list."""
    if not PlainForm().validate_on_submit():
        abort(400)
    notices.mark_all_read(current.user())
    flash(_("Every notification is marked read."))
    return redirect(url_for("main.index", _anchor="notifications"))


def project_detail(project_id: int) -> Any:
    """A project's page: its summary board (risk, NDA coverage, follow-ups, waiting items,
    deadlines and recent activity, as far as the reader may see them)."""
    user = current.user()
    project, header = projects.for_page(user, project_id, carry=carried.table(user))
    if header is not None:
        carried.keep(*header)
    policy.require(user, "project.view", project)
    today = clock.today()
    return render_template(
        "cases/project_detail.html",
        project=project,
        active="projects.project_detail",
        board=project_board(user, project, today),
        today=today,
    )


def project_activity(project_id: int) -> Any:
    """A project's recent activity (its own request: the summary page links here)."""
    user = current.user()
    project = policy.project_or_404(user, project_id)
    events = activity_of(user, project)
    if events is None:
        # the same refusal as the audit pages (403 in scope, with the reason)
        policy.require(user, "audit.view_own", project)
    return render_template(
        "dashboard/project_activity.html",
        project=project,
        active="projects.project_detail",
        events=events,
    )


# the project page and the project list carry the header's counts in their own statement
carried.provide(header_table, keep_header_counts)
# on the projects blueprint, so the page keeps its address and endpoint (projects.project_detail)
project_views.bp.add_url_rule("/projects/<int:project_id>", view_func=project_detail)
project_views.bp.add_url_rule("/projects/<int:project_id>/activity", view_func=project_activity)
