"""Two concurrent edits of one advisory session, on two real connections: exactly one wins."""

import pytest

from tests.support import hold_after_version_check, make_session, race_patches
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
    hold_after_version_check(monkeypatch)
    bodies = [{"advice": f"Advice {i}", "version": 1} for i in range(2)]
    statuses = race_patches(clients, path, bodies)
    assert sorted(statuses) == [200, 409], statuses
    winner = statuses.index(200)
    db.session.expire_all()
    session = db.session.get(AdvisorySession, session_id)
    assert (session.advice, session.version) == (f"Advice {winner}", 2)
