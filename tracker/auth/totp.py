"""The TOTP second factor: enrolment, single-use checks, seeds sealed under the KEK."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import pyotp
import sqlalchemy as sa

from tracker import keys, policy
from tracker.audit.service import record
from tracker.auth.models import User
from tracker.db import db

TOTP_CONTEXT = b"totp-secret"
#: HKDF label of the key that turns an enrolment's id into the seed it offers
CANDIDATE_INFO = b"tracker totp enrolment candidate v1"
#: the longest one-time code text a form or the API takes (a TOTP code is 6 digits)
MAX_OTP_LENGTH = 16


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
    """A random id for an enrolment, for the session to hold: never the seed itself. The
    session cookie is signed, not encrypted, so whoever sees it (a proxy log, a shared
    machine) would read a seed put there and make the codes of the second factor."""
    return secrets.token_urlsafe(24)


def candidate_secret(user: User, enrolment: str) -> str:
    """The seed offered to `user` for the enrolment `enrolment` (begin_totp_enrolment): a keyed
    hash of the id under a key derived from the key file, so it stays on the server and comes
    out the same on every request of the enrolment, with nothing stored before it is proved."""
    ring = keys.current()
    key = keys.derive(ring.audit_key, CANDIDATE_INFO)
    message = f"{user.id}\0{enrolment}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:20]  # 160 bits, as RFC 4226 advises
    return base64.b32encode(digest).decode()


def enrol_totp(user: User, secret: str, code: str) -> bool:
    """Store `secret` for `user` if `code` proves the authenticator has it. Audited."""
    step = _matching_step(secret, code)
    if step is None:
        return False
    store_secret(user, secret, step)
    return True


def store_secret(user: User, secret: str, last_step: int | None = None) -> None:
    """Seal `secret` as `user`'s TOTP seed (codes up to `last_step` count as used). Audited.
    Callers prove the seed first (enrol_totp), or made it themselves (the demo's accounts)."""
    ring = keys.current()
    user.totp_secret_sealed = ring.seal(secret.encode(), TOTP_CONTEXT + str(user.id).encode())
    user.totp_last_step = last_step
    record("auth.totp_enrolled", user)


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
    if not policy.may(user, "accounts.remove_own_totp"):
        raise PermissionError("admins and lawyers cannot remove their second factor")
    user.totp_secret_sealed = None
    user.totp_last_step = None
    record("auth.totp_removed", user)
