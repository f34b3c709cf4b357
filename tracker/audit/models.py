"""The append-only, hash-chained audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Model, UTCDateTime

GENESIS_MAC = "0" * 64


class AuditEvent(Model):
    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: contiguous from 1; a gap shows a deleted event
    seq: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    #: client address of the request, if any
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    #: small JSON detail: never secrets or privileged text
    detail: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: HMAC-SHA256(audit key, previous mac ‖ canonical event), hex
    mac: Mapped[str] = mapped_column(sa.String(64))


class AuditHead(Model):
    """The single chain-head row; appends lock it, so the chain never forks."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    mac: Mapped[str] = mapped_column(sa.String(64))
