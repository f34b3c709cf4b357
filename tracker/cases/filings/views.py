"""HTML pages of filings: add and edit a filing, record an event, mark a deadline done. The
family itself is shown on the asset's page (`tracker.cases.assets.views`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker import policy
from tracker.auth.countries import iso_countries
from tracker.auth.forms import PlainForm
from tracker.cases.assets.models import IpAsset
from tracker.cases.filings import service as filings
from tracker.cases.filings.forms import EventForm, FilingForm
from tracker.cases.filings.labels import EVENT_LABELS, ROUTE_LABELS, STATUS_LABELS, office_name
from tracker.cases.filings.models import Filing
from tracker.cases.labels import choice
from tracker.cases.pages import submit_page, template_helpers
from tracker.errors import InvalidInput
from tracker.policy import record_or_404
from tracker.web import current
from tracker.web.forms import form_version

bp = Blueprint("filings", __name__, template_folder="../templates")
bp.context_processor(template_helpers)


def _office_choices() -> list[Any]:
    extra = sorted(filings.EXTRA_OFFICES)
    countries = sorted(iso_countries(), key=office_name)
    return [choice(code, f"{office_name(code)}") for code in [*extra, *countries]]


def _prepare(form: FilingForm, asset: IpAsset, filing: Filing | None) -> None:
    form.office.choices = _office_choices()
    others = [f for f in asset.filings if filing is None or f.id != filing.id]
    form.parent_id.choices = [
        choice(0, "—"),
        *[
            choice(f.id, f"{office_name(f.office)} {f.application_no or ''} {f.filed_on or ''}")
            for f in others
        ],
    ]


def _values(form: FilingForm) -> dict[str, Any]:
    values: dict[str, Any] = {n: form[n].data or None for n in filings.FILING_DATES}
    values["office"] = form.office.data
    values["route"] = form.route.data
    values["status"] = form.status.data
    values["parent_id"] = form.parent_id.data or None
    values["application_no"] = form.application_no.data or None
    values["registration_no"] = form.registration_no.data or None
    values["version"] = form_version(form)
    return values


def _asset_page(asset_id: int, filing_id: int | None = None) -> str:
    anchor = f"filing-{filing_id}" if filing_id else "filings"
    return url_for("assets.asset_detail", asset_id=asset_id, _anchor=anchor)


def _filing_page(form: FilingForm, asset: IpAsset, filing: Filing | None) -> Any:
    """The add or edit page of a filing: saved, back to its place in the family."""
    _prepare(form, asset, filing)

    def save() -> Filing:
        if filing is None:
            return filings.create_filing(asset, _values(form))
        return filings.update_filing(filing, _values(form))

    return submit_page(
        form,
        save,
        _("Filing saved."),
        lambda saved: _asset_page(asset.id, saved.id),
        "cases/filing_form.html",
        project=asset.project,
        asset=asset,
        filing=filing,
        active="assets.asset_list",
    )


@bp.route("/assets/<int:asset_id>/filings/new", methods=["GET", "POST"])
def filing_new(asset_id: int) -> Any:
    user = current.user()
    asset = record_or_404(user, IpAsset, asset_id)
    policy.require(user, "filing.edit", asset)
    return _filing_page(FilingForm(), asset, None)


@bp.route("/filings/<int:filing_id>/edit", methods=["GET", "POST"])
def filing_edit(filing_id: int) -> Any:
    user = current.user()
    filing = record_or_404(user, Filing, filing_id)
    policy.require(user, "filing.edit", filing)
    form = FilingForm(obj=filing)
    if request.method == "GET":
        form.parent_id.data = filing.parent_id or 0
    return _filing_page(form, filing.asset, filing)


@bp.route("/filings/<int:filing_id>/events/new", methods=["GET", "POST"])
def event_new(filing_id: int) -> Any:
    user = current.user()
    filing = record_or_404(user, Filing, filing_id)
    policy.require(user, "filing.edit", filing)
    form = EventForm()
    asset = filing.asset

    def save() -> Any:
        values = {n: form[n].data or None for n in ("kind", "on", "due_on", "note")}
        return filings.record_event(filing, values, user.id)

    return submit_page(
        form,
        save,
        _("Event recorded."),
        lambda saved: _asset_page(asset.id, filing.id),
        "cases/filing_event_form.html",
        project=asset.project,
        asset=asset,
        filing=filing,
        active="assets.asset_list",
    )


@bp.route("/filings/<int:filing_id>/deadlines", methods=["POST"])
def deadline_done(filing_id: int) -> Any:
    """Mark a filing's derived deadline done (or open again): the lawyer's button."""
    user = current.user()
    filing = record_or_404(user, Filing, filing_id)
    policy.require(user, "filing.edit", filing)
    if not PlainForm().validate_on_submit():
        abort(400)
    marks = {request.form.get("key", ""): request.form.get("done") == "true"}
    try:
        filings.update_filing(
            filing,
            {
                "version": filing.version,
                "deadlines": [{"key": k, "done": v} for k, v in marks.items()],
            },
        )
    except InvalidInput:
        abort(400)  # the page's own buttons name the keys: anything else is a malformed form
    return redirect(_asset_page(filing.asset_id, filing.id))


_FIELD_LABELS = {
    "priority_on": _l("Earliest priority date"),
    "filed_on": _l("Filed on"),
    "application_no": _l("Application number"),
    "registered_on": _l("Registered on"),
    "registration_no": _l("Registration number"),
}


def _label(labels: dict[str, Any]) -> Any:
    return lambda value: str(labels.get(value, value))


# the words of the family on the asset's page (and of the deadline pages: the office's name)
bp.add_app_template_global(office_name, "office_name")
bp.add_app_template_global(_label(ROUTE_LABELS), "route_label")
bp.add_app_template_global(_label(STATUS_LABELS), "filing_status_label")
bp.add_app_template_global(_label(EVENT_LABELS), "event_label")
bp.add_app_template_global(_label(_FIELD_LABELS), "filing_field_label")
