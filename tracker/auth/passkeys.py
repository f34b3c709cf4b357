"""Passkeys (WebAuthn) as a second factor: registration, sign-in, removal.

The challenge of each ceremony stays on the server (`WebAuthnChallenge`): the session holds a
random id whose hash is its key; it is deleted when answered (single use) and expires after
CHALLENGE_SECONDS. The relying party's id and origin come from TRACKER_WEBAUTHN_RP_ID and
TRACKER_WEBAUTHN_ORIGIN (else the request's host)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
import webauthn
from flask import current_app, request
from webauthn.helpers import options_to_json_dict
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from tracker.audit.service import record
from tracker.auth.models import Passkey, User, WebAuthnChallenge
from tracker.db import db, own_transaction, utcnow

#: how long a ceremony may take, from its options to its answer
CHALLENGE_SECONDS = 120
#: the longest name a passkey may be given
NAME_LENGTH = 100
KNOWN_TRANSPORTS = frozenset(t.value for t in AuthenticatorTransport)


class PasskeyRefused(Exception):
    """The browser's answer does not hold: malformed, stale, replayed or not signed right."""


def relying_party() -> tuple[str, str]:
    """(rp id, origin) from the configuration, else from the request's host."""
    origin = current_app.config.get("TRACKER_WEBAUTHN_ORIGIN") or request.host_url.rstrip("/")
    rp_id = current_app.config.get("TRACKER_WEBAUTHN_RP_ID") or urlsplit(origin).hostname or ""
    return rp_id, origin


def user_passkeys(user: User) -> list[Passkey]:
    return list(
        db.session.execute(
            sa.select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.id)
        ).scalars()
    )


def has_passkey(user: User) -> bool:
    return (
        db.session.execute(sa.select(Passkey.id).where(Passkey.user_id == user.id).limit(1)).first()
        is not None
    )


def _keep_challenge(user: User, purpose: str, challenge: bytes) -> str:
    ticket = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.execute(sa.delete(WebAuthnChallenge).where(WebAuthnChallenge.expires_at <= now))
    db.session.add(
        WebAuthnChallenge(
            key=hashlib.sha256(ticket.encode()).hexdigest(),
            user_id=user.id,
            purpose=purpose,
            challenge=challenge,
            expires_at=now + dt.timedelta(seconds=CHALLENGE_SECONDS),
        )
    )
    db.session.flush()
    return ticket


def _take_challenge(user: User, purpose: str, ticket: str | None) -> bytes:
    """The challenge of `ticket`, deleted as it is read; PasskeyRefused when there is none
    (never issued, used already, expired, another user's or another ceremony's)."""
    if not ticket or not isinstance(ticket, str) or len(ticket) > 100:
        raise PasskeyRefused("no ceremony")
    user_id, found = user.id, None
    with own_transaction("a challenge is used up even when its answer is refused"):
        row = db.session.get(WebAuthnChallenge, hashlib.sha256(ticket.encode()).hexdigest())
        if row is not None:
            found = (row.user_id, row.purpose, row.expires_at, row.challenge)
            db.session.delete(row)
    if found is None or found[:2] != (user_id, purpose) or found[2] <= utcnow():
        raise PasskeyRefused("no ceremony")
    return found[3]


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    out = []
    for key in user_passkeys(user):
        transports = [AuthenticatorTransport(t) for t in key.transports.split(",") if t]
        out.append(PublicKeyCredentialDescriptor(id=key.credential_id, transports=transports))
    return out


def _verified(check: Any, credential: Any, challenge: bytes, **extra: Any) -> Any:
    """`check` (the library's verification of a ceremony) for this site's relying party;
    PasskeyRefused for any answer it does not accept, however malformed."""
    rp_id, origin = relying_party()
    try:
        return check(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            **extra,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise PasskeyRefused("answer refused") from exc


def registration_options(user: User) -> tuple[dict[str, Any], str]:
    """The options for `navigator.credentials.create()` and the ticket naming its challenge."""
    rp_id, _origin = relying_party()
    options = webauthn.generate_registration_options(
        rp_id=rp_id,
        rp_name="Tracker",
        user_name=user.email,
        user_id=f"tracker-user-{user.id}".encode(),
        user_display_name=user.name,
        timeout=CHALLENGE_SECONDS * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(user),
    )
    ticket = _keep_challenge(user, "register", options.challenge)
    return options_to_json_dict(options), ticket


def register(user: User, ticket: str | None, credential: Any, name: str) -> Passkey:
    """Verify the browser's answer to registration_options and store the passkey. Raises
    PasskeyRefused. Audited (the passkey's name, not its key)."""
    expected = _take_challenge(user, "register", ticket)
    verified = _verified(webauthn.verify_registration_response, credential, expected)
    known = db.session.execute(
        sa.select(Passkey.id).where(Passkey.credential_id == verified.credential_id)
    ).first()
    if known is not None:
        raise PasskeyRefused("registered already")
    transports = credential.get("response", {}).get("transports") or []
    key = Passkey(
        user_id=user.id,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=",".join(t for t in transports if t in KNOWN_TRANSPORTS)[:200],
        name=name.strip()[:NAME_LENGTH],
    )
    db.session.add(key)
    db.session.flush()
    record("auth.passkey_added", user, detail={"passkey": key.id})
    return key


def sign_in_options(user: User) -> tuple[dict[str, Any], str]:
    """The options for `navigator.credentials.get()` (the user's own passkeys) and a ticket."""
    rp_id, _origin = relying_party()
    options = webauthn.generate_authentication_options(
        rp_id=rp_id,
        timeout=CHALLENGE_SECONDS * 1000,
        allow_credentials=_descriptors(user),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    ticket = _keep_challenge(user, "sign_in", options.challenge)
    return options_to_json_dict(options), ticket


def verify_sign_in(user: User, ticket: str | None, credential: Any) -> Passkey:
    """Check the browser's answer to sign_in_options against one of `user`'s passkeys and
    advance its counter. Raises PasskeyRefused (a counter that went back, too: a cloned key).
    Audited."""
    expected = _take_challenge(user, "sign_in", ticket)
    try:
        raw_id = webauthn.base64url_to_bytes(credential["rawId"])
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise PasskeyRefused("malformed") from exc
    key = db.session.execute(
        sa.select(Passkey)
        .where(Passkey.user_id == user.id, Passkey.credential_id == raw_id)
        .with_for_update()
    ).scalar_one_or_none()
    if key is None:
        raise PasskeyRefused("unknown passkey")
    verified = _verified(
        webauthn.verify_authentication_response,
        credential,
        expected,
        credential_public_key=key.public_key,
        credential_current_sign_count=key.sign_count,
    )
    key.sign_count = verified.new_sign_count
    key.last_used_at = utcnow()
    record("auth.passkey_used", user, detail={"passkey": key.id})
    return key


def remove(user: User, key: Passkey) -> None:
    """Remove one of `user`'s passkeys. Audited."""
    record("auth.passkey_removed", user, detail={"passkey": key.id})
    db.session.delete(key)
    db.session.flush()
