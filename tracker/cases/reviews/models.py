"""Risk reviews: answers to the factor catalogue, the computed level, the decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.cases.projects.models import Project
from tracker.db import Model, UTCDateTime, str_enum, utcnow

REVIEW_STATUSES = ("draft", "submitted", "approved", "rejected")


RISK_LEVELS = ("low", "medium", "high", "critical")


class RiskReview(Model):
    __tablename__ = "risk_reviews"
    #: the object type of its audit events (the API's resource name)
    __audit_type__ = "risk_review"
    __table_args__ = (
        sa.Index("ix_risk_reviews_current", "project_id", "status", "valid_until"),
        #: a project's reviews, newest first
        sa.Index("ix_risk_reviews_project_created", "project_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"))
    #: version of the factor catalogue the answers refer to
    catalogue_version: Mapped[str] = mapped_column(sa.String(20))
    answers: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    likelihood: Mapped[int]
    impact: Mapped[int]
    score: Mapped[int]
    level: Mapped[str] = mapped_column(str_enum(*RISK_LEVELS, name="level"))
    summary: Mapped[str | None] = mapped_column(sa.Text, info={"max_length": 20_000})
    status: Mapped[str] = mapped_column(
        str_enum(*REVIEW_STATUSES, name="status"), default="submitted"
    )
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    conditions: Mapped[str | None] = mapped_column(sa.Text, info={"max_length": 5000})
    valid_until: Mapped[dt.date | None] = mapped_column(sa.Date)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship()

    __mapper_args__: dict[str, Any] = {"version_id_col": version}
