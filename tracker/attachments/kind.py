"""Files as a record kind (`tracker.records`): named by their file name as far as the reader
may know the file exists (the kind of the record it is attached to decides); they link to
their project's file list."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

from tracker import records
from tracker.attachments.models import Attachment
from tracker.records import Label, Page, RecordKind, SearchText


def _search(attachment: Attachment) -> Iterable[SearchText]:
    # its name, for whoever may know that a file of its record exists
    action = records.file_visibility().get(attachment.record_type, "project.view")
    yield SearchText("attachment", action, attachment.filename, attachment.filename)


KIND = RecordKind(
    type="attachment",
    model=Attachment,
    name=_l("File"),
    label=Label(Attachment.filename, "project.view", extra=Attachment.record_type),
    page=Page("attachments.project_attachments", "project_id", by="project"),
    api="api_attachments.get_attachment",
    view_action="project.view",
    search=_search,
)
