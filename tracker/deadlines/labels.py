"""Translated names of deadline kinds, digest groups and work queues (shown in e-mail, feeds)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: every deadline kind of API.md "Work, deadlines and reminders"
KIND_LABELS = {
    "ip_priority": _l("Priority deadline"),
    "ip_pct": _l("PCT filing"),
    "ip_national_phase": _l("National phase entry"),
    "ip_annuity": _l("Annuity"),
    "ip_other": _l("IP deadline"),
    "nda_expiry": _l("NDA expiry"),
    "review_expiry": _l("Risk review expiry"),
    "licence_expiry": _l("Export licence expiry"),
    "follow_up": _l("Follow-up"),
    "nct_review": _l("National core technology review"),
    "project_end": _l("Project end"),
}

#: the digest's windows, in the order they are shown
GROUP_LABELS = {
    "overdue": _l("Overdue"),
    "7": _l("Due within 7 days"),
    "30": _l("Due within 30 days"),
    "90": _l("Due within 90 days"),
}

#: the dashboard queues of API.md
QUEUE_LABELS = {
    "disclosures_to_decide": _l("Disclosures to decide"),
    "reviews_to_decide": _l("Risk reviews to decide"),
    "transfers_to_decide": _l("Transfer requests to decide"),
    "my_requests": _l("My open and blocked requests"),
    "overdue_follow_ups": _l("Overdue follow-ups"),
    "projects_without_current_review": _l("Projects without a current review"),
}


def kind_label(kind: str) -> str:
    """The translated name of a deadline kind; an unknown kind fails loudly."""
    return str(KIND_LABELS[kind])
