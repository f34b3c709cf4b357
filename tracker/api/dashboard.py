"""GET /api/v1/dashboard: the caller's deadlines, queues, heat map and counts."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify
from flask_babel import get_locale
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from tracker import clock
from tracker.api.common import user
from tracker.api.deadlines import DeadlineSchema
from tracker.api.plain import dumper
from tracker.dashboard.service import build_dashboard
from tracker.db import KeptWhileUnchanged
from tracker.i18n import reader_today
from tracker.records.work import user_key

blp = Blueprint("api_dashboard", __name__, url_prefix="/api/v1", description="Dashboard")


class CheckSchema(Schema):
    code = fields.String()
    ok = fields.Boolean()
    detail = fields.String()


class QueueItemSchema(Schema):
    type = fields.String(
        metadata={"description": "disclosure, risk_review, transfer, follow_up or project"}
    )
    id = fields.Integer()
    project_id = fields.Integer()
    title = fields.String()
    since = fields.String(
        metadata={"description": "date or time the item waits since (a follow-up: its due date)"}
    )
    level = fields.String(metadata={"description": "risk_review: the level it scored"})
    session_id = fields.Integer(metadata={"description": "follow_up: its advisory session"})
    owner = fields.String(metadata={"description": "follow_up: who owns it"})
    status = fields.String(metadata={"description": "transfer: blocked or pending_review"})
    planned_on = fields.Date(metadata={"description": "transfer: the planned date"})
    failed_checks = fields.List(fields.Nested(CheckSchema), metadata={"description": "transfer"})


def _queue() -> fields.List:
    return fields.List(fields.Nested(QueueItemSchema))


class QueuesSchema(Schema):
    disclosures_to_decide = _queue()
    reviews_to_decide = _queue()
    transfers_to_decide = _queue()
    my_requests = _queue()
    overdue_follow_ups = _queue()
    projects_without_current_review = _queue()


class ZoneCountSchema(Schema):
    zone_id = fields.Integer()
    code = fields.String()
    name_en = fields.String()
    name_ko = fields.String()
    projects = fields.Integer()
    without_current_review = fields.Integer()
    high_or_critical = fields.Integer()
    transfers_to_decide = fields.Integer(
        metadata={"description": "requests recorded as pending_review (not for admins)"}
    )
    transfers_blocked = fields.Integer(
        metadata={"description": "requests recorded as blocked (not for admins)"}
    )


class CountsSchema(Schema):
    disclosures_to_decide = fields.Integer()
    reviews_to_decide = fields.Integer()
    transfers_to_decide = fields.Integer()
    my_requests = fields.Integer()
    overdue_follow_ups = fields.Integer()
    projects_without_current_review = fields.Integer()
    zones = fields.List(fields.Nested(ZoneCountSchema), metadata={"description": "admin, auditor"})
    unread_notifications = fields.Integer(metadata={"description": "the caller's, not yet read"})


class HeatMapSchema(Schema):
    cells = fields.List(
        fields.List(fields.Integer()),
        metadata={"description": "rows likelihood 1-5, columns impact 1-5: projects per cell"},
    )
    unreviewed = fields.Integer()


class DashboardSchema(Schema):
    role = fields.String()
    deadlines = fields.List(fields.Nested(DeadlineSchema))
    queues = fields.Nested(QueuesSchema, metadata={"description": "only the caller's role's"})
    heat_map = fields.Nested(HeatMapSchema, allow_none=True)
    counts = fields.Nested(CountsSchema)


@blp.route("/dashboard", methods=["GET"])
@blp.response(200, DashboardSchema)
def dashboard() -> Any:
    """The caller's work: deadlines, the queues of the caller's role (each filtered by the
    policy), the heat map (operators: their zone; admins and auditors: all) and counts."""
    caller = user()
    today = clock.today()
    key = (*user_key(caller, today), reader_today(caller), str(get_locale()))
    body = _KEPT.get(key, lambda: jsonify(_dump(build_dashboard(caller, today))).get_data())
    return current_app.response_class(body, mimetype="application/json")


#: each caller's dashboard (the JSON) while nothing is committed to the database: a
#: dashboard is a few hundred rows of the caller's whole scope, the same until something
#: changes, and asked for again and again. One is 10-150 KB: at most 64 callers and 4 MiB in
#: all per process (64 of the largest would be ~10 MiB); a commit empties it
_KEPT: KeptWhileUnchanged[bytes] = KeptWhileUnchanged(64, max_weight=4 << 20, weigh=len)


#: the schema's dump of the dashboard's plain dicts, compiled once (its several hundred items
#: went through marshmallow's per-value machinery: a third of the request)
_dump = dumper(DashboardSchema())
