"""Every record kind, one line each (`tracker.records`): what the deadlines, dashboard queues,
audit trail, attachments, exports and search iterate. A new kind adds its line here
(docs/architecture.md "Adding a record kind")."""

from __future__ import annotations

from tracker import records
from tracker.attachments.kind import KIND as ATTACHMENT
from tracker.cases.assets.kind import KIND as ASSET
from tracker.cases.disclosures.kind import KIND as DISCLOSURE
from tracker.cases.filings.kind import KIND as FILING
from tracker.cases.ndas.kind import KIND as NDA
from tracker.cases.projects.kind import KIND as PROJECT
from tracker.cases.reviews.kind import KIND as RISK_REVIEW
from tracker.cases.sessions.kind import FOLLOW_UP, SESSION
from tracker.transfers.kind import KIND as TRANSFER

KINDS = (
    ASSET,
    FILING,
    DISCLOSURE,
    NDA,
    RISK_REVIEW,
    SESSION,
    FOLLOW_UP,
    PROJECT,
    TRANSFER,
    ATTACHMENT,
)


def register_all() -> None:
    """Register every kind (again: a no-op, so each app created in a process may call it)."""
    for kind in KINDS:
        records.register(kind)
