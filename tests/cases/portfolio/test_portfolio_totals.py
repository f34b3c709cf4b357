"""The portfolio lists' totals (tracker/cases/portfolio/listing.py): exact up to
`search.COUNT_LIMIT`; beyond, for every row of the table (everyone's scope, no filter),
estimated from the id density of the first rows the caller may see (`total_estimated`,
"about N"). A word's hits in everyone's scope: from a sample of the newest (exact when it
holds them all, estimated when it says they are far more, else exact), whether the page
lists the hits or asks each asset it walks (`search.walks_assets`, a word with
`search.WALK_HITS` entries): the same rows, in the same order, with the same total. Exact
otherwise."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support import approved_review, make_asset
from tracker.cases import search, search_results
from tracker.cases.assets.models import IpAsset
from tracker.cases.portfolio import listing
from tracker.cases.reviews.models import RiskReview
from tracker.db import db

ROLES = ("admin", "lawyer", "company", "operator", "auditor")
#: the roles whose scope is every project
EVERYONE = ("admin", "auditor")
LIMIT = 3


@pytest.fixture
def many(world: Any, make_project: Any, make_zone: Any) -> Any:
    """Twelve assets, every other one in a project (and zone) outside the world's scope;
    "Widget" in the titles of nine of them, designs among them; a filing in Korea under
    one; and seven reviews, two outside the world's scope."""
    from tracker.cases.filings import service as filings

    w = world
    w.other = make_project(zone=make_zone())
    for n in range(12):
        project = w.project if n % 2 else w.other
        title = f"Gadget {n:02d}" if n % 4 == 3 else f"Widget {n:02d}"
        asset = make_asset(project, title=title, kind="design" if n % 3 == 0 else "patent")
        search.index(asset)
        if n == 5:
            filings.create_filing(
                asset,
                {
                    "office": "KR",
                    "route": "first",
                    "application_no": "10-2031-0000005",
                    "registration_no": "10-2000005",
                    "filed_on": dt.date(2031, 3, 31),
                    "status": "registered",
                },
            )
    for n in range(7):
        project = w.other if n in (2, 5) else w.project
        db.session.add(approved_review(project, w.users["admin"].id, score=n + 1))
    db.session.commit()
    return w


def _ids(api: Any, url: str) -> list[int]:
    """Every id of the list, in its order, by pages of two."""
    ids: list[int] = []
    for number in range(1, 20):
        body = api.get(f"{url}&per_page=2&page={number}").get_json()
        if not body["items"]:
            return ids
        ids += [item["id"] for item in body["items"]]
    raise AssertionError("too many pages")


def _estimate(seen: list[int], model: Any) -> int:
    """What `estimated_total` says of the ids `seen` among every row of `model`'s table."""
    first, last = db.session.execute(sa.select(sa.func.min(model.id), sa.func.max(model.id))).one()
    lowest = sorted(seen, reverse=True)[search.COUNT_LIMIT]
    total, estimated = search_results._extrapolate(search.COUNT_LIMIT + 1, lowest, first, last)
    assert estimated
    return total


def _about(many: Any, model: Any) -> int:
    """The estimated total of every row of `model`'s table (all of which an admin sees)."""
    return _estimate(list(db.session.scalars(sa.select(model.id))), model)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "query", ["", "&kind=patent", "&q=widget", "&q=widget&kind=design", "&sort=-next_due_on"]
)
def test_an_asset_total_is_exact_up_to_the_limit_and_estimated_beyond(
    role: str, query: str, many: Any, api_as: Any, monkeypatch: Any
) -> None:
    api = api_as(many.users[role])
    if role == "operator" and "next_due_on" in query:
        query = "&sort=-title"  # operators see no deadline, so no order by one either
    url = f"/api/v1/assets?x=1{query}"
    seen = _ids(api, url)  # every row the caller may see, the total exact (limit 1,000)
    whole = api.get(f"{url}&per_page=200").get_json()
    assert whole["total"] == len(seen) and "total_estimated" not in whole
    monkeypatch.setattr(search, "COUNT_LIMIT", LIMIT)
    monkeypatch.setattr(search, "WALK_HITS", 2)  # "widget" is a common word
    body = api.get(f"{url}&per_page=2").get_json()
    assert [item["id"] for item in body["items"]] == seen[:2]
    # a page that shows the end of the list: its total, exact
    last = api.get(f"{url}&per_page={len(seen) + 1}").get_json()
    assert last["total"] == len(seen) and "total_estimated" not in last
    broad = role in EVERYONE and query in ("", "&sort=-next_due_on")
    if role in EVERYONE and "q=" in query:  # a word's hits: from the sample (all nine)
        assert (body["total"], body.get("total_estimated", False)) == _sampled(
            seen, search.SAMPLE_HITS, search.SAMPLE_TRUSTED
        )
        assert "total_estimated" not in body
    elif broad and len(seen) > LIMIT:
        assert body["total_estimated"] is True
        # from the ids of the rows the caller may see and the filters let through only
        assert body["total"] == _estimate(seen, IpAsset)
    else:
        assert body["total"] == len(seen) and "total_estimated" not in body


@pytest.mark.parametrize("role", ROLES)
def test_a_total_at_the_limit_is_exact(role: str, many: Any, api_as: Any, monkeypatch: Any) -> None:
    api = api_as(many.users[role])
    seen = _ids(api, "/api/v1/assets?x=1")
    monkeypatch.setattr(search, "COUNT_LIMIT", len(seen))
    body = api.get("/api/v1/assets?per_page=2").get_json()
    assert body["total"] == len(seen) and "total_estimated" not in body
    monkeypatch.setattr(search, "COUNT_LIMIT", len(seen) - 1)
    body = api.get("/api/v1/assets?per_page=2").get_json()
    assert body.get("total_estimated", False) is (role in EVERYONE)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("q", ["widget", "korea", "gadget 07", "10-2031-0000005"])
def test_a_common_word_finds_the_same_assets_in_the_same_order(
    role: str, q: str, many: Any, api_as: Any, monkeypatch: Any
) -> None:
    # the hits listed (a rare word) or each asset walked asked (a common word): the same rows
    api = api_as(many.users[role])
    for sort in ("title", "-title", "kind", "-kind"):
        url = f"/api/v1/assets?q={q}&sort={sort}"
        monkeypatch.setattr(search, "WALK_HITS", 10**6)
        listed = _ids(api, url)
        monkeypatch.setattr(search, "WALK_HITS", 1)
        assert _ids(api, url) == listed, (sort, listed)
        assert api.get(f"{url}&kind=design").get_json()["total"] == len(
            _ids(api, f"{url}&kind=design")
        )
    if q == "widget":
        assert len(listed) == (9 if role in EVERYONE else 3)
    if q == "korea" and role == "admin":  # by its filing's office
        assert len(listed) == 1


def test_a_common_word_is_asked_of_each_asset_in_everyone_s_scope_only(
    many: Any, app: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(search, "WALK_HITS", 2)
    with app.test_request_context():
        assert search.walks_assets(many.users["admin"], "widget")
        assert not search.walks_assets(many.users["lawyer"], "widget")  # its entries walked
        assert not search.walks_assets(many.users["admin"], "10-2031-0000005")  # a number
    monkeypatch.setattr(search, "WALK_HITS", 100)
    with app.test_request_context():
        assert not search.walks_assets(many.users["admin"], "widget")  # a rare word: listed
    # the project search's threshold is its own (asked anew, not the answer remembered above)
    search._walked.clear()
    monkeypatch.setattr(search, "COMMON_HITS", 1)
    with app.test_request_context():
        assert not search.walks_assets(many.users["admin"], "widget")


@pytest.mark.parametrize("role", ROLES)
def test_a_review_total_is_exact_up_to_the_limit_and_estimated_beyond(
    role: str, many: Any, api_as: Any, monkeypatch: Any
) -> None:
    api = api_as(many.users[role])
    seen = _ids(api, "/api/v1/risk-reviews?x=1")
    monkeypatch.setattr(search, "COUNT_LIMIT", LIMIT)
    body = api.get("/api/v1/risk-reviews?per_page=2").get_json()
    assert [item["id"] for item in body["items"]] == seen[:2]
    if role in EVERYONE:
        assert body["total_estimated"] is True and body["total"] == _estimate(seen, RiskReview)
    else:
        assert body["total"] == len(seen) and "total_estimated" not in body
    filtered = api.get("/api/v1/risk-reviews?per_page=2&level=low").get_json()
    assert "total_estimated" not in filtered
    assert filtered["total"] == len(_ids(api, "/api/v1/risk-reviews?level=low"))


def test_the_pages_say_about_when_estimated(many: Any, browser_as: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(search, "COUNT_LIMIT", LIMIT)
    admin = browser_as(many.users["admin"])
    assets = admin.get("/assets?per_page=2").get_data(as_text=True)
    assert f"About {_about(many, IpAsset)} assets" in assets
    reviews = admin.get("/risk-reviews?per_page=2").get_data(as_text=True)
    assert f"About {_about(many, RiskReview)} risk reviews" in reviews
    exact = admin.get("/assets?per_page=2&kind=design").get_data(as_text=True)
    assert "About" not in exact and "4 assets" in exact
    lawyer = browser_as(many.users["lawyer"]).get("/assets?per_page=2").get_data(as_text=True)
    assert "About" not in lawyer and "6 assets" in lawyer


def test_the_pages_say_about_in_korean(many: Any, browser_as: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(search, "COUNT_LIMIT", LIMIT)
    many.users["admin"].locale = "ko"
    db.session.commit()
    admin = browser_as(many.users["admin"])
    html = admin.get("/assets?per_page=2").get_data(as_text=True)
    assert f"IP 자산 약 {_about(many, IpAsset)}건" in html
    html = admin.get("/risk-reviews?per_page=2").get_data(as_text=True)
    assert f"위험 평가 약 {_about(many, RiskReview)}건" in html


def test_downloads_stay_complete(many: Any, api_as: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(search, "COUNT_LIMIT", LIMIT)
    monkeypatch.setattr(search, "WALK_HITS", 2)
    api = api_as(many.users["admin"])
    rows = api.get("/api/v1/assets?format=csv").get_data(as_text=True).strip().splitlines()
    assert len(rows) == 1 + 12
    rows = api.get("/api/v1/assets?format=csv&q=widget").get_data(as_text=True).splitlines()
    assert len([r for r in rows if r.strip()]) == 1 + 9
    rows = api.get("/api/v1/risk-reviews?format=csv").get_data(as_text=True).strip().splitlines()
    assert len(rows) == 1 + 7


def _sampled(seen: list[int], sample: int, trusted: int) -> tuple[int, bool]:
    """What a word's total is from the ids `seen` (every hit the caller may see, in
    everyone's scope): exact when they are `sample` or fewer; the estimate of the first
    `sample` when it is `trusted` or more; else exact."""
    if len(seen) <= sample:
        return len(seen), False
    first, last = db.session.execute(
        sa.select(sa.func.min(IpAsset.id), sa.func.max(IpAsset.id))
    ).one()
    guess = search_results._spread(sample, sorted(seen, reverse=True)[sample], first, last)
    if guess >= trusted:
        return guess, True
    return len(seen), False


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("query", ["&q=widget", "&q=widget&kind=design", "&q=widget&sort=-kind"])
@pytest.mark.parametrize(("sample", "trusted"), [(1, 0), (2, 0), (2, 10**6), (3, 0)])
def test_a_common_word_s_total_is_first_estimated_from_a_sample_of_its_hits(
    role: str,
    query: str,
    sample: int,
    trusted: int,
    many: Any,
    api_as: Any,
    monkeypatch: Any,
) -> None:
    # the sample is of the hits the caller may see, scope and filters applied: never more;
    # the same whether the page walks the assets or lists the hits
    api = api_as(many.users[role])
    url = f"/api/v1/assets?x=1{query}"
    seen = _ids(api, url)
    monkeypatch.setattr(search, "COUNT_LIMIT", 4)
    monkeypatch.setattr(search, "SAMPLE_HITS", sample)
    monkeypatch.setattr(search, "SAMPLE_TRUSTED", trusted)
    if role in EVERYONE:  # a word in everyone's scope: from the sample
        total, estimated = _sampled(seen, sample, trusted)
    else:  # the hits listed, counted with the page
        total, estimated = len(seen), False
    for walk in (2, 10**6):  # each asset walked, or the hits listed
        monkeypatch.setattr(search, "WALK_HITS", walk)
        search._walked.clear()
        for number in (1, 2, 20):  # the first page, another, one past the end
            body = api.get(f"{url}&per_page=1&page={number}").get_json()
            assert [item["id"] for item in body["items"]] == seen[number - 1 : number]
            assert body["total"] == total, (walk, number)
            assert body.get("total_estimated", False) is estimated, (walk, number)
        # a page that shows the end of the list is its own total, exact
        last = api.get(f"{url}&per_page=2&page={(len(seen) + 1) // 2}").get_json()
        if len(seen) % 2:
            assert last["total"] == len(seen) and "total_estimated" not in last
    if role in EVERYONE and query == "&q=widget" and trusted == 0:
        assert estimated  # 9 hits: the sample's estimate


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("walked", [True, False])
def test_a_stale_answer_of_how_common_a_word_is_changes_no_list(
    role: str, walked: bool, many: Any, api_as: Any, app: Any, monkeypatch: Any
) -> None:
    # a process remembers whether a word has WALK_HITS entries: a plan only; an answer gone
    # stale (the word's entries changed since) lists the same rows with the same total
    api = api_as(many.users[role])
    monkeypatch.setattr(search, "SAMPLE_HITS", 2)
    monkeypatch.setattr(search, "SAMPLE_TRUSTED", 0)
    monkeypatch.setattr(search, "WALK_HITS", 10**6 if walked else 1)
    fresh = {
        url: api.get(url).get_json()
        for url in (
            "/api/v1/assets?q=widget&per_page=2",
            "/api/v1/assets?q=widget&per_page=2&page=3&sort=-kind",
            "/api/v1/assets?q=widget&per_page=2&kind=design",
        )
    }
    with app.test_request_context():
        assert search.walks_assets(many.users["admin"], "widget") is not walked  # remembered
        key = search._walked.keys()[0]
        assert b"widget" not in repr(key).encode()  # a digest, not the words
        search._walked.put(key, walked)  # stale
        assert search.walks_assets(many.users["admin"], "widget") is walked
    for url, body in fresh.items():
        assert api.get(url).get_json() == body, url


@pytest.mark.parametrize("walk", [1, 10**6])  # each asset walked, or the hits listed
def test_a_trusted_estimate_is_remembered_a_minute_by_its_words_scope_and_filters(
    walk: int, many: Any, api_as: Any, monkeypatch: Any
) -> None:
    # a process remembers a trusted sample's "about N" a minute (`listing._estimates`), by
    # the words, the role and every filter: used whichever the plan, never by another
    # role, another word or another filter; an exact total is never remembered
    monkeypatch.setattr(search, "WALK_HITS", walk)
    monkeypatch.setattr(search, "SAMPLE_HITS", 2)
    monkeypatch.setattr(search, "SAMPLE_TRUSTED", 10**6)  # nothing trusted: exact
    admin = api_as(many.users["admin"])
    url = "/api/v1/assets?q=widget&per_page=2"
    seen = _ids(admin, "/api/v1/assets?x=1&q=widget")
    assert admin.get(url).get_json()["total"] == len(seen)
    assert listing._estimates.keys() == []  # an exact total: not remembered
    monkeypatch.setattr(search, "SAMPLE_TRUSTED", 0)  # every sample trusted
    fresh = admin.get(url).get_json()
    assert fresh["total_estimated"] is True
    assert fresh["total"] == _sampled(seen, 2, 0)[0]
    (key,) = listing._estimates.keys()
    assert b"widget" not in repr(key).encode()  # a digest, not the words
    listing._estimates.put(key, 12345)  # as if the hits had changed since
    for other_walk in (1, 10**6):  # whichever the plan: the same remembered total
        monkeypatch.setattr(search, "WALK_HITS", other_walk)
        search._walked.clear()
        for page in ("&page=1", "&page=2&sort=-kind", "&page=20"):
            body = admin.get(url + page).get_json()
            assert (body["total"], body["total_estimated"]) == (12345, True), page
        # a page that shows the end of the list is its own total, exact
        last = admin.get("/api/v1/assets?q=widget&per_page=5&page=2").get_json()
        assert last["total"] == len(seen) and "total_estimated" not in last
    # another filter, another word, another role: never the remembered total
    for other in ("&kind=design", "&kind=patent", "&sort=-kind&zone_id=1"):
        assert admin.get(url + other).get_json()["total"] != 12345, other
    assert admin.get("/api/v1/assets?q=gadget&per_page=1").get_json()["total"] != 12345
    for role in ROLES[1:]:
        body = api_as(many.users[role]).get(url).get_json()
        assert body["total"] != 12345, role
        if role not in EVERYONE:  # a narrow scope: exact, never remembered
            assert "total_estimated" not in body
    # a minute later it is forgotten: the sample is read again
    later = time.monotonic() + 61
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert admin.get(url).get_json()["total"] == fresh["total"]
