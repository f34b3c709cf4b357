"""Importing a docket into a project: `POST /api/v1/projects/{id}/filings/import` (multipart
`file`, CSV or XLSX; `?dry_run=true` checks without storing). Lawyers in scope only."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields
from werkzeug.exceptions import BadRequest

from tracker.api.common import allowed_on
from tracker.cases.filings import importing
from tracker.cases.projects.models import Project
from tracker.errors import problem
from tracker.web import accepts_multipart
from tracker.web.small_forms import small_multipart

blp = Blueprint(
    "api_filing_import", __name__, url_prefix="/api/v1", description="Importing a docket"
)


class ImportArgs(Schema):
    #: check every row and answer the counts, storing nothing
    dry_run = fields.Boolean(load_default=False)


class ImportErrorSchema(Schema):
    #: the spreadsheet's row number (the header is row 1)
    row = fields.Integer()
    #: the column (its English name)
    field = fields.String()
    message = fields.String()


class ImportResultSchema(Schema):
    rows = fields.Integer()
    assets = fields.Integer()
    filings = fields.Integer()
    errors = fields.List(fields.Nested(ImportErrorSchema))


def uploaded_file() -> bytes:
    """The request's multipart `file`, refused (413) past the import's size before it is read."""
    _form, files = small_multipart(importing.MAX_BYTES + 64 * 1024)
    upload = files.get("file")
    if upload is None:
        raise BadRequest("Send the file in the multipart field `file`.")
    return bytes(upload.read(importing.MAX_BYTES + 1))


@blp.route("/projects/<int:project_id>/filings/import", methods=["POST"])
@accepts_multipart
@allowed_on("filing.edit")
@blp.arguments(ImportArgs, location="query")
@blp.response(200, ImportResultSchema)
@blp.alt_response(422, description="Some rows are not valid: every problem, nothing stored")
def import_docket(args: dict[str, Any], project: Project) -> Any:
    data = uploaded_file()
    try:
        return importing.import_docket(project, data, dry_run=args["dry_run"])
    except importing.InvalidRows as exc:
        counts = exc.docket.counts()
        return problem(422, "Some rows are not valid; nothing was imported.", **counts)
