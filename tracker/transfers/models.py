"""Requests to share technology with a foreign partner, and the operator's decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import KIND_USES, Organization, User
from tracker.cases.assets.models import IpAsset
from tracker.cases.projects.models import Project
from tracker.db import Model, UTCDateTime, db, str_enum, utcnow

CHANNELS = ("secure_platform", "encrypted_email", "email", "physical_media", "on_site", "oral")
TRANSFER_STATUSES = ("blocked", "pending_review", "approved", "denied")
UNDECIDED = ("blocked", "pending_review")

transfer_assets = sa.Table(
    "transfer_assets",
    db.metadata,
    sa.Column(
        "transfer_id", sa.ForeignKey("transfer_requests.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("asset_id", sa.ForeignKey("ip_assets.id"), primary_key=True, index=True),
)


class TransferRequest(Model):
    __tablename__ = "transfer_requests"
    #: the object type of its audit events (the API's resource name)
    __audit_type__ = "transfer"
    __table_args__ = (
        # the ledger and the zone's queue: approved/pending requests by date
        sa.Index("ix_transfer_requests_status_planned", "status", "planned_on"),
        sa.Index("ix_transfer_requests_project_created", "project_id", "created_at"),
        # the dashboard's queues of requests to decide and of one's own: by status, oldest first
        sa.Index("ix_transfer_requests_status_created", "status", "created_at", "id"),
        # the dashboard's counts of those queues: a status's requests by project, from the index
        sa.Index("ix_transfer_requests_status_project", "status", "project_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"))
    #: the foreign organisation that would receive the technology
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    purpose: Mapped[str] = mapped_column(sa.Text, info={"max_length": 5000})
    channel: Mapped[str] = mapped_column(str_enum(*CHANNELS, name="channel"))
    planned_on: Mapped[dt.date] = mapped_column(sa.Date, index=True)
    status: Mapped[str] = mapped_column(str_enum(*TRANSFER_STATUSES, name="status"))
    #: the gate's latest result: [{"code", "ok", "params"}]; the text is rendered per reader
    checks: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    checked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    decision_note: Mapped[str | None] = mapped_column(sa.Text, info={"max_length": 5000})
    #: the checks as they stood when the operator decided
    decision_checks: Mapped[list[dict[str, Any]] | None] = mapped_column(sa.JSON)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    project: Mapped[Project] = relationship()
    partner: Mapped[Organization] = relationship(lazy="joined")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    assets: Mapped[list[IpAsset]] = relationship(secondary=transfer_assets, order_by="IpAsset.id")
    files: Mapped[list[TransferFile]] = relationship(
        cascade="all, delete-orphan", order_by="TransferFile.id"
    )

    __mapper_args__: dict[str, Any] = {"version_id_col": version}

    @property
    def failed_checks(self) -> list[dict[str, Any]]:
        return [c for c in self.checks if not c["ok"]]


class TransferFile(Model):
    """An attachment named in a request, with its plaintext sha256 as it was at filing."""

    __tablename__ = "transfer_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("transfer_requests.id", ondelete="CASCADE"), index=True
    )
    #: the attachment's id; a plain integer (no foreign key) so the ledger outlives the file
    attachment_id: Mapped[int] = mapped_column(index=True)
    #: the attachment's version number at filing
    attachment_version: Mapped[int]
    filename: Mapped[str] = mapped_column(sa.String(255))
    size: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: sha256 of the plaintext at filing, sealed (see tracker.transfers.attachments)
    sha256_sealed: Mapped[bytes] = mapped_column(sa.LargeBinary(64))


def _partner_in_a_request(org_id: int) -> sa.Select[str]:
    named = sa.select(TransferRequest.project_id).where(TransferRequest.partner_id == org_id)
    return sa.select(Project.code).where(Project.id.in_(named))


KIND_USES["partner"].append(_partner_in_a_request)
