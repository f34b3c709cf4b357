"""Risk reviews: answers to the factor catalogue, the computed level, the decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from tracker.auth.models import User
from tracker.cases.projects.models import Project
from tracker.db import Model, UTCDateTime, str_enum, utcnow
from tracker.sealing import sealed_column

REVIEW_STATUSES = ("draft", "submitted", "approved", "rejected")


RISK_LEVELS = ("low", "medium", "high", "critical")


def _user_column(column: Any, user_id: Any) -> Any:
    """A user's column read in the review's own SELECT (no statement per review)."""
    return column_property(
        sa.select(column).where(User.id == user_id).correlate_except(User).scalar_subquery()
    )


class RiskReview(Model):
    __tablename__ = "risk_reviews"
    #: the object type of its audit events (the API's resource name)
    __audit_type__ = "risk_review"
    __table_args__ = (
        sa.Index("ix_risk_reviews_current", "project_id", "status", "valid_until"),
        #: a project's reviews, newest first
        sa.Index("ix_risk_reviews_project_created", "project_id", "created_at"),
        #: a project's reviews, sorted by score (or level, its band) or validity; by status
        #: ix_risk_reviews_current serves
        sa.Index("ix_risk_reviews_project_score", "project_id", "score"),
        sa.Index("ix_risk_reviews_project_valid", "project_id", "valid_until"),
        #: the portfolio's filters and sorts (`GET /api/v1/risk-reviews`)
        sa.Index("ix_risk_reviews_created", "created_at"),
        sa.Index("ix_risk_reviews_level", "level"),
        sa.Index("ix_risk_reviews_status_valid", "status", "valid_until"),
        sa.Index("ix_risk_reviews_score", "score"),
        #: the portfolio's count: the filed reviews and the reader's own drafts, from the index
        #: alone
        sa.Index("ix_risk_reviews_status_author", "status", "author_id"),
        #: the same for one level (`level=high`)
        sa.Index("ix_risk_reviews_level_status_author", "level", "status", "author_id"),
        #: only a draft may lack its result (it may not answer every factor yet)
        sa.CheckConstraint(
            "status = 'draft' OR (likelihood IS NOT NULL AND impact IS NOT NULL"
            " AND score IS NOT NULL AND level IS NOT NULL)",
            name="scored",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"))
    #: version of the factor catalogue the answers refer to
    catalogue_version: Mapped[str] = mapped_column(sa.String(20))
    #: factor code -> choice code; a draft's may leave factors out
    answers: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    #: the result; None only for a draft that does not answer every factor yet
    likelihood: Mapped[int | None]
    impact: Mapped[int | None]
    score: Mapped[int | None]
    level: Mapped[str | None] = mapped_column(str_enum(*RISK_LEVELS, name="level"))
    summary: Mapped[str | None] = mapped_column(sa.Text, info={"max_length": 20_000})
    #: a draft is its author's alone until submitted (`private_to`)
    status: Mapped[str] = mapped_column(
        str_enum(*REVIEW_STATUSES, name="status"), default="submitted"
    )
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    conditions: Mapped[str | None] = sealed_column(5000, nullable=True)
    valid_until: Mapped[dt.date | None] = mapped_column(sa.Date)
    version: Mapped[int] = mapped_column(default=1)
    #: when it was submitted (a draft: when it was last saved)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship()

    #: who wrote it and who decided it, read with the review
    author_name: Mapped[str] = _user_column(User.name, author_id)
    author_role: Mapped[str] = _user_column(User.role, author_id)
    reviewer_name: Mapped[str | None] = _user_column(User.name, reviewer_id)
    reviewer_role: Mapped[str | None] = _user_column(User.role, reviewer_id)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}

    @property
    def private_to(self) -> int | None:
        """The only user who may know of the review (its author, while a draft), or None."""
        return self.author_id if self.status == "draft" else None

    @classmethod
    def seen_by(cls, user_id: int) -> sa.ColumnElement[bool]:
        """The SQL condition of `private_to`: the reviews the user may know of."""
        return sa.or_(cls.status != "draft", cls.author_id == user_id)

    @property
    def author(self) -> dict[str, Any]:
        return {"id": self.author_id, "name": self.author_name, "role": self.author_role}

    @property
    def decided_by(self) -> dict[str, Any] | None:
        if self.reviewer_id is None:
            return None
        return {"id": self.reviewer_id, "name": self.reviewer_name, "role": self.reviewer_role}


class ProjectRiskLevel(Model):
    """A project's current risk level, stored: the level and validity of its latest approved
    review (one row per reviewed project), kept in step whenever a review is written
    (`tracker.cases.reviews.level`), so that filtering a list by level is an index lookup
    rather than a scan of every approved review. The level counts while `valid_until` has
    not passed."""

    __tablename__ = "project_risk_levels"
    __table_args__ = (
        #: `risk_level=high`: the projects of a level still valid, by project
        sa.Index("ix_project_risk_levels_level", "level", "valid_until", "project_id"),
        #: the deadline engine's review expiries, read within a window in due order
        sa.Index("ix_project_risk_levels_valid_until", "valid_until"),
        #: a zone's heat map: its levels still valid, counted by score from the index alone
        sa.Index(
            "ix_project_risk_levels_zone_scores", "zone_id", "valid_until", "likelihood", "impact"
        ),
    )

    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("risk_reviews.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(str_enum(*RISK_LEVELS, name="level"))
    valid_until: Mapped[dt.date] = mapped_column(sa.Date)
    #: copies, kept in step (`tracker.cases.reviews.level`): the project's zone and the
    #: review's scores, so that a zone's heat map is counted from an index
    zone_id: Mapped[int | None] = mapped_column()
    likelihood: Mapped[int | None] = mapped_column()
    impact: Mapped[int | None] = mapped_column()
