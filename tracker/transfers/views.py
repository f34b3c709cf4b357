"""HTML pages of the data-sharing gate: requests, a project's tab, one request with the
operator's decision, the ledger and the operator's view of the zone."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tracker import clock, policy
from tracker.auth.models import Organization, Zone
from tracker.cases.assets.models import IpAsset
from tracker.cases.projects.models import Project
from tracker.db import db
from tracker.errors import InvalidInput, StateConflict
from tracker.policy import project_or_404, record_or_404
from tracker.transfers import files as attachment_refs
from tracker.transfers import gate, queries, service
from tracker.transfers.forms import (
    CHANNEL_LABELS,
    STATUS_LABELS,
    DecisionForm,
    RecheckForm,
    TransferFilterForm,
    TransferForm,
    choices_of,
)
from tracker.transfers.models import UNDECIDED, TransferRequest
from tracker.transfers.overview import zone_overview as build_overview
from tracker.web import current, local_path, sorting
from tracker.web.forms import form_version, show_refusal
from tracker.web.paging import link_args, page_args, paginate

bp = Blueprint("transfers", __name__, template_folder="templates")


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {
        "check_detail": gate.check_detail,
        "check_glance": gate.check_glance,
        # a file's plaintext digest, or None for a user who may not download it
        "file_sha256": lambda t, f: (
            attachment_refs.file_sha256(f)
            if attachment_refs.may_see_sha256(current.user(), t)
            else None
        ),
        "check_label": gate.check_label,
        "check_codes": gate.CHECK_CODES,
        "channel_label": lambda c: str(CHANNEL_LABELS.get(c, c)),
        "transfer_status_label": lambda s: str(STATUS_LABELS.get(s, s)),
    }


def _filter_form(*, ledger: bool) -> TransferFilterForm:
    form = TransferFilterForm(request.args)
    zones = db.session.execute(sa.select(Zone).order_by(Zone.code)).scalars()
    partners = db.session.execute(
        sa.select(Organization).where(Organization.kind == "partner").order_by(Organization.name)
    ).scalars()
    form.zone_id.choices = choices_of([("", "—")] + [(z.id, z.code) for z in zones])
    form.partner_id.choices = choices_of([("", "—")] + [(o.id, o.name) for o in partners])
    if ledger:
        del form.status
    return form


def _list_page(*, ledger: bool) -> Any:
    user = current.user()
    policy.require(user, "transfer.view")
    form = _filter_form(ledger=ledger)
    valid = form.validate()
    sort = sorting.page_sort(queries.SORTS, "")
    asked = {**(form.filters() if valid else {}), "sort": sort or None}
    filters = queries.TransferFilters.of(asked)
    query = queries.ledger_query if ledger else queries.transfers_query
    page = paginate(query(user, filters), page_args())
    csv_args = {k: v for k, v in filters.as_detail().items() if k != "status"}
    return render_template(
        "transfers/list.html",
        form=form,
        page=page,
        ledger=ledger,
        sort=sort,
        csv_url=url_for("api_transfers.transfer_ledger", format="csv", **csv_args),
        xlsx_url=url_for("api_transfers.transfer_ledger", format="xlsx", **csv_args),
        args=link_args(),
    ), (200 if valid else 422)


@bp.route("/transfers")
def transfer_list() -> Any:
    return _list_page(ledger=False)


@bp.route("/transfers/ledger")
def ledger() -> Any:
    return _list_page(ledger=True)


def _transfer_form(project: Project) -> TransferForm:
    form = TransferForm()
    assets = db.session.execute(
        sa.select(IpAsset).where(IpAsset.project_id == project.id).order_by(IpAsset.title)
    ).scalars()
    form.partner_id.choices = [
        (p.id, p.name) for p in sorted(project.partners, key=lambda o: o.name)
    ]
    form.asset_ids.choices = [(a.id, a.title) for a in assets]
    form.attachment_ids.choices = attachment_refs.choices(project)
    return form


@bp.route("/projects/<int:project_id>/transfers", methods=["GET", "POST"])
def project_transfers(project_id: int) -> Any:
    user = current.user()
    project = project_or_404(user, project_id)
    policy.require(user, "transfer.view", project)
    can_request = policy.can(user, "transfer.request", project)
    form = _transfer_form(project) if can_request else None
    status = 200
    if request.method == "POST":
        policy.require(user, "transfer.request", project)
        assert form is not None  # noqa: S101
        if form.validate_on_submit():
            draft = service.TransferDraft(
                partner_id=form.partner_id.data,
                asset_ids=form.asset_ids.data or [],
                attachment_ids=form.attachment_ids.data or [],
                purpose=form.purpose.data or "",
                channel=form.channel.data or "",
                planned_on=form.planned_on.data,
            )
            try:
                created = service.file_transfer(user, project, draft)
                if created.status == "blocked":
                    flash(_("Request filed, but the gate blocks it; see the reasons below."))
                else:
                    flash(_("Request filed; it waits for the zone operator's review."))
                return redirect(url_for("transfers.transfer_detail", transfer_id=created.id))
            except InvalidInput as exc:
                show_refusal(form, exc)
        status = 422
    sort = sorting.page_sort(queries.SORTS, "")
    filters = queries.TransferFilters(project_id=project.id, sort=sort or None)
    page = paginate(queries.transfers_query(user, filters), page_args())
    return render_template(
        "transfers/project.html",
        project=project,
        active="transfers.project_transfers",
        page=page,
        form=form,
        sort=sort,
        args={"sort": sort} if sort else {},
    ), status


def _detail(
    transfer: TransferRequest,
    decision_form: DecisionForm | None = None,
    error: str | None = None,
    failed: list[dict[str, Any]] | None = None,
) -> Any:
    user = current.user()
    can_decide = transfer.status in UNDECIDED and policy.can(user, "transfer.decide", transfer)
    if can_decide and decision_form is None:
        decision_form = DecisionForm(version=transfer.version)
    live = service.preview_checks(transfer) if can_decide else None
    if live is not None and decision_form is not None and not gate.all_pass(live):
        # a check fails now: approving would be refused, so the form offers deny only
        decision_form.decision.choices = [
            c for c in decision_form.decision.choices if c.value != "approve"
        ]
    return render_template(
        "transfers/detail.html",
        transfer=transfer,
        project=transfer.project,
        active="transfers.project_transfers",
        decision_form=decision_form if can_decide else None,
        recheck_form=RecheckForm()
        if transfer.status in UNDECIDED and policy.can(user, "transfer.request", transfer)
        else None,
        live_checks=live,
        error=error,
        failed=failed,
    )


@bp.route("/transfers/<int:transfer_id>")
def transfer_detail(transfer_id: int) -> Any:
    transfer = record_or_404(current.user(), TransferRequest, transfer_id)
    policy.require(current.user(), "transfer.view", transfer)
    return _detail(transfer)


@bp.route("/transfers/<int:transfer_id>/decision", methods=["POST"])
def decide(transfer_id: int) -> Any:
    user = current.user()
    transfer = record_or_404(user, TransferRequest, transfer_id)
    policy.require(user, "transfer.decide", transfer)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _detail(transfer, form), 422
    version = form_version(form)
    if version is None:
        abort(400)
    try:
        service.decide_transfer(user, transfer, form.decision.data or "", form.note.data, version)
    except InvalidInput as exc:
        show_refusal(form, exc)
        return _detail(transfer, form), 422
    except StateConflict as exc:
        db.session.rollback()
        db.session.refresh(transfer)
        return _detail(transfer, form, error=exc.detail, failed=exc.extra.get("checks")), 409
    flash(_("Decision recorded."))
    # the zone page's approve button comes back to the zone page
    back = local_path(request.form.get("next"))
    return redirect(back or url_for("transfers.transfer_detail", transfer_id=transfer.id))


@bp.route("/transfers/<int:transfer_id>/recheck", methods=["POST"])
def recheck(transfer_id: int) -> Any:
    user = current.user()
    transfer = record_or_404(user, TransferRequest, transfer_id)
    policy.require(user, "transfer.request", transfer)
    if not RecheckForm().validate_on_submit():
        abort(400)
    service.recheck_transfer(transfer)
    flash(_("The checks were run again."))
    return redirect(url_for("transfers.transfer_detail", transfer_id=transfer.id))


@bp.route("/zone")
def zone_overview() -> Any:
    user = current.user()
    policy.require(user, "transfer.decide")
    if user.zone_id is None:
        abort(404)
    sort = sorting.page_sort(queries.SORTS, "planned_on")
    overview = build_overview(user, user.zone_id, clock.today(), sort)
    return render_template(
        "transfers/zone.html",
        zone=user.zone,
        overview=overview,
        recheck_form=RecheckForm(),
        sort=sort,
        args={"sort": sort},
    )


@bp.route("/zone/recheck", methods=["POST"])
def zone_recheck() -> Any:
    """Run the gate again for every open request of the operator's zone (each audited)."""
    user = current.user()
    policy.require(user, "transfer.decide")
    if user.zone_id is None:
        abort(404)
    if not RecheckForm().validate_on_submit():
        abort(400)
    queue = build_overview(user, user.zone_id, clock.today()).queue
    service.recheck_transfers([item.transfer for item in queue])
    flash(_("The checks were run again."))
    return redirect(url_for("transfers.zone_overview"), code=303)
