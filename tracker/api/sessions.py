"""Advisory sessions: lawyers write; companies read the advice; privileged notes stay with lawyers.

`privileged_notes` is absent (not null) from every response to anyone the policy does not allow
`session.view_privileged`: the detail schema drops the key itself, whoever calls it.
"""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_smorest import Blueprint
from marshmallow import Schema, fields, post_dump, validate

from tracker import policy
from tracker.api.common import ListArgs, allowed_on, page_of, page_or_download, user
from tracker.cases.projects.models import Project
from tracker.cases.sessions import service as advice
from tracker.cases.sessions.models import AdvisorySession, FollowUp
from tracker.db import text_limit
from tracker.policy import project_or_404, record_or_404
from tracker.web import sorting

blp = Blueprint("api_sessions", __name__, url_prefix="/api/v1", description="Advisory sessions")

ADVICE = validate.Length(max=text_limit(AdvisorySession.advice))
NOTES = validate.Length(max=text_limit(AdvisorySession.privileged_notes))
LIST_ITEM = validate.Length(min=1, max=advice.LIST_ITEM_MAX)


class FollowUpSchema(Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String(
        required=True, validate=validate.Length(min=1, max=text_limit(FollowUp.title))
    )
    owner = fields.String(
        required=True, validate=validate.Length(min=1, max=text_limit(FollowUp.owner))
    )
    due_on = fields.Date(required=True)
    done = fields.Boolean(dump_only=True)
    done_at = fields.AwareDateTime(dump_only=True, allow_none=True)


class FollowUpDoneSchema(Schema):
    done = fields.Boolean(required=True)


class AdvisorySessionSummarySchema(Schema):
    """What a client may read: everything but the privileged notes."""

    id = fields.Integer(dump_only=True)
    project_id = fields.Integer(dump_only=True)
    held_on = fields.Date(required=True)
    duration_minutes = fields.Integer(
        required=True, validate=validate.Range(min=1, max=advice.MAX_DURATION)
    )
    attendees = fields.List(fields.String(validate=LIST_ITEM), load_default=list)
    topics = fields.List(fields.String(validate=LIST_ITEM), load_default=list)
    advice = fields.String(load_default="", validate=ADVICE)
    follow_ups = fields.List(fields.Nested(FollowUpSchema), load_default=list)
    lawyer_id = fields.Integer(dump_only=True)
    version = fields.Integer(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)


class AdvisorySessionSchema(AdvisorySessionSummarySchema):
    #: lawyers' work product: absent from every response to a non-lawyer
    privileged_notes = fields.String(load_default="", validate=NOTES)

    @post_dump(pass_original=True)
    def _privileged_only_for_lawyers(self, data: dict[str, Any], original: Any, **_: Any) -> Any:
        if not policy.can(user(), "session.view_privileged", original):
            data.pop("privileged_notes", None)
        return data


class AdvisorySessionPatchSchema(Schema):
    version = fields.Integer(strict=True, required=True)
    held_on = fields.Date()
    duration_minutes = fields.Integer(validate=validate.Range(min=1, max=advice.MAX_DURATION))
    attendees = fields.List(fields.String(validate=LIST_ITEM))
    topics = fields.List(fields.String(validate=LIST_ITEM))
    advice = fields.String(validate=ADVICE)
    privileged_notes = fields.String(validate=NOTES)
    #: follow-ups to add
    follow_ups = fields.List(fields.Nested(FollowUpSchema))


def _session(session_id: int, action: str) -> AdvisorySession:
    session = record_or_404(user(), AdvisorySession, session_id)
    policy.require(user(), action, session)
    return session


class SessionListArgs(ListArgs):
    sort = sorting.sort_field(advice.SORTS, "-held_on")


@blp.route("/projects/<int:project_id>/sessions", methods=["GET"])
@blp.arguments(SessionListArgs, location="query")
@blp.response(200, page_of(AdvisorySessionSummarySchema))
def list_sessions(args: dict[str, Any], project_id: int) -> Any:
    project = project_or_404(user(), project_id)
    policy.require(user(), "session.view_advice", project)
    # downloads use the client's schema: never privileged notes, whoever asks
    return page_or_download(
        advice.sessions_query(project, args["sort"]),
        args,
        AdvisorySessionSummarySchema(),
        "sessions",
        project,
    )


@blp.route("/projects/<int:project_id>/sessions", methods=["POST"])
@allowed_on("session.write")
@blp.arguments(AdvisorySessionSchema)
@blp.response(201, AdvisorySessionSchema)
def record_session(body: dict[str, Any], project: Project) -> Any:
    return advice.record_session(project, user(), body)


@blp.route("/sessions/<int:session_id>", methods=["GET"])
@blp.response(200, AdvisorySessionSchema)
def get_session(session_id: int) -> Any:
    session = _session(session_id, "session.view_advice")
    advice.open_session(session, user())
    return session


@blp.route("/sessions/<int:session_id>", methods=["PATCH"])
@allowed_on("session.write", AdvisorySession, "session_id")
@blp.arguments(AdvisorySessionPatchSchema)
@blp.response(200, AdvisorySessionSchema)
def update_session(body: dict[str, Any], session: AdvisorySession) -> Any:
    version = body.pop("version")
    return advice.update_session(session, version, body)


@blp.route("/sessions/<int:session_id>/follow-ups/<int:follow_up_id>", methods=["PATCH"])
@allowed_on("session.write", AdvisorySession, "session_id")
@blp.arguments(FollowUpDoneSchema)
@blp.response(200, FollowUpSchema)
def set_follow_up_done(body: dict[str, Any], session: AdvisorySession, follow_up_id: int) -> Any:
    try:
        return advice.set_follow_up_done(session, follow_up_id, body["done"])
    except LookupError:
        abort(404)
