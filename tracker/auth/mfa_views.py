"""The second factor's pages: enrolment (authenticator app, passkeys, recovery codes) and the
passkey step of the sign-in. The passkey calls take and give JSON (tracker/static/js/passkeys.js)
and need the page's CSRF token in X-CSRFToken."""

from __future__ import annotations

import logging
from typing import Any

import pyotp
import segno
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from markupsafe import Markup

from tracker import policy
from tracker.auth import mfa, passkeys, recovery, service, totp
from tracker.auth.forms import EnrolTotpForm, PlainForm
from tracker.auth.models import Passkey, User
from tracker.auth.throttle import sign_in_limit
from tracker.auth.views import open_session, pending_user
from tracker.errors import problem
from tracker.i18n import format_day
from tracker.web import current
from tracker.web.ids import get_or_none

log = logging.getLogger(__name__)
bp = Blueprint("mfa", __name__, template_folder="templates")
bp.before_app_request(mfa.gate)  # registered after tracker.web's default deny, so runs after it


@bp.record_once
def _announce(state: BlueprintSetupState) -> None:
    """Say at start-up which roles must use a second factor; loudly when none must."""
    roles = policy.second_factor_roles(state.app.config)
    if roles:
        log.info("A second factor is required for: %s", ", ".join(sorted(roles)))
    else:
        log.warning("TRACKER_MFA_ROLES is empty: no role is required to use a second factor")


def _totp_offer(user: User) -> dict[str, Any]:
    """The seed offered to `user` (made on the server from the enrolment id the session
    holds, never put in the cookie), its QR code and its provisioning address."""
    session.setdefault("totp_enrolment", totp.begin_totp_enrolment())
    secret = totp.candidate_secret(user, session["totp_enrolment"])
    provisioning = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="Tracker")
    # an inline SVG the server draws: no image request, no script (the CSP allows neither
    # inline scripts nor other origins); scanning it gives the authenticator the key.
    # Reviewed: segno's own SVG, the key is drawn as modules, not text.
    qr = Markup(  # noqa: S704  # nosec B704
        segno.make(provisioning, error="m").svg_inline(
            scale=4, border=2, title=_("QR code of the key for your authenticator app")
        )
    )
    return {"totp_secret": secret, "totp_qr": qr, "provisioning": provisioning}


def _show_codes(codes: list[str]) -> Any:
    return render_template("auth/recovery_codes.html", codes=codes)


@bp.route("/account/second-factor", methods=["GET", "POST"])
def enrol() -> Any:
    """Two-step sign-in: an authenticator app (TOTP), passkeys and recovery codes. An account
    whose role needs a second factor and has none reaches only this page."""
    user = current.user()
    form = EnrolTotpForm(prefix="totp")
    if not user.totp_enrolled and form.submit.data and form.validate_on_submit():
        enrolment = session.get("totp_enrolment")
        secret = totp.candidate_secret(user, enrolment) if enrolment else None
        first = not mfa.enrolled(user)
        if secret and totp.enrol_totp(user, secret, form.otp.data or ""):
            session.pop("totp_enrolment", None)
            flash(_("Two-step sign-in is on."))
            if first:
                return _show_codes(recovery.replace_codes(user))
            return redirect(url_for("mfa.enrol"))
        form.otp.errors = [_("That code does not match; try the current one.")]
    keys = passkeys.user_passkeys(user)
    context = {
        "form": form,
        "plain_form": PlainForm(),
        "required": mfa.must_enrol(user),
        "enrolled": user.totp_enrolled or bool(keys),
        "passkeys": [
            (k, format_day(k.created_at), k.last_used_at and format_day(k.last_used_at))
            for k in keys
        ],
        "codes_left": recovery.codes_left(user),
        "may_remove_last": not policy.second_factor_required(user),
        **({} if user.totp_enrolled else _totp_offer(user)),
    }
    return render_template("auth/enrol.html", **context), 422 if form.errors else 200


@bp.route("/account/recovery-codes", methods=["POST"])
def recovery_codes() -> Any:
    """A new set of recovery codes (the old ones stop working), shown once."""
    user = current.user()
    if not PlainForm().validate_on_submit():
        abort(400)
    if not mfa.enrolled(user):
        return redirect(url_for("mfa.enrol"))
    return _show_codes(recovery.replace_codes(user))


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(problem(400, _("Send a JSON object.")))
    return body


def _refused() -> Any:
    return problem(400, _("The passkey's answer was not accepted. Try again."))


@bp.route("/account/passkeys/options", methods=["POST"])
def passkey_options() -> Any:
    """The options for registering a new passkey (`navigator.credentials.create`)."""
    options, session["passkey_register"] = passkeys.registration_options(current.user())
    return options


@bp.route("/account/passkeys", methods=["POST"])
def passkey_register() -> Any:
    """Store the passkey the browser made (`{"name", "credential"}`); the first second factor
    of the account also gets its recovery codes, returned this once."""
    user = current.user()
    body = _json_body()
    name, credential = body.get("name"), body.get("credential")
    if not isinstance(credential, dict) or not isinstance(name, str) or not name.strip():
        return problem(422, _("Name the passkey and try again."))
    if len(name) > passkeys.NAME_LENGTH or not name.isprintable():
        return problem(422, _("The name is too long or holds characters it cannot."))
    first = not mfa.enrolled(user)
    try:
        passkeys.register(user, session.pop("passkey_register", None), credential, name)
    except passkeys.PasskeyRefused:
        return _refused()
    codes = recovery.replace_codes(user) if first else []
    return {"recovery_codes": codes, "next": url_for("mfa.enrol")}, 201


@bp.route("/account/passkeys/<int:passkey_id>/delete", methods=["POST"])
def passkey_remove(passkey_id: int) -> Any:
    """Remove a passkey; an account whose role needs a second factor keeps at least one."""
    user = current.user()
    if not PlainForm().validate_on_submit():
        abort(400)
    key = get_or_none(Passkey, passkey_id)
    if key is None or key.user_id != user.id:
        abort(404)
    others = user.totp_enrolled or len(passkeys.user_passkeys(user)) > 1
    if policy.second_factor_required(user) and not others:
        flash(_("Your role needs a second factor: add another one before removing this."))
        return redirect(url_for("mfa.enrol")), 303
    passkeys.remove(user, key)
    flash(_("The passkey is removed."))
    return redirect(url_for("mfa.enrol"))


@bp.route("/login/passkey/options", methods=["POST"])
@sign_in_limit
def login_passkey_options() -> Any:
    """The options for signing in with a passkey (`navigator.credentials.get`), after the
    password: only for the account whose second step is awaited."""
    user = pending_user()
    if user is None:
        return problem(401, _("Sign in with your password first."))
    options, session["passkey_sign_in"] = passkeys.sign_in_options(user)
    return options


@bp.route("/login/passkey", methods=["POST"])
@sign_in_limit
def login_passkey() -> Any:
    """The second step with a passkey: `{"credential"}` → `{"next"}` (signed in)."""
    user = pending_user()
    if user is None:
        return problem(401, _("Sign in with your password first."))
    credential = _json_body().get("credential")
    try:
        if not isinstance(credential, dict):
            raise passkeys.PasskeyRefused("malformed")
        passkeys.verify_sign_in(user, session.pop("passkey_sign_in", None), credential)
    except passkeys.PasskeyRefused:
        error = service.second_factor_refused(user, "passkey")
        if error.retry_after:
            return (
                problem(429, _("Too many failed attempts. Try again later.")),
                429,
                {"Retry-After": str(error.retry_after)},
            )
        return _refused()
    return {"next": open_session(user, "passkey")}
