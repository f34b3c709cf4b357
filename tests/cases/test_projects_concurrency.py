"""Two concurrent edits of one record, on two real connections: exactly one wins, the other
gets 409 and changes nothing (projects, IP assets and NDAs)."""

import datetime as dt
import threading

import pytest

from tracker.cases import service
from tracker.cases.models import IpAsset, Nda
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
