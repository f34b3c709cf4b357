"""What the reminders sent: one row per user and day (`flask --app tracker notify`)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Model, UTCDateTime, str_enum, utcnow

NOTIFICATION_STATUSES = ("sent", "failed")


class NotificationLog(Model):
    """A user's digest of one day: `sent` (never again that day) or `failed` (retried on the
    next run, the error's class kept, never its text: it may echo server details)."""

    __tablename__ = "notification_log"
    __table_args__ = (sa.UniqueConstraint("user_id", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: the business day (Korea) the digest is for
    sent_on: Mapped[dt.date] = mapped_column(sa.Date, index=True)
    status: Mapped[str] = mapped_column(str_enum(*NOTIFICATION_STATUSES, name="status"))
    #: how many deadlines and queue items the digest listed
    deadline_count: Mapped[int] = mapped_column(default=0)
    queue_count: Mapped[int] = mapped_column(default=0)
    error_class: Mapped[str | None] = mapped_column(sa.String(100))
    attempts: Mapped[int] = mapped_column(default=1)
    attempted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
