"""Work waiting in a project: disclosures, a review, an overdue follow-up, requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.support import make_disclosure, make_review, make_session
from tracker.db import db
from tracker.transfers.models import TransferRequest

#: the queues of each role, in the order a page shows them (written out here, independently
#: of the policy actions `tracker.records.work.QUEUE_RULES` names)
QUEUES: dict[str, tuple[str, ...]] = {
    "lawyer": (
        "disclosures_to_decide",
        "reviews_to_decide",
        "overdue_follow_ups",
        "projects_without_current_review",
    ),
    "company": ("my_requests", "overdue_follow_ups"),
    "operator": ("transfers_to_decide", "projects_without_current_review"),
    "admin": (),
    "auditor": (),
}

#: the day the tests look at the dashboard: the follow-ups of session_body are due 2026-10-15
TODAY = dt.date(2026, 11, 25)
FAILED = [
    {"code": "nda_active", "ok": False, "params": {"reason": "none", "partner": "Partner Ltd"}},
    {"code": "partner_on_project", "ok": True, "params": {}},
]


def request(project: Any, by: Any, status: str) -> TransferRequest:
    transfer = TransferRequest(
        project=project,
        partner_id=project.partners[0].id,
        purpose="Joint test of the membrane process",
        channel="secure_platform",
        planned_on=dt.date(2026, 12, 1),
        status=status,
        checks=FAILED if status == "blocked" else [],
        requested_by_id=by.id,
    )
    db.session.add(transfer)
    return transfer


def fill(project: Any, lawyer: Any, company: Any, n: int) -> dict[str, list[Any]]:
    """`n` items of every queue in `project` (reviews written by `lawyer`)."""
    items: dict[str, list[Any]] = {k: [] for k in ("disclosure", "review", "session", "transfer")}
    for i in range(n):
        items["disclosure"].append(make_disclosure(project, company, title=f"Disclosure {i}"))
        items["review"].append(make_review(project, lawyer))
        items["session"].append(make_session(project, lawyer))
        items["transfer"].append(request(project, company, "pending_review"))
        items["transfer"].append(request(project, company, "blocked"))
    db.session.flush()
    return items
