"""The append-only, hash-chained audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Model, UTCDateTime

GENESIS_MAC = "0" * 64
#: how an event's MAC input is encoded: the first events' JSON object (re-encoded to check)
FORM_JSON = 1
#: length-prefixed fields with the detail's stored text as it is (tracker.audit.service.body)
FORM_FIELDS = 2


class AuditEvent(Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_object", "object_type", "object_id"),
        # a filter or a sort by these, newest first or ties by the chain's order, reads its
        # page in index order (migration 0026)
        sa.Index("ix_audit_events_actor_seq", "actor_id", "seq"),
        sa.Index("ix_audit_events_action_seq", "action", "seq"),
        sa.Index("ix_audit_events_at_seq", "at", "seq"),
        # the queue the sealer reads: unsealed events in append order
        sa.Index(
            "ix_audit_events_unsealed",
            "id",
            postgresql_where=sa.text("seq IS NULL"),
            sqlite_where=sa.text("seq IS NULL"),
        ),
    )

    #: taken from the database's sequence at the append, in the writer's own transaction: the
    #: order in which the sealer takes committed events into the chain
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the place in the chain, given when the event is sealed (None until then): contiguous
    #: from 1, so a gap shows a deleted event
    seq: Mapped[int | None] = mapped_column(sa.BigInteger, unique=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str | None] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    #: client address of the request, if any
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    #: small JSON detail: never secrets or privileged text
    detail: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: sealed: HMAC-SHA256(audit key, previous mac ‖ canonical event), hex; unsealed: the
    #: writer's HMAC of the event without its place (the sealer seals nothing else)
    mac: Mapped[str] = mapped_column(sa.String(64))
    #: FORM_JSON or FORM_FIELDS: how the MAC input is encoded
    form: Mapped[int] = mapped_column(sa.SmallInteger, default=FORM_FIELDS)


class AuditHead(Model):
    """The single chain-head row: the last sealed event. Only the sealer (holding the seal
    lock) moves it, so the chain never forks."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    mac: Mapped[str] = mapped_column(sa.String(64))
