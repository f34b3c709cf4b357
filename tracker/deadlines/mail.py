"""E-mail: SMTP delivery and the reminder digest (plain text and HTML, Korean or English).

Settings: `TRACKER_MAIL_URL` (`smtp://host:port`, `smtp+starttls://user:pass@host:587`,
`smtps://user:pass@host:465`) and `TRACKER_MAIL_FROM`. Plain `smtp://` (no TLS: every digest
readable on the wire) is refused unless the relay is on loopback or TRACKER_SMTP_ALLOW_PLAIN=1
says a plain relay is intended; credentials over plain `smtp://` are refused unless the relay is
on loopback, whatever the flag. A failed delivery raises
`MailDeliveryError` (the caller records it and retries on the next run); its message never
contains the password.

The digest is rendered from plain data: deadline items grouped by window (`overdue`, `7`, `30`,
`90`), each `{"kind", "due_on", "title", "url"?}`, and queues `{name: [{"type", "title",
"url"}]}`. The caller passes only titles the user may see; nothing else of a record is shown.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from tracker.deadlines.labels import GROUP_LABELS, QUEUE_LABELS, kind_label, where

TEMPLATES = Path(__file__).with_name("templates")
SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
TIMEOUT_SECONDS = 30


class MailConfigError(ValueError):
    """TRACKER_MAIL_URL or TRACKER_MAIL_FROM is missing or malformed."""


class MailDeliveryError(RuntimeError):
    """The message could not be handed to the SMTP server (record it and retry later)."""


@dataclass(frozen=True)
class MailSettings:
    scheme: str
    host: str
    port: int
    username: str | None
    password: str | None
    sender: str

    def __repr__(self) -> str:  # never the password
        return f"MailSettings({self.scheme}://{self.host}:{self.port}, from={self.sender})"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_settings(
    url: str | None, sender: str | None, *, allow_plain: bool = False
) -> MailSettings:
    """Mail settings from the URL and sender; MailConfigError names what is wrong (never the
    password). `allow_plain` lets plain `smtp://` reach a relay off loopback."""
    if not url:
        raise MailConfigError("TRACKER_MAIL_URL is not set.")
    if not sender or "@" not in sender:
        raise MailConfigError("TRACKER_MAIL_FROM must be an e-mail address.")
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise MailConfigError(f"TRACKER_MAIL_URL: the scheme must be one of {sorted(SCHEMES)}.")
    try:
        port = parts.port or SCHEMES[parts.scheme]
    except ValueError:
        raise MailConfigError("TRACKER_MAIL_URL: the port is not a number.") from None
    host = parts.hostname
    if not host:
        raise MailConfigError("TRACKER_MAIL_URL: no host.")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if username and parts.scheme == "smtp" and not _loopback(host):
        raise MailConfigError(
            "TRACKER_MAIL_URL: credentials need smtp+starttls:// or smtps:// "
            "(plain smtp:// only to a relay on loopback)."
        )
    if parts.scheme == "smtp" and not _loopback(host) and not allow_plain:
        raise MailConfigError(
            f"TRACKER_MAIL_URL: plain smtp:// to {host} would send the digests unencrypted; "
            "use smtp+starttls:// or smtps://, or set TRACKER_SMTP_ALLOW_PLAIN=1 for a relay "
            "that is meant to be plain."
        )
    return MailSettings(parts.scheme, host, port, username, password, sender)


def settings_from_config(config: Mapping[str, Any]) -> MailSettings:
    return parse_settings(
        config.get("TRACKER_MAIL_URL"),
        config.get("TRACKER_MAIL_FROM"),
        allow_plain=bool(config.get("TRACKER_SMTP_ALLOW_PLAIN")),
    )


def build_message(
    settings: MailSettings, to: str, subject: str, text: str, html: str
) -> EmailMessage:
    """multipart/alternative: the plain text first, the HTML as the preferred part."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = settings.sender
    msg["To"] = to
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2])
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def send(settings: MailSettings, msg: EmailMessage) -> None:
    """Hand one message to the server; MailDeliveryError on any failure."""
    context = ssl.create_default_context()
    try:
        smtp: smtplib.SMTP
        if settings.scheme == "smtps":
            smtp = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=TIMEOUT_SECONDS, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
        with smtp:
            if settings.scheme == "smtp+starttls":
                smtp.starttls(context=context)
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            refused = smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        # the exception's text is the server's answer or the socket error: no credentials
        raise MailDeliveryError(
            f"mail to {msg['To']} via {settings.host}:{settings.port} failed: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if refused:
        raise MailDeliveryError(f"mail refused for {sorted(refused)}")


def _environment() -> jinja2.Environment:
    """The app's Jinja environment (Flask-Babel's gettext, autoescape) over our templates."""
    return current_app.jinja_env.overlay(loader=jinja2.FileSystemLoader(TEMPLATES))


#: what breaks a line or controls a terminal: C0 and C1 controls (CR, LF, VT, FF, NEL, ESC...)
#: and Unicode's line and paragraph separators
_LINE_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: Any) -> str:
    """Record text (a title, a name) as one line: every run of line breaks and control
    characters folded to one space. Both parts of the digest show text only through this, so a
    title cannot add lines of its own ("sign in again at ...") to another user's mail (issue
    21, finding 7)."""
    return _LINE_BREAKING.sub(" ", str(text)).strip()


def _due(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def render_digest(
    locale: str,
    *,
    name: str,
    groups: Mapping[str, Sequence[Mapping[str, Any]]],
    queues: Mapping[str, Sequence[Mapping[str, Any]]],
    site_url: str | None = None,
) -> tuple[str, str, str]:
    """(subject, text, html) of one user's digest in `locale` ("ko" or "en")."""
    with force_locale(locale):
        sections = [
            {
                "label": str(GROUP_LABELS[group]),
                "items": [
                    {
                        "kind": kind_label(item["kind"]),
                        "where": one_line(where(item)),
                        "title": one_line(item["title"]),
                        "grace": (
                            format_date(_due(item["in_grace_until"]), format="long")
                            if item.get("in_grace_until")
                            else None
                        ),
                        "due": format_date(_due(item["due_on"]), format="long"),
                        "url": item.get("url"),
                    }
                    for item in groups[group]
                ],
            }
            for group in GROUP_LABELS
            if groups.get(group)
        ]
        queue_sections = [
            {
                "label": str(QUEUE_LABELS[queue]),
                "items": [
                    {"title": one_line(i["title"]), "url": i.get("url")} for i in queues[queue]
                ],
            }
            for queue in QUEUE_LABELS
            if queues.get(queue)
        ]
        subject = _(
            "Tracker: %(overdue)d overdue, %(soon)d due within 7 days, %(waiting)d waiting",
            overdue=len(groups.get("overdue", ())),
            soon=len(groups.get("7", ())),
            waiting=sum(len(q) for q in queues.values()),
        )
        context = {
            "locale": locale,
            "name": one_line(name),
            "sections": sections,
            "queues": queue_sections,
            "site_url": site_url,
            "subject": subject,
        }
        env = _environment()
        text = env.get_template("deadlines/digest.txt").render(context)
        html = env.get_template("deadlines/digest.html").render(context)
    return subject, text, html
