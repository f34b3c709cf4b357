"""Advisory sessions over the API: the matrix per role, privileged notes absent, editing."""

import pytest
import sqlalchemy as sa

from tests.support import (
    CANARY,
    OUTSIDERS,
    ROLES,
    SESSION_READERS,
    fresh,
    make_session,
    session_body,
)
from tracker.audit.models import AuditEvent
from tracker.cases.sessions.models import AdvisorySession, FollowUp
from tracker.db import db


@pytest.mark.parametrize("role", ROLES)
def test_list_and_detail_per_role(world, api_as, held, role):
    api = api_as(world.users[role])
    listing = api.get(f"/api/v1/projects/{world.project.id}/sessions")
    detail = api.get(f"/api/v1/sessions/{held.id}")
    expected = 200 if role in SESSION_READERS else 403
    assert (listing.status_code, detail.status_code) == (expected, expected)
    assert CANARY not in listing.get_data(as_text=True)
    for item in listing.get_json().get("items", []):
        assert "privileged_notes" not in item
    if expected == 200:
        body = detail.get_json()
        assert body["advice"].startswith("Sign the NDA")
        assert body["follow_ups"][0]["title"] == "Send NDA draft"
        if role == "lawyer":
            assert CANARY in body["privileged_notes"]
        else:
            assert "privileged_notes" not in body
            assert CANARY not in detail.get_data(as_text=True)


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_404(world, api_as, held, role):
    api = api_as(world.outsiders[role])
    assert api.get(f"/api/v1/projects/{world.project.id}/sessions").status_code == 404
    assert api.get(f"/api/v1/sessions/{held.id}").status_code == 404
    assert (
        api.post(f"/api/v1/projects/{world.project.id}/sessions", json=session_body()).status_code
        == 404
    )
    assert api.patch(f"/api/v1/sessions/{held.id}", json={"version": 1}).status_code == 404
    fid = held.follow_ups[0].id
    assert (
        api.patch(f"/api/v1/sessions/{held.id}/follow-ups/{fid}", json={"done": True}).status_code
        == 404
    )


@pytest.mark.parametrize("role", ROLES)
def test_writing_per_role(world, api_as, role):
    r = api_as(world.users[role]).post(
        f"/api/v1/projects/{world.project.id}/sessions", json=session_body()
    )
    count = db.session.execute(sa.select(sa.func.count(AdvisorySession.id))).scalar_one()
    if role == "lawyer":
        assert r.status_code == 201, r.get_json()
        body = r.get_json()
        assert body["privileged_notes"].endswith(CANARY)
        assert body["follow_ups"][0]["done"] is False
        assert count == 1
    else:
        assert r.status_code == 403
        assert CANARY not in r.get_data(as_text=True)
        assert count == 0


def test_lawyer_view_of_privileged_notes_is_audited(world, api_as, held):
    api_as(world.users["lawyer"]).get(f"/api/v1/sessions/{held.id}")
    api_as(world.users["company"]).get(f"/api/v1/sessions/{held.id}")
    events = (
        db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "session.privileged_viewed")
        )
        .scalars()
        .all()
    )
    assert [e.actor_id for e in events] == [world.users["lawyer"].id]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("duration_minutes", 0),
        ("duration_minutes", -5),
        ("duration_minutes", "long"),
        ("held_on", "2999-01-01"),
        ("held_on", "yesterday"),
        ("attendees", "Kim"),
        ("follow_ups", [{"title": "", "owner": "x", "due_on": "2026-12-01"}]),
        ("follow_ups", [{"title": "t", "owner": "x"}]),
        ("privileged_notes", None),
        ("surprise", True),
    ],
)
def test_bad_fields_are_422(world, api_as, field, value):
    r = api_as(world.users["lawyer"]).post(
        f"/api/v1/projects/{world.project.id}/sessions", json=session_body(**{field: value})
    )
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["errors"]
    assert db.session.execute(sa.select(sa.func.count(AdvisorySession.id))).scalar_one() == 0


def test_422_never_echoes_privileged_notes(world, api_as):
    r = api_as(world.users["lawyer"]).post(
        f"/api/v1/projects/{world.project.id}/sessions",
        json=session_body(duration_minutes=0, privileged_notes="x" * 20001 + CANARY),
    )
    assert r.status_code == 422
    assert CANARY not in r.get_data(as_text=True)


def test_patch_with_version(world, api_as, held):
    api = api_as(world.users["lawyer"])
    url = f"/api/v1/sessions/{held.id}"
    r = api.patch(
        url,
        json={
            "version": held.version,
            "advice": "Updated advice.",
            "follow_ups": [
                {"title": "Check export licence", "owner": "Kim", "due_on": "2026-11-30"}
            ],
        },
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["advice"] == "Updated advice."
    assert len(r.get_json()["follow_ups"]) == 2
    assert r.get_json()["version"] == held.version + 1
    stale = api.patch(url, json={"version": held.version, "advice": "Lost update"})
    assert stale.status_code == 409
    assert fresh(AdvisorySession, held.id).advice == "Updated advice."
    assert api.patch(url, json={"advice": "no version"}).status_code == 422
    assert api.patch(url, json={"version": 2, "duration_minutes": 0}).status_code == 422


@pytest.mark.parametrize("role", ["admin", "company", "operator", "auditor"])
def test_only_lawyers_edit(world, api_as, held, role):
    api = api_as(world.users[role])
    r = api.patch(f"/api/v1/sessions/{held.id}", json={"version": held.version, "advice": "x"})
    assert r.status_code == 403
    fid = held.follow_ups[0].id
    r = api.patch(f"/api/v1/sessions/{held.id}/follow-ups/{fid}", json={"done": True})
    assert r.status_code == 403


def test_mark_follow_up_done_and_reopen(world, api_as, held, make_project):
    api = api_as(world.users["lawyer"])
    fid = held.follow_ups[0].id
    url = f"/api/v1/sessions/{held.id}/follow-ups/{fid}"
    r = api.patch(url, json={"done": True})
    assert r.status_code == 200
    assert r.get_json()["done"] is True and r.get_json()["done_at"]
    assert fresh(FollowUp, fid).done is True
    r = api.patch(url, json={"done": False})
    assert r.get_json()["done"] is False and r.get_json()["done_at"] is None
    other = make_session(world.project, world.users["lawyer"])
    wrong = f"/api/v1/sessions/{other.id}/follow-ups/{fid}"
    assert api.patch(wrong, json={"done": True}).status_code == 404
    assert api.patch(url, json={"done": "perhaps"}).status_code == 422


def _session_updates():
    return (
        db.session.execute(
            sa.select(AuditEvent)
            .where(AuditEvent.action == "session.updated")
            .order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )


def test_patch_audits_only_the_changed_fields(world, api_as, held):
    """The edit form sends every field: the audit names the ones that changed, and a save
    that changes nothing records nothing."""
    api = api_as(world.users["lawyer"])
    url = f"/api/v1/sessions/{held.id}"
    same = {
        "held_on": held.held_on.isoformat(),
        "duration_minutes": held.duration_minutes,
        "attendees": list(held.attendees),
        "topics": list(held.topics),
        "advice": held.advice,
        "privileged_notes": held.privileged_notes,
    }
    r = api.patch(url, json={**same, "version": held.version})
    assert r.status_code == 200 and r.get_json()["version"] == held.version
    assert _session_updates() == []
    r = api.patch(url, json={**same, "advice": "New advice.", "version": held.version})
    assert r.status_code == 200 and r.get_json()["version"] == held.version + 1
    [event] = _session_updates()
    assert event.detail["fields"] == ["advice"]
