"""Requests that only read begin their SQLite transactions DEFERRED (they run beside a writer
under WAL); everything else begins IMMEDIATE; a read request that writes after all (an audited
export) takes the write lock before it reads the chain head, so the audit chain never forks
however many writers race (tracker/db.py, tracker/web/hooks.py). Real connections, real
threads, on both databases."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from tests.support import run_in_threads, statements
from tracker import keys
from tracker.audit import sealer
from tracker.audit.models import AuditEvent
from tracker.audit.verify import verify_chain
from tracker.db import db


def _begins(seen: list[str]) -> list[str]:
    return [s.strip().upper() for s in seen if s.strip().upper().startswith("BEGIN")]


@pytest.mark.real_commits
def test_reads_begin_deferred_and_writes_immediate(app, world, api_as):
    api = api_as(world.users["admin"])
    pid = world.project.id
    db.session.commit()  # the test's own session holds no transaction during the requests
    with statements() as read:
        assert api.get("/api/v1/projects").status_code == 200
    with statements() as write:
        r = api.patch(f"/api/v1/projects/{pid}", json={"title": "T", "version": 1})
        assert r.status_code == 200
    if db.engine.dialect.name == "sqlite":
        assert _begins(read) == ["BEGIN"]
        assert _begins(write) == ["BEGIN IMMEDIATE"]
    else:  # PostgreSQL begins implicitly; nothing of SQLite's leaks into it
        assert _begins(read) == [] and _begins(write) == []


@pytest.mark.real_commits
def test_a_read_runs_beside_a_writer(app, world, api_as):
    """With BEGIN IMMEDIATE for reads this GET waited for the writer's lock (and failed after
    the 30 s busy timeout); deferred, it answers while the writer still holds it."""
    api = api_as(world.users["admin"])
    pid = world.project.id
    db.session.commit()
    answered: list[int] = []
    with db.engine.connect() as writer:
        trans = writer.begin()
        writer.execute(sa.text("UPDATE projects SET title = 'held' WHERE id = :id"), {"id": pid})
        reader = threading.Thread(
            target=lambda: answered.append(api.get("/api/v1/projects").status_code)
        )
        reader.start()
        reader.join(timeout=20)
        still_waiting = reader.is_alive()
        trans.rollback()
    reader.join()
    assert not still_waiting, "the read waited for the writer"
    assert answered == [200]


@pytest.mark.real_commits
def test_the_audit_chain_never_forks_under_concurrent_writers(app, world, api_as):
    """Audited exports (GET requests that write an event) and project creations (POST) race
    from eight threads; every request succeeds, each adds exactly one event, and the chain
    verifies: one line, no two events on one head."""
    clients = [api_as(world.users["admin"]) for _ in range(8)]
    zone_id, company_id = world.zone.id, world.company.id
    before = db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()
    db.session.commit()
    rounds = 4

    def exporter(api):
        return [api.get("/api/v1/projects?format=csv").status_code for _ in range(rounds)]

    def creator(api, n):
        body = {"title": "Race", "zone_id": zone_id, "company_id": company_id}
        return [
            api.post("/api/v1/projects", json={**body, "code": f"RACE-{n}-{i}"}).status_code
            for i in range(rounds)
        ]

    calls = [lambda c=c: exporter(c) for c in clients[:4]]
    calls += [lambda c=c, n=n: creator(c, n) for n, c in enumerate(clients[4:])]
    results = run_in_threads(*calls, timeout=300)
    assert [s for r in results[:4] for s in r] == [200] * 16
    assert [s for r in results[4:] for s in r] == [201] * 16
    assert sealer.settle()  # PostgreSQL: the sealer thread seals what writers left to it
    db.session.remove()
    after = db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()
    assert after - before == 32  # 16 exports, 16 creations
    result = verify_chain(keys.require(app).audit_key, None)
    assert result.intact, result.problem
    assert result.events == after
    seqs = db.session.execute(sa.select(AuditEvent.seq).order_by(AuditEvent.seq)).scalars().all()
    assert seqs == list(range(1, after + 1))
