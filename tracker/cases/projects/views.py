"""HTML pages of projects: list with filters and search, detail, new, edit."""

from __future__ import annotations

from typing import Any, TypeAlias

import sqlalchemy as sa
from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from tracker import policy
from tracker.auth.models import User, Zone
from tracker.cases.labels import choice, label
from tracker.cases.pages import organization_choices, submit_page, template_helpers
from tracker.cases.projects import listing, service
from tracker.cases.projects.forms import ProjectFilterForm, ProjectForm
from tracker.cases.projects.models import PROJECT_STATUSES, Project
from tracker.cases.reviews.models import RISK_LEVELS
from tracker.db import BuiltOnce, db
from tracker.policy import project_or_404
from tracker.web import carried, current, sorting
from tracker.web.forms import form_version
from tracker.web.paging import link_args, page_args
from tracker.web.urls import id_url

bp = Blueprint("projects", __name__, template_folder="../templates")
bp.context_processor(template_helpers)


@bp.route("/projects")
def project_list() -> Any:
    user = current.user()
    policy.require(user, "project.view")
    form = ProjectFilterForm(formdata=request.args)
    form.zone_id.choices = [choice(0, "—")] + [choice(z, code) for z, code in _zones(user)]
    form.validate()
    filters = {
        name: form[name].data
        for name in ("zone_id", "status", "risk_level", "q", "likelihood", "impact")
        if not form[name].errors
    }
    # an unknown sort is ignored on the page (the API answers 422)
    sort = request.args.get("sort", "")
    filters["sort"] = sort if sort in sorting.choices(listing.SORTS) else "code"
    paging = page_args()
    page = listing.page(user, filters, paging["page"], paging["per_page"])
    return render_template(
        "cases/project_list.html",
        form=form,
        page=page,
        args=link_args(),
        sort=filters["sort"],
        labels=_row_labels(),
        project_url=id_url("projects.project_detail", "project_id"),
    )


#: the zones' rows: id, code and the carried values
ZoneRows: TypeAlias = "sa.Select[*tuple[Any, ...]]"


def _zones(user: User) -> list[tuple[int, str]]:
    """The zones the filter offers (id, code), with what the layout needs carried beside
    them (the header's counts, `tracker.web.carried`): one statement, one round trip fewer on
    every list page."""
    header = carried.table(user)
    rows = db.session.execute(_ZONES.get(header, lambda: _zones_with(header))).all()
    if rows and header is not None:
        carried.keep(*rows[0][2:])
    return [(row.id, row.code) for row in rows]


def _zones_with(header: sa.Subquery | None) -> ZoneRows:
    return carried.joined(sa.select(Zone.id, Zone.code).order_by(Zone.code), header)  # type: ignore[no-any-return]


#: the list's zone statements by the carried derived table (one per user and day)
_ZONES: BuiltOnce[ZoneRows] = BuiltOnce(1024)


def _row_labels() -> dict[str | None, str]:
    """The labels the list's rows show (status, risk level, and under None "Not assessed"),
    translated once per page instead of once per row and column."""
    return {value: label(value) for value in (*PROJECT_STATUSES, *RISK_LEVELS, None)}


def _project_form(form: ProjectForm, user: User, project: Project | None) -> None:
    zones = db.session.execute(sa.select(Zone).order_by(Zone.code)).scalars()
    form.zone_id.choices = [choice(z.id, f"{z.code} · {z.name_en}") for z in zones]
    form.company_id.choices = organization_choices("company")
    form.partner_ids.choices = organization_choices("partner")
    if policy.can(user, "project.assign_lawyers", project):
        lawyers = db.session.execute(
            sa.select(User).where(policy.lawyer_accounts(), User.active).order_by(User.name)
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
    user = current.user()
    policy.require(user, "project.create")
    form = ProjectForm()
    _project_form(form, user, None)
    return submit_page(
        form,
        lambda: service.create_project(user, _project_values(form)),
        _("Project created."),
        lambda saved: url_for("projects.project_detail", project_id=saved.id),
        "cases/project_form.html",
        project=None,
    )


# A project's own page (`projects.project_detail`, /projects/<id>) is its summary board, which
# reads every record kind: tracker/dashboard/views.py adds it to this blueprint.


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
def project_edit(project_id: int) -> Any:
    user = current.user()
    project = project_or_404(user, project_id)
    policy.require(user, "project.edit", project)
    form = ProjectForm(obj=project)
    _project_form(form, user, project)
    return submit_page(
        form,
        lambda: service.update_project(user, project, _project_values(form)),
        _("Project saved."),
        lambda saved: url_for("projects.project_detail", project_id=saved.id),
        "cases/project_form.html",
        project=project,
        active="projects.project_detail",
    )
