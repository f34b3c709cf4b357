"""Recovery codes of the second factor: ten shown once, stored as keyed hashes, single use."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import sqlalchemy as sa

from tracker import keys
from tracker.audit.service import record
from tracker.auth.models import RecoveryCode, User
from tracker.db import db, utcnow

#: HKDF label of the key the codes are hashed under (its own: no other use of the key file's
#: audit key can produce or test these hashes)
RECOVERY_INFO = b"tracker recovery codes v1"
#: how many codes a set holds
CODES_PER_SET = 10
#: the code's alphabet: lower-case letters and digits without the look-alikes (0/o, 1/l/i)
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def _key() -> bytes:
    return keys.derive(keys.current().audit_key, RECOVERY_INFO)


def normalise(code: str) -> str:
    """The code as stored: lower case, without spaces or hyphens (as typed from paper)."""
    return "".join(c for c in code.strip().lower() if c not in " -")


def code_hash(code: str) -> str:
    return hmac.new(_key(), normalise(code).encode(), hashlib.sha256).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))  # ~59 bits
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def replace_codes(user: User) -> list[str]:
    """A new set of codes for `user` (the old set stops working); returns them, the only time
    they exist in plain text. Audited, without the codes."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_code() for _ in range(CODES_PER_SET)]
    key = _key()
    db.session.add_all(
        RecoveryCode(
            user_id=user.id,
            code_hash=hmac.new(key, normalise(c).encode(), hashlib.sha256).hexdigest(),
        )
        for c in codes
    )
    db.session.flush()
    record("auth.recovery_codes_created", user, detail={"count": len(codes)})
    return codes


def use_code(user: User, code: str | None) -> bool:
    """Accept an unused code of `user` once (it is marked used under a row lock, so two
    requests with one code cannot both pass). Audited, without the code."""
    if not code or len(normalise(code)) != 12:
        return False
    row = db.session.execute(
        sa.select(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == code_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .with_for_update()
    ).scalar_one_or_none()
    if row is None:
        return False
    row.used_at = utcnow()
    db.session.flush()
    record("auth.recovery_code_used", user, detail={"left": codes_left(user)})
    return True


def codes_left(user: User) -> int:
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).scalar_one()
