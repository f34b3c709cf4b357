"""A project whose facts pass every gate check, and helpers to file and decide requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tracker import clock
from tracker.cases.models import IpAsset, Nda, RiskReview
from tracker.db import db

TODAY = dt.date(2026, 11, 25)
PLANNED = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


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


@pytest.fixture
def gate_world(world: Any) -> Any:
    """`world` plus an asset, an active NDA with the partner covering it and a current review."""
    w = world
    w.asset = IpAsset(
        project=w.project, title="Membrane process", kind="know_how", sensitivity="confidential"
    )
    db.session.add(w.asset)
    db.session.flush()
    w.nda = Nda(
        project=w.project,
        partner=w.partner,
        effective_on=dt.date(2026, 1, 1),
        expires_on=dt.date(2027, 6, 30),
        status="active",
        assets=[w.asset],
    )
    w.review = approved_review(w.project, w.users["lawyer"].id, valid_until=dt.date(2027, 5, 31))
    db.session.add_all([w.nda, w.review])
    db.session.flush()
    return w


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
