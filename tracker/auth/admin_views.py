"""Admin pages: accounts, zones and organisations (auditors may look, only admins change)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from wtforms import SelectChoice

from tracker import policy
from tracker.auth import accounts, invitations
from tracker.auth import organizations as orgs
from tracker.auth.forms import (
    OrganizationEditForm,
    OrganizationForm,
    PlainForm,
    UserForm,
    ZoneForm,
)
from tracker.auth.labels import org_kind_label
from tracker.auth.models import Organization, User, Zone
from tracker.db import db
from tracker.errors import InvalidInput, StateConflict
from tracker.web import current, sorting
from tracker.web.forms import save_form, show_refusal
from tracker.web.ids import get_or_404

bp = Blueprint("admin", __name__, template_folder="templates")


def _org_and_zone_choices(form: UserForm) -> None:
    orgs = db.session.execute(sa.select(Organization).order_by(Organization.name)).scalars()
    zones = db.session.execute(sa.select(Zone).order_by(Zone.code)).scalars()
    form.organization_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(o.id, f"{o.name} ({org_kind_label(o.kind)})") for o in orgs
    ]
    form.zone_id.choices = [SelectChoice(0, "—")] + [SelectChoice(z.id, z.code) for z in zones]


def _user_fields(form: UserForm) -> dict[str, Any]:
    return {
        "email": form.email.data,
        "name": form.name.data,
        "role": form.role.data,
        "organization_id": form.organization_id.data or None,
        "zone_id": form.zone_id.data or None,
        "locale": form.locale.data,
        "active": form.active.data,
    }


@bp.route("/admin/users", methods=["GET", "POST"])
def users() -> Any:
    """The accounts; an admin adds one, and the person is e-mailed a link to set a password."""
    user = current.user()
    policy.require(user, "accounts.view")
    form = UserForm()
    del form.password  # the invitation asks the person, not the admin
    _org_and_zone_choices(form)
    status = 200
    if request.method == "POST":
        policy.require(user, "accounts.manage")
        submitted = save_form(
            form,
            lambda: accounts.create_user(**_user_fields(form)),
            _("Account created. An invitation to set a password has been e-mailed."),
            lambda _created: url_for("admin.users"),
        )
        if submitted.response is not None:
            return submitted.response
        status = submitted.status
    sort = sorting.page_sort(accounts.USER_SORTS, "email")
    users = db.session.execute(accounts.users_query(sort)).scalars().all()
    return render_template(
        "auth/admin_users.html",
        users=users,
        form=form,
        can_manage=policy.can(user, "accounts.manage"),
        sort=sort,
        args={"sort": sort},
    ), status


@bp.route("/admin/users/<int:user_id>/invitation", methods=["POST"])
def user_invitation(user_id: int) -> Any:
    """Send the account a new invitation link (the earlier one stops working)."""
    policy.require(current.user(), "accounts.manage")
    target = get_or_404(User, user_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    try:
        invitations.invite(target)
    except StateConflict as exc:
        db.session.rollback()
        flash(exc.detail or "", "error")
        return redirect(url_for("admin.user_edit", user_id=target.id))
    flash(_("A new invitation has been e-mailed; the earlier link no longer works."))
    return redirect(url_for("admin.user_edit", user_id=target.id))


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int) -> Any:
    user = current.user()
    policy.require(user, "accounts.manage")
    target = get_or_404(User, user_id)
    form = UserForm(obj=target)
    _org_and_zone_choices(form)
    if request.method == "GET":
        form.organization_id.data = target.organization_id or 0
        form.zone_id.data = target.zone_id or 0
    status = 200
    if form.validate_on_submit():
        changes = _user_fields(form)
        if form.password.data:
            changes["password"] = form.password.data
        try:
            accounts.update_user(target, changes)
            flash(_("Account saved."))
            return redirect(url_for("admin.users"))
        except InvalidInput as exc:
            show_refusal(form, exc)
    if form.errors:
        status = 422
    return render_template("auth/admin_user.html", form=form, target=target), status


def _list_and_create(
    form: Any,
    create: Callable[[], object],
    template: str,
    rows: Callable[[str], sa.Select[Any]],
    sorts: dict[str, Any],
    default_sort: str,
    endpoint: str,
) -> Any:
    """An admin page listing records with a form to add one: anyone with `accounts.view` sees
    the list (`rows` in the order of the page's `?sort=`, one of `sorts`), only
    `accounts.manage` may post the form."""
    user = current.user()
    policy.require(user, "accounts.view")
    status = 200
    if request.method == "POST":
        policy.require(user, "accounts.manage")
        if form.validate_on_submit():
            try:
                create()
                return redirect(url_for(endpoint))
            except InvalidInput as exc:
                show_refusal(form, exc)
        status = 422
    sort = sorting.page_sort(sorts, default_sort)
    records = db.session.execute(rows(sort)).scalars().all()
    return render_template(
        template,
        records=records,
        form=form,
        can_manage=policy.can(user, "accounts.manage"),
        can_report=policy.can(user, "report.zone_pdf"),
        sort=sort,
        args={"sort": sort},
    ), status


@bp.route("/admin/zones", methods=["GET", "POST"])
def zones() -> Any:
    form = ZoneForm()
    return _list_and_create(
        form,
        lambda: accounts.create_zone(
            form.code.data or "",
            form.name_en.data or "",
            form.name_ko.data or "",
            form.industry.data or None,
        ),
        "auth/admin_zones.html",
        accounts.zones_query,
        accounts.ZONE_SORTS,
        "code",
        "admin.zones",
    )


@bp.route("/admin/organizations", methods=["GET", "POST"])
def organizations() -> Any:
    form = OrganizationForm()
    return _list_and_create(
        form,
        lambda: orgs.create_organization(
            form.name.data or "", form.kind.data or "", form.country.data or ""
        ),
        "auth/admin_organizations.html",
        orgs.organizations_query,
        orgs.SORTS,
        "kind",
        "admin.organizations",
    )


@bp.route("/admin/organizations/<int:organization_id>", methods=["GET", "POST"])
def organization_edit(organization_id: int) -> Any:
    """Change an organisation's name, kind or country (admins; the same service as
    `PATCH /api/v1/organizations/{id}`)."""
    user = current.user()
    policy.require(user, "accounts.manage")
    org = get_or_404(Organization, organization_id)
    form = OrganizationEditForm(obj=org)
    done = save_form(
        form,
        lambda: orgs.update_organization(
            org, {"name": form.name.data, "kind": form.kind.data, "country": form.country.data}
        ),
        _("Organisation saved."),
        lambda saved: url_for("admin.organizations"),
    )
    return done.response or (
        render_template("auth/admin_organization.html", form=form, org=org),
        done.status,
    )
