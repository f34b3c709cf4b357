"""Notifications: what a decision or an assignment tells the person it concerns.

A service that decides (a transfer, a review, a disclosure) or assigns (a lawyer to a project,
a follow-up to someone) calls `notify` in its own transaction, so a notice exists exactly when
the decision does. A notice names its record by type and id only; what the reader sees of it
(its label, a link) is decided when it is read (`tracker.dashboard.notices`), by the policy.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from tracker import clock
from tracker.db import Model, UTCDateTime, db, str_enum

#: what happened, each to whom: the requester, the author, the filer, the lawyer, the owner
KINDS = (
    "transfer_decided",
    "review_decided",
    "disclosure_decided",
    "assigned_to_project",
    "follow_up_assigned",
)
#: the kinds also sent by e-mail (decisions)
MAILED = frozenset({"transfer_decided", "review_decided", "disclosure_decided"})


class Notification(Model):
    __tablename__ = "notifications"
    __table_args__ = (
        #: the reader's list, newest first
        sa.Index("ix_notifications_user_newest", "user_id", "created_at", "id"),
        #: the unread count in the header
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the person told
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(str_enum(*KINDS, name="kind"))
    #: the record it is about, as the audit trail names it (`transfer`, `risk_review`, ...)
    object_type: Mapped[str] = mapped_column(sa.String(32))
    object_id: Mapped[int] = mapped_column(sa.Integer)
    project_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: when the reader marked it read; None: unread
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


def notify(user_id: int | None, kind: str, record: Any, project_id: int | None) -> None:
    """Tell `user_id` (nobody when None) that `kind` happened to `record`, in the caller's
    transaction. The e-mail of a decision leaves after the commit (`tracker.dashboard.notices`)."""
    if user_id is None:
        return
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    db.session.add(
        Notification(
            user_id=user_id,
            kind=kind,
            object_type=type(record).__audit_type__,
            object_id=record.id,
            project_id=project_id,
            created_at=clock.now(),
        )
    )


def unread_count_expr(user_id: int) -> Any:
    """The number of the user's unread notices, as a scalar subquery."""
    return (
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def unread_count(user_id: int) -> int:
    return int(db.session.execute(sa.select(unread_count_expr(user_id))).scalar_one())


_CREATED = "tracker.notifications.created"


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: Any) -> None:
    new = [obj for obj in session.new if isinstance(obj, Notification)]
    if new:
        session.info.setdefault(_CREATED, []).extend(new)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_CREATED, None)


def created_in(session: Session) -> list[Notification]:
    """The notices created since the last commit or rollback (and forgets them)."""
    return list(session.info.pop(_CREATED, []))


@event.listens_for(Session, "after_commit")
def _forget_sent(session: Session) -> None:
    session.info.pop(_CREATED, None)
