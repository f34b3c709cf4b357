"""The audit trail for oversight: admins and auditors see every event, lawyers their own."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from tracker import policy
from tracker.api.common import ListArgs, page_of, user
from tracker.audit import service
from tracker.audit.models import AuditEvent
from tracker.db import text_limit
from tracker.oversight import export, trail
from tracker.web import sorting
from tracker.web.lean import dump_names, page_response

blp = Blueprint("api_audit", __name__, url_prefix="/api/v1", description="Audit trail")


class ActorSchema(Schema):
    id = fields.Integer()
    name = fields.String(allow_none=True)
    role = fields.String(allow_none=True)


class ObjectSchema(Schema):
    type = fields.String()
    id = fields.Integer(allow_none=True)
    #: what the reader may see of the record (its name), else its kind
    label = fields.String()


class AuditEventSchema(Schema):
    """An event; `object_type`/`object_id` as resource names (rows written under the old
    table names are translated on read, `tracker.audit.types`)."""

    id = fields.Integer()
    seq = fields.Integer()
    at = fields.AwareDateTime()
    actor_id = fields.Integer(allow_none=True)
    action = fields.String()
    object_type = fields.String(allow_none=True)
    object_id = fields.Integer(allow_none=True)
    ip = fields.String(allow_none=True)
    detail = fields.Dict()
    mac = fields.String()
    actor = fields.Nested(ActorSchema, allow_none=True)
    object = fields.Nested(ObjectSchema, allow_none=True)


#: the fields an event is written with (the schema's, in its order)
EVENT_FIELDS = dump_names(AuditEventSchema)


def _utc_representable(value: dt.datetime) -> None:
    """The filter is compared in UTC: 0001-01-01T00:00+14:00 has no UTC time (a 500 before)."""
    try:
        value.astimezone(dt.UTC)
    except OverflowError as exc:
        raise ValidationError("Time out of range.") from exc


class AuditFilterArgs(ListArgs):
    actor_id = fields.Integer()
    action = fields.String(validate=validate.Length(min=1, max=text_limit(AuditEvent.action)))
    object_type = fields.String(
        validate=validate.Length(min=1, max=text_limit(AuditEvent.object_type))
    )
    object_id = fields.Integer()
    since = fields.AwareDateTime(format="iso", validate=_utc_representable)
    until = fields.AwareDateTime(format="iso", validate=_utc_representable)
    #: none: newest first (the chain's order)
    sort = sorting.sort_field(service.SORTS, None)


@blp.route("/audit", methods=["GET"])
@blp.arguments(AuditFilterArgs, location="query")
@blp.response(200, page_of(AuditEventSchema))
def list_audit_events(args: dict[str, Any]) -> Any:
    """Events, newest first; filters `actor_id`, `action`, `object_type`, `object_id`,
    `since`, `until` (ISO 8601 with offset); `sort` `at`, `actor`, `action`, `-` first for
    descending. `format=csv|xlsx`: every matching event as a
    download with named, translated columns (as the audit page exports), audited.
    `total` counts the whole trail, or the filtered events exactly up to 1,000; beyond, it is
    an estimate (`total_estimated`)."""
    reader = user()
    filters = service.AuditFilters.of(args)
    fmt = args.get("format", "json")
    if fmt != "json":
        asked = {k: v for k, v in args.items() if k not in ("format", "page", "per_page")}
        return export.download_trail(reader, filters, fmt, asked)
    found = trail.page(reader, filters, args, policy.audit_reader(reader), links=False)
    # written from the page's plain rows (`tracker.web.lean`); the schema documents them
    found["items"] = [trail.as_json(e) for e in found["items"]]
    return page_response(found, EVENT_FIELDS)
