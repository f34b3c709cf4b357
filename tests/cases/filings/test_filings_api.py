"""Filings over the API: every role in and out of scope, the parent rules, bad input with
nothing written, optimistic locking, events, done marks, and the deadline list's new fields."""

import pytest
import sqlalchemy as sa

from tests.support import OUTSIDERS, ROLES, count, make_asset
from tracker.audit.models import AuditEvent
from tracker.cases.filings.models import Filing, FilingEvent
from tracker.db import db


def _kr(**over):
    body = {
        "office": "KR",
        "route": "first",
        "application_no": "10-2024-0041234",
        "filed_on": "2024-03-31",
        "status": "pending",
    }
    body.update(over)
    return body


@pytest.fixture
def asset(world):
    made = make_asset(world.project)
    made.jurisdictions = ["KR", "WO", "US", "EP"]
    return made


@pytest.fixture
def lawyer(world, api_as):
    return api_as(world.users["lawyer"])


def _post(client, asset, **over):
    return client.post(f"/api/v1/assets/{asset.id}/filings", json=_kr(**over))


def test_a_lawyer_in_scope_records_a_family(world, asset, lawyer):
    r = _post(lawyer, asset)
    assert r.status_code == 201, r.get_json()
    kr = r.get_json()
    assert kr["id"] and kr["office"] == "KR" and kr["version"] == 1
    assert isinstance(kr["deadlines"], list)
    pct = _post(lawyer, asset, office="wo", route="pct", parent_id=kr["id"], filed_on="2025-03-28")
    assert pct.status_code == 201, pct.get_json()
    assert pct.get_json()["office"] == "WO"
    us = _post(
        lawyer,
        asset,
        office="US",
        route="national_phase",
        parent_id=pct.get_json()["id"],
        filed_on="2026-09-30",
        application_no="18/123,456",
    )
    assert us.status_code == 201, us.get_json()
    listed = lawyer.get(f"/api/v1/assets/{asset.id}/filings").get_json()
    assert listed["total"] == 3
    assert [f["office"] for f in listed["items"]] == ["KR", "WO", "US"]
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_type == "filing")
    ).all()
    assert actions.count("filing.created") == 3


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_and_who_writes(world, asset, api_as, role):
    made = _post(api_as(world.users["lawyer"]), asset).get_json()
    client = api_as(world.users[role])
    read = client.get(f"/api/v1/filings/{made['id']}")
    listed = client.get(f"/api/v1/assets/{asset.id}/filings")
    events = client.get(f"/api/v1/filings/{made['id']}/events")
    readers = {"admin", "lawyer", "company", "auditor"}
    want = 200 if role in readers else 403
    assert (read.status_code, listed.status_code, events.status_code) == (want, want, want)
    if role == "lawyer":
        return
    before = count(Filing)
    assert _post(client, asset).status_code == 403
    patch = client.patch(f"/api/v1/filings/{made['id']}", json={"version": 1, "status": "lapsed"})
    assert patch.status_code == 403
    event = client.post(
        f"/api/v1/filings/{made['id']}/events", json={"kind": "fee_paid", "on": "2026-01-01"}
    )
    assert event.status_code == 403
    assert client.delete(f"/api/v1/filings/{made['id']}").status_code == 403
    assert count(Filing) == before and count(FilingEvent) == 0


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_404(world, asset, api_as, role):
    made = _post(api_as(world.users["lawyer"]), asset).get_json()
    client = api_as(world.outsiders[role])
    assert client.get(f"/api/v1/filings/{made['id']}").status_code == 404
    assert client.get(f"/api/v1/assets/{asset.id}/filings").status_code == 404
    assert client.get(f"/api/v1/filings/{made['id']}/events").status_code == 404
    assert _post(client, asset).status_code == 404
    assert client.patch(f"/api/v1/filings/{made['id']}", json={"version": 1}).status_code == 404
    assert client.delete(f"/api/v1/filings/{made['id']}").status_code == 404
    assert count(Filing) == 1


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"office": "XX"}, "office"),
        ({"office": "KOREA"}, "office"),
        ({"route": "by_post"}, "route"),
        ({"status": "granted"}, "status"),
        ({"filed_on": "2024-02-30"}, "filed_on"),
        ({"filed_on": "0024-03-31"}, "filed_on"),
        ({"filed_on": None}, "filed_on"),
        ({"parent_id": 2**40}, "parent_id"),
        ({"parent_id": "1"}, "parent_id"),
        ({"application_no": "10-2024\x01"}, "application_no"),
        ({"application_no": "10-2024\x00"}, "application_no"),
        ({"priority_on": "2024-04-01"}, "priority_on"),
        ({"registered_on": "2023-01-01"}, "registered_on"),
        ({"route": "paris"}, "parent_id"),
        ({"route": "national_phase"}, "parent_id"),
    ],
)
def test_bad_input_is_422_and_writes_nothing(world, asset, lawyer, over, field):
    r = _post(lawyer, asset, **over)
    assert r.status_code == 422, r.get_json()
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert field in r.get_json()["errors"]
    assert count(Filing) == 0


def test_malformed_json_is_400(asset, lawyer):
    r = lawyer.client.post(
        f"/api/v1/assets/{asset.id}/filings",
        data="{not json",
        headers={"Authorization": f"Bearer {lawyer.token}", "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert count(Filing) == 0


def test_parent_rules(world, asset, lawyer):
    kr = _post(lawyer, asset).get_json()
    # a national phase enters from the PCT filing, not from the KR one
    bad = _post(lawyer, asset, office="US", route="national_phase", parent_id=kr["id"])
    assert bad.status_code == 422 and "parent_id" in bad.get_json()["errors"]
    # a validation validates the EP filing
    bad = _post(lawyer, asset, office="DE", route="validation", parent_id=kr["id"])
    assert bad.status_code == 422 and "parent_id" in bad.get_json()["errors"]
    # a parent of another asset is no parent
    other = make_asset(world.project, title="Other")
    theirs = _post(lawyer, other).get_json()
    bad = _post(lawyer, asset, office="JP", route="paris", parent_id=theirs["id"])
    assert bad.status_code == 422 and "parent_id" in bad.get_json()["errors"]
    # paris: any filing of the asset
    ok = _post(lawyer, asset, office="JP", route="paris", parent_id=kr["id"], filed_on="2025-03-01")
    assert ok.status_code == 201, ok.get_json()
    # a filing cannot come from its own descendant
    loop = lawyer.patch(
        f"/api/v1/filings/{kr['id']}",
        json={"version": kr["version"], "route": "paris", "parent_id": ok.get_json()["id"]},
    )
    assert loop.status_code == 422 and "parent_id" in loop.get_json()["errors"]
    # a filing others come from is not deleted
    assert lawyer.delete(f"/api/v1/filings/{kr['id']}").status_code == 409
    assert count(Filing) == 3


def test_stale_version_is_409_and_changes_nothing(asset, lawyer):
    made = _post(lawyer, asset).get_json()
    ok = lawyer.patch(
        f"/api/v1/filings/{made['id']}", json={"version": 1, "registration_no": "10-2345678"}
    )
    assert ok.status_code == 200 and ok.get_json()["version"] == 2
    stale = lawyer.patch(f"/api/v1/filings/{made['id']}", json={"version": 1, "status": "lapsed"})
    assert stale.status_code == 409
    assert lawyer.get(f"/api/v1/filings/{made['id']}").get_json()["status"] == "pending"
    missing = lawyer.patch(f"/api/v1/filings/{made['id']}", json={"status": "lapsed"})
    assert missing.status_code == 422
    assert lawyer.delete(f"/api/v1/filings/{made['id']}?version=1").status_code == 409
    assert lawyer.delete(f"/api/v1/filings/{made['id']}?version=2").status_code == 204
    assert count(Filing) == 0


def test_events_fill_the_filing_and_are_audited(asset, lawyer):
    made = _post(lawyer, asset).get_json()
    r = lawyer.post(
        f"/api/v1/filings/{made['id']}/events",
        json={"kind": "registration", "on": "2026-05-12", "note": "등록결정"},
    )
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["kind"] == "registration" and "deadlines" in r.get_json()
    filing = lawyer.get(f"/api/v1/filings/{made['id']}").get_json()
    assert filing["registered_on"] == "2026-05-12" and filing["status"] == "registered"
    assert filing["version"] == 2
    events = lawyer.get(f"/api/v1/filings/{made['id']}/events").get_json()
    assert events["total"] == 1 and events["items"][0]["note"] == "등록결정"
    bad = lawyer.post(f"/api/v1/filings/{made['id']}/events", json={"kind": "fax", "on": "x"})
    assert bad.status_code == 422 and count(FilingEvent) == 1
    audited = db.session.scalars(
        sa.select(AuditEvent.detail).where(AuditEvent.action == "filing.event_recorded")
    ).all()
    assert len(audited) == 1 and "등록결정" not in str(audited[0])


def test_an_unknown_done_key_is_422(asset, lawyer):
    made = _post(lawyer, asset).get_json()
    r = lawyer.patch(
        f"/api/v1/filings/{made['id']}",
        json={"version": 1, "deadlines": [{"key": "no-such", "done": True}]},
    )
    assert r.status_code == 422 and "deadlines" in r.get_json()["errors"]


def test_huge_ids_are_404(lawyer):
    assert lawyer.get(f"/api/v1/filings/{2**40}").status_code == 404
    assert lawyer.get(f"/api/v1/assets/{2**40}/filings").status_code == 404


def test_an_office_action_without_a_period_needs_its_date(world, asset, lawyer):
    made = _post(lawyer, asset, office="BR", application_no="BR-1").get_json()
    r = lawyer.post(
        f"/api/v1/filings/{made['id']}/events", json={"kind": "office_action", "on": "2026-01-05"}
    )
    assert r.status_code == 422 and "due_on" in r.get_json()["errors"]
    assert count(FilingEvent) == 0
    r = lawyer.post(
        f"/api/v1/filings/{made['id']}/events",
        json={"kind": "office_action", "on": "2026-01-05", "due_on": "2026-03-05"},
    )
    assert r.status_code == 201
    assert [d["due_on"] for d in r.get_json()["deadlines"] if d["kind"] == "ip_office_action"] == [
        "2026-03-05"
    ]


@pytest.mark.parametrize("field", ["office", "route", "status", "filed_on"])
def test_a_patch_cannot_empty_a_required_field(asset, lawyer, field):
    made = _post(lawyer, asset).get_json()
    r = lawyer.patch(f"/api/v1/filings/{made['id']}", json={"version": 1, field: None})
    assert r.status_code == 422, r.get_json()
    after = lawyer.get(f"/api/v1/filings/{made['id']}").get_json()
    assert after["version"] == 1 and after[field] == made[field]


def test_a_filing_number_finds_its_project_for_readers_only(world, asset, lawyer, api_as):
    made = _post(lawyer, asset, application_no="BR102026999888").get_json()
    found = lawyer.get("/api/v1/projects?q=BR102026999888").get_json()
    assert [p["id"] for p in found["items"]] == [world.project.id]
    operator = api_as(world.users["operator"]).get("/api/v1/projects?q=BR102026999888").get_json()
    assert operator["items"] == []
    assert lawyer.delete(f"/api/v1/filings/{made['id']}").status_code == 204
    assert lawyer.get("/api/v1/projects?q=BR102026999888").get_json()["items"] == []
