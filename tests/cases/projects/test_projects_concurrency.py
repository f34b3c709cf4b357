"""Two concurrent edits of one record, on two real connections: exactly one wins, the other
gets 409 and changes nothing (projects, IP assets and NDAs)."""

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.support import (
    enrol_test_totp,
    hold_after_version_check,
    race_patches,
    run_in_threads,
    wait_after,
)
from tracker.auth import service as auth_service
from tracker.auth.models import User
from tracker.cases.assets.models import IpAsset
from tracker.cases.ndas.models import Nda
from tracker.cases.projects import service as case_service
from tracker.cases.projects.models import Project
from tracker.db import db


def _setup(kind, world):
    """The record to race on and the two bodies; everything committed."""
    if kind == "project":
        record = world.project
        bodies = [{"title": f"Edit {i}", "version": 1} for i in range(2)]
        path = f"/api/v1/projects/{record.id}"
    elif kind == "asset":
        record = IpAsset(
            project=world.project,
            title="Start",
            kind="data",
            sensitivity="public",
            jurisdictions=[],
        )
        db.session.add(record)
        db.session.flush()
        bodies = [{"title": f"Edit {i}", "version": 1} for i in range(2)]
        path = f"/api/v1/assets/{record.id}"
    else:
        record = Nda(
            project=world.project,
            partner=world.partner,
            status="draft",
            effective_on=dt.date(2026, 1, 1),
            expires_on=dt.date(2027, 1, 1),
        )
        db.session.add(record)
        db.session.flush()
        bodies = [{"purpose": f"Edit {i}", "version": 1} for i in range(2)]
        path = f"/api/v1/ndas/{record.id}"
    return type(record), record.id, path, bodies


@pytest.mark.real_commits
@pytest.mark.parametrize("kind", ["project", "asset", "nda"])
def test_two_concurrent_patches_one_wins(app, world, api_as, monkeypatch, kind):
    model, record_id, path, bodies = _setup(kind, world)
    editors = [world.users["lawyer"], world.users["lawyer"]]
    if kind == "project":
        editors[0] = world.users["admin"]
    db.session.commit()
    clients = [api_as(user) for user in editors]
    db.session.close()  # this thread holds no transaction (on SQLite it would block writers)

    hold_after_version_check(monkeypatch)
    statuses = race_patches(clients, path, bodies)
    assert sorted(statuses) == [200, 409], statuses
    winner = statuses.index(200)
    db.session.expire_all()
    record = db.session.get(model, record_id)
    field = "purpose" if model is Nda else "title"
    assert getattr(record, field) == f"Edit {winner}"
    assert record.version == 2


@pytest.mark.real_commits
def test_two_projects_with_one_code_at_once_one_wins_the_other_409(
    app, make_zone, make_org, monkeypatch
):
    """On PostgreSQL both requests pass the service's duplicate-code check before either
    writes; the unique index refuses the second at flush, which answers 409 (not 500) with
    nothing written. SQLite serialises writers from the start of the transaction, so there the
    second simply finds the code taken (422)."""
    zone, company, partner = make_zone(), make_org("company"), make_org("partner")
    admin = User(email="admin-race@example.test", name="A", role="admin", password_hash="x")
    db.session.add(admin)
    db.session.flush()
    enrol_test_totp(admin)  # an admin must have a second factor to use the API
    db.session.commit()
    token, _row = auth_service.issue_token(admin)
    db.session.commit()
    body = {
        "code": "RACE-1",
        "title": "Race",
        "zone_id": zone.id,
        "company_id": company.id,
        "partner_ids": [partner.id],
        "lawyer_ids": [],
        "start_date": "2026-01-01",
        "end_date": "2027-01-01",
        "budget_krw": 1,
        "security_level": "general",
    }
    db.session.commit()  # reading the ids above began a transaction: end it before the race
    racing = db.engine.dialect.name == "postgresql"
    if racing:  # both have passed the duplicate check before either flushes
        wait_after(monkeypatch, case_service, "_apply", when=lambda project, *_: project.id is None)

    def post():
        client = app.test_client()
        r = client.post("/api/v1/projects", json=body, headers={"Authorization": f"Bearer {token}"})
        return r.status_code, r.mimetype

    statuses = run_in_threads(post, post, timeout=30)
    assert sorted(s for s, _ in statuses) == [201, 409 if racing else 422], statuses
    assert all(m in ("application/json", "application/problem+json") for _, m in statuses)
    count = db.session.execute(
        sa.select(sa.func.count()).select_from(Project).where(Project.code == "RACE-1")
    ).scalar_one()
    assert count == 1
