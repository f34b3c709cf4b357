"""The case file: a project and every record that belongs to it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from tracker.auth.models import Organization, User, Zone
from tracker.db import Model, UTCDateTime, db, str_enum, utcnow

SECURITY_LEVELS = ("general", "security", "sensitive")
PROJECT_STATUSES = ("active", "closed")
ASSET_KINDS = (
    "patent",
    "utility_model",
    "design",
    "trademark",
    "trade_secret",
    "know_how",
    "software",
    "data",
)
SENSITIVITIES = ("public", "confidential", "trade_secret")
NCT_STATUSES = ("not_nct", "pending", "nct_funded", "nct_private")
STRATEGIC_ITEM = ("no", "yes", "unknown")
DEADLINE_KINDS = ("priority", "pct", "national_phase", "annuity", "other")
DISCLOSURE_STATUSES = ("submitted", "accepted", "rejected", "needs_info")
NDA_STATUSES = ("draft", "active", "expired", "terminated")
REVIEW_STATUSES = ("draft", "submitted", "approved", "rejected")
RISK_LEVELS = ("low", "medium", "high", "critical")

project_partners = sa.Table(
    "project_partners",
    db.metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organization_id", sa.ForeignKey("organizations.id"), primary_key=True, index=True),
)

#: the ethical wall: a lawyer sees only the projects assigned here
project_lawyers = sa.Table(
    "project_lawyers",
    db.metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True, index=True),
)


class Project(Model):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    zone_id: Mapped[int] = mapped_column(sa.ForeignKey("zones.id"), index=True)
    #: the lead (Korean) company
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    start_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    end_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    budget_krw: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: national R&D security grade
    security_level: Mapped[str] = mapped_column(
        str_enum(*SECURITY_LEVELS, name="security_level"), default="general"
    )
    security_level_set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    security_level_set_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(
        str_enum(*PROJECT_STATUSES, name="status"), default="active", index=True
    )
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    zone: Mapped[Zone] = relationship()
    company: Mapped[Organization] = relationship()
    partners: Mapped[list[Organization]] = relationship(secondary=project_partners)
    lawyers: Mapped[list[User]] = relationship(secondary=project_lawyers)
    security_level_set_by: Mapped[User | None] = relationship(
        foreign_keys=[security_level_set_by_id]
    )
    #: the current risk level, loaded only by queries that ask for it
    #: (`with_expression(Project.risk_level, risk_level_expr(today))`)
    risk_level: Mapped[str | None] = query_expression()

    __mapper_args__: dict[str, Any] = {"version_id_col": version}

    @property
    def partner_ids(self) -> list[int]:
        return [p.id for p in self.partners]

    @property
    def lawyer_ids(self) -> list[int]:
        return [u.id for u in self.lawyers]


class IpAsset(Model):
    __tablename__ = "ip_assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[str] = mapped_column(str_enum(*ASSET_KINDS, name="kind"))
    sensitivity: Mapped[str] = mapped_column(str_enum(*SENSITIVITIES, name="sensitivity"))
    description: Mapped[str | None] = mapped_column(sa.Text)
    #: ISO 3166 alpha-2 codes (and "EP", "WO" for regional and PCT filings)
    jurisdictions: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    application_no: Mapped[str | None] = mapped_column(sa.String(100))
    filed_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    registration_no: Mapped[str | None] = mapped_column(sa.String(100))
    registered_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    #: national core technology status (Industrial Technology Protection Act)
    nct_status: Mapped[str] = mapped_column(
        str_enum(*NCT_STATUSES, name="nct_status"), default="not_nct"
    )
    #: the ministry's approval or the export report reference
    nct_ref: Mapped[str | None] = mapped_column(sa.String(100))
    #: strategic item under the Foreign Trade Act
    strategic_item: Mapped[str] = mapped_column(
        str_enum(*STRATEGIC_ITEM, name="strategic_item"), default="no"
    )
    export_licence_ref: Mapped[str | None] = mapped_column(sa.String(100))
    export_licence_until: Mapped[dt.date | None] = mapped_column(sa.Date)
    #: trade-secret originality certificate (registered hash and time of the files)
    originality_cert_no: Mapped[str | None] = mapped_column(sa.String(100))
    #: whether the documents carry a confidentiality marking
    confidentiality_marked: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: set on every change (also of owners or deadlines only, so the version moves on)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship()
    owners: Mapped[list[AssetOwner]] = relationship(
        cascade="all, delete-orphan", order_by="AssetOwner.organization_id"
    )
    deadlines: Mapped[list[AssetDeadline]] = relationship(
        cascade="all, delete-orphan", order_by="AssetDeadline.due_on"
    )

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class AssetOwner(Model):
    __tablename__ = "asset_owners"

    asset_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ip_assets.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id"), primary_key=True
    )
    share_pct: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2))

    organization: Mapped[Organization] = relationship(lazy="joined")


class AssetDeadline(Model):
    __tablename__ = "asset_deadlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ip_assets.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(str_enum(*DEADLINE_KINDS, name="kind"))
    due_on: Mapped[dt.date] = mapped_column(sa.Date, index=True)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    done: Mapped[bool] = mapped_column(default=False)


class Disclosure(Model):
    """An invention disclosure filed by a company for one of its projects."""

    __tablename__ = "disclosures"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text)
    conceived_on: Mapped[dt.date] = mapped_column(sa.Date)
    #: shown outside the company before filing (a novelty risk)
    disclosed_externally: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(
        str_enum(*DISCLOSURE_STATUSES, name="status"), default="submitted", index=True
    )
    filed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewer_note: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: the IP asset created when the disclosure was accepted
    asset_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ip_assets.id"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship()
    inventors: Mapped[list[Inventor]] = relationship(
        cascade="all, delete-orphan", order_by="Inventor.id"
    )

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class Inventor(Model):
    __tablename__ = "inventors"

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(
        sa.ForeignKey("disclosures.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    share_pct: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2))
    #: ISO 3166 alpha-2; a foreign co-inventor is flagged by nationality and employer
    nationality: Mapped[str | None] = mapped_column(sa.String(2))
    employer: Mapped[str | None] = mapped_column(sa.String(300))


nda_assets = sa.Table(
    "nda_assets",
    db.metadata,
    sa.Column("nda_id", sa.ForeignKey("ndas.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("asset_id", sa.ForeignKey("ip_assets.id"), primary_key=True, index=True),
)


class Nda(Model):
    __tablename__ = "ndas"
    #: the effective-status filters and `expiring_within_days` (status, then the expiry range)
    __table_args__ = (sa.Index("ix_ndas_status_expires_on", "status", "expires_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    signed_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    effective_on: Mapped[dt.date] = mapped_column(sa.Date)
    expires_on: Mapped[dt.date] = mapped_column(sa.Date, index=True)
    governing_law: Mapped[str | None] = mapped_column(sa.String(100))
    purpose: Mapped[str | None] = mapped_column(sa.Text)
    return_or_destroy: Mapped[bool] = mapped_column(default=False)
    audit_rights: Mapped[bool] = mapped_column(default=False)
    #: as recorded; an `active` NDA past its expiry date reads as `expired` (see `effective_status`)
    status: Mapped[str] = mapped_column(str_enum(*NDA_STATUSES, name="status"), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: set on every change (also of covered assets only, so the version moves on)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship()
    partner: Mapped[Organization] = relationship(lazy="joined")
    assets: Mapped[list[IpAsset]] = relationship(secondary=nda_assets, order_by="IpAsset.id")

    __mapper_args__: dict[str, Any] = {"version_id_col": version}

    @property
    def asset_ids(self) -> list[int]:
        return [a.id for a in self.assets]

    def effective_status(self, today: dt.date) -> str:
        if self.status == "active" and self.expires_on < today:
            return "expired"
        return self.status


class RiskReview(Model):
    __tablename__ = "risk_reviews"
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
    summary: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(
        str_enum(*REVIEW_STATUSES, name="status"), default="submitted"
    )
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    conditions: Mapped[str | None] = mapped_column(sa.Text)
    valid_until: Mapped[dt.date | None] = mapped_column(sa.Date)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship()

    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class AdvisorySession(Model):
    __tablename__ = "advisory_sessions"
    #: a project's sessions, latest first
    __table_args__ = (sa.Index("ix_advisory_sessions_project_held", "project_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    held_on: Mapped[dt.date] = mapped_column(sa.Date)
    duration_minutes: Mapped[int]
    attendees: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: advice for the client
    advice: Mapped[str] = mapped_column(sa.Text, default="")
    #: lawyers' work product: never leaves the lawyer role
    privileged_notes: Mapped[str] = mapped_column(sa.Text, default="")
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

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("advisory_sessions.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(300))
    owner: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[dt.date] = mapped_column(sa.Date, index=True)
    done: Mapped[bool] = mapped_column(default=False)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class SearchEntry(Model):
    """One searchable text of a record (see tracker.cases.search).

    The full-text index itself lives beside this table and is created by the migration per
    database: a generated `tsvector` column with a GIN index on PostgreSQL, an FTS5 table kept
    in step by triggers on SQLite. Privileged notes are never indexed.
    """

    __tablename__ = "search_entries"
    __table_args__ = (sa.UniqueConstraint("record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. "project", "asset", "nda", "disclosure", "session"
    record_type: Mapped[str] = mapped_column(sa.String(32))
    record_id: Mapped[int]
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    #: the policy action a user needs on the project to see this text
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
