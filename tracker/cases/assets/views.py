"""HTML pages of IP assets."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tracker import clock, policy
from tracker.auth.forms import PlainForm
from tracker.cases.assets import service as assets
from tracker.cases.assets.docketing import rule_label
from tracker.cases.assets.forms import AssetForm
from tracker.cases.assets.models import IpAsset
from tracker.cases.filings import service as filings
from tracker.cases.labels import choice
from tracker.cases.ndas import service as ndas
from tracker.cases.pages import fill_rows, organization_choices, submit_page, template_helpers
from tracker.db import db
from tracker.errors import InvalidInput
from tracker.policy import project_or_404, record_or_404
from tracker.web import current, sorting
from tracker.web.forms import form_version
from tracker.web.paging import page_args, paginate

bp = Blueprint("assets", __name__, template_folder="../templates")
bp.context_processor(template_helpers)
bp.add_app_template_global(rule_label)


@bp.route("/projects/<int:project_id>/assets")
def asset_list(project_id: int) -> Any:
    user = current.user()
    project = project_or_404(user, project_id)
    policy.require(user, "asset.view", project)
    # a sort the reader's role may not use (an operator's by deadline) is ignored like any
    # unknown one: no sort, the assets newest last
    sort = sorting.page_sort(assets.sorts_for(user, project), "")
    page = paginate(assets.asset_query(project, sort), page_args())
    return render_template(
        "cases/asset_list.html",
        project=project,
        page=page,
        full=policy.can(user, "asset.view_full", project),
        active="assets.asset_list",
        sort=sort,
        args={"sort": sort} if sort else {},
    )


@bp.route("/assets/<int:asset_id>")
def asset_detail(asset_id: int) -> Any:
    user = current.user()
    asset = record_or_404(user, IpAsset, asset_id)
    policy.require(user, "asset.view", asset)
    covering = ndas.covering_ndas(asset) if policy.can(user, "nda.view", asset) else None
    # the filings with their deadlines and events: three statements however large the family
    family = (
        list(db.session.scalars(filings.filing_query(asset)))
        if policy.can(user, "filing.view", asset)
        else None
    )
    return render_template(
        "cases/asset_detail.html",
        asset=asset,
        project=asset.project,
        family=filings.family_tree(family) if family is not None else None,
        dates_to_split=filings.dates_to_split(asset, family) if family is not None else {},
        full=policy.can(user, "asset.view_full", asset),
        covering_ndas=covering,
        today=clock.today(),
        active="assets.asset_list",
        plain_form=PlainForm(),
    )


@bp.route("/assets/<int:asset_id>/derived-deadlines", methods=["POST"])
def derived_done(asset_id: int) -> Any:
    """Mark a derived deadline done (or open again): the lawyer's button on the asset page."""
    user = current.user()
    asset = record_or_404(user, IpAsset, asset_id)
    policy.require(user, "asset.edit", asset)
    if not PlainForm().validate_on_submit():
        abort(400)
    key = request.form.get("key", "")
    try:
        assets.set_derived_done(asset, key, request.form.get("done") == "true")
    except InvalidInput:
        abort(400)  # the page's own buttons name the keys: anything else is a malformed form
    return redirect(url_for("assets.asset_detail", asset_id=asset.id))


def _asset_form(form: AssetForm) -> None:
    owners = [choice(0, "—"), *organization_choices("company", "partner")]
    for entry in form.owners:
        entry.form.organization_id.choices = owners


def _asset_values(form: AssetForm) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    names = ["title", "kind", "sensitivity", "description", "application_no", "filed_on"]
    names += ["priority_on", "registration_no", "registered_on", "nct_status", "nct_ref"]
    names += ["nct_filed_on", "strategic_item"]
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
    user = current.user()
    project = project_or_404(user, project_id)
    policy.require(user, "asset.edit", project)
    form = AssetForm()
    _asset_form(form)
    return submit_page(
        form,
        lambda: assets.create_asset(project, _asset_values(form)),
        _("Asset saved."),
        lambda saved: url_for("assets.asset_list", project_id=project_id),
        "cases/asset_form.html",
        project=project,
        asset=None,
        active="assets.asset_list",
    )


@bp.route("/assets/<int:asset_id>/edit", methods=["GET", "POST"])
def asset_edit(asset_id: int) -> Any:
    user = current.user()
    asset = record_or_404(user, IpAsset, asset_id)
    policy.require(user, "asset.edit", asset)
    form = AssetForm(obj=asset)
    if request.method == "GET":
        form.jurisdictions.data = ", ".join(asset.jurisdictions)
        fill_rows(
            form.owners,
            [
                {"organization_id": o.organization_id, "share_pct": o.share_pct}
                for o in asset.owners
            ],
        )
        fill_rows(
            form.deadlines,
            [
                {"kind": d.kind, "due_on": d.due_on, "note": d.note, "done": d.done}
                for d in asset.deadlines
            ],
        )
    _asset_form(form)
    return submit_page(
        form,
        lambda: assets.update_asset(asset, _asset_values(form)),
        _("Asset saved."),
        lambda saved: url_for("assets.asset_list", project_id=asset.project_id),
        "cases/asset_form.html",
        project=asset.project,
        asset=asset,
        active="assets.asset_list",
    )
