"""GET /api/v1/deadlines and the /deadlines page: the policy per role, filters, exports, and a
fixed number of statements whatever the number of items."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.deadlines.conftest import TODAY, fill
from tests.support import ROLES, statements, xlsx_rows
from tracker.db import db


def _items(api, query=""):
    r = api.get(f"/api/v1/deadlines?per_page=200{query}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_item_shape_is_the_contract(deadline_world, api_as):
    body = _items(api_as(deadline_world.users["lawyer"]))
    assert set(body) == {"items", "total", "page", "per_page"}
    assert body["total"] == len(body["items"]) > 0
    for item in body["items"]:
        assert set(item) == {
            "kind", "due_on", "title", "project_id", "source_type", "source_id",
            "done", "overdue", "derived", "rule",
            "office", "filing_id", "grace_until", "project_code",
        }  # fmt: skip
        assert item["project_code"]
    dues = [i["due_on"] for i in body["items"]]
    assert dues == sorted(dues)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_its_scope_only(deadline_world, api_as, role):
    w = deadline_world
    body = _items(api_as(w.users[role]))
    items = body["items"]
    assert "CANARY" not in str(body)  # notes, descriptions, purposes, privileged notes
    projects = {i["project_id"] for i in items}
    if role in ("admin", "auditor"):
        assert projects == {w.project.id, w.other.id}
    else:
        assert projects == {w.project.id}
        assert not any(i["title"].startswith("OUT") for i in items)
    kinds = {i["kind"] for i in items}
    assert ("follow_up" in kinds) == (role in ("lawyer", "company"))
    assert bool(kinds & {"ip_priority", "ip_other"}) == (role != "operator")
    assert {"nda_expiry", "project_end", "review_expiry"} <= kinds


@pytest.mark.parametrize("role", ["lawyer", "company", "operator"])
def test_an_outsider_never_sees_them(deadline_world, api_as, role):
    w = deadline_world
    items = _items(api_as(w.outsiders[role]))["items"]
    assert not {w.project.id, w.other.id} & {i["project_id"] for i in items}
    # asking for the project by id gives nothing either (no 404 probe: an empty list)
    assert _items(api_as(w.outsiders[role]), f"&project_id={w.project.id}")["items"] == []


def test_a_company_never_sees_another_company_s(deadline_world, api_as, make_user):
    w = deadline_world
    other_company_user = make_user("company", organization=w.other.company)
    items = _items(api_as(other_company_user))["items"]
    assert {i["project_id"] for i in items} == {w.other.id}


def test_filters(deadline_world, api_as):
    api = api_as(deadline_world.users["lawyer"])
    overdue = _items(api, "&overdue=true")["items"]
    assert overdue and all(i["overdue"] and not i["done"] for i in overdue)
    week = _items(api, "&within_days=7")["items"]
    limit = (TODAY + dt.timedelta(days=7)).isoformat()
    assert week and all(i["due_on"] <= limit for i in week)
    assert {i["kind"] for i in _items(api, "&kind=ip_priority")["items"]} == {"ip_priority"}
    derived = _items(api, "&kind=ip_pct")["items"]
    assert derived and all(i["derived"] and i["rule"] for i in derived)


@pytest.mark.parametrize(
    "query",
    ["within_days=-1", "within_days=x", "kind=nope", "project_id=0", "project_id=99999999999",
     "overdue=maybe", "per_page=500", "format=pdf"],
)  # fmt: skip
def test_bad_filters_are_422(deadline_world, api_as, query):
    r = api_as(deadline_world.users["lawyer"]).get(f"/api/v1/deadlines?{query}")
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"


def test_csv_and_xlsx_hold_the_whole_filtered_list(deadline_world, api_as):
    api = api_as(deadline_world.users["operator"])
    total = _items(api)["total"]
    csv = api.get("/api/v1/deadlines?format=csv&per_page=1")
    assert csv.status_code == 200
    lines = csv.get_data(as_text=True).strip().splitlines()
    # headers and coded values in the reader's language (English here)
    assert lines[0].lstrip("\ufeff").startswith("Kind,Due on,Title,Project")
    assert len(lines) == total + 1
    assert "CANARY" not in csv.get_data(as_text=True)
    xlsx = api.get("/api/v1/deadlines?format=xlsx&kind=nda_expiry")
    rows = xlsx_rows(xlsx.data)
    assert len(rows) == 2 and rows[1][0] == "NDA expiry"


def test_a_fixed_number_of_statements(deadline_world, api_as, browser_as, make_project):
    w = deadline_world
    api = api_as(w.users["admin"])
    browser = browser_as(w.users["admin"])

    def count(fetch):
        with statements() as seen:
            r = fetch()
            assert r.status_code == 200
        return len(seen)

    before_api = count(lambda: api.get("/api/v1/deadlines"))
    before_page = count(lambda: browser.get("/deadlines"))
    for _ in range(4):
        fill(make_project(), w.users["lawyer"], "MORE")
    assert count(lambda: api.get("/api/v1/deadlines")) == before_api
    assert count(lambda: browser.get("/deadlines")) == before_page


@pytest.mark.parametrize("role", ROLES)
def test_the_page_for_every_role_in_both_languages(deadline_world, browser_as, role):
    w = deadline_world
    browser = browser_as(w.users[role])
    page = browser.get("/deadlines?per_page=200").get_data(as_text=True)
    assert 'href="/deadlines"' in page  # in the navigation
    assert "IN software" in page
    assert ("OUT software" in page) == (role in ("admin", "auditor"))
    assert "CANARY" not in page
    assert ("IN late follow-up" in page) == (role in ("lawyer", "company"))
    w.users[role].locale = "ko"
    db.session.flush()
    korean = browser_as(w.users[role]).get("/deadlines").get_data(as_text=True)
    assert "<h1>기한</h1>" in korean and "과제 종료" in korean


def test_page_filters_and_junk(deadline_world, browser_as):
    browser = browser_as(deadline_world.users["lawyer"])
    page = browser.get("/deadlines?overdue=true").get_data(as_text=True)
    assert "IN late follow-up" in page and "IN patent" not in page
    r = browser.get("/deadlines?kind=%00&within_days=abc&project_id=-5&page=x")
    assert r.status_code == 200
