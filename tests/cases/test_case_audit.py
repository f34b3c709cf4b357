"""Every change of a project, asset or NDA is audited, by whom, without record content."""

import json

import sqlalchemy as sa

from tracker.audit.models import AuditEvent
from tracker.db import db


def _events(action):
    return (
        db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        )
        .scalars()
        .all()
    )


def test_changes_are_audited(world, api_as):
    admin, lawyer = api_as(world.users["admin"]), api_as(world.users["lawyer"])
    pid = world.project.id
    assert (
        admin.patch(f"/api/v1/projects/{pid}", json={"title": "T2", "version": 1}).status_code
        == 200
    )
    asset = lawyer.post(
        f"/api/v1/projects/{pid}/assets",
        json={
            "title": "A",
            "kind": "data",
            "sensitivity": "confidential",
            "description": "audit-canary-text",
        },
    ).get_json()
    r = lawyer.patch(f"/api/v1/assets/{asset['id']}", json={"title": "B", "version": 1})
    assert r.status_code == 200
    nda = lawyer.post(
        f"/api/v1/projects/{pid}/ndas",
        json={
            "partner_id": world.partner.id,
            "effective_on": "2026-01-01",
            "expires_on": "2027-01-01",
            "purpose": "audit-canary-text",
        },
    ).get_json()
    r = lawyer.patch(f"/api/v1/ndas/{nda['id']}", json={"governing_law": "KR", "version": 1})
    assert r.status_code == 200

    updated = _events("project.updated")[-1]
    assert (updated.actor_id, updated.object_type, updated.object_id) == (
        world.users["admin"].id,
        "project",
        pid,
    )
    assert updated.detail["fields"] == ["title"]
    for action, object_id in [
        ("asset.created", asset["id"]),
        ("asset.updated", asset["id"]),
        ("nda.created", nda["id"]),
        ("nda.updated", nda["id"]),
    ]:
        event = _events(action)[-1]
        assert event.object_id == object_id
        assert event.actor_id == world.users["lawyer"].id
        assert "audit-canary-text" not in json.dumps(event.detail, ensure_ascii=False)


def test_a_refused_change_leaves_no_event(world, api_as):
    api = api_as(world.users["admin"])
    before = len(_events("project.updated"))
    r = api.patch(f"/api/v1/projects/{world.project.id}", json={"budget_krw": -5, "version": 1})
    assert r.status_code == 422
    assert len(_events("project.updated")) == before
