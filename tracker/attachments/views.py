"""HTML pages of the encrypted files: a project's files, uploads and downloads.

The upload view parses its own multipart body (streamed, never buffered), so it is exempt
from the global CSRF hook (which would read the whole form) and checks the token itself:
the `X-CSRFToken` header, or a `csrf_token` field sent before the file.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from tracker import policy
from tracker.attachments import downloads, reading, service
from tracker.attachments.body import request_body
from tracker.attachments.models import RECORD_TYPES, Attachment
from tracker.attachments.responses import download_response
from tracker.cases.projects.models import Project
from tracker.db import db
from tracker.extensions import csrf
from tracker.policy import project_or_404
from tracker.web import current, local_path, sorting
from tracker.web.paging import link_args, page_args, paginate

bp = Blueprint(
    "attachments",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/attachments",
)


def _check_csrf(fields: dict[str, str]) -> None:
    token = request.headers.get("X-CSRFToken") or fields.get("csrf_token")
    try:
        validate_csrf(token)
    except ValidationError as exc:
        raise CSRFError(str(exc)) from None


def _back(project_id: int) -> str:
    """`next` when it is a path of this site, else the project's files."""
    return local_path(request.args.get("next")) or url_for(
        "attachments.project_attachments", project_id=project_id
    )


@bp.route("/projects/<int:project_id>/files")
def project_attachments(project_id: int) -> Any:
    user = current.user()
    project = project_or_404(user, project_id)
    policy.require(user, "project.view", project)
    sort = sorting.page_sort(reading.SORTS, reading.DEFAULT_SORT)
    page = paginate(reading.list_stmt(user, project, sort=sort), page_args())
    attachments = list(page["items"])
    return render_template(
        "attachments/project_files.html",
        project=project,
        active="attachments.project_attachments",
        page=page,
        sort=sort,
        args=link_args(),
        items=[(a, reading.describe(a, user, with_versions=True)) for a in attachments],
        belongs=reading.belongs_to(user, attachments),
        can_upload=policy.can(user, "attachment.upload", project),
        can_download=policy.can(user, "attachment.download", project),
    )


@bp.route("/projects/<int:project_id>/files", methods=["POST"])
@csrf.exempt
def upload(project_id: int) -> Any:
    user = current.user()
    project = project_or_404(user, project_id)
    policy.require(user, "attachment.upload", project)
    version = service.upload(project, user, request_body(), before_file=_check_csrf)
    flash(_("Uploaded %(name)s (version %(n)d).", name=version.filename, n=version.number))
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        # the progress-bar script navigates itself, so the flash message survives for that page
        return "", 204, {"X-Location": _back(project_id)}
    return redirect(_back(project_id), code=303)


@bp.route("/files/<int:attachment_id>/download")
def download(attachment_id: int) -> Any:
    user = current.user()
    attachment = reading.attachment_or_404(user, attachment_id)
    policy.require(user, "attachment.download", attachment.project)
    number = request.args.get("version", type=int)
    version = reading.version_of(attachment, number)
    return download_response(downloads.download(version))


def record_attachments(project: Project, record_type: str, record_id: int) -> list[Any]:
    """For the panel include: a record's files with their metadata as this user may see it."""
    if record_type not in RECORD_TYPES:
        raise KeyError(record_type)
    user = current.user()
    if not policy.can(user, "project.view", project):
        return []
    stmt = reading.list_stmt(user, project, record_type, record_id)
    attachments: list[Attachment] = list(db.session.execute(stmt).scalars().unique())
    return [(a, reading.describe(a, user, with_versions=True)) for a in attachments]


@bp.app_context_processor
def _panel_helpers() -> dict[str, Any]:
    return {"record_attachments": record_attachments, "can": policy.can}
