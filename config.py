"""Configuration from the environment (README, "Configuration"); `.env` is read in development."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def from_environment(instance_path: str) -> dict[str, Any]:
    """Settings read from TRACKER_* variables, with embedded defaults under `instance_path`."""
    instance = Path(instance_path)
    env = os.environ.get("TRACKER_ENV", "development")
    return {
        "TRACKER_ENV": env,
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "TRACKER_DATABASE_URL", f"sqlite:///{instance / 'tracker.db'}"
        ),
        "SECRET_KEY": os.environ.get("TRACKER_SECRET_KEY"),
        "TRACKER_KEY_FILE": os.environ.get("TRACKER_KEY_FILE"),
        "TRACKER_BLOB_DIR": os.environ.get("TRACKER_BLOB_DIR", str(instance / "blobs")),
        # s3://bucket/prefix: encrypted blobs in S3-compatible storage (docs/deployment.md)
        "TRACKER_BLOB_URL": os.environ.get("TRACKER_BLOB_URL"),
        "TRACKER_REDIS_URL": os.environ.get("TRACKER_REDIS_URL"),
        # production refuses in-memory rate limits (they count per worker) unless this is 1
        "TRACKER_ALLOW_MEMORY_LIMITS": os.environ.get("TRACKER_ALLOW_MEMORY_LIMITS") == "1",
        #: SMTP for the reminders: smtp://host:port, smtp+starttls://user:pass@host:587, smtps://
        "TRACKER_MAIL_URL": os.environ.get("TRACKER_MAIL_URL"),
        "TRACKER_MAIL_FROM": os.environ.get("TRACKER_MAIL_FROM"),
        # plain smtp:// off loopback is refused unless this is 1 (a relay meant to be plain)
        "TRACKER_SMTP_ALLOW_PLAIN": os.environ.get("TRACKER_SMTP_ALLOW_PLAIN") == "1",
        #: the site's address for links in e-mails and calendar feeds (else the request's host)
        "TRACKER_BASE_URL": os.environ.get("TRACKER_BASE_URL"),
        "TRACKER_MAX_UPLOAD_BYTES": _int("TRACKER_MAX_UPLOAD_BYTES", 2 * 1024**3),
        "TRACKER_AUDIT_CHECKPOINT_FILE": os.environ.get(
            "TRACKER_AUDIT_CHECKPOINT_FILE", str(instance / "audit-checkpoint.json")
        ),
        # The app appends a checkpoint of the audit chain head after this many events or
        # minutes (0 turns either off); `audit verify --strict` holds the tail to the same bounds.
        "TRACKER_AUDIT_CHECKPOINT_EVERY_EVENTS": _int("TRACKER_AUDIT_CHECKPOINT_EVERY_EVENTS", 100),
        "TRACKER_AUDIT_CHECKPOINT_EVERY_MINUTES": _int(
            "TRACKER_AUDIT_CHECKPOINT_EVERY_MINUTES", 10
        ),
        # the roles that must use a second factor (TOTP or a passkey); empty turns the rule off
        "TRACKER_MFA_ROLES": os.environ.get("TRACKER_MFA_ROLES", "admin,lawyer,auditor"),
        # WebAuthn (passkeys): the relying party's id (the site's domain) and origin; unset,
        # both follow the request's host
        "TRACKER_WEBAUTHN_RP_ID": os.environ.get("TRACKER_WEBAUTHN_RP_ID"),
        "TRACKER_WEBAUTHN_ORIGIN": os.environ.get("TRACKER_WEBAUTHN_ORIGIN"),
        # Number of proxies in front of the app whose X-Forwarded-* headers are trusted.
        "TRACKER_PROXY_HOPS": _int("TRACKER_PROXY_HOPS", 0),
    }


DEFAULTS: dict[str, Any] = {
    # argon2id; memory >= 64 MiB (docs/security.md)
    "ARGON2_TIME_COST": 3,
    "ARGON2_MEMORY_KIB": 65536,
    "ARGON2_PARALLELISM": 4,
    # sign-in throttling: per account in the database, per address with Flask-Limiter
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_FAILURE_WINDOW_SECONDS": 15 * 60,
    "LOGIN_ADDRESS_LIMIT": "30 per 15 minutes",
    # sessions and tokens
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_ABSOLUTE_HOURS": 12,
    "API_TOKEN_HOURS": 24,
    # a lasting grant (a calendar feed address) needs a sign-in at most this old
    "REAUTH_MINUTES": 10,
    # JSON and form bodies; the attachment upload sets its own, larger limit per request
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "tracker_session",
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    "BABEL_DEFAULT_LOCALE": "ko",
    "RATELIMIT_HEADERS_ENABLED": True,
    # flask-smorest / OpenAPI
    "API_TITLE": "Tracker",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    # hide_parameters: SQL errors in logs never carry record content
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
}
