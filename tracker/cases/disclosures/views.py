"""HTML pages of invention disclosures: list, detail, filing, decision, edit and resubmit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from tracker import policy
from tracker.cases.disclosures import inventors
from tracker.cases.disclosures import service as disclosures
from tracker.cases.disclosures.forms import DisclosureDecisionForm, DisclosureForm
from tracker.cases.disclosures.models import Disclosure
from tracker.cases.labels import choice
from tracker.cases.pages import fill_rows, submit_page
from tracker.policy import project_or_404, record_or_404
from tracker.web import current, sorting
from tracker.web.forms import form_version, save_form
from tracker.web.paging import page_args, paginate

bp = Blueprint("disclosures", __name__, template_folder="../templates")


@bp.route("/projects/<int:project_id>/disclosures")
def disclosure_list(project_id: int) -> Any:
    project = project_or_404(current.user(), project_id)
    policy.require(current.user(), "disclosure.read", project)
    sort = sorting.page_sort(disclosures.SORTS, "-created_at")
    page = paginate(disclosures.disclosures_query(project, sort), page_args())
    disclosures.audit_listed(project, page["items"])
    return render_template(
        "cases/disclosure_list.html",
        project=project,
        active="disclosures.disclosure_list",
        page=page,
        can_file=policy.can(current.user(), "disclosure.file", project),
        has_foreign=inventors.has_foreign_inventor,
        sort=sort,
        args={"sort": sort},
    )


@bp.route("/projects/<int:project_id>/disclosures/new", methods=["GET", "POST"])
def disclosure_new(project_id: int) -> Any:
    project = project_or_404(current.user(), project_id)
    policy.require(current.user(), "disclosure.file", project)
    form = DisclosureForm()
    return _submit_form(
        form,
        lambda: disclosures.file_disclosure(project, current.user(), form.fields_for_service()),
        _("Disclosure filed."),
        project,
        None,
    )


def _detail_url(disclosure: Disclosure) -> str:
    return url_for("disclosures.disclosure_detail", disclosure_id=disclosure.id)


def _submit_form(
    form: DisclosureForm,
    save: Callable[[], Disclosure],
    message: str,
    project: Any,
    disclosure: Disclosure | None,
) -> Any:
    return submit_page(
        form,
        save,
        message,
        _detail_url,
        "cases/disclosure_form.html",
        project=project,
        disclosure=disclosure,
        active="disclosures.disclosure_list",
    )


@bp.route("/disclosures/<int:disclosure_id>")
def disclosure_detail(disclosure_id: int) -> Any:
    disclosure = record_or_404(current.user(), Disclosure, disclosure_id)
    policy.require(current.user(), "disclosure.read", disclosure)
    return _detail_page(disclosures.open_disclosure(disclosure), DisclosureDecisionForm(), 200)


def _decision_form(disclosure: Disclosure, form: DisclosureDecisionForm) -> dict[str, Any]:
    """Owner choices are the project's organisations; before a submit the rows hold the
    proposal from the inventors. Returns the proposal (its flagged foreign co-inventors)."""
    proposal = inventors.ownership_proposal(disclosure)
    if request.method == "GET":
        form.asset_title.data = disclosure.title
        fill_rows(form.owners, proposal["owners"])
    orgs = [disclosure.project.company, *disclosure.project.partners]
    owners = [choice(0, "—"), *(choice(o.id, f"{o.name} ({o.country})") for o in orgs)]
    for entry in form.owners:
        entry.form.organization_id.choices = owners
    return proposal


def _detail_page(disclosure: Disclosure, form: DisclosureDecisionForm, status: int) -> Any:
    form.version.data = str(disclosure.version)
    can_decide = disclosure.status == "submitted" and policy.can(
        current.user(), "disclosure.decide", disclosure
    )
    proposal = _decision_form(disclosure, form) if can_decide else None
    return render_template(
        "cases/disclosure_detail.html",
        disclosure=disclosure,
        project=disclosure.project,
        active="disclosures.disclosure_list",
        form=form,
        is_foreign=inventors.is_foreign,
        can_decide=can_decide,
        proposal=proposal,
        can_edit=disclosure.status == "needs_info"
        and policy.can(current.user(), "disclosure.file", disclosure),
    ), status


@bp.route("/disclosures/<int:disclosure_id>/decision", methods=["POST"])
def disclosure_decide(disclosure_id: int) -> Any:
    disclosure = record_or_404(current.user(), Disclosure, disclosure_id)
    policy.require(current.user(), "disclosure.decide", disclosure)
    form = DisclosureDecisionForm()
    _decision_form(disclosure, form)
    saved = save_form(
        form,
        lambda: disclosures.decide_disclosure(
            disclosure,
            current.user(),
            form.decision.data or "",
            form.note.data,
            form.asset_for_service() if form.decision.data == "accept" else None,
            form_version(form),
        ),
        _("Decision recorded."),
        _detail_url,
    )
    return saved.response or _detail_page(disclosure, form, saved.status)


@bp.route("/disclosures/<int:disclosure_id>/edit", methods=["GET", "POST"])
def disclosure_edit(disclosure_id: int) -> Any:
    disclosure = record_or_404(current.user(), Disclosure, disclosure_id)
    policy.require(current.user(), "disclosure.file", disclosure)
    # the version the form was loaded with travels in a hidden field
    if request.method == "POST":
        form = DisclosureForm()
    else:
        form = DisclosureForm(obj=disclosures.open_disclosure(disclosure))
    return _submit_form(
        form,
        lambda: disclosures.resubmit_disclosure(
            disclosure, form_version(form), form.fields_for_service()
        ),
        _("Disclosure resubmitted."),
        disclosure.project,
        disclosure,
    )
