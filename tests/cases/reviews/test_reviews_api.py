"""Risk reviews over the API: the matrix per role, results vs answers, decisions, four eyes."""

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.support import (
    OUTSIDERS,
    REVIEW_ANSWER_READERS,
    ROLES,
    answers,
    fresh,
    make_asset,
)
from tracker import clock
from tracker.cases.projects.models import Project
from tracker.cases.reviews.level import current_risk_levels
from tracker.cases.reviews.models import RiskReview
from tracker.db import db


def _future(days=365):
    return (clock.today() + dt.timedelta(days=days)).isoformat()


def test_catalogue_endpoint(world, api_as):
    for role in ROLES:
        r = api_as(world.users[role]).get("/api/v1/risk-factors")
        assert r.status_code == 200
        body = r.get_json()
        assert body["version"] == "2026.1"
        assert len(body["factors"]) == 9
        assert body["factors"][0]["choices"][0]["label"]["ko"]


@pytest.mark.parametrize("role", ROLES)
def test_results_for_all_answers_for_some(world, api_as, submitted, role):
    api = api_as(world.users[role])
    listing = api.get(f"/api/v1/projects/{world.project.id}/risk-reviews")
    detail = api.get(f"/api/v1/risk-reviews/{submitted.id}")
    assert (listing.status_code, detail.status_code) == (200, 200)
    for body in (detail.get_json(), listing.get_json()["items"][0]):
        assert (body["likelihood"], body["impact"], body["score"], body["level"]) == (
            5,
            5,
            25,
            "critical",
        )
        if role in REVIEW_ANSWER_READERS:
            assert body["answers"]["nda_coverage"] == "none"
            assert body["summary"]
            assert body["drivers"][0]["score"] == 3
        else:
            for key in ("answers", "summary", "drivers"):
                assert key not in body


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_404(world, api_as, submitted, role):
    api = api_as(world.outsiders[role])
    assert api.get(f"/api/v1/projects/{world.project.id}/risk-reviews").status_code == 404
    assert api.get(f"/api/v1/risk-reviews/{submitted.id}").status_code == 404
    assert (
        api.post(
            f"/api/v1/projects/{world.project.id}/risk-reviews", json={"answers": answers(0)}
        ).status_code
        == 404
    )
    assert (
        api.post(
            f"/api/v1/risk-reviews/{submitted.id}/decision", json={"decision": "reject"}
        ).status_code
        == 404
    )


@pytest.mark.parametrize("role", ROLES)
def test_submitting_per_role(world, api_as, role):
    r = api_as(world.users[role]).post(
        f"/api/v1/projects/{world.project.id}/risk-reviews",
        json={"answers": answers(0), "summary": "Low exposure."},
    )
    if role == "lawyer":
        assert r.status_code == 201, r.get_json()
        body = r.get_json()
        assert (body["status"], body["score"], body["level"]) == ("submitted", 1, "low")
        assert body["catalogue_version"] == "2026.1"
    else:
        assert r.status_code == 403


def test_nct_asset_forces_impact_5(world, api_as):
    make_asset(world.project, nct_status="nct_funded", nct_ref="MOTIE-2026-17")
    r = api_as(world.users["lawyer"]).post(
        f"/api/v1/projects/{world.project.id}/risk-reviews", json={"answers": answers(0)}
    )
    body = r.get_json()
    assert (body["likelihood"], body["impact"], body["score"], body["level"]) == (1, 5, 5, "medium")
    assert body["nct_forced"] is True


@pytest.mark.parametrize(
    "bad",
    [
        {**answers(0), "moon_phase": "full"},
        {**answers(0), "nda_coverage": "handshake"},
        {k: v for k, v in answers(0).items() if k != "prior_incidents"},
        {},
    ],
)
def test_bad_answers_are_422(world, api_as, bad):
    r = api_as(world.users["lawyer"]).post(
        f"/api/v1/projects/{world.project.id}/risk-reviews", json={"answers": bad}
    )
    assert r.status_code == 422
    assert r.get_json()["errors"]
    assert db.session.execute(sa.select(sa.func.count(RiskReview.id))).scalar_one() == 0


@pytest.mark.parametrize("role", ROLES)
def test_deciding_per_role(world, api_as, submitted, second_lawyer, role):
    r = api_as(world.users[role]).post(
        f"/api/v1/risk-reviews/{submitted.id}/decision", json={"decision": "reject"}
    )
    # the in-scope lawyer wrote the review: a second lawyer must decide it
    assert r.status_code == 403
    assert fresh(RiskReview, submitted.id).status == "submitted"


def test_second_lawyer_approves_and_the_project_level_follows(
    world, api_as, submitted, second_lawyer
):
    r = api_as(second_lawyer).post(
        f"/api/v1/risk-reviews/{submitted.id}/decision",
        json={
            "decision": "approve",
            "valid_until": _future(),
            "conditions": "Secure platform only",
        },
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["status"], body["reviewer_id"]) == ("approved", second_lawyer.id)
    assert body["conditions"] == "Secure platform only"
    assert current_risk_levels([world.project.id], clock.today()) == {world.project.id: "critical"}
    again = api_as(second_lawyer).post(
        f"/api/v1/risk-reviews/{submitted.id}/decision", json={"decision": "reject"}
    )
    assert again.status_code == 409


@pytest.mark.parametrize("valid_until", [None, "today", "past", "garbage"])
def test_approval_needs_a_future_validity(world, api_as, submitted, second_lawyer, valid_until):
    value = {
        None: None,
        "today": clock.today().isoformat(),
        "past": _future(-1),
        "garbage": "soon",
    }[valid_until]
    body = {"decision": "approve"}
    if value is not None:
        body["valid_until"] = value
    r = api_as(second_lawyer).post(f"/api/v1/risk-reviews/{submitted.id}/decision", json=body)
    assert r.status_code == 422
    assert "valid_until" in r.get_json()["errors"]
    assert fresh(RiskReview, submitted.id).status == "submitted"


def test_reject_and_stale_version(world, api_as, submitted, second_lawyer):
    api = api_as(second_lawyer)
    url = f"/api/v1/risk-reviews/{submitted.id}/decision"
    assert api.post(url, json={"decision": "reject", "version": 99}).status_code == 409
    r = api.post(url, json={"decision": "reject", "version": submitted.version})
    assert r.status_code == 200
    assert r.get_json()["valid_until"] is None
    assert current_risk_levels([world.project.id], clock.today()) == {world.project.id: None}
    assert db.session.get(Project, world.project.id) is not None
