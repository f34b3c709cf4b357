"""Fixtures: a project of every deadline source, and a second one out of the world's scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.support import Inbox, approved_review, free_port
from tracker import clock
from tracker.cases.assets import service as assets
from tracker.cases.assets.models import AssetDeadline
from tracker.cases.ndas.models import Nda
from tracker.cases.sessions.models import AdvisorySession, FollowUp
from tracker.db import db

TODAY = dt.date(2026, 11, 30)


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


def fill(project: Any, lawyer: Any, tag: str) -> dict[str, Any]:
    """One record of every deadline source in `project`, titles marked with `tag`."""
    d = TODAY
    project.end_date = d + dt.timedelta(days=400)
    patent = assets.create_asset(
        project,
        {
            "title": f"{tag} patent",
            "kind": "patent",
            "sensitivity": "confidential",
            "jurisdictions": ["KR", "WO"],
            "priority_on": d - dt.timedelta(days=300),  # priority 12 months: in 65 days
            "filed_on": d - dt.timedelta(days=300),
            "description": f"{tag} CANARY-DESCRIPTION",
        },
    )
    patent.deadlines = [
        AssetDeadline(kind="other", due_on=d + dt.timedelta(days=5), note=f"{tag} CANARY-NOTE")
    ]
    software = assets.create_asset(
        project,
        {
            "title": f"{tag} software",
            "kind": "software",
            "sensitivity": "trade_secret",
            "nct_status": "nct_funded",
            "nct_filed_on": d - dt.timedelta(days=50),  # review clock: 5 days overdue
            "strategic_item": "yes",
            "export_licence_ref": "EL-1",
            "export_licence_until": d + dt.timedelta(days=20),
        },
    )
    nda = Nda(
        project=project,
        partner=project.partners[0],
        status="active",
        effective_on=d - dt.timedelta(days=300),
        expires_on=d + dt.timedelta(days=80),
        purpose=f"{tag} CANARY-PURPOSE",
    )
    draft = Nda(
        project=project,
        partner=project.partners[0],
        status="draft",
        effective_on=d,
        expires_on=d + dt.timedelta(days=10),
    )
    old = approved_review(
        project,
        lawyer.id,
        decided_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        valid_until=d - dt.timedelta(days=1),
    )
    current = approved_review(
        project,
        lawyer.id,
        decided_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
        valid_until=d + dt.timedelta(days=100),
    )
    session = AdvisorySession(
        project=project,
        held_on=d - dt.timedelta(days=10),
        duration_minutes=60,
        privileged_notes=f"{tag} CANARY-PRIVILEGED",
        advice="advice",
        lawyer_id=lawyer.id,
    )
    session.follow_ups = [
        FollowUp(title=f"{tag} late follow-up", owner="PI", due_on=d - dt.timedelta(days=3)),
        FollowUp(
            title=f"{tag} done follow-up", owner="PI", due_on=d - dt.timedelta(days=9), done=True
        ),
    ]
    db.session.add_all([nda, draft, old, current, session])
    db.session.flush()
    return {
        "patent": patent,
        "software": software,
        "nda": nda,
        "review": current,
        "session": session,
    }


@pytest.fixture
def deadline_world(world: Any, make_project: Any, make_user: Any, today: dt.date) -> Any:
    """`world` with every deadline source in its project, and the same in another project of
    another zone and company (nobody in `world.users` but admin and auditor sees it)."""
    world.records = fill(world.project, world.users["lawyer"], "IN")
    other_lawyer = make_user("lawyer")
    world.other = make_project(lawyers=[other_lawyer])
    world.other_records = fill(world.other, other_lawyer, "OUT")
    return world


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server (aiosmtpd) on a loopback port: (its inbox, the port)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=inbox.authenticate,
        auth_require_tls=False,  # loopback only, in the test
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
