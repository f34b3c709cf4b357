"""The NDA register: agreements with a foreign partner and the assets they cover."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import KIND_USES, Organization
from tracker.cases.assets.models import IpAsset
from tracker.cases.projects.models import Project
from tracker.cases.projects.zone_copy import keep_zone_copy
from tracker.db import Model, UTCDateTime, db, str_enum, utcnow

NDA_STATUSES = ("draft", "active", "expired", "terminated")


nda_assets = sa.Table(
    "nda_assets",
    db.metadata,
    sa.Column("nda_id", sa.ForeignKey("ndas.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("asset_id", sa.ForeignKey("ip_assets.id"), primary_key=True, index=True),
)


class Nda(Model):
    __tablename__ = "ndas"
    #: the object type of its audit events (the API's resource name)
    __audit_type__ = "nda"
    #: the effective-status filters and `expiring_within_days` (status, then the expiry range;
    #: the project too, so that counting the NDAs of visible projects reads the index only)
    __table_args__ = (
        sa.Index("ix_ndas_status_expires_project", "status", "expires_on", "project_id"),
        #: the lists' sorts (`expires_on` has its own index, a partner's name its own)
        sa.Index("ix_ndas_effective", "effective_on", "id"),
        sa.Index("ix_ndas_signed", "signed_on", "id"),
        #: a zone's active NDAs by expiry (the deadline engine's part for an operator)
        sa.Index("ix_ndas_zone_status_expires", "zone_id", "status", "expires_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    #: its project's zone, copied (kept in step by `keep_zone_copy` below, like
    #: `IpAsset.zone_id`) so that a zone's NDAs are read from one index; the scope still asks
    #: the project (a copy: no foreign key)
    zone_id: Mapped[int | None] = mapped_column()
    signed_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    effective_on: Mapped[dt.date] = mapped_column(sa.Date)
    expires_on: Mapped[dt.date] = mapped_column(sa.Date, index=True)
    governing_law: Mapped[str | None] = mapped_column(sa.String(100))
    purpose: Mapped[str | None] = mapped_column(sa.Text, info={"max_length": 10_000})
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


def _partner_in_an_nda(org_id: int) -> sa.Select[str]:
    named = sa.select(Nda.project_id).where(Nda.partner_id == org_id)
    return sa.select(Project.code).where(Project.id.in_(named))


KIND_USES["partner"].append(_partner_in_an_nda)


keep_zone_copy(Nda)
