"""Translated names of deadline kinds (each record kind names its own), digest groups and
work queues (shown in e-mail, feeds)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from tracker import records
from tracker.cases.filings.labels import office_name

#: the digest's windows, in the order they are shown
GROUP_LABELS = {
    "overdue": _l("Overdue"),
    "7": _l("Due within 7 days"),
    "30": _l("Due within 30 days"),
    "90": _l("Due within 90 days"),
}

#: the work queues: the start page's headings and the digest's (the one table of their names)
QUEUE_LABELS = {
    "disclosures_to_decide": _l("Disclosures to decide"),
    "reviews_to_decide": _l("Risk reviews to decide"),
    "transfers_to_decide": _l("Transfer requests to decide"),
    "my_requests": _l("My open and blocked requests"),
    "overdue_follow_ups": _l("Overdue follow-ups"),
    "projects_without_current_review": _l("Projects without a current risk review"),
}


def kind_label(kind: str) -> str:
    """The translated name of a deadline kind (each record kind names its own,
    `tracker.records`); an unknown kind fails loudly."""
    return str(records.deadline_kinds()[kind])


def where(item: Mapping[str, Any]) -> str:
    """The project's code and, for a filing's deadline, the office's name in the reader's
    language ("DCX-01 · 미국"): four "National phase entry" rows told apart."""
    parts = [str(item.get("project_code") or ""), office_name(item.get("office"))]
    return " · ".join(p for p in parts if p)


def in_grace_until(item: Mapping[str, Any], today: dt.date) -> dt.date | None:
    """The late limit of a lapsed deadline that can still be met late (with a surcharge),
    else None: the pages say "in grace until ..." instead of "overdue"."""
    grace = item.get("grace_until")
    if isinstance(grace, str):
        grace = dt.date.fromisoformat(grace)
    if not item.get("overdue") or grace is None or grace < today:
        return None
    return grace  # type: ignore[no-any-return]
