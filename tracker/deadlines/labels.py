"""Translated names of deadline kinds (each record kind names its own), digest groups and
work queues (shown in e-mail, feeds)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker import records

#: the digest's windows, in the order they are shown
GROUP_LABELS = {
    "overdue": _l("Overdue"),
    "7": _l("Due within 7 days"),
    "30": _l("Due within 30 days"),
    "90": _l("Due within 90 days"),
}

#: the dashboard's work queues
QUEUE_LABELS = {
    "disclosures_to_decide": _l("Disclosures to decide"),
    "reviews_to_decide": _l("Risk reviews to decide"),
    "transfers_to_decide": _l("Transfer requests to decide"),
    "my_requests": _l("My open and blocked requests"),
    "overdue_follow_ups": _l("Overdue follow-ups"),
    "projects_without_current_review": _l("Projects without a current review"),
}


def kind_label(kind: str) -> str:
    """The translated name of a deadline kind (each record kind names its own,
    `tracker.records`); an unknown kind fails loudly."""
    return str(records.deadline_kinds()[kind])
