"""Reading the trail: who may, the filters, the page; the foundation's events are there and
no event carries a secret."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support import TEST_PASSWORD, csrf_token
from tracker.audit.models import AuditEvent
from tracker.audit.service import record
from tracker.db import db

ROLES = ("admin", "lawyer", "company", "operator", "auditor")
ALLOWED = {"admin": 200, "lawyer": 200, "company": 403, "operator": 403, "auditor": 200}


@pytest.fixture
def people(make_user: Any) -> dict[str, Any]:
    users = {role: make_user(role) for role in ROLES}
    for role, u in users.items():
        record(f"test.by_{role}", u, actor_id=u.id, detail={"role": role})
    record("test.system", object_type="thing", object_id=7, actor_id=None)
    db.session.commit()
    return users


def actions(payload: dict[str, Any]) -> set[str]:
    return {e["action"] for e in payload["items"]}


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_the_trail(people, api_as, browser_as, role):
    r = api_as(people[role]).get("/api/v1/audit?per_page=200")
    assert r.status_code == ALLOWED[role]
    page = browser_as(people[role]).get("/audit")
    assert page.status_code == ALLOWED[role]
    if role in ("admin", "auditor"):
        assert {f"test.by_{x}" for x in ROLES} | {"test.system"} <= actions(r.get_json())
        assert "test.by_lawyer" in page.get_data(as_text=True)
    if role == "lawyer":
        payload = r.get_json()
        assert {e["actor_id"] for e in payload["items"]} == {people["lawyer"].id}
        assert "test.by_lawyer" in actions(payload) and "test.by_admin" not in actions(payload)
        html = page.get_data(as_text=True)
        assert "test.by_lawyer" in html and "test.by_admin" not in html


def test_lawyer_cannot_widen_to_others(people, api_as):
    admin_id = people["admin"].id
    r = api_as(people["lawyer"]).get(f"/api/v1/audit?actor_id={admin_id}")
    assert r.status_code == 200 and r.get_json()["items"] == []


def test_denied_audit_read_is_itself_audited(people, api_as):
    api_as(people["company"]).get("/api/v1/audit")
    event = (
        db.session.execute(
            sa.select(AuditEvent)
            .where(AuditEvent.action == "access.denied")
            .order_by(AuditEvent.seq.desc())
        )
        .scalars()
        .first()
    )
    assert event is not None
    assert event.detail["status"] == 403 and event.detail["path"] == "/api/v1/audit"
    assert event.actor_id == people["company"].id


def test_filters(people, api_as):
    api = api_as(people["auditor"])
    r = api.get("/api/v1/audit?action=test.by_admin").get_json()
    assert actions(r) == {"test.by_admin"} and r["total"] == 1
    r = api.get("/api/v1/audit?object_type=thing&object_id=7").get_json()
    assert actions(r) == {"test.system"}
    r = api.get(f"/api/v1/audit?actor_id={people['operator'].id}").get_json()
    assert "test.by_operator" in actions(r) and "test.by_admin" not in actions(r)
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat()
    assert api.get("/api/v1/audit", query_string={"since": future}).get_json()["total"] == 0
    assert api.get("/api/v1/audit", query_string={"until": past}).get_json()["total"] == 0
    assert api.get("/api/v1/audit", query_string={"since": past}).get_json()["total"] >= 6


def test_newest_first_and_paginated(people, api_as):
    r = api_as(people["admin"]).get("/api/v1/audit?per_page=2&page=1").get_json()
    assert len(r["items"]) == 2 and r["total"] >= 6 and r["per_page"] == 2
    assert r["items"][0]["seq"] > r["items"][1]["seq"]


@pytest.mark.parametrize(
    "query",
    ["since=yesterday", "since=2026-11-25T10:00:00", "actor_id=x", "per_page=500", "page=0"],
)
def test_bad_filters_are_422(people, api_as, query):
    r = api_as(people["admin"]).get(f"/api/v1/audit?{query}")
    assert r.status_code == 422 and r.mimetype == "application/problem+json"


def test_page_filters(people, browser_as):
    c = browser_as(people["auditor"])
    html = c.get("/audit?action=test.by_operator").get_data(as_text=True)
    assert "test.by_operator" in html and "test.by_admin" not in html
    assert c.get("/audit?since=not-a-time").status_code == 422


# --- the foundation's events -------------------------------------------------------------------


def last(action: str) -> AuditEvent | None:
    return (
        db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq.desc())
        )
        .scalars()
        .first()
    )


def test_sign_in_success_and_failure_are_recorded(make_user, client, browser_as):
    user = make_user("lawyer")
    token = csrf_token(client)
    r = client.post(
        "/login", data={"email": user.email, "password": "wrong password 123", "csrf_token": token}
    )
    assert r.status_code == 401
    failed = last("auth.sign_in_failed")
    assert failed is not None and failed.object_id == user.id and failed.actor_id is None
    browser_as(user)
    ok = last("auth.sign_in")
    assert ok is not None and ok.actor_id == user.id


def test_denied_request_is_recorded(make_user, api_as, make_project):
    company = make_user("company")
    project = make_project()
    assert api_as(company).get(f"/api/v1/projects/{project.id}/transfers").status_code == 404
    admin = make_user("admin")
    assert api_as(admin).get("/api/v1/transfers").status_code == 403
    denied = last("access.denied")
    assert denied is not None and denied.actor_id == admin.id


def test_no_secret_in_any_event(make_user, client, browser_as, api_as):
    """Passwords (right and wrong), bearer tokens and session ids never reach the trail."""
    user = make_user("company", password=TEST_PASSWORD)
    wrong = "my wrong password 9876"
    token = csrf_token(client)
    client.post("/login", data={"email": user.email, "password": wrong, "csrf_token": token})
    browser_as(user)
    r = client.post("/api/v1/auth/token", json={"email": user.email, "password": TEST_PASSWORD})
    assert r.status_code == 201
    bearer = r.get_json()["token"]
    api = api_as(user)
    api.get("/api/v1/me")
    rows = db.session.execute(sa.select(AuditEvent)).scalars().all()
    assert rows
    dumped = json.dumps(
        [[e.action, e.object_type, e.ip, e.detail] for e in rows], ensure_ascii=False
    )
    for secret in (TEST_PASSWORD, wrong, bearer, api.token):
        assert secret not in dumped
    keys = {k.lower() for e in rows for k in (e.detail or {})}
    assert not {k for k in keys if any(w in k for w in ("password", "token", "secret", "otp"))}


def test_page_in_korean(people, browser_as):
    people["auditor"].locale = "ko"
    db.session.commit()
    assert "감사 기록" in browser_as(people["auditor"]).get("/audit").get_data(as_text=True)


@pytest.mark.parametrize("big", [2**31, 2**63, 10**19])
@pytest.mark.parametrize("name", ["actor_id", "object_id"])
def test_filter_id_out_of_range_matches_nothing(people, api_as, browser_as, name, big):
    """An id no row can have matches nothing (it used to reach SQL and answer 500)."""
    auditor = people["auditor"]
    r = api_as(auditor).get(f"/api/v1/audit?{name}={big}")
    assert r.status_code == 200 and r.get_json()["total"] == 0
    assert browser_as(auditor).get(f"/audit?{name}={big}").status_code == 200


@pytest.mark.parametrize("name", ["since", "until"])
@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_time_filter_without_a_utc_time_is_422(people, api_as, name, value):
    r = api_as(people["auditor"]).get("/api/v1/audit", query_string={name: value})
    assert r.status_code == 422 and name in r.get_json()["errors"]
