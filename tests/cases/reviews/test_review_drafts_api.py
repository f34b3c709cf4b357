"""Drafts of risk reviews over the API (an API extension): only their author knows of
them, they count nowhere (lists, exports, the decision queue, the project's level, the trail's
labels), they are changed, submitted or deleted, and a body without `status` still files a
submitted review."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa

from tests.support import OUTSIDERS, ROLES, answers
from tracker import clock
from tracker.audit.models import AuditEvent
from tracker.cases.reviews import service as risk
from tracker.cases.reviews.models import RiskReview
from tracker.db import db

#: two factors only: no result yet
PARTIAL = {"asset_sensitivity": "trade_secret", "nda_coverage": "none"}


def _post(api, project, body):
    return api.post(f"/api/v1/projects/{project.id}/risk-reviews", json=body)


@pytest.fixture
def draft(world):
    """The in-scope lawyer's draft, answering two factors."""
    return risk.submit_review(world.project, world.users["lawyer"], PARTIAL, "Not yet", draft=True)


@pytest.fixture
def full_draft(world):
    """A draft answering every factor at its highest choice (scored critical)."""
    return risk.submit_review(world.project, world.users["lawyer"], answers(-1), None, draft=True)


def test_a_post_with_status_draft_keeps_a_partial_review(world, api_as):
    r = _post(api_as(world.users["lawyer"]), world.project, {"answers": PARTIAL, "status": "draft"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["status"] == "draft"
    assert [body[k] for k in ("likelihood", "impact", "score", "level", "nct_forced")] == [None] * 5
    assert body["answers"] == PARTIAL
    assert body["author"] == {
        "id": world.users["lawyer"].id,
        "name": world.users["lawyer"].name,
        "role": "lawyer",
    }
    assert body["decided_by"] is None
    event = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "review.draft")
    ).scalar_one()
    assert event.object_id == body["id"] and event.detail == {"project_id": world.project.id}


def test_a_complete_draft_shows_its_result(world, api_as, full_draft):
    body = api_as(world.users["lawyer"]).get(f"/api/v1/risk-reviews/{full_draft.id}").get_json()
    assert (body["status"], body["score"], body["level"]) == ("draft", 25, "critical")


@pytest.mark.parametrize("status", [None, "submitted"])
def test_without_status_draft_the_contract_holds(world, api_as, status):
    api = api_as(world.users["lawyer"])
    sent = {"status": status} if status else {}
    r = _post(api, world.project, {"answers": answers(), "summary": "s", **sent})
    assert r.status_code == 201
    assert r.get_json()["status"] == "submitted"
    # a submitted review answers every factor
    r = _post(api, world.project, {"answers": PARTIAL, **sent})
    assert r.status_code == 422
    assert "answers.partner_jurisdiction" in r.get_json()["errors"]


def test_bad_drafts_are_refused(world, api_as):
    api = api_as(world.users["lawyer"])
    assert _post(api, world.project, {"answers": PARTIAL, "status": "approved"}).status_code == 422
    r = _post(api, world.project, {"answers": {"no_such_factor": "x"}, "status": "draft"})
    assert r.status_code == 422
    assert "answers.no_such_factor" in r.get_json()["errors"]
    assert db.session.execute(sa.select(sa.func.count()).select_from(RiskReview)).scalar() == 0


@pytest.mark.parametrize("role", ["admin", "company", "operator", "auditor", "second_lawyer"])
def test_nobody_else_knows_of_a_draft(world, api_as, make_user, draft, role):
    if role == "second_lawyer":
        user = make_user("lawyer")
        world.project.lawyers.append(user)
        db.session.flush()
    else:
        user = world.users[role]
    api = api_as(user)
    base = f"/api/v1/risk-reviews/{draft.id}"
    assert api.get(base).status_code == 404
    assert api.patch(base, json={"answers": answers()}).status_code == 404
    assert api.delete(base).status_code == 404
    assert api.post(f"{base}/decision", json={"decision": "reject"}).status_code == 404
    listing = api.get(f"/api/v1/projects/{world.project.id}/risk-reviews").get_json()
    assert listing["total"] == 0 and listing["items"] == []
    csv = api.get(f"/api/v1/projects/{world.project.id}/risk-reviews?format=csv")
    assert csv.status_code == 200
    assert len(csv.get_data(as_text=True).strip().splitlines()) == 1  # the header alone
    db.session.expire_all()
    assert db.session.get(RiskReview, draft.id).answers == PARTIAL


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_know_nothing_of_a_draft(world, api_as, draft, role):
    api = api_as(world.outsiders[role])
    base = f"/api/v1/risk-reviews/{draft.id}"
    for method in ("get", "patch", "delete"):
        assert getattr(api, method)(base).status_code == 404


def test_the_author_sees_lists_and_exports_with_the_draft(world, api_as, draft):
    api = api_as(world.users["lawyer"])
    listing = api.get(f"/api/v1/projects/{world.project.id}/risk-reviews").get_json()
    assert [i["id"] for i in listing["items"]] == [draft.id]
    csv = api.get(f"/api/v1/projects/{world.project.id}/risk-reviews?format=csv")
    lines = csv.get_data(as_text=True).strip().splitlines()
    assert len(lines) == 2 and "Draft" in lines[1]
    # the download names the author once, by the id column's name column
    assert lines[0].count("Author") == 2  # "Author" and "Author ID"


def test_the_author_changes_then_submits_the_draft(world, api_as, make_user, draft):
    api = api_as(world.users["lawyer"])
    base = f"/api/v1/risk-reviews/{draft.id}"
    changed = {**PARTIAL, "partner_jurisdiction": "high_risk"}
    r = api.patch(base, json={"answers": changed, "version": 1})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["answers"]["partner_jurisdiction"] == "high_risk"
    assert r.get_json()["summary"] == "Not yet"  # what is not sent stays
    assert api.patch(base, json={"summary": "x", "version": 1}).status_code == 409  # stale
    # submitting needs every factor
    r = api.patch(base, json={"status": "submitted"})
    assert r.status_code == 422
    assert db.session.get(RiskReview, draft.id).status == "draft"
    r = api.patch(base, json={"answers": answers(-1), "status": "submitted"})
    assert r.status_code == 200
    assert (r.get_json()["status"], r.get_json()["level"]) == ("submitted", "critical")
    # now it is a review like any other: no more changes, no deletion
    assert api.patch(base, json={"summary": "late"}).status_code == 409
    assert api.delete(base).status_code == 409
    # and a second lawyer sees it and decides it
    second = make_user("lawyer")
    world.project.lawyers.append(second)
    db.session.flush()
    other = api_as(second)
    assert other.get(base).status_code == 200
    queue = other.get("/api/v1/dashboard").get_json()["queues"]["reviews_to_decide"]
    assert [i["id"] for i in queue] == [draft.id]
    until = (clock.today() + dt.timedelta(days=100)).isoformat()
    r = other.post(f"{base}/decision", json={"decision": "approve", "valid_until": until})
    assert r.status_code == 200
    body = api.get(base).get_json()
    assert body["decided_by"] == {"id": second.id, "name": second.name, "role": "lawyer"}
    assert body["author"]["id"] == world.users["lawyer"].id


def test_the_author_deletes_a_draft(world, api_as, draft):
    api = api_as(world.users["lawyer"])
    path = f"/api/v1/risk-reviews/{draft.id}"
    draft_id = draft.id
    assert api.delete(f"{path}?version=9").status_code == 409
    assert api.delete(f"{path}?version=1").status_code == 204
    db.session.expire_all()
    assert db.session.execute(sa.select(RiskReview.id)).all() == []
    assert api.get(path).status_code == 404
    actions = db.session.execute(
        sa.select(AuditEvent.action).where(AuditEvent.object_id == draft_id)
    ).scalars()
    assert "review.draft_deleted" in list(actions)


def test_the_author_may_not_decide_a_draft(world, api_as, full_draft):
    r = api_as(world.users["lawyer"]).post(
        f"/api/v1/risk-reviews/{full_draft.id}/decision", json={"decision": "reject"}
    )
    assert r.status_code == 403


def test_a_draft_counts_nowhere(world, api_as, make_user, full_draft):
    """A scored draft is not waiting for a decision, sets no level, fills no heat-map cell."""
    second = make_user("lawyer")
    world.project.lawyers.append(second)
    db.session.flush()
    board = api_as(second).get("/api/v1/dashboard").get_json()
    assert board["queues"]["reviews_to_decide"] == []
    project = api_as(world.users["lawyer"]).get(f"/api/v1/projects/{world.project.id}").get_json()
    assert project["risk_level"] is None
    heat = api_as(world.users["admin"]).get("/api/v1/dashboard").get_json()
    assert sum(map(sum, heat["heat_map"]["cells"])) == 0
    assert db.session.execute(risk.awaiting_decision(second)).scalars().all() == []


@pytest.mark.parametrize("role", ROLES)
def test_no_file_is_attached_to_a_draft(world, api_as, draft, role):
    api = api_as(world.users[role])
    r = api.post(
        f"/api/v1/projects/{world.project.id}/attachments",
        data={
            "file": (io.BytesIO(b"notes\n"), "notes.txt"),
            "record_type": "review",
            "record_id": str(draft.id),
        },
        content_type="multipart/form-data",
    )
    if role in ("admin", "operator", "auditor"):  # may not upload at all
        assert r.status_code == 403
    else:
        assert r.status_code == 422
        message = r.get_json()["errors"]["record_id"][0]
        # the author is told why; anyone else learns nothing of the draft
        expected = "Submit the draft" if role == "lawyer" else "No such record"
        assert message.startswith(expected), message


def test_the_trail_names_no_draft_of_another(world, api_as):
    r = _post(api_as(world.users["lawyer"]), world.project, {"answers": PARTIAL, "status": "draft"})
    draft = db.session.get(RiskReview, r.get_json()["id"])
    for role, labelled in (("auditor", False), ("admin", False), ("lawyer", True)):
        body = api_as(world.users[role]).get("/api/v1/audit?action=review.draft").get_json()
        (event,) = body["items"]
        assert event["object"]["id"] == draft.id
        # named by its kind alone for those who may not see the draft (never by its id)
        assert (event["object"]["label"] != "Risk review") == labelled, role


def test_only_a_draft_may_lack_its_result(world):
    """The CHECK constraint of migration 0010."""
    review = RiskReview(
        project=world.project,
        catalogue_version="2026.1",
        answers={},
        status="submitted",
        author_id=world.users["lawyer"].id,
    )
    db.session.add(review)
    with pytest.raises(sa.exc.IntegrityError):
        with db.session.begin_nested():
            db.session.flush()


def test_a_fractional_version_is_refused_not_truncated(world, api_as, draft):
    """`{"version": 1.5}` was read as 1 (marshmallow's lenient Integer): a 422 now."""
    api = api_as(world.users["lawyer"])
    r = api.patch(f"/api/v1/risk-reviews/{draft.id}", json={"summary": "x", "version": 1.5})
    assert r.status_code == 422 and "version" in r.get_json()["errors"], r.get_json()
    db.session.refresh(draft)
    assert draft.summary == "Not yet"
