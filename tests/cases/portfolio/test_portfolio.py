"""The portfolio across projects: `GET /api/v1/assets`, `GET /api/v1/risk-reviews` and their
pages — each role over its own projects only, filters, sorts, downloads, operators' limits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.support import (
    approved_review,
    audit_actions,
    day,
    make_asset,
    make_review,
    xlsx_rows,
)
from tracker.cases import search
from tracker.cases.assets.models import AssetDeadline, IpAsset
from tracker.db import db

ROLES = ("admin", "lawyer", "company", "operator", "auditor")


@pytest.fixture
def portfolio(world: Any, make_project: Any, make_zone: Any) -> Any:
    """The world's project with three assets and two reviews; another project, in another
    zone and of another company, with one asset and one review nobody in the world's scope
    (but admins and auditors) may see; and a lawyer's draft."""
    w = world
    w.secret = make_asset(w.project, title="Organoid culture medium", kind="trade_secret")
    w.patent = make_asset(
        w.project, title="Antenna array", kind="patent", sensitivity="trade_secret"
    )
    w.design = make_asset(w.project, title="Battery casing", kind="design")
    w.patent.deadlines = [AssetDeadline(kind="annuity", due_on=day(40), done=False)]
    w.design.deadlines = [
        AssetDeadline(kind="annuity", due_on=day(10), done=True),
        AssetDeadline(kind="annuity", due_on=day(90), done=False),
    ]
    w.other = make_project(zone=make_zone())
    w.foreign = make_asset(w.other, title="Organoid scaffold", kind="patent")
    w.review = approved_review(w.project, w.users["admin"].id, level="high", score=12)
    w.other_review = approved_review(w.other, w.users["admin"].id, valid_until=day(20))
    db.session.add_all([w.review, w.other_review])
    w.draft = make_review(w.project, w.users["lawyer"])
    w.draft.status = "draft"
    for asset in (w.secret, w.patent, w.design, w.foreign):
        search.index(asset)  # as the asset service does on every write
    db.session.commit()
    return w


def _titles(body: dict[str, Any]) -> list[str]:
    return [item["title"] for item in body["items"]]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_the_assets_of_its_own_projects(
    role: str, portfolio: Any, api_as: Any
) -> None:
    body = api_as(portfolio.users[role]).get("/api/v1/assets").get_json()
    mine = ["Antenna array", "Battery casing", "Organoid culture medium"]
    everyone = ["Antenna array", "Battery casing", "Organoid culture medium", "Organoid scaffold"]
    assert _titles(body) == (everyone if role in ("admin", "auditor") else mine)
    assert body["total"] == len(body["items"])
    item = body["items"][0]
    assert item["project_code"] == portfolio.project.code
    if role == "operator":  # the limited fields, as on a project: no deadlines, no description
        assert "deadlines" not in item and "next_due_on" not in item
        assert "description" not in item
    else:
        assert item["next_due_on"] == day(40).isoformat()


@pytest.mark.parametrize("role", ("lawyer", "company", "operator"))
def test_outsiders_list_nothing_of_the_project(role: str, portfolio: Any, api_as: Any) -> None:
    api = api_as(portfolio.outsiders[role])
    assert api.get("/api/v1/assets").get_json()["items"] == []
    assert api.get("/api/v1/risk-reviews").get_json()["items"] == []


def test_asset_filters_and_sorts(portfolio: Any, api_as: Any) -> None:
    api = api_as(portfolio.users["admin"])
    w = portfolio

    def titles(query: str) -> list[str]:
        r = api.get(f"/api/v1/assets?{query}")
        assert r.status_code == 200, r.get_json()
        return _titles(r.get_json())

    assert titles(f"zone_id={w.zone.id}") == [
        "Antenna array",
        "Battery casing",
        "Organoid culture medium",
    ]
    assert titles(f"project_id={w.other.id}") == ["Organoid scaffold"]
    assert titles("kind=trade_secret") == ["Organoid culture medium"]
    assert titles("sensitivity=trade_secret") == ["Antenna array"]
    assert titles("sort=-title")[0] == "Organoid scaffold"
    assert titles("sort=kind") == [
        "Battery casing",
        "Antenna array",
        "Organoid scaffold",
        "Organoid culture medium",
    ]
    # the earliest deadline not yet done; assets without one last, either way
    assert titles("sort=next_due_on")[:2] == ["Antenna array", "Battery casing"]
    assert titles("sort=-next_due_on")[:2] == ["Battery casing", "Antenna array"]
    # the search index's words, in scope
    assert sorted(titles("q=organoid")) == ["Organoid culture medium", "Organoid scaffold"]
    lawyer = api_as(w.users["lawyer"])
    assert _titles(lawyer.get("/api/v1/assets?q=organoid").get_json()) == [
        "Organoid culture medium"
    ]


@pytest.mark.parametrize("role", ROLES)
def test_a_search_s_total_comes_with_each_page_and_past_the_end(
    role: str, portfolio: Any, api_as: Any
) -> None:
    # a search's page carries its total (one statement); a page past the end counts it apart
    api = api_as(portfolio.users[role])
    found = 2 if role in ("admin", "auditor") else 1

    def page(number: int, extra: str = "") -> dict[str, Any]:
        r = api.get(f"/api/v1/assets?q=organoid&per_page=1&page={number}{extra}")
        assert r.status_code == 200, r.get_json()
        body: dict[str, Any] = r.get_json()
        return body

    pages = [page(n) for n in (1, 2, 3)]
    assert [b["total"] for b in pages] == [found] * 3
    assert [len(b["items"]) for b in pages] == [1, found - 1, 0]
    titles = [t for b in pages for t in _titles(b)]
    assert titles == sorted(titles)
    assert page(1, "&kind=design")["total"] == 0


@pytest.mark.parametrize(
    "query",
    ["kind=song", "sort=owner", "sort=--title", "zone_id=x", "per_page=0", "q=" + "x" * 300],
)
def test_bad_asset_queries_are_refused(query: str, portfolio: Any, api_as: Any) -> None:
    r = api_as(portfolio.users["admin"]).get(f"/api/v1/assets?{query}")
    assert r.status_code == 422
    assert r.headers["Content-Type"].startswith("application/problem+json")


def test_operators_may_not_order_by_deadlines(portfolio: Any, api_as: Any) -> None:
    r = api_as(portfolio.users["operator"]).get("/api/v1/assets?sort=next_due_on")
    assert r.status_code == 422
    assert "sort" in r.get_json()["errors"]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_the_reviews_of_its_own_projects(
    role: str, portfolio: Any, api_as: Any
) -> None:
    body = api_as(portfolio.users[role]).get("/api/v1/risk-reviews").get_json()
    ids = {item["id"] for item in body["items"]}
    mine = {portfolio.review.id} | ({portfolio.draft.id} if role == "lawyer" else set())
    expected = mine | ({portfolio.other_review.id} if role in ("admin", "auditor") else set())
    assert ids == expected  # another user's draft never
    assert {item["project_code"] for item in body["items"]} >= {portfolio.project.code}
    first = next(i for i in body["items"] if i["id"] == portfolio.review.id)
    assert ("answers" in first) == (role != "operator")


def test_review_filters_and_sorts(portfolio: Any, api_as: Any) -> None:
    api = api_as(portfolio.users["admin"])
    w = portfolio

    def ids(query: str) -> list[int]:
        r = api.get(f"/api/v1/risk-reviews?{query}")
        assert r.status_code == 200, r.get_json()
        return [item["id"] for item in r.get_json()["items"]]

    assert ids("level=high") == [w.review.id]
    assert ids(f"zone_id={w.other.zone_id}") == [w.other_review.id]
    assert ids(f"valid_before={day(30).isoformat()}") == [w.other_review.id]
    assert ids("status=approved&sort=valid_until") == [w.other_review.id, w.review.id]
    assert ids("sort=-score")[0] == w.review.id
    assert api.get("/api/v1/risk-reviews?level=extreme").status_code == 422
    assert api.get("/api/v1/risk-reviews?valid_before=tomorrow").status_code == 422


def test_downloads_hold_the_filtered_list_and_are_audited(portfolio: Any, api_as: Any) -> None:
    api = api_as(portfolio.users["lawyer"])
    r = api.get("/api/v1/assets?format=xlsx&kind=patent")
    assert r.status_code == 200
    rows = xlsx_rows(r.get_data())
    assert len(rows) == 2  # the header and the one patent of the lawyer's project
    assert "Antenna array" in rows[1]
    r = api.get("/api/v1/risk-reviews?format=csv")
    assert r.status_code == 200
    assert len(r.get_data(as_text=True).strip().splitlines()) == 3  # header, review, own draft
    assert [e.detail["list"] for e in audit_actions("export.list")] == ["assets", "risk-reviews"]


@pytest.mark.parametrize("role", ROLES)
def test_the_pages_list_what_the_api_lists(role: str, portfolio: Any, browser_as: Any) -> None:
    client = browser_as(portfolio.users[role])
    html = client.get("/assets?sort=-title").get_data(as_text=True)
    assert "Antenna array" in html and "Organoid culture medium" in html
    assert ("Organoid scaffold" in html) == (role in ("admin", "auditor"))
    assert 'aria-sort="descending"' in html
    assert ("next_due_on" in html) == (role != "operator")
    html = client.get("/risk-reviews").get_data(as_text=True)
    assert portfolio.project.code in html
    assert (portfolio.other.code in html) == (role in ("admin", "auditor"))


def test_a_bad_filter_on_a_page_is_ignored_not_an_error(portfolio: Any, browser_as: Any) -> None:
    client = browser_as(portfolio.users["admin"])
    for query in ("kind=song", "sort=owner", "zone_id=%00", "valid_before=never", "page=x"):
        path = "/risk-reviews" if "valid" in query else "/assets"
        assert client.get(f"{path}?{query}").status_code == 200, query


def test_next_due_on_follows_every_change_of_the_deadlines(world: Any, api_as: Any) -> None:
    """Stored for the portfolio's sort, it moves with entered deadlines, their done marks,
    the derived ones (from the dates) and their done marks, whatever the write path."""
    api = api_as(world.users["lawyer"])
    body = {"title": "Sensor", "kind": "patent", "sensitivity": "confidential"}
    asset = api.post(f"/api/v1/projects/{world.project.id}/assets", json=body).get_json()

    def stored() -> Any:
        db.session.expire_all()
        return db.session.get(IpAsset, asset["id"]).next_due_on

    def patch(**changes: Any) -> dict[str, Any]:
        version = api.get(f"/api/v1/assets/{asset['id']}").get_json()["version"]
        r = api.patch(f"/api/v1/assets/{asset['id']}", json={"version": version, **changes})
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    assert stored() is None
    entered = [
        {"kind": "annuity", "due_on": day(50).isoformat()},
        {"kind": "annuity", "due_on": day(20).isoformat(), "done": True},
    ]
    patch(deadlines=entered)
    assert stored() == day(50)
    # a first filing 300 days ago derives dates (the Paris priority period, fees): the
    # earliest open one of them all is next
    got = patch(filed_on=day(-300).isoformat(), jurisdictions=["KR", "US"])
    derived = [d for d in got["deadlines"] if d["derived"] and not d["done"]]
    assert derived
    earliest = min([day(50), *(dt.date.fromisoformat(d["due_on"]) for d in derived)])
    assert stored() == earliest
    # every derived one done: the entered one is next again
    marks = [{"key": d["key"], "done": True} for d in derived]
    patch(deadlines=entered + marks)
    assert stored() == day(50)
    patch(deadlines=[])
    assert stored() is None


def test_next_due_on_counts_a_filing_s_open_deadlines(world: Any, api_as: Any) -> None:
    """An asset whose dates are kept per filing: its next deadline is its filings' earliest
    one not done and not closed by an event, and moves when a lawyer marks it done."""
    api = api_as(world.users["lawyer"])
    body = {
        "title": "Sensor",
        "kind": "patent",
        "sensitivity": "confidential",
        "jurisdictions": ["KR"],
    }
    asset = api.post(f"/api/v1/projects/{world.project.id}/assets", json=body).get_json()
    filing = {
        "office": "KR",
        "route": "first",
        "filed_on": day(-300).isoformat(),
        "status": "pending",
    }
    r = api.post(f"/api/v1/assets/{asset['id']}/filings", json=filing)
    assert r.status_code == 201, r.get_json()
    created = r.get_json()
    open_ones = sorted(
        (d for d in created["deadlines"] if not d["done"] and not d.get("closed")),
        key=lambda d: d["due_on"],
    )
    assert open_ones

    def stored() -> Any:
        db.session.expire_all()
        return db.session.get(IpAsset, asset["id"]).next_due_on

    assert stored() == dt.date.fromisoformat(open_ones[0]["due_on"])
    first = open_ones[0]["key"]
    version = api.get(f"/api/v1/filings/{created['id']}").get_json()["version"]
    r = api.patch(
        f"/api/v1/filings/{created['id']}",
        json={"deadlines": [{"key": first, "done": True}], "version": version},
    )
    assert r.status_code == 200, r.get_json()
    later = [d for d in open_ones if d["key"] != first]
    assert stored() == (dt.date.fromisoformat(later[0]["due_on"]) if later else None)


@pytest.fixture
def numbered(portfolio: Any) -> Any:
    """The patent filed in Korea (its filing's numbers) and the casing under an application
    number of its own; the project under a code of its own."""
    from tracker.cases.filings import service as filings

    w = portfolio
    w.project.code = "PF-NUM-2031-00003"
    search.index(w.project)
    filings.create_filing(
        w.patent,
        {
            "office": "KR",
            "route": "first",
            "application_no": "10-2031-0004321",
            "registration_no": "10-2777777",
            "filed_on": dt.date(2031, 3, 31),
            "status": "registered",
        },
    )
    w.design.application_no = "30-2031-0000555"
    search.index(w.design)
    db.session.commit()
    return w


@pytest.mark.parametrize("role", ROLES)
def test_q_finds_filing_and_asset_numbers_as_the_role_may_see_them(
    role: str, numbered: Any, api_as: Any
) -> None:
    """A filing's numbers find its asset (for roles that may see filings), an asset's own
    number too (for roles that see assets in full); the operator finds neither."""
    from tracker import policy

    api = api_as(numbered.users[role])
    for q, title, action in (
        ("10-2031-0004321", "Antenna array", "filing.view"),
        ("10-2777777", "Antenna array", "filing.view"),
        ("30-2031-0000555", "Battery casing", "asset.view_full"),
    ):
        r = api.get("/api/v1/assets", query_string={"q": q})
        assert r.status_code == 200
        expected = [title] if policy.role_may(role, action) else []
        assert _titles(r.get_json()) == expected, (role, q)


@pytest.mark.parametrize("role", ROLES)
def test_q_finds_the_assets_of_a_project_by_its_code(
    role: str, numbered: Any, api_as: Any, browser_as: Any
) -> None:
    api = api_as(numbered.users[role])
    mine = ["Antenna array", "Battery casing", "Organoid culture medium"]
    for q in ("PF-NUM-2031-00003", "pf-num-2031"):
        assert _titles(api.get("/api/v1/assets", query_string={"q": q}).get_json()) == mine
    page = browser_as(numbered.users[role]).get("/assets", query_string={"q": "PF-NUM-2031"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Antenna array" in html and "Organoid scaffold" not in html


@pytest.mark.parametrize("role", ("lawyer", "company", "operator"))
def test_q_by_number_or_code_finds_nothing_outside_the_scope(
    role: str, numbered: Any, api_as: Any
) -> None:
    api = api_as(numbered.outsiders[role])
    for q in ("10-2031-0004321", "30-2031-0000555", "PF-NUM-2031-00003"):
        assert api.get("/api/v1/assets", query_string={"q": q}).get_json()["items"] == [], q
