"""Advisory sessions and their follow-up actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.cases.projects.models import Project
from tracker.db import Model, UTCDateTime, utcnow
from tracker.sealing import sealed_column


class AdvisorySession(Model):
    __tablename__ = "advisory_sessions"
    #: the object type of its audit events (the API's resource name)
    __audit_type__ = "session"
    #: a project's sessions, latest first, or by length (the list's sorts)
    __table_args__ = (
        sa.Index("ix_advisory_sessions_project_held", "project_id", "held_on"),
        sa.Index("ix_advisory_sessions_project_duration", "project_id", "duration_minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    held_on: Mapped[dt.date] = mapped_column(sa.Date)
    duration_minutes: Mapped[int]
    attendees: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: advice for the client
    advice: Mapped[str] = mapped_column(sa.Text, default="", info={"max_length": 20_000})
    #: lawyers' work product: never leaves the lawyer role
    privileged_notes: Mapped[str] = sealed_column(20_000, nullable=False, default="")
    lawyer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship()
    follow_ups: Mapped[list[FollowUp]] = relationship(
        cascade="all, delete-orphan", order_by="FollowUp.due_on"
    )

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class FollowUp(Model):
    __tablename__ = "follow_ups"
    #: the object type of its audit events (the API's resource name)
    __audit_type__ = "follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("advisory_sessions.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(300))
    owner: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[dt.date] = mapped_column(sa.Date, index=True)
    done: Mapped[bool] = mapped_column(default=False)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
