"""The filtered audit trail as a CSV or XLSX download: one table for the page's export
(`/audit?format=`, a record's history) and the API's (`GET /api/v1/audit?format=`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from tracker import policy
from tracker.audit import service, types
from tracker.audit.service import record
from tracker.auth.labels import role_label
from tracker.auth.models import User
from tracker.i18n import format_when
from tracker.oversight import actions, trail
from tracker.reports.exports import download

#: the columns: names first, then the ids and codes in their own columns
HEADER = (
    _l("Time"),
    _l("Actor"),
    _l("Role"),
    _l("Action"),
    _l("Object type"),
    _l("Object"),
    _l("Detail"),
    _l("Address"),
    _l("Actor id"),
    _l("Action code"),
    _l("Object id"),
    _l("Sequence"),
)


def table(events: list[trail.Event]) -> tuple[list[str], list[list[str]]]:
    """The header (in the reader's language) and one row per event."""
    rows = []
    for e in events:
        actor = e.actor or {}
        rows.append(
            [
                format_when(e.at),
                actor.get("name") or "",
                role_label(actor.get("role")),
                actions.action_label(e.action),
                e.type_name,
                (e.object or {}).get("label", ""),
                actions.detail_text(e.detail, e.extra.get("named")),
                e.ip or "",
                "" if e.actor_id is None else str(e.actor_id),
                e.action,
                "" if e.object_id is None else str(e.object_id),
                str(e.seq),
            ]
        )
    return [str(h) for h in HEADER], rows


def download_trail(
    reader: User,
    filters: service.AuditFilters,
    fmt: str,
    asked: Mapping[str, Any],
    extra: Iterable[Any] = (),
) -> Any:
    """Every event the reader may read that matches the filters, as a `fmt` download (a lawyer
    gets their own events only, as on the page). Audited as `export.list` (`list: audit`) with
    the format, the row count and the filters asked for (`asked`, as text). Forbidden for
    those who may read no audit event (audited by the error handler)."""
    only = policy.audit_reader(reader)
    policy.require(reader, "export.list")
    header, rows = table(trail.every(reader, filters, only, extra))
    record(
        "export.list",
        object_type=types.EXPORT,
        detail={
            "list": "audit",
            "format": fmt,
            "rows": len(rows),
            "filters": {k: str(v) for k, v in asked.items() if v not in (None, "")},
        },
    )
    return download(fmt, header, rows, "audit-trail", sheet="audit")
