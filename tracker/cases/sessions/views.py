"""HTML pages of advisory sessions: list, detail with follow-ups, new and edit forms (lawyers).

Privileged notes are rendered only when the policy allows `session.view_privileged`; the
template never receives them otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tracker import clock, policy
from tracker.cases.pages import submit_page
from tracker.cases.projects.models import Project
from tracker.cases.sessions import service as advice
from tracker.cases.sessions.forms import FollowUpDoneForm, SessionForm
from tracker.cases.sessions.models import AdvisorySession
from tracker.policy import project_or_404, record_or_404
from tracker.web import current, sorting
from tracker.web.forms import form_version
from tracker.web.paging import page_args, paginate

bp = Blueprint("sessions", __name__, template_folder="../templates")


def _session(session_id: int, action: str) -> AdvisorySession:
    session = record_or_404(current.user(), AdvisorySession, session_id)
    policy.require(current.user(), action, session)
    return session


@bp.route("/projects/<int:project_id>/sessions")
def session_list(project_id: int) -> Any:
    project = project_or_404(current.user(), project_id)
    policy.require(current.user(), "session.view_advice", project)
    sort = sorting.page_sort(advice.SORTS, "-held_on")
    return render_template(
        "cases/session_list.html",
        project=project,
        active="sessions.session_list",
        page=paginate(advice.sessions_query(project, sort), page_args()),
        sort=sort,
        args={"sort": sort},
        can_write=policy.can(current.user(), "session.write", project),
        today=clock.today(),
    )


@bp.route("/projects/<int:project_id>/sessions/new", methods=["GET", "POST"])
def session_new(project_id: int) -> Any:
    project = project_or_404(current.user(), project_id)
    policy.require(current.user(), "session.write", project)
    form = SessionForm()
    return _submit_form(
        form,
        lambda: advice.record_session(project, current.user(), form.fields_for_service()),
        _("Session recorded."),
        project,
        None,
    )


def _detail_url(session: AdvisorySession) -> str:
    return url_for("sessions.session_detail", session_id=session.id)


def _submit_form(
    form: SessionForm,
    save: Callable[[], AdvisorySession],
    message: str,
    project: Project,
    session: AdvisorySession | None,
) -> Any:
    return submit_page(
        form,
        save,
        message,
        _detail_url,
        "cases/session_form.html",
        project=project,
        session=session,
        active="sessions.session_list",
    )


@bp.route("/sessions/<int:session_id>")
def session_detail(session_id: int) -> Any:
    session = _session(session_id, "session.view_advice")
    privileged = advice.open_session(session, current.user())
    return render_template(
        "cases/session_detail.html",
        session=session,
        project=session.project,
        active="sessions.session_list",
        privileged_notes=session.privileged_notes if privileged else None,
        can_write=policy.can(current.user(), "session.write", session),
        done_form=FollowUpDoneForm(),
        today=clock.today(),
    )


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def session_edit(session_id: int) -> Any:
    session = _session(session_id, "session.write")
    form = SessionForm()
    if request.method == "GET":
        advice.open_session(session, current.user())  # the form shows the privileged notes
        form = SessionForm(obj=session, follow_ups=[])
        form.attendees.data = "\n".join(session.attendees)
        form.topics.data = "\n".join(session.topics)
    return _submit_form(
        form,
        lambda: advice.update_session(session, form_version(form), form.fields_for_service()),
        _("Session saved."),
        session.project,
        session,
    )


@bp.route("/sessions/<int:session_id>/follow-ups/<int:follow_up_id>", methods=["POST"])
def follow_up_done(session_id: int, follow_up_id: int) -> Any:
    session = _session(session_id, "session.write")
    form = FollowUpDoneForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        advice.set_follow_up_done(session, follow_up_id, form.done.data == "1")
    except LookupError:
        abort(404)
    return redirect(url_for("sessions.session_detail", session_id=session_id))
