"""The project list and the project page carry the header's counts in a statement of their
own (one round trip fewer on PostgreSQL), build their statements once, and their templates
look up the reader's catalogue once per page, not once per text."""

from __future__ import annotations

import flask_babel

from tests.support import statements
from tracker.auth.notifications import notify
from tracker.cases.projects import service as projects
from tracker.dashboard import project as board
from tracker.dashboard.service import header_counts
from tracker.db import db


def _badges(page: str, waiting: int, unread: int) -> bool:
    return (
        f'<span aria-hidden="true">{waiting}</span>' in page
        and f'<span class="badge" aria-hidden="true">{unread}</span>' in page
    )


def test_the_list_and_the_page_carry_the_header_counts(busy, browser_as):
    lawyer = busy.second
    notify(lawyer.id, "assigned_to_project", busy.project, busy.project.id)
    db.session.flush()
    waiting, unread = header_counts(lawyer)
    assert waiting and unread
    browser = browser_as(lawyer)
    for path in ("/projects", f"/projects/{busy.project.id}"):
        with statements() as seen:
            response = browser.get(path)
        assert response.status_code == 200
        assert _badges(response.get_data(as_text=True), waiting, unread), path
        (counted,) = [s for s in seen if "FROM notifications" in s]
        assert "header_counts" in counted, f"{path}: the header asked on its own"
    # a project out of scope: 404, and its page's header asks on its own
    response = browser.get(f"/projects/{busy.other.id}")
    assert response.status_code == 404
    assert _badges(response.get_data(as_text=True), waiting, unread)


def test_the_page_statements_are_built_once(busy, browser_as, make_project):
    lawyer = busy.users["lawyer"]
    second = make_project(zone=busy.zone, company=busy.company, lawyers=[lawyer])
    db.session.flush()
    projects._PAGES.clear()
    board._BUILT.clear()
    browser = browser_as(lawyer)
    assert browser.get(f"/projects/{busy.project.id}").status_code == 200
    kept = (projects._PAGES.kept(), board._BUILT.kept())
    assert kept[0] and kept[1]
    page = browser.get(f"/projects/{second.id}").get_data(as_text=True)
    assert second.code in page
    assert (projects._PAGES.kept(), board._BUILT.kept()) == kept


def test_the_templates_look_up_the_catalogue_once_per_page(world, browser_as, monkeypatch):
    world.users["lawyer"].locale = "ko"
    db.session.flush()
    browser = browser_as(world.users["lawyer"])
    assert browser.get(f"/projects/{world.project.id}").status_code == 200
    looked_up: list[str] = []
    original = flask_babel.Domain.get_translations

    def counted(self):  # type: ignore[no-untyped-def]
        looked_up.append("x")
        return original(self)

    monkeypatch.setattr(flask_babel.Domain, "get_translations", counted)
    page = browser.get(f"/projects/{world.project.id}").get_data(as_text=True)
    assert "현재 위험 상태" in page  # "Current risk status", translated
    # the templates' texts once (64 lookups before); the view's and the filters' own labels
    # and the macros imported without context still ask per text (about 20)
    assert len(looked_up) <= 25, len(looked_up)


def test_two_lawyers_in_turn_each_see_their_own_list_and_counts(busy, browser_as, make_project):
    """The statements are kept per user and day: two lawyers asking in turn in one process
    each get their own header's counts, their own list and their own page of a project."""
    first, second = busy.users["lawyer"], busy.second
    own = make_project(zone=busy.zone, company=busy.company, lawyers=[second])
    notify(first.id, "assigned_to_project", busy.project, busy.project.id)
    for _ in range(2):
        notify(second.id, "assigned_to_project", own, own.id)
    db.session.flush()
    counts = {user.id: header_counts(user) for user in (first, second)}
    assert counts[first.id] != counts[second.id]
    browsers = {user.id: browser_as(user) for user in (first, second)}
    for _ in range(2):
        for user in (first, second):
            listed = browsers[user.id].get("/projects").get_data(as_text=True)
            assert _badges(listed, *counts[user.id]), user.email
            assert (own.code in listed) == (user is second), user.email
            page = browsers[user.id].get(f"/projects/{own.id}")
            assert page.status_code == (200 if user is second else 404), user.email
            assert _badges(page.get_data(as_text=True), *counts[user.id]), user.email
