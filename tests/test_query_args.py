"""Issue 21, finding 5: query strings that were 500s. A NUL in any query argument (PostgreSQL
refuses it in a statement) answers 422 problem+json from the API and is ignored by a page, as
any malformed filter is, whatever the list; a query argument that a list's links set
themselves (`format`, `page`) or that names the route's own argument
(`/audit/asset/11?object_id=abc`) no longer breaks building those links."""

from __future__ import annotations

import re

import pytest

from tests.support import make_asset

HTML_NUL = [
    "/audit?actor=%00",
    "/audit?action=%00",
    "/audit?object_type=%00",
    "/projects?q=%00",
    "/transfers?zone_id=%00",
    "/deadlines?kind=x%00",
    "/audit?%00=1",
]
API_NUL = [
    "/api/v1/audit?actor_id=1&action=%00",
    "/api/v1/audit?object_type=a%00b",
    "/api/v1/projects?q=%00",
    "/api/v1/ndas?status=%00",
    "/api/v1/users?q=%00",
]


@pytest.mark.parametrize("url", HTML_NUL)
def test_a_page_ignores_a_nul_in_its_query(world, browser_as, url):
    make_asset(world.project)
    c = browser_as(world.users["admin" if "transfers" not in url else "operator"])
    r = c.get(url)
    assert r.status_code == 200
    unfiltered = c.get(url.partition("?")[0]).get_data(as_text=True)
    assert r.get_data(as_text=True).count("<tr") == unfiltered.count("<tr")


@pytest.mark.parametrize("url", API_NUL)
def test_a_nul_in_a_query_is_a_422_problem(world, api_as, url):
    r = api_as(world.users["admin"]).get(url)
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"
    name = url.partition("?")[2].split("=")[-2].rpartition("&")[2]
    assert "NUL" in r.get_json()["errors"][name][0]


def test_a_stranger_is_still_refused_before_the_query_is_read(client):
    assert client.get("/audit?actor=%00").status_code in (302, 401)
    assert client.get("/api/v1/audit?action=%00").status_code == 401


def _hrefs(r):
    return re.findall(r'href="([^"]+)"', r.get_data(as_text=True))


def test_a_history_ignores_its_own_arguments_in_the_query(world, browser_as):
    asset = make_asset(world.project)
    c = browser_as(world.users["admin"])
    r = c.get(f"/audit/asset/{asset.id}?object_id=abc&object_type=project")
    assert r.status_code == 200
    exports = [h for h in _hrefs(r) if "format=" in h]
    assert exports and all(h.startswith(f"/audit/asset/{asset.id}?") for h in exports)
    assert not any("object_id=abc" in h for h in exports)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "anything"])
def test_the_project_list_with_a_format_in_its_query(world, browser_as, fmt):
    r = browser_as(world.users["admin"]).get(f"/projects?format={fmt}&page=x&status=active")
    assert r.status_code == 200
    exports = [h.replace("&amp;", "&") for h in _hrefs(r) if "/api/v1/projects?" in h]
    assert len(exports) == 2
    assert all(h.count("format=") == 1 and "status=active" in h for h in exports)


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_the_transfer_and_audit_lists_with_a_format_in_their_query(world, browser_as, fmt):
    assert browser_as(world.users["operator"]).get(f"/transfers?format={fmt}").status_code == 200
    assert browser_as(world.users["admin"]).get(f"/audit?format={fmt}x&page=2").status_code == 200
