"""IP assets of a project: owners, deadlines, regulatory status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import Organization
from tracker.cases.projects.models import Project
from tracker.cases.projects.zone_copy import keep_zone_copy
from tracker.db import Model, UTCDateTime, str_enum, utcnow
from tracker.sealing import sealed_column

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


#: "unknown": not yet determined (an asset made from an accepted disclosure before the lawyer
#: sets it); the gate fails on it
NCT_STATUSES = ("not_nct", "pending", "nct_funded", "nct_private", "unknown")


STRATEGIC_ITEM = ("no", "yes", "unknown")


DEADLINE_KINDS = ("priority", "pct", "national_phase", "annuity", "other")


class IpAsset(Model):
    __tablename__ = "ip_assets"
    #: the object type of its audit events (the API's resource name)
    __audit_type__ = "asset"
    #: the portfolio's filters and sorts (`GET /api/v1/assets`)
    __table_args__ = (
        sa.Index("ix_ip_assets_title", "title", "id"),
        sa.Index("ix_ip_assets_kind", "kind", "title"),
        sa.Index("ix_ip_assets_sensitivity", "sensitivity"),
        sa.Index("ix_ip_assets_nct_status", "nct_status"),
        sa.Index("ix_ip_assets_next_due", "next_due_on", "id"),
        #: a project's asset list, sorted (`/projects/<id>/assets?sort=`)
        sa.Index("ix_ip_assets_project_title", "project_id", "title"),
        sa.Index("ix_ip_assets_project_kind", "project_id", "kind"),
        sa.Index("ix_ip_assets_project_sensitivity", "project_id", "sensitivity"),
        sa.Index("ix_ip_assets_project_nct_status", "project_id", "nct_status"),
        sa.Index("ix_ip_assets_project_next_due", "project_id", "next_due_on"),
        #: an operator's portfolio (the zone's assets by title): the zone first, the project
        #: beside it so the scope's check reads the index alone
        sa.Index("ix_ip_assets_zone_title", "zone_id", "title", "id", "project_id"),
        #: the deadline engine's NCT review and licence expiry parts read only the rows within
        #: a deadline window, in due order (`tracker.deadlines.service`)
        sa.Index("ix_ip_assets_nct_filed_on", "nct_filed_on"),
        sa.Index("ix_ip_assets_licence_until", "export_licence_until"),
        #: the same part for an operator: the zone's licences in due order (`zone_id` a copy)
        sa.Index("ix_ip_assets_zone_licence_until", "zone_id", "export_licence_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    #: its project's zone, copied (kept in step by `keep_zone_copy` below) so that a zone's
    #: portfolio walks one index from the zone; the scope still asks the project (a copy, so
    #: no foreign key)
    zone_id: Mapped[int | None] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[str] = mapped_column(str_enum(*ASSET_KINDS, name="kind"))
    sensitivity: Mapped[str] = mapped_column(str_enum(*SENSITIVITIES, name="sensitivity"))
    description: Mapped[str | None] = sealed_column(20_000, nullable=True)
    #: ISO 3166 alpha-2 codes (and "EP", "WO" for regional and PCT filings)
    jurisdictions: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    application_no: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    filed_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    registration_no: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    registered_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    #: the earliest priority date claimed (docketing rules count from it, else from filed_on)
    priority_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    #: national core technology status (Industrial Technology Protection Act)
    nct_status: Mapped[str] = mapped_column(
        str_enum(*NCT_STATUSES, name="nct_status"), default="not_nct"
    )
    #: the ministry's approval or the export report reference
    nct_ref: Mapped[str | None] = mapped_column(sa.String(100))
    #: when the export approval was applied for or the export report filed: the ministry's
    #: 45-day review clock runs from here until `nct_ref` is recorded
    nct_filed_on: Mapped[dt.date | None] = mapped_column(sa.Date)
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
    #: the docketing catalogue version `derived_deadlines` were computed with (None: never)
    docketed_with: Mapped[str | None] = mapped_column(sa.String(40))
    #: the earliest deadline not yet done, entered or derived (kept in step on every flush by
    #: `_keep_next_due_on` below): the portfolio sorts by it from an index
    next_due_on: Mapped[dt.date | None] = mapped_column(sa.Date)
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
    #: the deadlines the docketing rules derive from the dates above (kept in step on save)
    derived_deadlines: Mapped[list[DerivedDeadline]] = relationship(
        cascade="all, delete-orphan", order_by="(DerivedDeadline.due_on, DerivedDeadline.key)"
    )

    __mapper_args__: dict[str, Any] = {"version_id_col": version}

    if TYPE_CHECKING:
        #: the accepted disclosure this asset was made from (declared in disclosures/models.py)
        disclosure_id: int | None
        #: its filings, one per office (declared in tracker/cases/filings/models.py)
        filings: list[Any]


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


DERIVED_KINDS = ("ip_priority", "ip_pct", "ip_national_phase", "ip_annuity")


class DerivedDeadline(Model):
    """A deadline a docketing rule derives from an asset's dates (tracker/cases/assets/docketing).

    Rewritten whenever those dates change (`tracker.cases.assets.derived.sync`); `key` names
    the deadline within the asset across recomputations, so its `done` mark survives a
    recomputation that leaves the date where it was (a moved date is a new deadline: not done).
    """

    __tablename__ = "asset_derived_deadlines"
    __table_args__ = (sa.UniqueConstraint("asset_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ip_assets.id", ondelete="CASCADE"), index=True
    )
    #: "priority", "pct", "national_phase:EP", "annuity:KR:4"
    key: Mapped[str] = mapped_column(sa.String(60))
    kind: Mapped[str] = mapped_column(str_enum(*DERIVED_KINDS, name="kind"))
    due_on: Mapped[dt.date] = mapped_column(sa.Date, index=True)
    #: the rule id with the catalogue version, e.g. "annuity.kr@2026.1"
    rule: Mapped[str] = mapped_column(sa.String(80))
    done: Mapped[bool] = mapped_column(default=False)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


def open_due_on(asset: IpAsset) -> dt.date | None:
    """The asset's earliest deadline not yet done: entered by hand, derived from its dates,
    or derived for one of its filings (and not closed by an event there)."""
    entered = [d.due_on for d in asset.deadlines if not d.done]
    derived = [d.due_on for d in asset.derived_deadlines if not d.done]
    filed = [
        d.due_on
        for filing in getattr(asset, "filings", ())
        for d in filing.deadlines
        if not d.done and not d.closed
    ]
    return min(entered + derived + filed, default=None)


#: for each model whose rows are (or lead to) an asset's deadlines: the asset a changed row
#: belongs to (the filings package adds its own; `_keep_next_due_on` reads this)
NEXT_DUE_OWNERS: dict[type, Callable[[sa.orm.Session, Any], IpAsset | None]] = {}


def _by_asset_id(session: sa.orm.Session, row: Any) -> IpAsset | None:
    return None if row.asset_id is None else session.get(IpAsset, row.asset_id)


NEXT_DUE_OWNERS[AssetDeadline] = _by_asset_id
NEXT_DUE_OWNERS[DerivedDeadline] = _by_asset_id


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _keep_next_due_on(session: sa.orm.Session, _context: Any, _instances: Any) -> None:
    """Every flush that adds, changes or removes an asset's deadlines (or a done mark) sets
    the asset's `next_due_on` again, whichever service or command made the change."""
    assets: set[IpAsset] = set()
    with session.no_autoflush:
        for obj in (*session.new, *session.dirty, *session.deleted):
            if isinstance(obj, IpAsset):
                assets.add(obj)
                continue
            owner_of = NEXT_DUE_OWNERS.get(type(obj))
            owner = owner_of(session, obj) if owner_of is not None else None
            if owner is not None:
                assets.add(owner)
        for asset in assets - set(session.deleted):
            due = open_due_on(asset)
            if asset.next_due_on != due:
                asset.next_due_on = due


keep_zone_copy(IpAsset)
