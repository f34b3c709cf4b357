"""Invention disclosures filed by a company, with their inventors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from tracker.cases.assets.models import IpAsset
from tracker.cases.projects.models import Project
from tracker.db import Model, UTCDateTime, str_enum, utcnow
from tracker.sealing import sealed_column

DISCLOSURE_STATUSES = ("submitted", "accepted", "rejected", "needs_info")


class Disclosure(Model):
    """An invention disclosure filed by a company for one of its projects."""

    __tablename__ = "disclosures"
    #: the object type of its audit events (the API's resource name)
    __audit_type__ = "disclosure"
    #: a project's disclosures in each order of its list (`status` has its own index)
    __table_args__ = (
        sa.Index("ix_disclosures_project_created", "project_id", "created_at"),
        sa.Index("ix_disclosures_project_title", "project_id", "title"),
        sa.Index("ix_disclosures_project_conceived", "project_id", "conceived_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = sealed_column(20_000, nullable=False)
    conceived_on: Mapped[dt.date] = mapped_column(sa.Date)
    #: shown outside the company before filing (a novelty risk)
    disclosed_externally: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(
        str_enum(*DISCLOSURE_STATUSES, name="status"), default="submitted", index=True
    )
    filed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewer_note: Mapped[str | None] = mapped_column(sa.Text, info={"max_length": 5000})
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


#: the accepted disclosure an asset was made from (None for an asset a lawyer recorded): read in
#: the asset's own SELECT, so a page of assets costs no statement more. The link goes this way
#: (the disclosure names its asset), so the invention's description stays with the disclosure.
IpAsset.disclosure_id = column_property(  # type: ignore[assignment]
    sa.select(Disclosure.id)
    .where(Disclosure.asset_id == IpAsset.id)
    .order_by(Disclosure.id)
    .limit(1)
    .correlate_except(Disclosure)
    .scalar_subquery()
)
