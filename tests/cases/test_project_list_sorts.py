"""Sortable columns of a project's asset list and risk-review list (issue 19). Each heading
orders the rows in SQL (the id breaking ties, empty values last either way); an unknown sort,
or one the reader's role may not use (an operator's by deadline: they see no deadline), is
ignored and the page keeps its own order; a sort opens neither page to anyone new. The API's
lists of a project take no `sort` and keep their order (and so their downloads)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import approved_review, assert_sorted_heading, day, make_asset, moment
from tracker.cases.assets.models import AssetDeadline, DerivedDeadline
from tracker.db import db
from tracker.i18n import format_day

ROLES = ("admin", "lawyer", "company", "operator", "auditor")


def _order(response: Any, prefix: str, records: list[Any]) -> list[int]:
    """The indexes of `records` in the order the page links them (`prefix` + id)."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    html: str = response.get_data(as_text=True)
    body = html[html.index("<tbody") :]
    found = {i: body.find(f'href="{prefix}{r.id}"') for i, r in enumerate(records)}
    return sorted((i for i, at in found.items() if at >= 0), key=lambda i: found[i])


def _api_ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return [item["id"] for item in response.get_json()["items"]]


# --- assets -------------------------------------------------------------------------------------


@pytest.fixture
def assets(world: Any, make_project: Any, make_zone: Any) -> Any:
    """Three assets of the world's project, in a different order for each column (the last
    with no deadline), and one of a project of another zone and company."""
    w = world
    w.other = make_project(zone=make_zone())
    w.assets = []
    for title, kind, sensitivity, nct, due in (
        ("Sort asset B", "patent", "confidential", "unknown", 20),
        ("Sort asset C", "design", "trade_secret", "pending", 10),
        ("Sort asset A", "software", "public", "not_nct", None),
    ):
        asset = make_asset(w.project, title=title, kind=kind, sensitivity=sensitivity)
        asset.nct_status = nct
        if due is not None:
            asset.deadlines = [AssetDeadline(kind="annuity", due_on=day(due), done=False)]
        w.assets.append(asset)
    w.foreign = make_asset(w.other, title="Sort asset foreign")
    db.session.commit()
    return w


ASSET_ORDERS = [
    ("title", [2, 0, 1]),
    ("-title", [1, 0, 2]),
    ("kind", [1, 0, 2]),  # design, patent, software
    ("-kind", [2, 0, 1]),
    ("sensitivity", [0, 2, 1]),  # confidential, public, trade_secret
    ("-sensitivity", [1, 2, 0]),
    ("nct_status", [2, 1, 0]),  # not_nct, pending, unknown
    ("-nct_status", [0, 1, 2]),
    ("next_due_on", [1, 0, 2]),  # no deadline last either way
    ("-next_due_on", [0, 1, 2]),
]


@pytest.mark.parametrize(("sort", "order"), ASSET_ORDERS)
def test_the_asset_page_sorts_by_every_heading(
    assets: Any, browser_as: Any, sort: str, order: list[int]
) -> None:
    path = f"/projects/{assets.project.id}/assets"
    response = browser_as(assets.users["lawyer"]).get(f"{path}?sort={sort}")
    assert _order(response, "/assets/", assets.assets) == order
    html = response.get_data(as_text=True)
    assert_sorted_heading(html, path, sort)
    assert "Sort asset foreign" not in html


@pytest.mark.parametrize("sort", ["", "?sort=nonsense", "?sort=-description", "?sort=id"])
def test_an_unknown_asset_sort_keeps_the_order_of_entry(
    assets: Any, browser_as: Any, sort: str
) -> None:
    response = browser_as(assets.users["lawyer"]).get(f"/projects/{assets.project.id}/assets{sort}")
    assert _order(response, "/assets/", assets.assets) == [0, 1, 2]
    assert "aria-sort=" not in response.get_data(as_text=True)


@pytest.mark.parametrize("sort", ["next_due_on", "-next_due_on"])
def test_an_operator_cannot_sort_the_assets_by_deadline(
    assets: Any, browser_as: Any, sort: str
) -> None:
    path = f"/projects/{assets.project.id}/assets"
    response = browser_as(assets.users["operator"]).get(f"{path}?sort={sort}")
    # ignored: the assets in the order they were entered, no heading offers the sort
    assert _order(response, "/assets/", assets.assets) == [0, 1, 2]
    html = response.get_data(as_text=True)
    assert "next_due_on" not in html and "aria-sort=" not in html
    # the columns the operator sees still sort
    response = browser_as(assets.users["operator"]).get(f"{path}?sort=-sensitivity")
    assert _order(response, "/assets/", assets.assets) == [1, 2, 0]


@pytest.mark.parametrize("role", ["admin", "lawyer", "company", "auditor"])
def test_every_other_role_sorts_the_assets_by_deadline(
    assets: Any, browser_as: Any, role: str
) -> None:
    path = f"/projects/{assets.project.id}/assets?sort=next_due_on"
    response = browser_as(assets.users[role]).get(path)
    assert _order(response, "/assets/", assets.assets) == [1, 0, 2]


def test_the_deadline_column_shows_the_date_it_sorts_by(assets: Any, browser_as: Any) -> None:
    """An asset whose next deadline is derived (an annuity from its dates), not entered by
    hand, shows that date in the column the heading sorts by, and sorts first by it."""
    derived = make_asset(assets.project, title="Sort asset derived")
    derived.derived_deadlines = [
        DerivedDeadline(key="annuity:1", kind="ip_annuity", due_on=day(5), rule="test")
    ]
    db.session.commit()
    assert derived.next_due_on == day(5)
    path = f"/projects/{assets.project.id}/assets?sort=next_due_on"
    response = browser_as(assets.users["lawyer"]).get(path)
    assert _order(response, "/assets/", [derived, *assets.assets]) == [0, 2, 1, 3]
    html = response.get_data(as_text=True)
    row = html[html.index(f'href="/assets/{derived.id}"') :].split("</tr>")[0]
    said = {
        f"{word} {format_day(day(5), locale)}"
        for word, locale in [("다음 기한", "ko"), ("Next deadline", "en")]
    }
    assert any(text in row for text in said), row
    # an entered deadline that is the next one is not said twice
    row = html[html.index(f'href="/assets/{assets.assets[1].id}"') :].split("</tr>")[0]
    assert "다음 기한" not in row and "Next deadline" not in row


@pytest.mark.parametrize("role", ROLES)
def test_a_sorted_asset_page_is_open_to_whom_it_was(
    assets: Any, browser_as: Any, role: str
) -> None:
    path = f"/projects/{assets.project.id}/assets?sort=-title"
    response = browser_as(assets.users[role]).get(path)
    assert _order(response, "/assets/", assets.assets) == [1, 0, 2]
    outsider = assets.outsiders.get(role)
    if outsider is not None:
        assert browser_as(outsider).get(path).status_code == 404


def test_the_asset_pages_keep_the_sort(assets: Any, browser_as: Any) -> None:
    client = browser_as(assets.users["lawyer"])
    path = f"/projects/{assets.project.id}/assets"
    response = client.get(f"{path}?sort=-title&per_page=2")
    assert _order(response, "/assets/", assets.assets) == [1, 0]
    assert "page=2&amp;sort=-title" in response.get_data(as_text=True)
    response = client.get(f"{path}?sort=-title&per_page=2&page=2")
    assert _order(response, "/assets/", assets.assets) == [2]


@pytest.mark.parametrize("role", ["lawyer", "operator"])
def test_the_api_asset_list_takes_no_sort_and_keeps_its_order(
    assets: Any, api_as: Any, role: str
) -> None:
    api = api_as(assets.users[role])
    path = f"/api/v1/projects/{assets.project.id}/assets"
    expected = [a.id for a in assets.assets]
    assert _api_ids(api.get(path)) == expected
    # `sort` is no argument of this list (the API reference): ignored like any unknown one
    assert _api_ids(api.get(f"{path}?sort=-title")) == expected
    # the page's download keeps the order of entry
    csv = api.get(f"{path}?format=csv").get_data(as_text=True)
    positions = [csv.index(a.title) for a in assets.assets]
    assert positions == sorted(positions)


# --- risk reviews -------------------------------------------------------------------------------


@pytest.fixture
def reviews(world: Any, make_project: Any, make_zone: Any) -> Any:
    """Three reviews of the world's project and the lawyer's draft (no result, no validity),
    in a different order for each column; a review of a project of another zone."""
    w = world
    lawyer = w.users["lawyer"].id
    decided = {"reviewer_id": lawyer, "decided_at": moment(-1)}
    undecided = {"reviewer_id": None, "decided_at": None}
    unscored = {"likelihood": None, "impact": None, "score": None, "level": None}
    w.reviews = [
        approved_review(w.project, lawyer, created_at=moment(-days), **values)
        for days, values in (
            (3, {"score": 10, "level": "high", "valid_until": day(100), **decided}),
            (1, {"score": 4, "level": "low", "status": "rejected", "valid_until": day(50)}),
            (2, {"score": 20, "level": "critical", "status": "submitted", **undecided}),
            (4, {**unscored, "status": "draft", **undecided}),
        )
    ]
    for review in w.reviews[2:]:
        review.valid_until = None
    w.other = make_project(zone=make_zone())
    w.foreign = approved_review(w.other, lawyer, created_at=moment(-5))
    db.session.add_all([*w.reviews, w.foreign])
    db.session.commit()
    return w


REVIEW_ORDERS = [
    ("created_at", [3, 0, 2, 1]),
    ("-created_at", [1, 2, 0, 3]),
    ("score", [1, 0, 2, 3]),  # the draft has no score: last either way
    ("-score", [2, 0, 1, 3]),
    ("level", [1, 0, 2, 3]),  # low, high, critical: a level is its score's band
    ("-level", [2, 0, 1, 3]),
    ("status", [0, 3, 1, 2]),  # approved, draft, rejected, submitted
    ("-status", [2, 1, 3, 0]),
    ("valid_until", [1, 0, 2, 3]),  # no validity last, by id
    ("-valid_until", [0, 1, 3, 2]),
]


@pytest.mark.parametrize(("sort", "order"), REVIEW_ORDERS)
def test_the_review_page_sorts_by_every_heading(
    reviews: Any, browser_as: Any, sort: str, order: list[int]
) -> None:
    path = f"/projects/{reviews.project.id}/reviews"
    response = browser_as(reviews.users["lawyer"]).get(f"{path}?sort={sort}")
    assert _order(response, "/reviews/", reviews.reviews) == order
    html = response.get_data(as_text=True)
    assert_sorted_heading(html, path, sort)
    assert f'href="/reviews/{reviews.foreign.id}"' not in html


@pytest.mark.parametrize("sort", ["", "?sort=nonsense", "?sort=author", "?sort=-likelihood"])
def test_an_unknown_review_sort_keeps_newest_first(
    reviews: Any, browser_as: Any, sort: str
) -> None:
    response = browser_as(reviews.users["lawyer"]).get(
        f"/projects/{reviews.project.id}/reviews{sort}"
    )
    assert _order(response, "/reviews/", reviews.reviews) == [1, 2, 0, 3]
    assert response.get_data(as_text=True).count('aria-sort="descending"') == 1


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("sort", "order"), REVIEW_ORDERS[::3])
def test_a_sorted_review_page_is_open_to_whom_it_was(
    reviews: Any, browser_as: Any, role: str, sort: str, order: list[int]
) -> None:
    path = f"/projects/{reviews.project.id}/reviews?sort={sort}"
    response = browser_as(reviews.users[role]).get(path)
    # the lawyer's draft is theirs alone, whatever the order
    mine = order if role == "lawyer" else [i for i in order if i != 3]
    assert _order(response, "/reviews/", reviews.reviews) == mine
    outsider = reviews.outsiders.get(role)
    if outsider is not None:
        assert browser_as(outsider).get(path).status_code == 404


def test_the_review_pages_keep_the_sort(reviews: Any, browser_as: Any) -> None:
    client = browser_as(reviews.users["lawyer"])
    path = f"/projects/{reviews.project.id}/reviews"
    response = client.get(f"{path}?sort=-score&per_page=2")
    assert _order(response, "/reviews/", reviews.reviews) == [2, 0]
    assert "page=2&amp;sort=-score" in response.get_data(as_text=True)
    response = client.get(f"{path}?sort=-score&per_page=2&page=2")
    assert _order(response, "/reviews/", reviews.reviews) == [1, 3]


def test_the_api_review_list_takes_no_sort_and_keeps_newest_first(
    reviews: Any, api_as: Any
) -> None:
    api = api_as(reviews.users["lawyer"])
    path = f"/api/v1/projects/{reviews.project.id}/risk-reviews"
    expected = [reviews.reviews[i].id for i in (1, 2, 0, 3)]
    assert _api_ids(api.get(path)) == expected
    # `sort` is no argument of this list (the API reference): ignored; the download keeps
    # the same order
    assert _api_ids(api.get(f"{path}?sort=score")) == expected
    csv = api.get(f"{path}?format=csv").get_data(as_text=True)
    lines = [line for line in csv.splitlines()[1:] if line.strip()]
    assert [line.split(",")[0] for line in lines] == [str(i) for i in expected]
