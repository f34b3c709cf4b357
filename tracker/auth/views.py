"""Sign-in (with the TOTP step), sign-out, the account page and the admin pages."""

from __future__ import annotations

import time
from typing import Any

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

from tracker.audit.service import record
from tracker.auth import accounts, invitations, mfa, passkeys, service
from tracker.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    PlainForm,
    PreferencesForm,
    SetPasswordForm,
    TotpForm,
    time_zone_choices,
)
from tracker.auth.labels import org_kind_label, role_label, role_labels
from tracker.auth.models import User
from tracker.auth.passwords import password_problems
from tracker.auth.throttle import invitation_limit, sign_in_limit
from tracker.db import db
from tracker.errors import InvalidInput
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


def open_session(user: User, method: str) -> str:
    """Sign `user` in on a new session (after every step of the sign-in); the page to go to."""
    next_url = _safe_next(session.get("next") or request.args.get("next"))
    # the language picked on the sign-in page wins over the one the account last used
    chosen = session.get("lang") if session.get(LANGUAGE_CHOSEN) else None
    session.clear()  # a new session on sign-in
    if chosen is not None and chosen != user.locale:
        accounts.set_preferences(user, {"locale": chosen})
    sid = service.start_session(user)
    login_user(user)
    session["sid"] = sid
    service.signed_in(user, method)
    return next_url


def pending_user() -> User | None:
    """The user whose password was right and whose second step is awaited (for a while)."""
    uid, until = session.get("pending_uid"), session.get("pending_until", 0)
    user = db.session.get(User, uid) if uid and until > time.time() else None
    if user is None or not user.active:
        session.pop("pending_uid", None)
        return None
    return user


def _complete_sign_in(user: User) -> Any:
    return redirect(open_session(user, "password"))


def _refused(form: Any, exc: service.SignInError, template: str, **extra: Any) -> Any:
    if exc.retry_after:
        message = _(
            "Too many failed attempts. Try again in %(m)d minutes.", m=max(1, exc.retry_after // 60)
        )
        page = render_template(template, form=form, error=message, locked=True, **extra)
        return page, 429, {"Retry-After": str(exc.retry_after)}
    return render_template(
        template, form=form, error=_("The email, password or code is not right."), **extra
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
    if mfa.enrolled(user) and not service.second_factor_passed(user):
        session["pending_uid"] = user.id
        session["pending_until"] = time.time() + PENDING_SECONDS
        session["next"] = request.args.get("next")
        return redirect(url_for("auth.login_totp"))
    return _complete_sign_in(user)


@bp.route("/login/totp", methods=["GET", "POST"])
@sign_in_limit
def login_totp() -> Any:
    user = pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    form = TotpForm()
    extra = {"has_passkey": passkeys.has_passkey(user), "has_totp": user.totp_enrolled}
    if not form.validate_on_submit():
        page = render_template("auth/login_totp.html", form=form, **extra)
        return page, 400 if form.errors else 200
    try:
        service.second_factor(user, form.otp.data)
    except service.SignInError as exc:
        return _refused(form, exc, "auth/login_totp.html", **extra)
    return _complete_sign_in(user)


@bp.route("/invite/<token>", methods=["GET", "POST"])
@invitation_limit
def invitation(token: str) -> Any:
    """The link of an invitation: set a password (the rules of every password) and sign in.
    A used, replaced, expired or unknown link is not found."""
    found = invitations.find(token)
    if found is None:
        abort(404)
    form = SetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = invitations.accept(token, form.new.data or "")
        except InvalidInput as exc:
            db.session.rollback()
            form.new.errors = list(exc.errors.get("password", []))
            status = 422
        else:
            if current_user.is_authenticated:
                service.end_session(session.get("sid"))
                logout_user()
            if mfa.enrolled(user):
                # the link proves the mailbox, not the second factor: an account that has
                # one signs in with it (the new password, then the code or passkey)
                flash(_("Your password is set. Sign in with it and your second factor."))
                return redirect(url_for("auth.login"))
            session["next"] = url_for("main.index")
            return _complete_sign_in(user)
    elif form.errors:
        status = 422
    person = db.session.get(User, found.user_id)
    return render_template("auth/invitation.html", form=form, person=person), status


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
    status = 422 if (password_form.errors or prefs_form.errors) else 200
    return render_template(
        "auth/account.html",
        password_form=password_form,
        prefs_form=prefs_form,
        plain_form=PlainForm(),
        second_factor=mfa.enrolled(user),
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
