"""Sign-in (with the TOTP step), sign-out, the account page and the admin pages."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import segno
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup

from tracker.audit.service import record
from tracker.auth import accounts, service, totp
from tracker.auth.forms import (
    ChangePasswordForm,
    EnrolTotpForm,
    LoginForm,
    PlainForm,
    PreferencesForm,
    TotpForm,
    time_zone_choices,
)
from tracker.auth.labels import org_kind_label, role_label, role_labels
from tracker.auth.models import User
from tracker.auth.passwords import password_problems
from tracker.auth.throttle import sign_in_limit
from tracker.db import db
from tracker.web import current, local_path
from tracker.web.forms import save_form

bp = Blueprint("auth", __name__, template_folder="templates")
bp.add_app_template_global(role_label)
bp.add_app_template_global(org_kind_label)
bp.add_app_template_global(role_labels)


PENDING_SECONDS = 300
#: the session's mark that its language was picked by hand before signing in
LANGUAGE_CHOSEN = "lang_chosen"


def _safe_next(target: str | None) -> str:
    return local_path(target) or url_for("main.index")


def _complete_sign_in(user: User) -> Any:
    next_url = _safe_next(session.get("next") or request.args.get("next"))
    # the language picked on the sign-in page wins over the one the account last used
    chosen = session.get("lang") if session.get(LANGUAGE_CHOSEN) else None
    session.clear()  # a new session on sign-in
    if chosen is not None and chosen != user.locale:
        accounts.set_preferences(user, {"locale": chosen})
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
        page = render_template(template, form=form, error=message, locked=True)
        return page, 429, {"Retry-After": str(exc.retry_after)}
    return render_template(
        template, form=form, error=_("The email, password or code is not right.")
    ), 401


@bp.route("/login", methods=["GET", "POST"])
@sign_in_limit
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if form.errors else 200
    try:
        user = service.check_credentials(
            form.email.data or "", form.password.data or "", form.otp.data
        )
    except service.SignInError as exc:
        return _refused(form, exc, "auth/login.html")
    if user.totp_enrolled and not service.second_factor_passed(user):
        session["pending_uid"] = user.id
        session["pending_until"] = time.time() + PENDING_SECONDS
        session["next"] = request.args.get("next")
        return redirect(url_for("auth.login_totp"))
    return _complete_sign_in(user)


@bp.route("/login/totp", methods=["GET", "POST"])
@sign_in_limit
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
        service.second_factor(user, form.otp.data)
    except service.SignInError as exc:
        return _refused(form, exc, "auth/login_totp.html")
    return _complete_sign_in(user)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    if not PlainForm().validate_on_submit():
        abort(400)
    service.end_session(session.get("sid"))
    record("auth.sign_out", current.user())
    locale = str(current_user.locale)
    logout_user()
    session.clear()
    # the sign-in page keeps speaking the language the user just used, and says what happened
    session["lang"] = locale
    flash(_("You are signed out."))
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
def account() -> Any:
    user = current.user()
    password_form = ChangePasswordForm(prefix="pw")
    totp_form = EnrolTotpForm(prefix="totp")
    prefs_form = PreferencesForm(prefix="prefs", obj=user)
    prefs_form.time_zone.choices = time_zone_choices(user.time_zone)
    if prefs_form.submit.data:
        changes = {"time_zone": prefs_form.time_zone.data, "locale": prefs_form.locale.data}
        saved = save_form(
            prefs_form,
            lambda: accounts.set_preferences(user, changes),
            _("Your preferences are saved."),
            lambda _user: url_for("auth.account"),
        )
        if saved.response is not None:
            return saved.response
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
        enrolment = session.get("totp_enrolment")
        secret = totp.candidate_secret(user, enrolment) if enrolment else None
        if secret and totp.enrol_totp(user, secret, totp_form.otp.data or ""):
            session.pop("totp_enrolment", None)
            flash(_("Two-step sign-in is on."))
            return redirect(url_for("auth.account"))
        totp_form.otp.errors = [_("That code does not match; try the current one.")]
    provisioning = secret = None
    if not user.totp_enrolled:
        # the session holds the enrolment's id, the seed is made from it on the server
        session.setdefault("totp_enrolment", totp.begin_totp_enrolment())
        secret = totp.candidate_secret(user, session["totp_enrolment"])
        provisioning = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="Tracker")
    status = 422 if (password_form.errors or totp_form.errors or prefs_form.errors) else 200
    qr = None
    if provisioning:
        # an inline SVG the server draws: no image request, no script (the CSP allows neither
        # inline scripts nor other origins); scanning it gives the authenticator the key.
        # Reviewed: segno's own SVG, the key is drawn as modules, not text.
        qr = Markup(  # noqa: S704  # nosec B704
            segno.make(provisioning, error="m").svg_inline(
                scale=4, border=2, title=_("QR code of the key for your authenticator app")
            )
        )
    return render_template(
        "auth/account.html",
        totp_qr=qr,
        password_form=password_form,
        totp_form=totp_form,
        prefs_form=prefs_form,
        provisioning=provisioning,
        totp_secret=secret,
        plain_form=PlainForm(),
    ), status


@bp.route("/account/sign-out-everywhere", methods=["POST"])
def sign_out_everywhere() -> Any:
    if not PlainForm().validate_on_submit():
        abort(400)
    user = current.user()
    service.end_all_sessions(user)
    record("auth.signed_out_everywhere", user)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))
