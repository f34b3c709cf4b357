"""Signing in and out: credentials, throttling, TOTP, server-side sessions and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from flask import current_app, g
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from tracker import policy
from tracker.audit.service import record, record_apart
from tracker.auth import lockout, mfa
from tracker.auth.models import ApiToken, User, UserSession
from tracker.auth.passwords import burn_time, hash_password, verify_password
from tracker.db import db, own_transaction, utcnow
from tracker.errors import SignInAgain


class SignInError(Exception):
    """Sign-in refused. `throttled` carries the seconds to wait; the message never says which
    part of the credentials was wrong."""

    def __init__(self, *, throttled: int | None = None, otp_required: bool = False) -> None:
        super().__init__("sign-in refused")
        self.retry_after = throttled
        self.otp_required = otp_required


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


normalise_email = lockout.normalise_email


def user_by_email(email: str) -> User | None:
    return db.session.execute(
        sa.select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def _fail(user: User | None, email: str, reason: str) -> SignInError:
    """Count a failure against the submitted address (known or not) and audit it, committed
    at once whatever the request does next."""
    with own_transaction("the refused sign-in rolls back; its count and audit must stay"):
        lockout.count_failure(email)
        record(
            "auth.sign_in_failed",
            object_type="user" if user else None,
            object_id=user.id if user else None,
            actor_id=None,
            detail={"reason": reason, **_unknown_address(user, email)},
        )
    return SignInError()


def _unknown_address(user: User | None, email: str) -> dict[str, str]:
    """Never the typed text (it may be a password): the event names the matched account as
    its object, an address no account has is a keyed hash the trail labels "unknown address"."""
    if user is not None:
        return {}
    return {"address": "unknown", "address_key": lockout.audit_key(email)}


def check_credentials(email: str, password: str, otp: str | None = None) -> User:
    """The active user with these credentials, or SignInError (throttled or not).

    Failures are counted per submitted address and audited. While the address is locked every
    answer is 429, known address or not, right password or not, unless the password comes with
    a fresh code of the account's second factor (`otp`): that ends the lock."""
    user = user_by_email(email)
    retry = lockout.locked_for(email)
    if retry is not None:
        return _while_locked(user, email, password, otp, retry)
    if user is None:
        burn_time(password)
        raise _fail(None, email, "credentials")
    if not verify_password(user.password_hash, password) or not user.active:
        raise _fail(user, email, "credentials")
    return user


def _while_locked(
    user: User | None, email: str, password: str, otp: str | None, retry: int
) -> User:
    # the password is checked (or the time burnt) either way: the answer's timing says nothing
    if user is None:
        burn_time(password)
        password_ok = False
    else:
        password_ok = verify_password(user.password_hash, password)
    if user is not None and password_ok and user.active and mfa.enrolled(user):
        if mfa.check_code(user, otp):
            g.second_factor_passed = user.id
            return user  # signed_in() ends the lock
    record_apart(
        "auth.sign_in_throttled",
        user,
        reason="the throttled sign-in answers 429 and rolls back; the attempt stays on record",
        actor_id=None,
        detail={"retry_after": retry},
    )
    raise SignInError(throttled=retry)


def second_factor_passed(user: User) -> bool:
    """Whether this request has already checked a code of `user` (a locked sign-in does)."""
    return bool(g.get("second_factor_passed") == user.id)


class EnrolFirst(Exception):
    """The password was right, but the account's role must use a second factor it has not
    set up yet (tracker.auth.mfa)."""


def second_factor(user: User, otp: str | None) -> None:
    """Raise SignInError unless `otp` is a fresh TOTP code or an unused recovery code of the
    user (or the user has no second factor and its role needs none: EnrolFirst when it does).
    A failure counts against the account's address; once that is locked the answer is 429."""
    if second_factor_passed(user):
        return
    if not mfa.enrolled(user):
        if policy.second_factor_required(user):
            raise EnrolFirst()
        return
    if not otp:
        raise SignInError(otp_required=True)
    if not mfa.check_code(user, otp):
        raise second_factor_refused(user, "otp")


def second_factor_refused(user: User, reason: str) -> SignInError:
    """Count and audit a failed second step (a wrong code, a refused passkey); the error to
    raise, throttled once the address is locked."""
    error = _fail(user, user.email, reason)
    if (retry := lockout.locked_for(user.email)) is not None:
        return SignInError(throttled=retry)
    return error


def signed_in(user: User, method: str) -> None:
    """End any lock on the address and audit the success."""
    lockout.clear(user.email)
    record("auth.sign_in", user, actor_id=user.id, detail={"method": method})


def start_session(user: User) -> str:
    """A new session id for the cookie (the server keeps only its hash)."""
    sid = secrets.token_urlsafe(32)
    hours = current_app.config["SESSION_ABSOLUTE_HOURS"]
    db.session.add(
        UserSession(
            token_hash=token_hash(sid),
            user_id=user.id,
            expires_at=utcnow() + dt.timedelta(hours=hours),
        )
    )
    return sid


#: `session_user`'s statement, built once: every page runs it
_SESSION_USER = (
    sa.select(UserSession, User)
    .join(User, User.id == UserSession.user_id)
    .where(UserSession.token_hash == sa.bindparam("session_hash", type_=sa.String))
)


def session_user(sid: str, user_id: str) -> User | None:
    """The user of a live session, refreshing its idle timer; None when it has ended. The
    session and its user are read in one statement (every page asks; on PostgreSQL each
    statement is a round trip)."""
    found = db.session.execute(_SESSION_USER, {"session_hash": token_hash(sid)}).one_or_none()
    if found is None:
        return None
    row, user = found
    if str(row.user_id) != user_id:
        return None
    now = utcnow()
    idle = dt.timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    if row.expires_at <= now or row.last_seen_at + idle <= now:
        with own_transaction("an ended session is removed whatever the request does next"):
            db.session.delete(row)
        return None
    if not user.active:
        return None
    g.session_started_at = row.created_at  # the sign-in that opened it (require_recent_sign_in)
    if (now - row.last_seen_at).total_seconds() > 60:
        row.last_seen_at = now
    return user


def require_recent_sign_in(user: User, password: str | None = None) -> None:
    """SignInAgain unless this request's credentials were checked within REAUTH_MINUTES (its
    API token issued, its browser session signed in) or `password` is the user's. For what
    outlives a session or token: a token stolen for an hour must not buy a lasting grant.
    A wrong password counts against the address as a failed sign-in; while it is locked,
    no password helps."""
    started = g.api_token.created_at if g.get("api_token") else g.get("session_started_at")
    window = dt.timedelta(minutes=current_app.config["REAUTH_MINUTES"])
    if started is not None and utcnow() - started <= window:
        return
    if password and lockout.locked_for(user.email) is None:
        if verify_password(user.password_hash, password):
            return
        _fail(user, user.email, "reauthentication")
    raise SignInAgain(
        _(
            "This needs a recent sign-in (within %(m)d minutes): sign in again and retry.",
            m=current_app.config["REAUTH_MINUTES"],
        )
    )


def end_session(sid: str | None) -> None:
    if sid:
        db.session.execute(sa.delete(UserSession).where(UserSession.token_hash == token_hash(sid)))


def end_all_sessions(user: User) -> None:
    """End every browser session, API token and calendar feed address of `user` (password
    change, disabling, signing out everywhere): an address copied from a compromised account
    stops showing its deadlines too."""
    user.calendar_secret_hash = None
    db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id))
    db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def issue_token(user: User) -> tuple[str, ApiToken]:
    token = "trk_" + secrets.token_urlsafe(32)
    row = ApiToken(
        token_hash=token_hash(token),
        user_id=user.id,
        expires_at=utcnow() + dt.timedelta(hours=current_app.config["API_TOKEN_HOURS"]),
    )
    db.session.add(row)
    db.session.flush()
    record("auth.token_issued", row, actor_id=user.id)
    return token, row


#: a bearer token's row with its user, in one statement built once (the hash bound per call):
#: every API request asks it
_TOKEN_WITH_USER = (
    sa.select(ApiToken)
    .where(ApiToken.token_hash == sa.bindparam("token_hash"))
    .options(joinedload(ApiToken.user, innerjoin=True))
)


def token_row(token: str) -> ApiToken | None:
    """The live token row for a bearer token, or None (unknown, expired, revoked, user off)."""
    row = db.session.execute(
        _TOKEN_WITH_USER, {"token_hash": token_hash(token)}
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    if not row.user.active:
        return None
    return row


def revoke_token(row: ApiToken) -> None:
    row.revoked_at = utcnow()
    record("auth.token_revoked", row)


def change_password(user: User, current: str, new: str) -> bool:
    """Set a new password if `current` is right; ends every session and token. Audited."""
    if not verify_password(user.password_hash, current):
        record("auth.password_change_failed", user)
        return False
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    end_all_sessions(user)
    record("auth.password_changed", user)
    return True
