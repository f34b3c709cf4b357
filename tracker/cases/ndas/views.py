"""HTML pages of the NDA register."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from tracker import clock, policy
from tracker.auth.models import User
from tracker.cases.assets.models import IpAsset
from tracker.cases.labels import choice, label
from tracker.cases.ndas import service as ndas
from tracker.cases.ndas.forms import NdaForm
from tracker.cases.ndas.models import Nda
from tracker.cases.pages import submit_page, template_helpers
from tracker.cases.projects.models import Project
from tracker.db import db
from tracker.policy import project_or_404, record_or_404
from tracker.web import current, sorting
from tracker.web.forms import form_version
from tracker.web.paging import link_args, page_args, paginate

bp = Blueprint("ndas", __name__, template_folder="../templates")
bp.context_processor(template_helpers)


@bp.route("/projects/<int:project_id>/ndas")
def nda_list(project_id: int) -> Any:
    user = current.user()
    project = project_or_404(user, project_id)
    policy.require(user, "nda.view", project)
    sort = sorting.page_sort(ndas.SORTS, "expires_on")
    page = paginate(ndas.nda_query(user, {"sort": sort}, project), page_args())
    return render_template(
        "cases/nda_list.html",
        project=project,
        page=page,
        sort=sort,
        args=link_args(),
        today=clock.today(),
        may_edit=lambda nda: ndas.may_edit(user, nda),
        active="ndas.nda_list",
    )


@bp.route("/ndas/<int:nda_id>")
def nda_detail(nda_id: int) -> Any:
    user = current.user()
    nda = record_or_404(user, Nda, nda_id)
    policy.require(user, "nda.view", nda)
    return render_template(
        "cases/nda_detail.html",
        nda=nda,
        project=nda.project,
        today=clock.today(),
        may_edit=ndas.may_edit(user, nda),
        active="ndas.nda_list",
    )


def _nda_form(form: NdaForm, user: User, project: Project) -> None:
    form.partner_id.choices = [choice(p.id, f"{p.name} ({p.country})") for p in project.partners]
    project_assets = db.session.execute(
        sa.select(IpAsset).where(IpAsset.project_id == project.id).order_by(IpAsset.id)
    ).scalars()
    form.asset_ids.choices = [choice(a.id, a.title) for a in project_assets]
    if not policy.can(user, "nda.edit", project):
        form.status.choices = [choice("draft", label("draft"))]


def _nda_values(form: NdaForm) -> dict[str, Any]:
    names = ["partner_id", "signed_on", "effective_on", "expires_on", "governing_law"]
    names += ["purpose", "asset_ids", "return_or_destroy", "audit_rights", "status"]
    values = {name: form[name].data for name in names}
    values["governing_law"] = values["governing_law"] or None
    values["purpose"] = values["purpose"] or None
    values["version"] = form_version(form)
    return values


@bp.route("/projects/<int:project_id>/ndas/new", methods=["GET", "POST"])
def nda_new(project_id: int) -> Any:
    user = current.user()
    project = project_or_404(user, project_id)
    policy.require(user, "nda.draft", project)
    form = NdaForm()
    _nda_form(form, user, project)
    return submit_page(
        form,
        lambda: ndas.create_nda(user, project, _nda_values(form)),
        _("NDA saved."),
        lambda saved: url_for("ndas.nda_detail", nda_id=saved.id),
        "cases/nda_form.html",
        project=project,
        nda=None,
        active="ndas.nda_list",
    )


@bp.route("/ndas/<int:nda_id>/edit", methods=["GET", "POST"])
def nda_edit(nda_id: int) -> Any:
    user = current.user()
    nda = record_or_404(user, Nda, nda_id)
    ndas.require_write(user, nda, {"status": nda.status}, nda.project)
    form = NdaForm(obj=nda)
    _nda_form(form, user, nda.project)
    if request.method == "GET":
        form.asset_ids.data = nda.asset_ids
    return submit_page(
        form,
        lambda: ndas.update_nda(user, nda, _nda_values(form)),
        _("NDA saved."),
        lambda saved: url_for("ndas.nda_detail", nda_id=nda.id),
        "cases/nda_form.html",
        project=nda.project,
        nda=nda,
        active="ndas.nda_list",
    )
