"""Accounts: zones, organisations, users, their server-side sessions and API tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from tracker.db import Model, UTCDateTime, str_enum, utcnow
from tracker.i18n import DEFAULT_TIME_ZONE

ROLES = ("admin", "lawyer", "company", "operator", "auditor")
ORG_KINDS = ("company", "partner", "law_firm")
LOCALES = ("ko", "en")

#: what names an organisation in the part its kind stands for: kind -> functions giving, for an
#: organisation's id, a SELECT of the codes of the projects that do. The models naming
#: organisations add theirs, so a change of kind they rely on is refused
#: (`tracker.auth.organizations.kind_conflicts`) without this package importing them.
KIND_USES: dict[str, list[Callable[[int], sa.Select[str]]]] = {k: [] for k in ORG_KINDS}


class Zone(Model):
    __tablename__ = "zones"
    #: the object type of its audit events (the API's resource name)
    __audit_type__ = "zone"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name_en: Mapped[str] = mapped_column(sa.String(200), index=True)
    name_ko: Mapped[str] = mapped_column(sa.String(200), index=True)
    industry: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Organization(Model):
    __tablename__ = "organizations"
    #: the object type of its audit events (the API's resource name)
    __audit_type__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300), index=True)
    kind: Mapped[str] = mapped_column(str_enum(*ORG_KINDS, name="kind"), index=True)
    #: ISO 3166-1 alpha-2, upper case
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Model):
    __tablename__ = "users"
    #: the object type of its audit events (the API's resource name)
    __audit_type__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stored lower-cased, so uniqueness is case-insensitive on every database
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    role: Mapped[str] = mapped_column(str_enum(*ROLES, name="role"), index=True)
    #: the company of a company user
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id"), index=True
    )
    #: the zone of an operator
    zone_id: Mapped[int | None] = mapped_column(sa.ForeignKey("zones.id"), index=True)
    locale: Mapped[str] = mapped_column(str_enum(*LOCALES, name="locale"), default="ko")
    #: the IANA zone the person reads times in (pages, e-mails, PDFs, exports, calendar)
    time_zone: Mapped[str] = mapped_column(
        sa.String(64), default=DEFAULT_TIME_ZONE, server_default=DEFAULT_TIME_ZONE
    )
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    #: TOTP secret sealed with the key file's secret-sealing key; None when not enrolled
    totp_secret_sealed: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    #: the last TOTP time step accepted, so a code is never accepted twice
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    active: Mapped[bool] = mapped_column(default=True, index=True)
    #: SHA-256 (hex) of the secret part of the user's iCalendar feed address; None: no feed
    calendar_secret_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization | None] = relationship(lazy="joined")
    zone: Mapped[Zone | None] = relationship(lazy="joined")

    @validates("email")
    def _lower_case_email(self, _key: str, value: str) -> str:
        return value.strip().lower()

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def totp_enrolled(self) -> bool:
        return self.totp_secret_sealed is not None


class UserSession(Model):
    """A signed-in browser session; the cookie only names it, so the server can end it."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: sha256 of the random session id held in the signed cookie
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: absolute time-out
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ApiToken(Model):
    __tablename__ = "api_tokens"
    #: the object type of its audit events (the API's resource name)
    __audit_type__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: sha256 of the bearer token; the token itself is shown once and never stored
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class SignInFailure(Model):
    """Failed sign-ins per submitted e-mail address, known or not (tracker.auth.lockout): the
    key is a keyed hash of the normalised address, so the table names nobody. In the database,
    so every worker counts together."""

    __tablename__ = "sign_in_failures"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(sa.Integer)
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class RecoveryCode(Model):
    """A one-time recovery code of the second factor (tracker.auth.recovery): only a keyed
    hash is stored; a used code keeps its row (with `used_at`) until the set is replaced."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: HMAC-SHA256 (hex) of the normalised code under a key derived from the key file
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Passkey(Model):
    """A WebAuthn credential (passkey) of a user, a second factor (tracker.auth.passkeys)."""

    __tablename__ = "passkeys"
    #: the object type of its audit events
    __audit_type__ = "passkey"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: the authenticator's credential id (raw bytes)
    credential_id: Mapped[bytes] = mapped_column(sa.LargeBinary, unique=True)
    #: the COSE public key the authenticator gave at registration
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary)
    #: the authenticator's signature counter (0 when it keeps none)
    sign_count: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: the transports the browser reported, comma-separated ("internal,hybrid")
    transports: Mapped[str] = mapped_column(sa.String(200), default="")
    #: the name the user gave it
    name: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class WebAuthnChallenge(Model):
    """A WebAuthn challenge kept on the server: single use (deleted when answered) and
    short-lived; the session cookie holds only the random id whose hash is the key."""

    __tablename__ = "webauthn_challenges"

    #: sha256 (hex) of the id the session holds
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: "register" or "sign_in"
    purpose: Mapped[str] = mapped_column(sa.String(16))
    challenge: Mapped[bytes] = mapped_column(sa.LargeBinary)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
