"""Two concurrent edits of one project, on two real connections: exactly one wins."""

import threading

import pytest

from tracker.cases import service
from tracker.cases.models import Project
from tracker.db import db


@pytest.mark.real_commits
def test_two_concurrent_patches_one_wins(app, world, api_as, monkeypatch):
    project_id = world.project.id
    path = f"/api/v1/projects/{project_id}"
    db.session.commit()
    clients = [api_as(world.users["admin"]), api_as(world.users["lawyer"])]
    db.session.close()  # this thread holds no transaction (on SQLite it would lock the writers)
    if db.engine.dialect.name == "postgresql":
        # both requests pass the version check before either writes, so the race is real;
        # (SQLite serialises writers from BEGIN IMMEDIATE, so there the second sees version 2)
        barrier = threading.Barrier(2)
        original = service.check_version

        def check_then_wait(record, version):
            original(record, version)
            barrier.wait(timeout=10)

        monkeypatch.setattr(service, "check_version", check_then_wait)
    results: dict[int, object] = {}

    def patch(i: int) -> None:
        r = clients[i].patch(path, json={"title": f"Edit {i}", "version": 1})
        results[i] = (r.status_code, r.get_json())

    threads = [threading.Thread(target=patch, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(status for status, _body in results.values())
    assert statuses == [200, 409], results
    winner = next(i for i, (status, _b) in results.items() if status == 200)
    db.session.expire_all()
    project = db.session.get(Project, project_id)
    assert project.title == f"Edit {winner}"
    assert project.version == 2
