"""The case file: a project, its partners and its assigned lawyers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from tracker.auth.models import KIND_USES, Organization, User, Zone
from tracker.db import Model, UTCDateTime, db, str_enum, utcnow

SECURITY_LEVELS = ("general", "security", "sensitive")


PROJECT_STATUSES = ("active", "closed")


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
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True),
    #: a lawyer's projects from the index alone (`policy.visible_projects`)
    sa.Index("ix_project_lawyers_user_id_project_id", "user_id", "project_id"),
)


class Project(Model):
    __tablename__ = "projects"
    #: the object type of its audit events (the API's resource name)
    __audit_type__ = "project"
    __table_args__ = (
        # a zone's active projects in code order, and their count, from the index alone (the
        # operator's queue of projects without a current review; the id too, so that
        # PostgreSQL reads a zone's project ids from the index alone, as SQLite does)
        sa.Index("ix_projects_zone_status_code_id", "zone_id", "status", "code", "id"),
        #: a zone's project ends in due order (the deadline engine's part for an operator)
        sa.Index("ix_projects_zone_end_date", "zone_id", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    zone_id: Mapped[int] = mapped_column(sa.ForeignKey("zones.id"), index=True)
    #: the lead (Korean) company
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    start_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    #: indexed for the deadline engine's project ends (read within a window, in due order)
    end_date: Mapped[dt.date | None] = mapped_column(sa.Date, index=True)
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
    #: partners and lawyers in id order (the page, the API's ids and every loader alike;
    #: without an order they came in whatever order the database read them)
    partners: Mapped[list[Organization]] = relationship(
        secondary=project_partners, order_by=Organization.id
    )
    lawyers: Mapped[list[User]] = relationship(secondary=project_lawyers, order_by=User.id)
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


def _led_by(org_id: int) -> sa.Select[str]:
    return sa.select(Project.code).where(Project.company_id == org_id)


def _partnered_by(org_id: int) -> sa.Select[str]:
    partnered = sa.select(project_partners.c.project_id).where(
        project_partners.c.organization_id == org_id
    )
    return sa.select(Project.code).where(Project.id.in_(partnered))


KIND_USES["company"].append(_led_by)
KIND_USES["partner"].append(_partnered_by)
