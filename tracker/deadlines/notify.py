"""The daily reminder: one e-mail digest per active user (`flask --app tracker notify`).

For each active user with something to say: their deadlines that are overdue or due within
7, 30 and 90 days (done ones left out) and the queues of their role, in their locale, with
links to the pages. What happened is written to `notification_log` per user and day:

- `sent`: nothing more for that user that day (a second run sends nothing);
- `failed`: the error's class is kept (never its text) and the next run tries again.

Each user's outcome is committed on its own, so a run that stops half-way keeps what it sent.
Two runs at the same moment could both send before either records it: run it from one cron.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from tracker.auth.models import User
from tracker.cases.assets import derived
from tracker.db import db
from tracker.deadlines import mail, queues, service
from tracker.deadlines.feeds import page_of
from tracker.deadlines.labels import in_grace_until
from tracker.deadlines.models import NotificationLog
from tracker.deadlines.queues import item_url
from tracker.web.links import absolute

#: the digest's windows (days from today); overdue comes first
WINDOWS = (7, 30, 90)


@dataclass
class Outcome:
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: int = 0
    rederived: int = 0


def group(items: list[dict[str, Any]], today: dt.date) -> dict[str, list[dict[str, Any]]]:
    """Deadline items by digest window: "overdue", "7", "30", "90" (each item once)."""
    groups: dict[str, list[dict[str, Any]]] = {"overdue": [], "7": [], "30": [], "90": []}
    for item in items:
        if item["done"]:
            continue
        days = (item["due_on"] - today).days
        if days < 0:
            groups["overdue"].append(item)
            continue
        window = next((w for w in WINDOWS if days <= w), None)
        if window is not None:
            groups[str(window)].append(item)
    return groups


def digest_of(user: User, today: dt.date) -> tuple[dict[str, Any], dict[str, Any], int, int]:
    """(groups, queues, deadline count, queue count) for one user; titles only."""
    items = service.deadlines(user, today, within_days=max(WINDOWS), done=False)
    for item in items:
        item["url"] = absolute(page_of(item))
        item["in_grace_until"] = in_grace_until(item, today)
    groups = group(items, today)
    waiting = queues.queues_of(user, today)
    for entries in waiting.values():
        for entry in entries:
            entry["url"] = absolute(item_url(entry))
    return (
        groups,
        waiting,
        sum(len(g) for g in groups.values()),
        sum(len(q) for q in waiting.values()),
    )


def run(
    today: dt.date,
    settings: mail.MailSettings,
    commit: Callable[[], None],
    echo: Callable[[str], None] = print,
) -> Outcome:
    """Send today's digests, calling `commit` (the CLI's) after each user's outcome is
    logged. Returns what was sent, failed and skipped."""
    outcome = Outcome(rederived=derived.rederive_stale())
    commit()
    done_today = set(
        db.session.execute(
            sa.select(NotificationLog.user_id).where(
                NotificationLog.sent_on == today, NotificationLog.status == "sent"
            )
        ).scalars()
    )
    users = (
        db.session.execute(sa.select(User).where(User.active.is_(True)).order_by(User.id))
        .scalars()
        .all()
    )
    for user in users:
        if user.id in done_today:
            outcome.skipped += 1
            continue
        groups, waiting, n_deadlines, n_waiting = digest_of(user, today)
        if not n_deadlines and not n_waiting:
            outcome.skipped += 1
            continue
        subject, text, html = mail.render_digest(
            user.locale,
            name=user.name,
            groups=groups,
            queues=waiting,
            site_url=absolute("/"),
            user=user,
        )
        error: str | None = None
        try:
            mail.send(settings, mail.build_message(settings, user.email, subject, text, html))
        except mail.MailDeliveryError as exc:
            cause = exc.__cause__
            error = type(cause).__name__ if cause is not None else type(exc).__name__
        _log(user, today, error, n_deadlines, n_waiting)
        commit()
        if error is None:
            outcome.sent.append(user.email)
            echo(f"sent {user.email}")
        else:
            outcome.failed.append((user.email, error))
            echo(f"FAILED {user.email}: {error} (will be retried on the next run)")
    return outcome


def _log(user: User, today: dt.date, error: str | None, n_deadlines: int, n_waiting: int) -> None:
    row = db.session.execute(
        sa.select(NotificationLog).where(
            NotificationLog.user_id == user.id, NotificationLog.sent_on == today
        )
    ).scalar_one_or_none()
    if row is None:
        row = NotificationLog(user_id=user.id, sent_on=today, attempts=0)
        db.session.add(row)
    row.status = "failed" if error else "sent"
    row.error_class = error
    row.attempts = (row.attempts or 0) + 1
    row.deadline_count, row.queue_count = n_deadlines, n_waiting
    row.attempted_at = dt.datetime.now(dt.UTC)
