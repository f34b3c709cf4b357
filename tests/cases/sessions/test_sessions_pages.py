"""Advisory session pages: every role in and out of scope, forms, follow-ups."""

import pytest

from tests.support import CANARY, OUTSIDERS, ROLES, SESSION_READERS, csrf_token, fresh
from tracker.cases.sessions.models import AdvisorySession, FollowUp


@pytest.mark.parametrize("role", ROLES)
def test_pages_per_role(world, browser_as, held, role):
    c = browser_as(world.users[role])
    for path in (f"/projects/{world.project.id}/sessions", f"/sessions/{held.id}"):
        r = c.get(path)
        assert r.status_code == (200 if role in SESSION_READERS else 403), path
    detail = c.get(f"/sessions/{held.id}").get_data(as_text=True)
    if role in SESSION_READERS:
        assert "Sign the NDA before sending" in detail and "Send NDA draft" in detail
    assert (CANARY in detail) == (role == "lawyer")
    for path in (f"/projects/{world.project.id}/sessions/new", f"/sessions/{held.id}/edit"):
        assert c.get(path).status_code == (200 if role == "lawyer" else 403), path


@pytest.mark.parametrize("role", OUTSIDERS)
def test_pages_out_of_scope(world, browser_as, held, role):
    c = browser_as(world.outsiders[role])
    for path in (
        f"/projects/{world.project.id}/sessions",
        f"/projects/{world.project.id}/sessions/new",
        f"/sessions/{held.id}",
        f"/sessions/{held.id}/edit",
    ):
        assert c.get(path).status_code == 404, path


def _form(token, **over):
    data = {
        "csrf_token": token,
        "held_on": "2026-09-10",
        "duration_minutes": "60",
        "attendees": "Kim Minji\nLawyer Park",
        "topics": "Export licence\nVisiting researchers",
        "advice": "Apply for the licence before the visit.",
        "privileged_notes": "Client may have shipped samples already.",
        "follow_ups-0-title": "Draft the licence application",
        "follow_ups-0-owner": "Kim Minji",
        "follow_ups-0-due_on": "2026-10-01",
    }
    data.update(over)
    return data


def test_lawyer_records_edits_and_closes_follow_ups(world, browser_as):
    c = browser_as(world.users["lawyer"])
    path = f"/projects/{world.project.id}/sessions/new"
    r = c.post(path, data=_form(csrf_token(c, path)))
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    session = fresh(AdvisorySession, int(r.headers["Location"].rsplit("/", 1)[1]))
    assert session.topics == ["Export licence", "Visiting researchers"]
    assert [f.title for f in session.follow_ups] == ["Draft the licence application"]
    edit = f"/sessions/{session.id}/edit"
    page = c.get(edit).get_data(as_text=True)
    assert "Client may have shipped samples already." in page
    token, loaded = csrf_token(c, edit), session.version
    r = c.post(edit, data=_form(token, version=str(loaded), advice="New advice."))
    assert r.status_code == 302
    assert fresh(AdvisorySession, session.id).advice == "New advice."
    assert len(fresh(AdvisorySession, session.id).follow_ups) == 2
    r = c.post(edit, data=_form(token, version=str(loaded), advice="Stale."))
    assert r.status_code == 409
    fid = session.follow_ups[0].id
    r = c.post(
        f"/sessions/{session.id}/follow-ups/{fid}",
        data={"csrf_token": csrf_token(c, f"/sessions/{session.id}"), "done": "1"},
    )
    assert r.status_code == 302
    assert fresh(FollowUp, fid).done is True


def test_bad_session_form_is_422(world, browser_as):
    c = browser_as(world.users["lawyer"])
    path = f"/projects/{world.project.id}/sessions/new"
    r = c.post(path, data=_form(csrf_token(c, path), duration_minutes="0"))
    assert r.status_code == 422
    r = c.post(path, data=_form(csrf_token(c, path), **{"follow_ups-0-owner": ""}))
    assert r.status_code == 422
    assert "Say who does it." in r.get_data(as_text=True)


@pytest.mark.parametrize("role", ["company", "auditor"])
def test_follow_up_toggle_forbidden(world, browser_as, held, role):
    c = browser_as(world.users[role])
    token = csrf_token(c, "/account")
    r = c.post(
        f"/sessions/{held.id}/follow-ups/{held.follow_ups[0].id}",
        data={"csrf_token": token, "done": "1"},
    )
    assert r.status_code == 403
    assert fresh(FollowUp, held.follow_ups[0].id).done is False


def test_edit_without_version_is_422_and_says_why(world, browser_as, held):
    c = browser_as(world.users["lawyer"])
    edit = f"/sessions/{held.id}/edit"
    r = c.post(edit, data=_form(csrf_token(c, edit), advice="No version"))
    assert r.status_code == 422
    assert "Send the version you loaded." in r.get_data(as_text=True)
    assert fresh(AdvisorySession, held.id).advice.startswith("Sign the NDA")
