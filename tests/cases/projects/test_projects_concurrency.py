"""Two concurrent edits of one record, on two real connections: exactly one wins, the other
gets 409 and changes nothing (projects, IP assets and NDAs)."""

import datetime as dt
import threading

import pytest

from tracker.cases.assets.models import IpAsset
from tracker.cases.ndas.models import Nda
from tracker.cases.projects import service
from tracker.db import db


def _race(monkeypatch, clients, path, bodies):
    """PATCH `path` from two threads at once; the statuses in thread order."""
    if db.engine.dialect.name == "postgresql":
        # both requests pass the version check before either writes, so the race is real
        # (SQLite serialises writers from BEGIN IMMEDIATE, so there the second sees the
        # new version and answers 409 from the check itself)
        barrier = threading.Barrier(2)
        original = service.check_version

        def check_then_wait(record, version):
            original(record, version)
            barrier.wait(timeout=10)

        monkeypatch.setattr(service, "check_version", check_then_wait)
        for module in ("assets", "ndas"):
            monkeypatch.setattr(f"tracker.cases.{module}.check_version", check_then_wait)
    results = {}

    def patch(i):
        results[i] = clients[i].patch(path, json=bodies[i]).status_code

    threads = [threading.Thread(target=patch, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [results[0], results[1]]


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

    statuses = _race(monkeypatch, clients, path, bodies)
    assert sorted(statuses) == [200, 409], statuses
    winner = statuses.index(200)
    db.session.expire_all()
    record = db.session.get(model, record_id)
    field = "purpose" if model is Nda else "title"
    assert getattr(record, field) == f"Edit {winner}"
    assert record.version == 2


@pytest.mark.real_commits
def test_two_projects_with_one_code_at_once_one_wins_the_other_409(app, make_zone, make_org):
    """On PostgreSQL both requests pass the service's duplicate-code check before either
    writes; the unique index refuses the second at flush, which answers 409 (not 500) with
    nothing written. SQLite serialises writers from the start of the transaction, so there the
    second simply finds the code taken (422)."""
    import threading

    import sqlalchemy as sa

    from tracker.auth.models import User
    from tracker.cases.projects import service as case_service
    from tracker.cases.projects.models import Project
    from tracker.db import db

    zone, company, partner = make_zone(), make_org("company"), make_org("partner")
    admin = User(email="admin-race@example.test", name="A", role="admin", password_hash="x")
    db.session.add(admin)
    db.session.commit()
    token, _row = __import__("tracker.auth.service", fromlist=["x"]).issue_token(admin)
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
    barrier = threading.Barrier(2)
    original_apply = case_service._apply

    def apply_then_wait(project, values, user):
        changed = original_apply(project, values, user)
        if racing and project.id is None:
            barrier.wait(10)  # both have passed the duplicate check before either flushes
        return changed

    statuses = []

    def post():
        client = app.test_client()
        r = client.post("/api/v1/projects", json=body, headers={"Authorization": f"Bearer {token}"})
        statuses.append((r.status_code, r.mimetype))

    case_service._apply = apply_then_wait
    try:
        threads = [threading.Thread(target=post) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        case_service._apply = original_apply
    assert sorted(s for s, _ in statuses) == [201, 409 if racing else 422], statuses
    assert all(m in ("application/json", "application/problem+json") for _, m in statuses)
    count = db.session.execute(
        sa.select(sa.func.count()).select_from(Project).where(Project.code == "RACE-1")
    ).scalar_one()
    assert count == 1
