"""`tracker.web.urls.id_url`: a list's row links built from one URL, each the very URL
`url_for` builds, whatever the id and wherever the application is mounted."""

from __future__ import annotations

import pytest
from flask import url_for

from tracker.web.urls import id_url

#: every (endpoint, id argument) a page links its rows to through id_url
USED = [
    ("projects.project_detail", "project_id"),
    ("reviews.review_detail", "review_id"),
    ("assets.asset_detail", "asset_id"),
]

ODD_IDS = [0, 1, 7, 10, 99, 100, 2**31 - 1, 2**31, 2**63 - 1, 10**20, 7_394_012_658_331_904_287]


@pytest.mark.parametrize(("endpoint", "name"), USED)
@pytest.mark.parametrize("mount", ["", "/tracker", "/a b&c"])
def test_the_same_url_as_url_for(app, endpoint, name, mount):
    with app.test_request_context("/", environ_base={"SCRIPT_NAME": mount}):
        url_of = id_url(endpoint, name)
        for record_id in ODD_IDS:
            assert url_of(record_id) == url_for(endpoint, **{name: record_id})


def test_other_values_and_anchors_are_kept(app):
    with app.test_request_context("/"):
        url_of = id_url("projects.project_detail", "project_id", tab="x", _anchor="notes")
        assert url_of(42) == url_for(
            "projects.project_detail", project_id=42, tab="x", _anchor="notes"
        )


def test_the_list_links_each_row_to_its_project(world, make_project, browser_as):
    others = [make_project(code=f"IDURL-{i}") for i in range(3)]
    html = browser_as(world.users["admin"]).get("/projects").get_data(as_text=True)
    for project in [world.project, *others]:
        assert f'<td><a href="/projects/{project.id}">{project.code}</a></td>' in html
