"""Filings of an IP asset (one per office), their events and their derived deadlines."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from tracker.cases.assets.filing_rules import EVENT_KINDS, FILING_KINDS, ROUTES, STATUSES
from tracker.cases.assets.models import NEXT_DUE_OWNERS, IpAsset
from tracker.db import Model, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from tracker.cases.projects.models import Project

#: the routes that need a parent filing, and the office the parent must be at (None: any)
PARENT_OFFICE: dict[str, str | None] = {"paris": None, "national_phase": "WO", "validation": "EP"}
#: the route the parent of a route must have (a national phase enters from the PCT filing)
PARENT_ROUTE: dict[str, str] = {"national_phase": "pct"}
#: a filing in one of these derives nothing more
ENDED = ("refused", "withdrawn", "lapsed", "expired")


class Filing(Model):
    """One application of an asset at one office (the first filing, the PCT application, a
    national phase, a validation...). Every derived date belongs to one filing."""

    __tablename__ = "filings"
    __audit_type__ = "filing"
    __table_args__ = (sa.Index("ix_filings_asset_id_filed_on", "asset_id", "filed_on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(sa.ForeignKey("ip_assets.id", ondelete="CASCADE"))
    #: ISO 3166 alpha-2, or EP (EPO), WO (PCT), EM (EUIPO), WIPO (Madrid/Hague)
    office: Mapped[str] = mapped_column(sa.String(4), index=True)
    route: Mapped[str] = mapped_column(str_enum(*ROUTES, name="route"))
    #: the filing this one claims priority from, enters from (PCT) or validates (EP)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("filings.id"), index=True)
    application_no: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    registration_no: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    filed_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    #: the earliest priority date this filing claims
    priority_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    published_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    examination_requested_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    #: the decision to grant (or register): the fee after allowance runs from it
    allowed_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    registered_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(str_enum(*STATUSES, name="status"), default="pending")
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    asset: Mapped[IpAsset] = relationship(back_populates="filings")
    events: Mapped[list[FilingEvent]] = relationship(
        cascade="all, delete-orphan", order_by="(FilingEvent.on, FilingEvent.id)"
    )
    deadlines: Mapped[list[FilingDeadlineRow]] = relationship(
        cascade="all, delete-orphan", order_by="(FilingDeadlineRow.due_on, FilingDeadlineRow.key)"
    )

    __mapper_args__: dict[str, Any] = {"version_id_col": version}

    #: the asset's project (scope is about projects), read with the row
    project_id: Mapped[int] = column_property(
        sa.select(IpAsset.project_id).where(IpAsset.id == asset_id).scalar_subquery()
    )

    @property
    def project(self) -> Project:
        """The asset's project (scope is about projects)."""
        return self.asset.project


class FilingEvent(Model):
    """Something that happened at the office (an office action, a response, a fee paid...);
    its audit events are filed against its filing (`__audit_parent__`)."""

    __tablename__ = "filing_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(
        sa.ForeignKey("filings.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(str_enum(*EVENT_KINDS, name="kind"))
    on: Mapped[dt.date] = mapped_column(sa.Date)
    #: the date the office named (an office action's response period), else the rule's
    due_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class FilingDeadlineRow(Model):
    """A deadline the filing rules derive for a filing (`tracker.cases.filings.derived`),
    rewritten whenever the family changes; `key` names it within the filing across
    recomputations, so its `done` mark survives one that leaves the date where it was."""

    __tablename__ = "filing_deadlines"
    __table_args__ = (sa.UniqueConstraint("filing_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(
        sa.ForeignKey("filings.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(str_enum(*FILING_KINDS, name="kind"))
    due_on: Mapped[dt.date] = mapped_column(sa.Date, index=True)
    #: the last day the act can still be done late (with a surcharge); None: no grace
    grace_until: Mapped[dt.date | None] = mapped_column(sa.Date)
    #: the rule id with the catalogue version
    rule: Mapped[str] = mapped_column(sa.String(80))
    office: Mapped[str] = mapped_column(sa.String(4))
    #: the fee year (annuities, renewals)
    year: Mapped[int | None] = mapped_column()
    #: closed by an event (a response filed, a fee paid, an office already entered)
    closed: Mapped[bool] = mapped_column(default=False)
    #: marked done by a lawyer
    done: Mapped[bool] = mapped_column(default=False)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


#: an asset's filings (declared here, beside the model; `IpAsset.filings`)
IpAsset.filings = relationship(  # type: ignore[assignment]
    Filing,
    back_populates="asset",
    order_by=(Filing.filed_on, Filing.id),
    cascade="all, delete-orphan",
    passive_deletes=True,
)


def _asset_of_filing(_session: sa.orm.Session, filing: Filing) -> IpAsset | None:
    return filing.asset


def _asset_of_deadline(session: sa.orm.Session, row: FilingDeadlineRow) -> IpAsset | None:
    filing = None if row.filing_id is None else session.get(Filing, row.filing_id)
    return None if filing is None else _asset_of_filing(session, filing)


#: a filing's deadlines count towards its asset's `next_due_on` (the portfolio's sort)
NEXT_DUE_OWNERS[Filing] = _asset_of_filing
NEXT_DUE_OWNERS[FilingDeadlineRow] = _asset_of_deadline
