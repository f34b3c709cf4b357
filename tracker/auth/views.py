"""Sign-in (with the TOTP step), sign-out, the account page and the admin pages."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pyotp
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from wtforms import SelectChoice

from tracker import policy
from tracker.audit.service import record
from tracker.auth import accounts, service
from tracker.auth.forms import (
    ChangePasswordForm,
    EnrolTotpForm,
    LoginForm,
    OrganizationForm,
    PlainForm,
    TotpForm,
    UserForm,
    ZoneForm,
)
from tracker.auth.models import Organization, User, Zone
from tracker.auth.passwords import password_problems
from tracker.db import db
from tracker.errors import InvalidInput
from tracker.extensions import limiter
from tracker.web import local_path
from tracker.web.forms import show_refusal
from tracker.web.ids import get_or_404

bp = Blueprint("auth", __name__, template_folder="templates")
PENDING_SECONDS = 300


def _address_limit() -> str:
    from flask import current_app

    return str(current_app.config["LOGIN_ADDRESS_LIMIT"])


def _safe_next(target: str | None) -> str:
    return local_path(target) or url_for("main.index")


def _complete_sign_in(user: User) -> Any:
    next_url = _safe_next(session.get("next") or request.args.get("next"))
    session.clear()  # a new session on sign-in
    sid = service.start_session(user)
    login_user(user)
    session["sid"] = sid
    service.signed_in(user, "password")
    return redirect(next_url)


def _refused(form: Any, exc: service.SignInError, template: str) -> Any:
    if exc.retry_after:
        message = _(
            "Too many failed attempts. Try again in %(m)d minutes.", m=max(1, exc.retry_after // 60)
        )
        page = render_template(template, form=form, error=message)
        return page, 429, {"Retry-After": str(exc.retry_after)}
    return render_template(
        template, form=form, error=_("The email, password or code is not right.")
    ), 401


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"], deduct_when=lambda r: r.status_code == 401)
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if form.errors else 200
    try:
        user = service.check_credentials(form.email.data or "", form.password.data or "")
    except service.SignInError as exc:
        return _refused(form, exc, "auth/login.html")
    if user.totp_enrolled:
        session["pending_uid"] = user.id
        session["pending_until"] = time.time() + PENDING_SECONDS
        session["next"] = request.args.get("next")
        return redirect(url_for("auth.login_totp"))
    return _complete_sign_in(user)


@bp.route("/login/totp", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"], deduct_when=lambda r: r.status_code == 401)
def login_totp() -> Any:
    uid, until = session.get("pending_uid"), session.get("pending_until", 0)
    user = db.session.get(User, uid) if uid and until > time.time() else None
    if user is None or not user.active:
        session.pop("pending_uid", None)
        return redirect(url_for("auth.login"))
    form = TotpForm()
    if not form.validate_on_submit():
        return render_template("auth/login_totp.html", form=form), 400 if form.errors else 200
    try:
        if (retry := service.throttled_for(user)) is not None:
            raise service.SignInError(throttled=retry)
        service.second_factor(user, form.otp.data)
    except service.SignInError as exc:
        return _refused(form, exc, "auth/login_totp.html")
    return _complete_sign_in(user)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    if not PlainForm().validate_on_submit():
        abort(400)
    service.end_session(session.get("sid"))
    record("auth.sign_out", current_user._get_current_object())
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
def account() -> Any:
    user = current_user._get_current_object()
    password_form = ChangePasswordForm(prefix="pw")
    totp_form = EnrolTotpForm(prefix="totp")
    if password_form.submit.data and password_form.validate_on_submit():
        problems = password_problems(password_form.new.data or "")
        if problems:
            password_form.new.errors = list(problems)
        elif service.change_password(
            user, password_form.current.data or "", password_form.new.data or ""
        ):
            logout_user()
            session.clear()
            flash(_("Password changed. Please sign in again."))
            return redirect(url_for("auth.login"))
        else:
            password_form.current.errors = [_("The current password is not right.")]
    if totp_form.submit.data and totp_form.validate_on_submit():
        secret = session.get("totp_candidate")
        if secret and service.enrol_totp(user, secret, totp_form.otp.data or ""):
            session.pop("totp_candidate", None)
            flash(_("Two-step sign-in is on."))
            return redirect(url_for("auth.account"))
        totp_form.otp.errors = [_("That code does not match; try the current one.")]
    provisioning = None
    if not user.totp_enrolled:
        session.setdefault("totp_candidate", service.begin_totp_enrolment())
        provisioning = pyotp.TOTP(session["totp_candidate"]).provisioning_uri(
            name=user.email, issuer_name="Tracker"
        )
    status = 422 if (password_form.errors or totp_form.errors) else 200
    return render_template(
        "auth/account.html",
        password_form=password_form,
        totp_form=totp_form,
        provisioning=provisioning,
        totp_secret=session.get("totp_candidate") if provisioning else None,
        plain_form=PlainForm(),
    ), status


@bp.route("/account/sign-out-everywhere", methods=["POST"])
def sign_out_everywhere() -> Any:
    if not PlainForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    service.end_all_sessions(user)
    record("auth.signed_out_everywhere", user)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


# --- admin pages -------------------------------------------------------------------------------


def _org_and_zone_choices(form: UserForm) -> None:
    orgs = db.session.execute(sa.select(Organization).order_by(Organization.name)).scalars()
    zones = db.session.execute(sa.select(Zone).order_by(Zone.code)).scalars()
    form.organization_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(o.id, f"{o.name} ({o.kind})") for o in orgs
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
def admin_users() -> Any:
    user = current_user._get_current_object()
    policy.require(user, "accounts.view")
    form = UserForm()
    _org_and_zone_choices(form)
    status = 200
    if request.method == "POST":
        policy.require(user, "accounts.manage")
        if form.validate_on_submit():
            try:
                accounts.create_user(password=form.password.data or "", **_user_fields(form))
                flash(_("Account created."))
                return redirect(url_for("auth.admin_users"))
            except InvalidInput as exc:
                show_refusal(form, exc)
        status = 422
    users = db.session.execute(sa.select(User).order_by(User.email)).scalars().all()
    return render_template(
        "auth/admin_users.html",
        users=users,
        form=form,
        can_manage=policy.can(user, "accounts.manage"),
    ), status


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
def admin_user(user_id: int) -> Any:
    user = current_user._get_current_object()
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
            return redirect(url_for("auth.admin_users"))
        except InvalidInput as exc:
            show_refusal(form, exc)
    if form.errors:
        status = 422
    return render_template("auth/admin_user.html", form=form, target=target), status


def _list_and_create(
    form: Any, create: Callable[[], object], template: str, rows: Any, endpoint: str
) -> Any:
    """An admin page listing records with a form to add one: anyone with `accounts.view` sees
    the list, only `accounts.manage` may post the form."""
    user = current_user._get_current_object()
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
    records = db.session.execute(rows).scalars().all()
    return render_template(
        template, records=records, form=form, can_manage=policy.can(user, "accounts.manage")
    ), status


@bp.route("/admin/zones", methods=["GET", "POST"])
def admin_zones() -> Any:
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
        sa.select(Zone).order_by(Zone.code),
        "auth.admin_zones",
    )


@bp.route("/admin/organizations", methods=["GET", "POST"])
def admin_organizations() -> Any:
    form = OrganizationForm()
    return _list_and_create(
        form,
        lambda: accounts.create_organization(
            form.name.data or "", form.kind.data or "", form.country.data or ""
        ),
        "auth/admin_organizations.html",
        sa.select(Organization).order_by(Organization.kind, Organization.name),
        "auth.admin_organizations",
    )
