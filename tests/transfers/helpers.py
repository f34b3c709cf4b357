"""Helpers of the gate tests: the dates, a request body, an approved review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tracker.cases.reviews.models import RiskReview

TODAY = dt.date(2026, 11, 25)
PLANNED = dt.date(2026, 12, 1)


def approved_review(project: Any, author_id: int, **over: Any) -> RiskReview:
    """An approved, low-level review of `project` (not yet added to the session)."""
    data: dict[str, Any] = dict(
        project=project,
        catalogue_version="1",
        answers={},
        likelihood=2,
        impact=2,
        score=4,
        level="low",
        status="approved",
        author_id=author_id,
        reviewer_id=author_id,
        decided_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        valid_until=dt.date(2027, 6, 1),
    )
    data.update(over)
    return RiskReview(**data)


def body(w: Any, **over: Any) -> dict[str, Any]:
    data = {
        "partner_id": w.partner.id,
        "asset_ids": [w.asset.id],
        "attachment_ids": [],
        "purpose": "Joint test of the membrane process",
        "channel": "secure_platform",
        "planned_on": PLANNED.isoformat(),
    }
    data.update(over)
    return data


def checks_by_code(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["code"]: c for c in payload["checks"]}
