"""Signing in and out: credentials, throttling, TOTP, server-side sessions and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time

import pyotp
import sqlalchemy as sa
from flask import current_app

from tracker import keys
from tracker.audit.service import record
from tracker.auth.models import ApiToken, User, UserSession
from tracker.auth.passwords import burn_time, hash_password, verify_password
from tracker.db import db, utcnow

TOTP_CONTEXT = b"totp-secret"


class SignInError(Exception):
    """Sign-in refused. `throttled` carries the seconds to wait; the message never says which
    part of the credentials was wrong."""

    def __init__(self, *, throttled: int | None = None, otp_required: bool = False) -> None:
        super().__init__("sign-in refused")
        self.retry_after = throttled
        self.otp_required = otp_required


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    return db.session.execute(
        sa.select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


# --- throttling (per account, in the database so it holds across workers) ---------------------


def _window() -> dt.timedelta:
    return dt.timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"])


def throttled_for(user: User) -> int | None:
    """Seconds until the account may try again, or None when it is not throttled."""
    start = user.failed_window_start
    if start is None or user.failed_logins < current_app.config["LOGIN_MAX_FAILURES"]:
        return None
    remaining = (start + _window() - utcnow()).total_seconds()
    return int(remaining) + 1 if remaining > 0 else None


def _count_failure(user: User) -> None:
    now = utcnow()
    if user.failed_window_start is None or user.failed_window_start + _window() < now:
        user.failed_window_start, user.failed_logins = now, 1
    else:
        # An SQL increment, so concurrent failures on several workers all count.
        user.failed_logins = User.failed_logins + 1
    db.session.flush()
    db.session.refresh(user, ["failed_logins"])


def _fail(user: User | None, email: str, reason: str) -> SignInError:
    if user is not None:
        _count_failure(user)
    record(
        "auth.sign_in_failed",
        object_type="user" if user else None,
        object_id=user.id if user else None,
        actor_id=None,
        detail={"email": normalise_email(email)[:320], "reason": reason},
    )
    db.session.commit()
    return SignInError()


# --- TOTP ---------------------------------------------------------------------------------------


def totp_secret(user: User) -> str | None:
    if user.totp_secret_sealed is None:
        return None
    ring = keys.current()
    return ring.unseal(user.totp_secret_sealed, TOTP_CONTEXT + str(user.id).encode()).decode()


def _matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step whose code matches (allowing one step of clock drift), or None."""
    now = time.time() if at is None else at
    totp = pyotp.TOTP(secret)
    code = code.strip().replace(" ", "")
    for drift in (0, -1, 1):
        step = int(now // totp.interval) + drift
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_otp(user: User, code: str | None) -> bool:
    """Accept a current code once: a code (or an older one) that was already used is refused."""
    secret = totp_secret(user)
    if secret is None or not code:
        return False
    step = _matching_step(secret, code)
    if step is None:
        return False
    # Lock the user's row and re-read the last step under the lock: two requests with one code
    # must not both pass (PostgreSQL runs them concurrently; SQLite serialises writers anyway).
    db.session.refresh(user, ["totp_last_step"], with_for_update=True)
    if user.totp_last_step is not None and step <= user.totp_last_step:
        return False
    user.totp_last_step = step
    return True


def begin_totp_enrolment() -> str:
    return pyotp.random_base32()


def enrol_totp(user: User, secret: str, code: str) -> bool:
    """Store `secret` for `user` if `code` proves the authenticator has it. Audited."""
    step = _matching_step(secret, code)
    if step is None:
        return False
    ring = keys.current()
    user.totp_secret_sealed = ring.seal(secret.encode(), TOTP_CONTEXT + str(user.id).encode())
    user.totp_last_step = step
    record("auth.totp_enrolled", user)
    return True


def reseal_totp_secrets() -> tuple[int, int]:
    """Re-seal every TOTP seed sealed under an older KEK with the active one (part of
    `keys rotate`). Returns (re-sealed, still on an old key). Audited as a count only."""
    ring = keys.current()
    users = db.session.execute(
        sa.select(User).where(User.totp_secret_sealed.is_not(None))
    ).scalars()
    resealed = 0
    for user in users:
        sealed = user.totp_secret_sealed
        assert sealed is not None
        if ring.sealed_kek_id(sealed) == ring.active_kek_id:
            continue
        context = TOTP_CONTEXT + str(user.id).encode()
        user.totp_secret_sealed = ring.seal(ring.unseal(sealed, context), context)
        resealed += 1
    db.session.flush()
    if resealed:
        record("keys.totp_resealed", detail={"count": resealed}, actor_id=None)
    return resealed, totp_secrets_on_old_keys()


def totp_secrets_on_old_keys() -> int:
    ring = keys.current()
    sealed = db.session.execute(
        sa.select(User.totp_secret_sealed).where(User.totp_secret_sealed.is_not(None))
    ).scalars()
    return len([b for b in sealed if b and ring.sealed_kek_id(b) != ring.active_kek_id])


def remove_totp(user: User) -> None:
    """Admins and lawyers must keep their second factor once enrolled."""
    if user.role in ("admin", "lawyer"):
        raise PermissionError("admins and lawyers cannot remove their second factor")
    user.totp_secret_sealed = None
    user.totp_last_step = None
    record("auth.totp_removed", user)


# --- credentials -------------------------------------------------------------------------------


def check_credentials(email: str, password: str) -> User:
    """The active user with these credentials, or SignInError (throttled or not).

    Failures are counted and audited (committed at once, whatever the request does next)."""
    user = user_by_email(email)
    if user is not None and (retry := throttled_for(user)) is not None:
        record("auth.sign_in_throttled", user, actor_id=None, detail={"retry_after": retry})
        db.session.commit()
        raise SignInError(throttled=retry)
    if user is None:
        burn_time(password)
        raise _fail(None, email, "credentials")
    if not verify_password(user.password_hash, password) or not user.active:
        raise _fail(user, email, "credentials")
    return user


def second_factor(user: User, otp: str | None) -> None:
    """Raise SignInError unless the user has no second factor or `otp` is a fresh valid code."""
    if not user.totp_enrolled:
        return
    if not otp:
        raise SignInError(otp_required=True)
    if not check_otp(user, otp):
        raise _fail(user, user.email, "otp")


def signed_in(user: User, method: str) -> None:
    """Reset the failure count and audit the success."""
    user.failed_logins, user.failed_window_start = 0, None
    record("auth.sign_in", user, actor_id=user.id, detail={"method": method})


# --- server-side sessions ------------------------------------------------------------------------


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


def session_user(sid: str, user_id: str) -> User | None:
    """The user of a live session, refreshing its idle timer; None when it has ended."""
    row = db.session.execute(
        sa.select(UserSession).where(UserSession.token_hash == token_hash(sid))
    ).scalar_one_or_none()
    if row is None or str(row.user_id) != user_id:
        return None
    now = utcnow()
    idle = dt.timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    if row.expires_at <= now or row.last_seen_at + idle <= now:
        db.session.delete(row)
        db.session.commit()
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if (now - row.last_seen_at).total_seconds() > 60:
        row.last_seen_at = now
    return user


def end_session(sid: str | None) -> None:
    if sid:
        db.session.execute(sa.delete(UserSession).where(UserSession.token_hash == token_hash(sid)))


def end_all_sessions(user: User) -> None:
    """End every browser session and API token of `user` (password change, disabling)."""
    db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id))
    db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


# --- API tokens ----------------------------------------------------------------------------------


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


def token_row(token: str) -> ApiToken | None:
    """The live token row for a bearer token, or None (unknown, expired, revoked, user off)."""
    row = db.session.execute(
        sa.select(ApiToken).where(ApiToken.token_hash == token_hash(token))
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
