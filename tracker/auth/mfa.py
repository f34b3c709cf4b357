"""The required second factor (ASVS 6.3.3): who must have one, whether they do, the codes that
pass the second step (TOTP or a recovery code), and the gate that holds an account of a role
in TRACKER_MFA_ROLES without one to the enrolment page (HTML) or a 403 problem (API)."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker import policy
from tracker.auth import passkeys, recovery
from tracker.auth.models import User
from tracker.auth.totp import check_otp
from tracker.errors import is_api_request, problem

#: the problem type (and `code`) of the API's answer to an account that must enrol first
ENROL_FIRST_TYPE = "urn:tracker:problem:second-factor-enrolment-required"
ENROL_FIRST_CODE = "second_factor_enrolment_required"

#: what an account that must enrol may still reach: the enrolment page and its passkey calls,
#: signing out, the language switch and the static files
ENROLMENT_ENDPOINTS = frozenset(
    {
        "static",
        "auth.logout",
        "main.set_language",
        "mfa.enrol",
        "mfa.passkey_options",
        "mfa.passkey_register",
    }
)


def enrolled(user: User) -> bool:
    """Whether `user` has a second factor (a TOTP seed or a passkey). A seed answers without a
    query, so the usual case costs a request nothing."""
    return user.totp_enrolled or passkeys.has_passkey(user)


def must_enrol(user: User) -> bool:
    """Whether `user`'s role needs a second factor it does not have yet."""
    return policy.second_factor_required(user) and not enrolled(user)


def check_code(user: User, code: str | None) -> bool:
    """A fresh TOTP code (never one already used) or an unused recovery code of `user`."""
    if not code:
        return False
    if user.totp_enrolled and check_otp(user, code):
        return True
    return recovery.use_code(user, code)


def enrol_first_message() -> str:
    return _(
        "Your role must sign in with a second factor. Set up an authenticator app or a "
        "passkey in the browser (your account's two-step sign-in page) first."
    )


def enrol_first_problem() -> Any:
    return problem(403, enrol_first_message(), problem_type=ENROL_FIRST_TYPE, code=ENROL_FIRST_CODE)


def gate() -> Any:
    """before_request (after the default deny): an account that must enrol reaches only the
    enrolment page; the API answers 403 with ENROL_FIRST_CODE."""
    if request.endpoint is None or request.endpoint in ENROLMENT_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return None
    if not must_enrol(current_user._get_current_object()):
        return None
    if is_api_request():
        return enrol_first_problem()
    return redirect(url_for("mfa.enrol"))
