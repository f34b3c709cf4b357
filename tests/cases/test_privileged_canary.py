"""Privileged notes never leave the lawyer role: a canary written into them is searched for in
every page and API answer a non-lawyer can reach, in the audit trail and in the logs."""

import io
import logging
import zipfile

import pytest
import sqlalchemy as sa
from flask import url_for

from tests.support import CANARY, ROLES, make_disclosure, make_review, session_body
from tracker.audit.models import AuditEvent
from tracker.cases.models import SearchEntry
from tracker.db import db
from tracker.ui import PROJECT_TABS

NON_LAWYERS = [r for r in ROLES if r != "lawyer"]


def _paths(app, project_id, session_id):
    """Every page and API answer about the project (whatever exists in the app by now)."""
    with app.test_request_context():
        tabs = [
            url_for(endpoint, project_id=project_id)
            for endpoint, _label, _action in PROJECT_TABS
            if endpoint in app.view_functions
        ]
    return [
        *tabs,
        "/",
        f"/projects/{project_id}",
        f"/sessions/{session_id}",
        f"/projects/{project_id}/sessions",
        f"/projects?q={CANARY}",
        f"/api/v1/projects?q={CANARY}",
        f"/api/v1/projects?q={CANARY.split('-')[-1]}",
        f"/api/v1/projects/{project_id}",
        f"/api/v1/projects/{project_id}/sessions",
        f"/api/v1/projects/{project_id}/sessions?format=csv",
        f"/api/v1/projects/{project_id}/sessions?format=xlsx",
        f"/api/v1/sessions/{session_id}",
        f"/api/v1/projects/{project_id}/disclosures",
        f"/api/v1/projects/{project_id}/risk-reviews",
        "/api/v1/projects?format=csv",
        "/api/v1/dashboard",
        "/api/v1/audit?per_page=200",
        "/api/v1/openapi.json",
    ]


def _body(client, path):
    """The answer as text (an XLSX unzipped), minus the echoes of the query the test itself
    typed (the search box, the download links)."""
    response = client.get(path)
    data = response.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "".join(zf.read(n).decode() for n in zf.namelist())
    return data.decode().replace(f'value="{CANARY}"', "").replace(f"q={CANARY}", "")


def _write_session(world, api_as):
    lawyer = api_as(world.users["lawyer"])
    r = lawyer.post(f"/api/v1/projects/{world.project.id}/sessions", json=session_body())
    assert r.status_code == 201
    session_id = r.get_json()["id"]
    # edits and a failed edit carry the canary too
    version = r.get_json()["version"]
    notes = f"Second thoughts. {CANARY}"
    assert (
        lawyer.patch(
            f"/api/v1/sessions/{session_id}", json={"version": version, "privileged_notes": notes}
        ).status_code
        == 200
    )
    assert (
        lawyer.patch(
            f"/api/v1/sessions/{session_id}", json={"version": version, "privileged_notes": notes}
        ).status_code
        == 409
    )
    assert (
        lawyer.post(
            f"/api/v1/projects/{world.project.id}/sessions", json=session_body(duration_minutes=0)
        ).status_code
        == 422
    )
    # the lawyer reads it: positive control, the canary is really there
    assert CANARY in lawyer.get(f"/api/v1/sessions/{session_id}").get_data(as_text=True)
    return session_id


@pytest.mark.parametrize("role", NON_LAWYERS)
def test_canary_never_reaches_other_roles(world, app, api_as, browser_as, caplog, role):
    caplog.set_level(logging.DEBUG)
    make_disclosure(world.project, world.users["company"])
    make_review(world.project, world.users["lawyer"])
    session_id = _write_session(world, api_as)
    browser, api = browser_as(world.users[role]), api_as(world.users[role])
    seen = 0
    for path in _paths(app, world.project.id, session_id):
        for client in (browser, api):
            assert CANARY not in _body(client, path), f"{role} saw the canary at {path}"
            seen += 1
    assert seen > 20
    _assert_nowhere_else(caplog)


@pytest.mark.parametrize("role", ["lawyer", "company", "operator"])
def test_canary_never_reaches_outsiders(world, app, api_as, browser_as, caplog, role):
    caplog.set_level(logging.DEBUG)
    session_id = _write_session(world, api_as)
    browser, api = browser_as(world.outsiders[role]), api_as(world.outsiders[role])
    for path in _paths(app, world.project.id, session_id):
        for client in (browser, api):
            assert CANARY not in _body(client, path), path
    _assert_nowhere_else(caplog)


def test_lawyer_html_shows_notes_only_to_lawyers(world, api_as, browser_as):
    session_id = _write_session(world, api_as)
    html = browser_as(world.users["lawyer"]).get(f"/sessions/{session_id}").get_data(as_text=True)
    assert CANARY in html
    outsider = browser_as(world.outsiders["lawyer"]).get(f"/sessions/{session_id}")
    assert outsider.status_code == 404 and CANARY not in outsider.get_data(as_text=True)


def _assert_nowhere_else(caplog):
    details = db.session.execute(sa.select(AuditEvent.detail)).scalars().all()
    assert details, "no audit events at all: the check would prove nothing"
    assert all(CANARY not in repr(d) for d in details)
    texts = db.session.execute(sa.select(SearchEntry.text)).scalars().all()
    assert any("NDA scope" in t for t in texts), "the session's topics are indexed"
    assert all(CANARY not in t for t in texts)
    for rec in caplog.records:
        assert CANARY not in rec.getMessage()
        assert CANARY not in (rec.exc_text or "")
        assert CANARY not in repr(rec.args)
