"""E-mail: the reminder digest (plain text and HTML, Korean or English), over the transport of
`tracker.mail` (settings, delivery; its names are re-exported here for the digest's callers).

The digest is rendered from plain data: deadline items grouped by window (`overdue`, `7`, `30`,
`90`), each `{"kind", "due_on", "title", "url"?}`, and queues `{name: [{"type", "title",
"url"}]}`. The caller passes only titles the user may see; nothing else of a record is shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from tracker import clock
from tracker.deadlines.labels import GROUP_LABELS, QUEUE_LABELS, kind_label, where
from tracker.i18n import letter_day, letter_when
from tracker.mail import (
    MailConfigError,
    MailDeliveryError,
    MailSettings,
    build_message,
    one_line,
    parse_settings,
    send,
    settings_from_config,
)

__all__ = [
    "MailConfigError",
    "MailDeliveryError",
    "MailSettings",
    "build_message",
    "one_line",
    "parse_settings",
    "render_digest",
    "send",
    "settings_from_config",
]

TEMPLATES = Path(__file__).with_name("templates")


def _environment() -> jinja2.Environment:
    """The app's Jinja environment (Flask-Babel's gettext, autoescape) over our templates."""
    return current_app.jinja_env.overlay(loader=jinja2.FileSystemLoader(TEMPLATES))


def _due(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def render_digest(
    locale: str,
    *,
    name: str,
    groups: Mapping[str, Sequence[Mapping[str, Any]]],
    queues: Mapping[str, Sequence[Mapping[str, Any]]],
    site_url: str | None = None,
    user: Any = None,
    at: dt.datetime | None = None,
) -> tuple[str, str, str]:
    """(subject, text, html) of one user's digest in `locale` ("ko" or "en"), its dates as
    the reader writes them and the moment it was written (`at`, default now) in `user`'s time
    zone."""
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
                            letter_day(_due(item["in_grace_until"]))
                            if item.get("in_grace_until")
                            else None
                        ),
                        "due": letter_day(_due(item["due_on"])),
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
            "as_of": letter_when(at or clock.now(), user=user),
        }
        env = _environment()
        text = env.get_template("deadlines/digest.txt").render(context)
        html = env.get_template("deadlines/digest.html").render(context)
    return subject, text, html
