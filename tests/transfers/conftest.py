"""Fixtures of the gate tests: a fixed today and a project whose facts pass every check."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.support import TODAY, approved_review
from tracker import clock
from tracker.cases.assets.models import IpAsset
from tracker.cases.ndas.models import Nda
from tracker.db import db


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


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
