"""Two concurrent edits of one advisory session, on two real connections: exactly one wins."""

import threading

import pytest
from records_helpers import make_session

from tracker.cases.projects import service
from tracker.cases.sessions.models import AdvisorySession
from tracker.db import db


@pytest.mark.real_commits
def test_two_concurrent_session_edits_one_wins(app, world, make_user, api_as, monkeypatch):
    second = make_user("lawyer")
    world.project.lawyers.append(second)
    session_id = make_session(world.project, world.users["lawyer"]).id
    path = f"/api/v1/sessions/{session_id}"
    db.session.commit()
    clients = [api_as(world.users["lawyer"]), api_as(second)]
    db.session.close()  # this thread holds no transaction (on SQLite it would lock the writers)
    if db.engine.dialect.name == "postgresql":
        # both pass the version check before either writes: the loser fails at flush
        barrier = threading.Barrier(2)
        original = service.check_version

        def check_then_wait(record, version):
            original(record, version)
            barrier.wait(timeout=10)

        monkeypatch.setattr(service, "check_version", check_then_wait)
    results: dict[int, int] = {}

    def patch(i: int) -> None:
        r = clients[i].patch(path, json={"advice": f"Advice {i}", "version": 1})
        results[i] = r.status_code

    threads = [threading.Thread(target=patch, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == [200, 409], results
    winner = next(i for i, status in results.items() if status == 200)
    db.session.expire_all()
    session = db.session.get(AdvisorySession, session_id)
    assert (session.advice, session.version) == (f"Advice {winner}", 2)
