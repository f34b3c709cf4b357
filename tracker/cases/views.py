"""HTML pages of the case file: projects, IP assets and NDAs.

Each view loads (404 out of scope), asks the policy, calls the same service function as the
API and renders. Edit forms carry the version they were loaded with: a stale one answers 409.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker import clock, policy
from tracker.auth.models import Organization, User, Zone
from tracker.cases import assets, ndas, service
from tracker.cases.forms import (
    AssetForm,
    NdaForm,
    ProjectFilterForm,
    ProjectForm,
    choice,
    label,
)
from tracker.cases.models import IpAsset, Nda, Project
from tracker.db import db
from tracker.errors import InvalidInput
from tracker.policy import project_or_404, record_or_404
from tracker.web.forms import form_version, save_form
from tracker.web.paging import page_args, paginate

bp = Blueprint("cases", __name__, template_folder="templates")


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"case_label": label, "can": policy.can}


def _user() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def _submit(
    form: Any,
    action: Callable[[], Any],
    message: str,
    target: Callable[[Any], str],
    template: str,
    **context: Any,
) -> Any:
    """Handle a form page: after a successful save, flash `message` and redirect to
    `target(saved)`; otherwise render `template` with the form (200, or 409/422 with the
    errors on the form)."""
    done = save_form(form, action, message, target)
    return done.response or (render_template(template, form=form, **context), done.status)


def _organizations(*kinds: str) -> list[Any]:
    rows = db.session.execute(
        sa.select(Organization)
        .where(Organization.kind.in_(kinds))
        .order_by(Organization.name, Organization.id)
    ).scalars()
    return [choice(o.id, f"{o.name} ({o.country})") for o in rows]


# --- projects ----------------------------------------------------------------------------------


@bp.route("/projects")
def project_list() -> Any:
    user = _user()
    policy.require(user, "project.view")
    form = ProjectFilterForm(formdata=request.args)
    zones = db.session.execute(sa.select(Zone).order_by(Zone.code)).scalars().all()
    form.zone_id.choices = [choice(0, "—")] + [choice(z.id, z.code) for z in zones]
    form.validate()
    filters = {
        name: form[name].data
        for name in ("zone_id", "status", "risk_level", "q")
        if not form[name].errors
    }
    page = paginate(service.project_query(user, filters), page_args())
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("cases/project_list.html", form=form, page=page, args=args)


def _project_form(form: ProjectForm, user: User, project: Project | None) -> None:
    zones = db.session.execute(sa.select(Zone).order_by(Zone.code)).scalars()
    form.zone_id.choices = [choice(z.id, f"{z.code} · {z.name_en}") for z in zones]
    form.company_id.choices = _organizations("company")
    form.partner_ids.choices = _organizations("partner")
    if policy.can(user, "project.assign_lawyers", project):
        lawyers = db.session.execute(
            sa.select(User).where(User.role == "lawyer", User.active).order_by(User.name)
        ).scalars()
        form.lawyer_ids.choices = [choice(u.id, u.name) for u in lawyers]
    else:
        del form.lawyer_ids
    if project is not None and not policy.can(user, "project.change_scope", project):
        del form.zone_id, form.company_id


def _project_values(form: ProjectForm) -> dict[str, Any]:
    names = ["code", "title", "zone_id", "company_id", "partner_ids", "start_date", "end_date"]
    names += ["budget_krw", "security_level", "status"]
    names.append("lawyer_ids")
    values = {name: form[name].data for name in names if name in form}
    values["version"] = form_version(form)
    return values


@bp.route("/projects/new", methods=["GET", "POST"])
def project_new() -> Any:
    user = _user()
    policy.require(user, "project.create")
    form = ProjectForm()
    _project_form(form, user, None)
    return _submit(
        form,
        lambda: service.create_project(user, _project_values(form)),
        _("Project created."),
        lambda saved: url_for("cases.project_detail", project_id=saved.id),
        "cases/project_form.html",
        project=None,
    )


@bp.route("/projects/<int:project_id>")
def project_detail(project_id: int) -> Any:
    user = _user()
    project = project_or_404(user, project_id)
    policy.require(user, "project.view", project)
    project = service.with_risk_level(project)
    return render_template(
        "cases/project_detail.html", project=project, active="cases.project_detail"
    )


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
def project_edit(project_id: int) -> Any:
    user = _user()
    project = project_or_404(user, project_id)
    policy.require(user, "project.edit", project)
    form = ProjectForm(obj=project)
    _project_form(form, user, project)
    return _submit(
        form,
        lambda: service.update_project(user, project, _project_values(form)),
        _("Project saved."),
        lambda saved: url_for("cases.project_detail", project_id=saved.id),
        "cases/project_form.html",
        project=project,
        active="cases.project_detail",
    )


# --- IP assets ---------------------------------------------------------------------------------


@bp.route("/projects/<int:project_id>/assets")
def asset_list(project_id: int) -> Any:
    user = _user()
    project = project_or_404(user, project_id)
    policy.require(user, "asset.view", project)
    page = paginate(assets.asset_query(project), page_args())
    return render_template(
        "cases/asset_list.html",
        project=project,
        page=page,
        full=policy.can(user, "asset.view_full", project),
        active="cases.asset_list",
    )


@bp.route("/assets/<int:asset_id>")
def asset_detail(asset_id: int) -> Any:
    user = _user()
    asset = record_or_404(user, IpAsset, asset_id)
    policy.require(user, "asset.view", asset)
    return render_template(
        "cases/asset_detail.html",
        asset=asset,
        project=asset.project,
        full=policy.can(user, "asset.view_full", asset),
        active="cases.asset_list",
    )


def _asset_form(form: AssetForm) -> None:
    owners = [choice(0, "—"), *_organizations("company", "partner")]
    for entry in form.owners:
        entry.form.organization_id.choices = owners


def _asset_values(form: AssetForm) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    names = ["title", "kind", "sensitivity", "description", "application_no", "filed_on"]
    names += ["registration_no", "registered_on", "nct_status", "nct_ref", "strategic_item"]
    names += ["export_licence_ref", "export_licence_until", "originality_cert_no"]
    values: dict[str, Any] = {name: form[name].data or None for name in names}
    values["confidentiality_marked"] = bool(form.confidentiality_marked.data)
    values["jurisdictions"] = re.split(r"[\s,;]+", form.jurisdictions.data or "")
    values["owners"] = []
    for entry in form.owners:
        org, share = entry.form.organization_id.data, entry.form.share_pct.data
        if org and share is None:
            errors["owners"] = [_("Each owner needs a share.")]
        elif org:
            values["owners"].append({"organization_id": org, "share_pct": share})
    values["deadlines"] = []
    for entry in form.deadlines:
        data = entry.form.data
        if bool(data["kind"]) != bool(data["due_on"]):
            errors["deadlines"] = [_("Each deadline needs a kind and a due date.")]
        elif data["kind"]:
            values["deadlines"].append(data)
    values["version"] = form_version(form)
    if errors:
        raise InvalidInput(errors)
    return values


@bp.route("/projects/<int:project_id>/assets/new", methods=["GET", "POST"])
def asset_new(project_id: int) -> Any:
    user = _user()
    project = project_or_404(user, project_id)
    policy.require(user, "asset.edit", project)
    form = AssetForm()
    _asset_form(form)
    return _submit(
        form,
        lambda: assets.create_asset(project, _asset_values(form)),
        _("Asset saved."),
        lambda saved: url_for("cases.asset_list", project_id=project_id),
        "cases/asset_form.html",
        project=project,
        asset=None,
        active="cases.asset_list",
    )


@bp.route("/assets/<int:asset_id>/edit", methods=["GET", "POST"])
def asset_edit(asset_id: int) -> Any:
    user = _user()
    asset = record_or_404(user, IpAsset, asset_id)
    policy.require(user, "asset.edit", asset)
    form = AssetForm(obj=asset)
    if request.method == "GET":
        form.jurisdictions.data = ", ".join(asset.jurisdictions)
        _fill(
            form.owners,
            [
                {"organization_id": o.organization_id, "share_pct": o.share_pct}
                for o in asset.owners
            ],
        )
        _fill(
            form.deadlines,
            [
                {"kind": d.kind, "due_on": d.due_on, "note": d.note, "done": d.done}
                for d in asset.deadlines
            ],
        )
    _asset_form(form)
    return _submit(
        form,
        lambda: assets.update_asset(asset, _asset_values(form)),
        _("Asset saved."),
        lambda saved: url_for("cases.asset_list", project_id=asset.project_id),
        "cases/asset_form.html",
        project=asset.project,
        asset=asset,
        active="cases.asset_list",
    )


def _fill(field_list: Any, rows: list[dict[str, Any]]) -> None:
    """Load rows into a FieldList, keeping up to two empty entries to add more (never more
    entries than the list's `max_entries`: WTForms refuses those with an AssertionError)."""
    while len(field_list):
        field_list.pop_entry()
    spare = 2 if field_list.max_entries is None else max(0, field_list.max_entries - len(rows))
    for row in [*rows, *([{}] * min(2, spare))]:
        field_list.append_entry(row or None)


# --- NDAs --------------------------------------------------------------------------------------


@bp.route("/projects/<int:project_id>/ndas")
def nda_list(project_id: int) -> Any:
    user = _user()
    project = project_or_404(user, project_id)
    policy.require(user, "nda.view", project)
    page = paginate(ndas.nda_query(user, {}, project), page_args())
    return render_template(
        "cases/nda_list.html",
        project=project,
        page=page,
        today=clock.today(),
        active="cases.nda_list",
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
    user = _user()
    project = project_or_404(user, project_id)
    policy.require(user, "nda.draft", project)
    form = NdaForm()
    _nda_form(form, user, project)
    return _submit(
        form,
        lambda: ndas.create_nda(user, project, _nda_values(form)),
        _("NDA saved."),
        lambda saved: url_for("cases.nda_list", project_id=project_id),
        "cases/nda_form.html",
        project=project,
        nda=None,
        active="cases.nda_list",
    )


@bp.route("/ndas/<int:nda_id>/edit", methods=["GET", "POST"])
def nda_edit(nda_id: int) -> Any:
    user = _user()
    nda = record_or_404(user, Nda, nda_id)
    policy.require(user, "nda.draft", nda)
    ndas.require_write(user, nda, {"status": nda.status}, nda.project)
    form = NdaForm(obj=nda)
    _nda_form(form, user, nda.project)
    if request.method == "GET":
        form.asset_ids.data = nda.asset_ids
    return _submit(
        form,
        lambda: ndas.update_nda(user, nda, _nda_values(form)),
        _("NDA saved."),
        lambda saved: url_for("cases.nda_list", project_id=nda.project_id),
        "cases/nda_form.html",
        project=nda.project,
        nda=nda,
        active="cases.nda_list",
    )
