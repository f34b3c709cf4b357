"""The project's page for importing a docket: upload, the check's result table, confirm.

The check is a dry run of the same service the API calls (`importing.import_docket`); a file
without problems is offered for import with its content carried in the confirming form (as
base64, checked again in full when confirmed), so nothing is kept on the server between the
two steps. Lawyers in scope only (`filing.edit`)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker import policy
from tracker.auth.forms import PlainForm
from tracker.cases.filings import importing
from tracker.cases.pages import template_helpers
from tracker.extensions import csrf
from tracker.policy import project_or_404
from tracker.web import current
from tracker.web.small_forms import require_csrf, small_multipart

bp = Blueprint("filing_import", __name__, template_folder="../templates")
bp.context_processor(template_helpers)

#: the form carries the checked file as base64 (4/3 of its size) besides the token
FORM_LIMIT = importing.MAX_BYTES * 4 // 3 + 64 * 1024

#: what the page calls each column (the header names themselves are listed as they are typed)
COLUMN_LABELS = {
    "asset_title": _l("Asset title"),
    "asset_kind": _l("Asset kind"),
    "office": _l("Office"),
    "route": _l("Route"),
    "application_no": _l("Application number"),
    "parent_application_no": _l("Parent application number"),
    "filed_on": _l("Filing date"),
    "priority_on": _l("Priority date"),
    "published_on": _l("Publication date"),
    "registered_on": _l("Registration date"),
    "registration_no": _l("Registration number"),
    "status": _l("Status"),
    "header": _l("Header row"),
    "file": _l("The file"),
}


def _project(project_id: int) -> Any:
    user = current.user()
    project = project_or_404(user, project_id)
    policy.require(user, "filing.edit", project)
    return project


def _page(project: Any, status: int = 200, **values: Any) -> Any:
    body = render_template(
        "cases/filing_import.html",
        project=project,
        plain_form=PlainForm(formdata=None),
        columns=importing.COLUMNS,
        korean_headers=importing.KOREAN_HEADERS,
        column_label=lambda name: COLUMN_LABELS.get(name, name),
        active="assets.asset_list",
        **values,
    )
    return body, status


@bp.route("/projects/<int:project_id>/filings/import", methods=["GET"])
def import_page(project_id: int) -> Any:
    return _page(_project(project_id))


@bp.route("/projects/<int:project_id>/filings/import", methods=["POST"])
@csrf.exempt  # the token is checked below, from the form parsed in memory
def import_check(project_id: int) -> Any:
    """Check an uploaded file (nothing stored), or import a checked one (`confirm`)."""
    project = _project(project_id)
    form, files = small_multipart(FORM_LIMIT)
    require_csrf(form)
    confirming = form.get("confirm") == "1"
    if confirming:
        try:
            data = base64.b64decode(form.get("content", ""), validate=True)
        except (binascii.Error, ValueError):
            abort(400)
    else:
        upload = files.get("file")
        if upload is None or not upload.filename:
            return _page(project, 422, problems=[_file_problem(_("Choose a file to check."))])
        data = bytes(upload.read(importing.MAX_BYTES + 1))
    try:
        counts = importing.import_docket(project, data, dry_run=not confirming)
    except importing.InvalidRows as exc:
        return _page(project, 422, problems=exc.docket.counts()["errors"])
    if confirming:
        flash(
            _(
                "Imported %(filings)s filings of %(assets)s IP assets.",
                filings=counts["filings"],
                assets=counts["assets"],
            )
        )
        return redirect(url_for("assets.asset_list", project_id=project.id), code=303)
    content = base64.b64encode(data).decode("ascii")
    return _page(project, counts=counts, content=content)


def _file_problem(message: str) -> dict[str, Any]:
    return {"row": None, "field": "file", "message": message}
