"""Encrypted attachments: upload (streamed multipart), list, metadata, download."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tracker import policy
from tracker.api.common import PageArgs, page_of, paginate, user
from tracker.api.spec import STREAMS_FILE
from tracker.attachments import downloads, reading, service
from tracker.attachments.body import request_body
from tracker.attachments.models import RECORD_TYPES
from tracker.attachments.responses import download_response
from tracker.policy import project_or_404
from tracker.web import accepts_multipart

blp = Blueprint("api_attachments", __name__, url_prefix="/api/v1", description="Attachments")


class UploadedSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    content_type = fields.String()
    version = fields.Integer()


class VersionSchema(Schema):
    version = fields.Integer()
    filename = fields.String()
    size = fields.Integer()
    content_type = fields.String()
    #: plaintext sha256; null for users who may not download the file
    sha256 = fields.String(allow_none=True)
    uploaded_by = fields.String(allow_none=True)
    uploaded_at = fields.AwareDateTime()


class AttachmentSchema(VersionSchema):
    id = fields.Integer()
    record_type = fields.String(allow_none=True)
    record_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    versions = fields.List(fields.Nested(VersionSchema))


class AttachmentFilterArgs(PageArgs):
    record_type = fields.String(validate=validate.OneOf(RECORD_TYPES))
    record_id = fields.Integer()


class ContentArgs(Schema):
    version = fields.Integer(validate=validate.Range(min=1))


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "record_type": {"type": "string", "enum": list(RECORD_TYPES)},
                    # multipart fields are text: an id in digits, or empty for none (as the
                    # page's form sends it)
                    "record_id": {"type": "string", "pattern": "^[0-9]{0,12}$"},
                    "attachment_id": {
                        "type": "string",
                        "pattern": "^[0-9]{0,12}$",
                        "description": "upload a new version of this attachment (its id)",
                    },
                },
            }
        }
    },
}


@blp.route("/projects/<int:project_id>/attachments", methods=["POST"])
@accepts_multipart
@blp.doc(requestBody=UPLOAD_BODY)
@blp.response(201, UploadedSchema)
def upload_attachment(project_id: int) -> Any:
    """Upload a file (multipart `file`; optional `record_type` + `record_id`, or
    `attachment_id` for a new version). 413 over TRACKER_MAX_UPLOAD_BYTES; 422 when the
    content's type is not allowed or disagrees with the name's extension."""
    project = project_or_404(user(), project_id)
    policy.require(user(), "attachment.upload", project)
    version = service.upload(project, user(), request_body())
    return {
        "id": version.attachment_id,
        "filename": version.filename,
        "size": version.size,
        "sha256": reading.plaintext_sha256(version),
        "content_type": version.content_type,
        "version": version.number,
    }


@blp.route("/projects/<int:project_id>/attachments", methods=["GET"])
@blp.arguments(AttachmentFilterArgs, location="query")
@blp.response(200, page_of(AttachmentSchema))
def list_attachments(args: dict[str, Any], project_id: int) -> Any:
    """Ready files of the project, newest first (metadata: anyone who sees the project and
    the record a file belongs to)."""
    project = project_or_404(user(), project_id)
    policy.require(user(), "project.view", project)
    stmt = reading.list_stmt(user(), project, args.get("record_type"), args.get("record_id"))
    page = paginate(stmt, args)
    page["items"] = [reading.describe(a, user()) for a in page["items"]]
    return page


@blp.route("/attachments/<int:attachment_id>", methods=["GET"])
@blp.response(200, AttachmentSchema)
def get_attachment(attachment_id: int) -> Any:
    attachment = reading.attachment_or_404(user(), attachment_id)
    policy.require(user(), "project.view", attachment.project)
    return reading.describe(attachment, user(), with_versions=True)


@blp.route("/attachments/<int:attachment_id>/content", methods=["GET"])
@blp.arguments(ContentArgs, location="query")
@blp.doc(**STREAMS_FILE)
def get_attachment_content(args: dict[str, Any], attachment_id: int) -> Any:
    """The plaintext of the latest (or `?version=N`) version, streamed and authenticated chunk
    by chunk; an integrity failure cuts the response off."""
    attachment = reading.attachment_or_404(user(), attachment_id)
    policy.require(user(), "attachment.download", attachment.project)
    version = reading.version_of(attachment, args.get("version"))
    return download_response(downloads.download(version))
