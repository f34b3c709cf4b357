"""Invitations: a new account sets its own password through a one-time link.

An admin creates an account without a password (or asks for a new link); the person gets an
e-mail, in the account's language, with a link valid for 72 hours. Only a SHA-256 of the link's
secret is stored; a new invitation ends the earlier one; using the link deletes it. A used,
expired, replaced or unknown link is not found (404). Audited without the secret.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from email.message import EmailMessage

import sqlalchemy as sa
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.exceptions import NotFound

from tracker import clock, mail
from tracker.audit.service import record
from tracker.auth import lockout
from tracker.auth.models import User
from tracker.auth.passwords import hash_password, password_problems
from tracker.auth.service import end_all_sessions
from tracker.db import Model, UTCDateTime, db
from tracker.errors import InvalidInput, StateConflict
from tracker.i18n import letter_when
from tracker.web.links import absolute

VALID_FOR = dt.timedelta(hours=72)
#: the password hash of an account whose holder has not yet set a password: no argon2 hash,
#: so no password matches it
UNSET_PASSWORD = "!invited"  # noqa: S105  (a marker, not a password)
#: a link's secret is 43 characters; anything much longer is not one
_MAX_TOKEN_LENGTH = 128


class Invitation(Model):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 (hex) of the link's secret; the secret itself is only in the e-mail
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def invite(user: User) -> None:
    """End the user's earlier invitation and e-mail a new link (sent when the transaction
    commits). StateConflict (409) when no mail server is set up or the account is disabled.
    Audited as `user.invited` (never the link)."""
    settings = mail.current_settings()
    if settings is None:
        raise StateConflict(_("No mail server is set up to send an invitation; set a password."))
    if not user.active:
        raise StateConflict(_("This account is disabled; enable it before inviting."))
    db.session.execute(sa.delete(Invitation).where(Invitation.user_id == user.id))
    token = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(
        Invitation(
            user_id=user.id, token_hash=_hash(token), created_at=now, expires_at=now + VALID_FOR
        )
    )
    db.session.flush()
    record("user.invited", user)
    link = absolute(url_for("auth.invitation", token=token))
    mail.send_after_commit(_message(settings, user, link, now + VALID_FOR))


def _message(
    settings: mail.MailSettings, user: User, link: str, expires_at: dt.datetime
) -> EmailMessage:
    with force_locale(user.locale):
        subject = _("Tracker: set your password")
        hello = _("Hello %(name)s,", name=mail.one_line(user.name))
        body = _(
            "An account has been opened for you in Tracker. Set your password with this link "
            "within 72 hours; it works once."
        )
        # the recipient's zone and language: the admin's clock means nothing to them
        until = _("The link works until %(when)s.", when=letter_when(expires_at, user=user))
        ignore = _("If you did not expect this e-mail, ignore it.")
    text = f"{hello}\n\n{body}\n\n{link}\n{until}\n\n{ignore}\n"
    html = (
        f"<p>{escape(hello)}</p><p>{escape(body)}</p>"
        f'<p><a href="{escape(link)}">{escape(link)}</a><br>{escape(until)}</p>'
        f"<p>{escape(ignore)}</p>"
    )
    return mail.build_message(settings, user.email, subject, text, html)


def find(token: str) -> Invitation | None:
    """The open invitation of that link's secret (None when used, replaced, expired or unknown)."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    found = db.session.execute(
        sa.select(Invitation).where(Invitation.token_hash == _hash(token))
    ).scalar_one_or_none()
    if found is None or found.expires_at <= clock.now():
        return None
    user = db.session.get(User, found.user_id)
    return found if user is not None and user.active else None


def accept(token: str, password: str) -> User:
    """Set the password of the invitation's account and end the invitation. NotFound (404) for
    a link that is not open, InvalidInput (422) for a password the rules refuse. Audited as
    `user.invitation_accepted`."""
    invitation = find(token)
    if invitation is None:
        raise NotFound()
    if problems := password_problems(password):
        raise InvalidInput({"password": problems})
    user = db.session.get(User, invitation.user_id)
    assert user is not None  # find() checked it
    user.password_hash = hash_password(password)
    user.password_changed_at = clock.now()
    lockout.clear(user.email)
    end_all_sessions(user)
    db.session.delete(invitation)
    db.session.flush()
    record("user.invitation_accepted", user, actor_id=user.id)
    return user
