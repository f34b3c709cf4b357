"""The review portfolio's lean rows (tracker/cases/portfolio/listing.py, views.py): the derived
fields (`nct_forced`, `drivers`) are what the scoring writes of the review, in every language;
the page writes each day and link as the `day` filter and `url_for` would."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from flask import url_for
from flask_login import login_user

from tests.support import answers, approved_review, make_asset, make_review, moment
from tracker import i18n
from tracker.api.reviews import PortfolioReviewSchema
from tracker.cases.portfolio import listing
from tracker.cases.reviews import scoring
from tracker.cases.reviews import service as risk
from tracker.cases.reviews.models import RiskReview
from tracker.db import db

CURRENT = str(scoring.catalogue()["version"])


def _answer_sets() -> list[dict[str, str]]:
    """Every factor at every choice, the others at their lowest or highest; and partial ones."""
    factors = scoring.catalogue()["factors"]
    found = []
    for base, factor in itertools.product((0, -1), factors):
        for choice in factor["choices"]:
            found.append(answers(base, **{factor["code"]: choice["code"]}))
    found.append({factors[0]["code"]: factors[0]["choices"][-1]["code"]})
    found.append({})
    return found


def test_nct_forced_is_the_result_s():
    for given, version, forced in itertools.product(_answer_sets(), (CURRENT, "1"), (False, True)):
        complete = scoring.complete(given)
        result = scoring.score_answers(given, forced) if complete else None
        row = {
            "answers": given,
            "catalogue_version": version,
            "likelihood": result.likelihood if result else None,
            "impact": result.impact if result else None,
            "score": result.score if result else None,
            "level": result.level if result else None,
        }
        expected = risk.result_of(RiskReview(**row))
        assert listing._nct_forced(row) == (expected.nct_forced if expected else None)
    # a stored impact that differs from the answers' (national core technology) is forced
    lowest = answers(0)
    row = {"answers": lowest, "catalogue_version": CURRENT, "likelihood": 1, "impact": 5}
    assert listing._nct_forced({**row, "score": 5}) is True


@pytest.mark.parametrize("role", ["admin", "lawyer", "operator"])
def test_forced_impacts_drafts_and_korean_drivers_as_the_schema_writes(app, world, api_as, role):
    """A review whose impact national core technology forced, one of an older catalogue, a
    draft answering part of the catalogue: each item is what the schema writes, for a reader
    whose language is Korean."""
    lawyer = world.users["lawyer"]
    make_asset(world.project, title="Core cell", nct_status="nct_funded")
    db.session.flush()
    forced = make_review(world.project, lawyer, index=0)
    mixed = risk.submit_review(
        world.project, lawyer, answers(-1, asset_sensitivity="public"), "Mixed answers."
    )
    older = approved_review(world.project, lawyer.id, answers=answers(0))
    draft = approved_review(
        world.project,
        lawyer.id,
        status="draft",
        answers={"partner_access": answers(-1)["partner_access"]},
        likelihood=None,
        impact=None,
        score=None,
        level=None,
        decided_at=None,
        reviewer_id=None,
        valid_until=None,
    )
    db.session.add_all([older, draft])
    user = world.users[role]
    user.locale = "ko"
    db.session.commit()
    body = api_as(user).get("/api/v1/risk-reviews?per_page=200").get_json()
    got = {item["id"]: item for item in body["items"]}
    shown = {forced.id, mixed.id, older.id} | ({draft.id} if role == "lawyer" else set())
    assert set(got) == shown
    db.session.expire_all()
    with app.test_request_context():
        login_user(user)
        expected = {i: PortfolioReviewSchema().dump(db.session.get(RiskReview, i)) for i in got}
    assert got == expected
    assert got[forced.id]["nct_forced"] is True and got[older.id]["nct_forced"] is False
    if role != "operator":
        drivers = got[mixed.id]["drivers"]
        assert drivers and re.search("[가-힣]", drivers[0]["label"])
        if role == "lawyer":
            assert got[draft.id]["nct_forced"] is None and got[draft.id]["drivers"]


def test_the_page_writes_days_and_links_as_the_filter_and_url_for(app, world, browser_as):
    """A review submitted late in the evening in UTC is listed on the next day for a reader in
    Seoul, as the `day` filter writes it; the links are `url_for`'s."""
    lawyer = world.users["lawyer"]
    lawyer.time_zone, lawyer.locale = "Asia/Seoul", "ko"
    evening = dt.datetime.combine(moment(-3).date(), dt.time(22, 30), tzinfo=dt.UTC)
    review = approved_review(world.project, lawyer.id, created_at=evening)
    db.session.add(review)
    db.session.commit()
    html = browser_as(lawyer).get("/risk-reviews").get_data(as_text=True)
    with app.test_request_context():
        login_user(lawyer)
        submitted = i18n.format_day(evening)
        valid = i18n.format_day(review.valid_until)
        links = (
            url_for("reviews.review_detail", review_id=review.id),
            url_for("projects.project_detail", project_id=world.project.id),
        )
    assert submitted == i18n.format_day(evening.date() + dt.timedelta(days=1), "ko")
    row = re.search(rf'<tr>\s*<td><a href="{links[1]}">.*?</tr>', html, re.S)
    assert row, html
    assert f'<a href="{links[0]}">{submitted}</a>' in row.group(0)
    assert f"<td>{valid}</td>" in row.group(0)
