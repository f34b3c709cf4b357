"""Appending to the audit trail and recomputing its chain."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_login import current_user

from tracker.audit.models import AuditEvent, AuditHead
from tracker.db import db, utcnow


def canonical(event: AuditEvent) -> bytes:
    """The bytes the MAC covers: every field but the id and the MAC itself."""
    body = {
        "seq": event.seq,
        "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "ip": event.ip,
        "detail": event.detail or {},
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_mac(key: bytes, previous_mac: str, event: AuditEvent) -> str:
    return hmac.new(key, bytes.fromhex(previous_mac) + canonical(event), hashlib.sha256).hexdigest()


def _audit_key() -> bytes:
    key: bytes = current_app.extensions["tracker_keys"].audit_key
    return key


def _client_address() -> str | None:
    return request.remote_addr if has_request_context() else None


def _current_actor_id() -> int | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return int(current_user.id)
    return None


_UNSET: Any = object()


def record(
    action: str,
    obj: Any = None,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    actor_id: int | None = _UNSET,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (flushed, not committed).

    `obj` may be any model instance with an `id`; its table name becomes the object type.
    The actor defaults to the signed-in user. Never put secrets or privileged text in `detail`.
    """
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = obj.id
    head = db.session.execute(
        sa.select(AuditHead)
        .where(AuditHead.id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    event = AuditEvent(
        seq=head.seq + 1,
        at=utcnow(),
        actor_id=_current_actor_id() if actor_id is _UNSET else actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        ip=_client_address(),
        detail=detail or {},
    )
    event.mac = compute_mac(_audit_key(), head.mac, event)
    head.seq, head.mac = event.seq, event.mac
    db.session.add(event)
    db.session.flush()
    return event
