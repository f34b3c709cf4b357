"""The caller's notifications: the list (newest first), marking one or all read."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from tracker.api.common import PageArgs, page_of, user
from tracker.dashboard import notices

blp = Blueprint("api_notifications", __name__, url_prefix="/api/v1", description="Notifications")


class NoticeObjectSchema(Schema):
    type = fields.String(metadata={"description": "the record's type, as the audit trail's"})
    id = fields.Integer()
    label = fields.String(metadata={"description": "its name, as far as the caller may see it"})


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String(
        metadata={
            "description": "transfer_decided, review_decided, disclosure_decided, "
            "assigned_to_project or follow_up_assigned"
        }
    )
    object = fields.Nested(NoticeObjectSchema)
    project_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    read = fields.Boolean()


class NotificationArgs(PageArgs):
    unread = fields.Boolean(load_default=False)


@blp.route("/notifications", methods=["GET"])
@blp.arguments(NotificationArgs, location="query")
@blp.response(200, page_of(NotificationSchema))
def list_notifications(args: dict[str, Any]) -> Any:
    """The caller's notifications, newest first (`unread=true`: only those not read)."""
    return notices.page_of_notices(user(), args, unread=args["unread"])


@blp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@blp.response(204)
def read_notification(notification_id: int) -> Any:
    """Mark one of the caller's notifications read (another user's: 404)."""
    notices.mark_read(user(), notification_id)
    return None


@blp.route("/notifications/read", methods=["POST"])
@blp.response(204)
def read_all_notifications() -> Any:
    """Mark every notification of the caller read."""
    notices.mark_all_read(user())
    return None
