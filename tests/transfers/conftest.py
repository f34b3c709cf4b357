"""Fixtures of the gate tests: a fixed today and a project whose facts pass every check."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.support import TODAY, approved_review, day, make_nda
from tracker import clock
from tracker.cases.assets.models import IpAsset
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
    w.nda = make_nda(w.project, w.partner, expires_on=day(217), assets=[w.asset])
    w.review = approved_review(w.project, w.users["lawyer"].id, valid_until=day(187))
    db.session.add(w.review)
    db.session.flush()
    return w


def partnered_project(w: Any, make_project: Any, make_org: Any, name: str, country: str) -> Any:
    """Another project of `w`'s zone and company with a partner `name`, an asset, an NDA with
    the partner covering it until the end of 2027 and a current review: (project, partner,
    asset)."""
    partner = make_org("partner", name=name, country=country)
    project = make_project(
        zone=w.zone, company=w.company, partners=[partner], lawyers=[w.users["lawyer"]]
    )
    asset = IpAsset(project=project, title="Hull coating", kind="patent", sensitivity="public")
    db.session.add(asset)
    db.session.flush()
    make_nda(project, partner, assets=[asset])
    db.session.add(approved_review(project, w.users["lawyer"].id))
    db.session.flush()
    return project, partner, asset
