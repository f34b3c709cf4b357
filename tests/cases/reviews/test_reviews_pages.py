"""Risk review pages: every role in and out of scope, the form, the matrix, the decision."""

import datetime as dt
import re

import pytest

from tests.support import (
    OUTSIDERS,
    REVIEW_ANSWER_READERS,
    ROLES,
    csrf_token,
    fresh,
    make_asset,
)
from tracker import clock
from tracker.cases.ndas.models import Nda
from tracker.cases.reviews import service as risk
from tracker.cases.reviews.models import RiskReview
from tracker.db import db


@pytest.mark.parametrize("role", ROLES)
def test_pages_per_role(world, browser_as, submitted, role):
    c = browser_as(world.users[role])
    listing = c.get(f"/projects/{world.project.id}/reviews")
    detail = c.get(f"/reviews/{submitted.id}")
    assert (listing.status_code, detail.status_code) == (200, 200)
    html = detail.get_data(as_text=True)
    assert 'aria-current="true"' in html and "25" in html
    assert ("What drove the result" in html) == (role in REVIEW_ANSWER_READERS)
    assert ("Looked at the partner setup." in html) == (role in REVIEW_ANSWER_READERS)
    assert c.get(f"/projects/{world.project.id}/reviews/new").status_code == (
        200 if role == "lawyer" else 403
    )
    # the author may not decide their own review: no form for anyone here
    assert f"/reviews/{submitted.id}/decision" not in html


@pytest.mark.parametrize("role", OUTSIDERS)
def test_pages_out_of_scope(world, browser_as, submitted, role):
    c = browser_as(world.outsiders[role])
    for path in (
        f"/projects/{world.project.id}/reviews",
        f"/projects/{world.project.id}/reviews/new",
        f"/reviews/{submitted.id}",
    ):
        assert c.get(path).status_code == 404, path


def test_form_is_prefilled_from_the_records(world, browser_as):
    make_asset(world.project, sensitivity="trade_secret", nct_status="pending")
    make_asset(world.project, sensitivity="public")
    db.session.add(
        Nda(
            project=world.project,
            partner_id=world.partner.id,
            effective_on=clock.today() - dt.timedelta(days=10),
            expires_on=clock.today() + dt.timedelta(days=300),
            return_or_destroy=True,
            audit_rights=False,
            status="active",
        )
    )
    db.session.flush()
    assert risk.prefill(world.project) == {
        "answers": {"asset_sensitivity": "trade_secret", "nda_coverage": "active_partial"},
        "has_nct": True,
    }
    html = (
        browser_as(world.users["lawyer"])
        .get(f"/projects/{world.project.id}/reviews/new")
        .get_data(as_text=True)
    )
    checked = re.findall(r'<input checked id="factor_([a-z_]+)-\d"[^>]*value="([a-z_]+)"', html)
    assert set(checked) == {
        ("asset_sensitivity", "trade_secret"),
        ("nda_coverage", "active_partial"),
    }
    assert "national core technology" in html


def test_no_nda_prefills_none(world):
    assert risk.prefill(world.project)["answers"] == {"nda_coverage": "none"}


def _answers_form(token, index=0, **over):
    data = {"csrf_token": token, "summary": "Checked with the client."}
    for factor in risk.catalogue()["factors"]:
        data[f"factor_{factor['code']}"] = factor["choices"][index]["code"]
    data.update(over)
    return data


def test_lawyer_submits_and_second_lawyer_approves(world, browser_as, second_lawyer):
    author = browser_as(world.users["lawyer"])
    path = f"/projects/{world.project.id}/reviews/new"
    r = author.post(path, data=_answers_form(csrf_token(author, path), index=-1))
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    review_path = r.headers["Location"]
    review = fresh(RiskReview, int(review_path.rsplit("/", 1)[1]))
    assert (review.score, review.level, review.status) == (25, "critical", "submitted")
    reviewer = browser_as(second_lawyer)
    page = reviewer.get(review_path).get_data(as_text=True)
    assert f"/reviews/{review.id}/decision" in page
    token = csrf_token(reviewer, review_path)
    r = reviewer.post(
        f"/reviews/{review.id}/decision",
        data={
            "csrf_token": token,
            "version": str(review.version),
            "decision": "approve",
            "valid_until": (clock.today() + dt.timedelta(days=1)).isoformat(),
            "conditions": "Only via the secure platform",
        },
    )
    assert r.status_code == 302
    assert fresh(RiskReview, review.id).status == "approved"
    listing = reviewer.get(f"/projects/{world.project.id}/reviews").get_data(as_text=True)
    assert "level critical" in listing


def test_author_cannot_decide_by_form(world, browser_as, submitted):
    c = browser_as(world.users["lawyer"])
    token = csrf_token(c, f"/reviews/{submitted.id}")
    r = c.post(
        f"/reviews/{submitted.id}/decision",
        data={"csrf_token": token, "decision": "reject", "version": str(submitted.version)},
    )
    assert r.status_code == 403
    assert fresh(RiskReview, submitted.id).status == "submitted"


def test_bad_review_forms_are_422(world, browser_as, submitted, second_lawyer):
    c = browser_as(world.users["lawyer"])
    path = f"/projects/{world.project.id}/reviews/new"
    r = c.post(path, data=_answers_form(csrf_token(c, path), factor_nda_coverage="handshake"))
    assert r.status_code == 422
    data = _answers_form(csrf_token(c, path))
    del data["factor_prior_incidents"]
    assert c.post(path, data=data).status_code == 422
    reviewer = browser_as(second_lawyer)
    token = csrf_token(reviewer, f"/reviews/{submitted.id}")
    r = reviewer.post(
        f"/reviews/{submitted.id}/decision",
        data={"csrf_token": token, "decision": "approve", "valid_until": clock.today().isoformat()},
    )
    assert r.status_code == 422
    assert "must be in the future" in r.get_data(as_text=True)
    assert fresh(RiskReview, submitted.id).status == "submitted"
