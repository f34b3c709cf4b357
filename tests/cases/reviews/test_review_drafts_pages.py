"""Risk-review pages: "Save draft" keeps a partial review that only its author sees, edits,
submits or deletes; every review names who wrote it and who decided it, and when."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tests.support import OUTSIDERS, csrf_token, fresh
from tracker import clock
from tracker.cases.reviews import service as risk
from tracker.cases.reviews.models import RiskReview
from tracker.db import db
from tracker.i18n import format_when

PARTIAL = {"asset_sensitivity": "trade_secret", "nda_coverage": "none"}


def _form(token, answers, **over):
    data = {"csrf_token": token, "summary": "Half done."}
    data.update({f"factor_{code}": choice for code, choice in answers.items()})
    data.update(over)
    return data


def _every(index):
    return {f["code"]: f["choices"][index]["code"] for f in risk.catalogue()["factors"]}


def _ticked(html):
    return dict(re.findall(r'<input checked id="factor_([a-z_]+)-\d"[^>]*value="([a-z_]+)"', html))


@pytest.fixture
def draft(world):
    return risk.submit_review(world.project, world.users["lawyer"], PARTIAL, "Mine", draft=True)


def test_save_draft_edit_then_submit(world, browser_as):
    c = browser_as(world.users["lawyer"])
    path = f"/projects/{world.project.id}/reviews/new"
    html = c.get(path).get_data(as_text=True)
    assert 'name="save_draft"' in html and 'name="submit"' in html
    # "Save draft" with two factors answered: no 422 for the others
    r = c.post(path, data=_form(csrf_token(c, path), PARTIAL, save_draft="Save draft"))
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    review = fresh(RiskReview, int(r.headers["Location"].rsplit("/", 1)[1]))
    assert (review.status, review.answers, review.score) == ("draft", PARTIAL, None)
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "Draft saved." in page and "No result until every factor is answered." in page
    assert f"/reviews/{review.id}/edit" in page and f"/reviews/{review.id}/delete" in page
    # the edit page holds the answers and the version
    edit = f"/reviews/{review.id}/edit"
    html = c.get(edit).get_data(as_text=True)
    assert _ticked(html) == PARTIAL
    assert 'name="version" type="hidden" value="1"' in html
    # submitting an incomplete draft is refused and keeps what was ticked
    more = {**PARTIAL, "economic_value": "high"}
    r = c.post(edit, data=_form(csrf_token(c, edit), more, version="1", submit="Submit"))
    assert r.status_code == 422
    assert _ticked(r.get_data(as_text=True)) == more
    assert fresh(RiskReview, review.id).status == "draft"
    # saved again, then submitted in full
    r = c.post(edit, data=_form(csrf_token(c, edit), more, version="1", save_draft="Save"))
    assert r.status_code == 302
    assert fresh(RiskReview, review.id).answers == more
    r = c.post(edit, data=_form(csrf_token(c, edit), _every(-1), version="2", submit="Submit"))
    assert r.status_code == 302
    done = fresh(RiskReview, review.id)
    assert (done.status, done.level) == ("submitted", "critical")
    # a submitted review has no edit page any more
    assert c.get(edit).status_code == 409


def test_a_stale_draft_form_is_409(world, browser_as, draft):
    c = browser_as(world.users["lawyer"])
    edit = f"/reviews/{draft.id}/edit"
    risk.save_draft(draft, PARTIAL, "changed elsewhere")
    r = c.post(edit, data=_form(csrf_token(c, edit), PARTIAL, version="1", save_draft="Save"))
    assert r.status_code == 409
    assert fresh(RiskReview, draft.id).summary == "changed elsewhere"


def test_the_author_deletes_a_draft(world, browser_as, draft, submitted):
    c = browser_as(world.users["lawyer"])
    detail = f"/reviews/{draft.id}"
    draft_id = draft.id
    r = c.post(f"{detail}/delete", data={"csrf_token": csrf_token(c, detail), "version": "1"})
    assert r.status_code == 302
    assert "Draft deleted." in c.get(r.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.execute(sa.select(RiskReview.id)).scalars().all() == [submitted.id]
    assert c.get(f"/reviews/{draft_id}").status_code == 404
    # a submitted review is never deleted
    token = csrf_token(c, f"/reviews/{submitted.id}")
    r = c.post(f"/reviews/{submitted.id}/delete", data={"csrf_token": token, "version": "1"})
    assert r.status_code == 409


@pytest.mark.parametrize("role", ["admin", "company", "operator", "auditor", "second_lawyer"])
def test_nobody_else_sees_a_draft_page(world, browser_as, second_lawyer, draft, role):
    user = second_lawyer if role == "second_lawyer" else world.users[role]
    c = browser_as(user)
    for path in (f"/reviews/{draft.id}", f"/reviews/{draft.id}/edit"):
        assert c.get(path).status_code == 404, path
    token = csrf_token(c, "/account")
    assert c.post(f"/reviews/{draft.id}/delete", data={"csrf_token": token}).status_code == 404
    assert c.post(f"/reviews/{draft.id}/edit", data={"csrf_token": token}).status_code == 404
    listing = c.get(f"/projects/{world.project.id}/reviews").get_data(as_text=True)
    assert f"/reviews/{draft.id}" not in listing and "No risk reviews yet." in listing
    assert fresh(RiskReview, draft.id).status == "draft"


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_see_no_draft_page(world, browser_as, draft, role):
    c = browser_as(world.outsiders[role])
    for path in (f"/reviews/{draft.id}", f"/reviews/{draft.id}/edit"):
        assert c.get(path).status_code == 404, path


def test_the_author_sees_the_draft_in_the_list(world, browser_as, draft):
    html = browser_as(world.users["lawyer"]).get(f"/projects/{world.project.id}/reviews")
    assert f"/reviews/{draft.id}" in html.get_data(as_text=True)


def test_pages_name_the_author_and_the_decider(world, browser_as, second_lawyer, submitted):
    until = clock.today() + dt.timedelta(days=30)
    risk.decide_review(submitted, second_lawyer, "approve", until)
    db.session.flush()
    for path in (f"/reviews/{submitted.id}", f"/projects/{world.project.id}/reviews"):
        html = browser_as(world.users["operator"]).get(path).get_data(as_text=True)
        assert "Written by" in html and "Decided by" in html
        assert f"{world.users['lawyer'].name} (Lawyer)" in html, path
        assert f"{second_lawyer.name} (Lawyer)" in html, path
    html = browser_as(world.users["admin"]).get(f"/reviews/{submitted.id}").get_data(as_text=True)
    # the decision's time in the reader's zone (Seoul), never UTC
    assert format_when(submitted.decided_at, "en", user=world.users["admin"]) in html
    assert "UTC" not in html


def test_an_undecided_review_says_so(world, browser_as, submitted):
    html = browser_as(world.users["company"]).get(f"/reviews/{submitted.id}")
    assert "not decided yet" in html.get_data(as_text=True)


def test_draft_pages_in_korean(world, browser_as, make_user, draft):
    lawyer = world.users["lawyer"]
    lawyer.locale = "ko"
    db.session.flush()
    c = browser_as(lawyer)
    html = c.get(f"/reviews/{draft.id}").get_data(as_text=True)
    assert "임시 저장본 수정" in html and "작성자" in html
    assert "임시 저장" in c.get(f"/reviews/{draft.id}/edit").get_data(as_text=True)
