"""A person is never linked to a page they may not open, and a refused page says what would
give access (in both languages, nothing of the rules' internals)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support import ROLES
from tracker.db import db

HREF = re.compile(r'href="(/[^"#?]*)"')
#: links that are not pages (downloads, feeds): followed too, but as what they are
NOT_FOLLOWED = ("/static/", "/logout", "/language/")


def _pages_of(w: Any) -> list[str]:
    return ["/", f"/projects/{w.project.id}", "/audit", f"/audit/project/{w.project.id}"]


@pytest.mark.parametrize("role", ROLES)
def test_no_link_leads_to_a_refusal(records, browser_as, role):
    """Every link on a role's start page, project page and audit pages opens (no 403)."""
    w = records
    browser = browser_as(w.users[role])
    refused = []
    for page in _pages_of(w):
        response = browser.get(page)
        if response.status_code != 200:
            continue  # a page the role may not open at all is linked from nowhere it can see
        for link in sorted(set(HREF.findall(response.get_data(as_text=True)))):
            if link.startswith(NOT_FOLLOWED):
                continue
            status = browser.get(link).status_code
            if status in (403, 404):
                refused.append((page, link, status))
    assert not refused, refused


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_admins_and_auditors_see_a_session_recorded_but_no_link_to_it(records, browser_as, role):
    w = records
    browser = browser_as(w.users[role])
    for page in (f"/projects/{w.project.id}", "/audit"):
        html = browser.get(page).get_data(as_text=True)
        assert f'href="/sessions/{w.session.id}"' not in html, page
    assert browser.get(f"/sessions/{w.session.id}").status_code == 403
    # the events are still there, named
    assert "Advisory session recorded" in browser.get("/audit").get_data(as_text=True)


def test_the_lawyer_keeps_the_link_to_the_session(records, browser_as):
    w = records
    html = browser_as(w.users["lawyer"]).get(f"/projects/{w.project.id}").get_data(as_text=True)
    assert f'href="/sessions/{w.session.id}"' in html


#: a page each role may not open, in its scope
REFUSED = {
    "admin": lambda w: f"/sessions/{w.session.id}",
    "company": lambda w: "/audit",
    "operator": lambda w: f"/sessions/{w.session.id}",
    "auditor": lambda w: f"/sessions/{w.session.id}",
}


@pytest.mark.parametrize("locale", ["en", "ko"])
@pytest.mark.parametrize("role", ["admin", "company", "operator", "auditor"])
def test_a_refusal_says_what_would_give_access(records, browser_as, role, locale):
    w = records
    user = w.users[role]
    user.locale = locale
    db.session.commit()
    response = browser_as(user).get(REFUSED[role](w))
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    if locale == "en":
        assert "No access to this page" in html and "This is open to:" in html
        assert "ask an administrator to change your role" in html
    else:
        assert "이 페이지를 열 권한이 없습니다" in html and "열 수 있는 역할" in html
        assert "관리자에게 역할 변경" in html
    roles = {"company": ("Administrator", "Auditor", "Lawyer")}.get(role, ("Lawyer", "Company"))
    if locale == "en":
        assert all(r in html for r in roles), roles
    # nothing of the rules: no action code, no status code as the heading, no role code
    main = html.split("<main", 1)[1]
    assert not re.search(r"\b(session|audit)\.view\w*", main)
    assert "<h1>403</h1>" not in main
    assert not re.search(r"\b(admin|auditor|company|operator)\b", main)


def test_the_api_refusal_stays_a_problem_without_a_page(records, api_as):
    response = api_as(records.users["auditor"]).get(f"/api/v1/sessions/{records.session.id}")
    assert response.status_code == 403
    assert response.headers["Content-Type"].startswith("application/problem+json")
