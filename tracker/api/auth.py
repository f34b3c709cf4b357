"""Bearer tokens and the caller's own account."""

from __future__ import annotations

from typing import Any

from flask import abort, g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import TooManyRequests

from tracker.api.common import user
from tracker.auth import accounts, mfa, service
from tracker.auth.models import User
from tracker.auth.passwords import MAX_INPUT_LENGTH
from tracker.auth.throttle import sign_in_limit
from tracker.auth.totp import MAX_OTP_LENGTH
from tracker.db import text_limit

blp = Blueprint("api_auth", __name__, url_prefix="/api/v1", description="Authentication")


class TokenRequestSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(max=text_limit(User.email)))
    password = fields.String(required=True, validate=validate.Length(max=MAX_INPUT_LENGTH))
    otp = fields.String(validate=validate.Length(max=MAX_OTP_LENGTH), allow_none=True)


class TokenSchema(Schema):
    token = fields.String()
    expires_at = fields.AwareDateTime()


class MeSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.String()
    organization_id = fields.Integer(allow_none=True)
    zone_id = fields.Integer(allow_none=True)
    locale = fields.String()
    time_zone = fields.String()
    totp_enrolled = fields.Boolean()


class MePatchSchema(Schema):
    """What a person may change of their own account here (each optional)."""

    time_zone = fields.String(validate=validate.Length(max=text_limit(User.time_zone)))
    locale = fields.String(validate=validate.Length(max=text_limit(User.locale)))


class Throttled(TooManyRequests):
    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many failed sign-ins for this account; try again later.")
        self.retry_after = retry_after


@blp.route("/auth/token", methods=["POST"])
@sign_in_limit
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@blp.alt_response(401, description="Wrong credentials (the same answer whatever was wrong)")
@blp.alt_response(
    403,
    description=(
        "The credentials are right but the account's role must use a second factor it has not"
        f" set up yet: problem type `{mfa.ENROL_FIRST_TYPE}`, `code` `{mfa.ENROL_FIRST_CODE}`"
    ),
)
@blp.alt_response(429, description="Too many failures for this account or address")
def issue_token(body: dict[str, Any]) -> Any:
    """Exchange credentials (and, when the account has a second factor, a TOTP code or a
    recovery code as `otp`) for a bearer token."""
    try:
        account = service.check_credentials(body["email"], body["password"], body.get("otp"))
        service.second_factor(account, body.get("otp"))
    except service.SignInError as exc:
        if exc.retry_after:
            raise Throttled(exc.retry_after) from None
        abort(401, "The email, password or one-time code is not right.")
    except service.EnrolFirst:
        return mfa.enrol_first_problem()
    service.signed_in(account, "token")
    token, row = service.issue_token(account)
    return {"token": token, "expires_at": row.expires_at}


@blp.route("/auth/token", methods=["DELETE"], endpoint="revoke_token")
@blp.response(204)
def revoke_token() -> None:
    """Revoke the bearer token used for this call; it stops working at once."""
    row = g.get("api_token")
    if row is None:
        abort(400, "Only a bearer token can be revoked here.")
    service.revoke_token(row)


@blp.route("/me", methods=["GET"])
@blp.response(200, MeSchema)
def me() -> Any:
    return user()


@blp.route("/me", methods=["PATCH"])
@blp.arguments(MePatchSchema)
@blp.response(200, MeSchema)
@blp.alt_response(422, description="An unknown time zone (IANA name) or language")
def patch_me(body: dict[str, Any]) -> Any:
    """Change the caller's time zone (IANA name, e.g. `Europe/Berlin`) or language."""
    return accounts.set_preferences(user(), body)
