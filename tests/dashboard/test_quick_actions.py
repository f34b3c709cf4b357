"""Quick "new" actions on the start page (issue 19): each role sees only what the policy lets
it start, and `GET /new` leads on to the form only when the policy allows it."""

from __future__ import annotations

import re

import pytest

from tracker.policy import RULES

#: role -> the quick actions its start page offers
OFFERED = {
    "lawyer": {"session", "nda", "review"},
    "company": {"disclosure", "transfer"},
    "admin": {"user", "project"},
    "operator": set(),
    "auditor": set(),
}
ACTIONS = {
    "session": ("session.write", "/projects/{p}/sessions/new"),
    "nda": ("nda.draft", "/projects/{p}/ndas/new"),
    "review": ("review.write", "/projects/{p}/reviews/new"),
    "disclosure": ("disclosure.file", "/projects/{p}/disclosures/new"),
    "transfer": ("transfer.request", "/projects/{p}/transfers"),
    "user": ("accounts.manage", "/admin/users"),
    "project": ("project.create", "/projects/new"),
}
IN_PROJECT = {"session", "nda", "review", "disclosure", "transfer"}


def _offered(html: str) -> set[str]:
    section = re.search(r'<section id="quick".*?</section>', html, re.S)
    if section is None:
        return set()
    text = section.group(0)
    found = set(re.findall(r'name="what" value="(\w+)"', text))
    for what, (_action, path) in ACTIONS.items():
        if what not in IN_PROJECT and f'href="{path}"' in text:
            found.add(what)
    return found


@pytest.mark.parametrize("role", sorted(OFFERED))
def test_the_start_page_offers_only_what_the_role_may_start(world, browser_as, role):
    html = browser_as(world.users[role]).get("/").get_data(as_text=True)
    assert _offered(html) == OFFERED[role]
    for what in OFFERED[role]:
        assert role in RULES[ACTIONS[what][0]]
    if OFFERED[role] & IN_PROJECT:  # the picker lists the project in the user's scope
        assert f'<option value="{world.project.id}">{world.project.code} · ' in html


@pytest.mark.parametrize("role", sorted(OFFERED))
@pytest.mark.parametrize("what", sorted(ACTIONS))
def test_new_leads_on_only_where_the_policy_allows(world, browser_as, role, what):
    client = browser_as(world.users[role])
    action, path = ACTIONS[what]
    response = client.get("/new", query_string={"what": what, "project_id": world.project.id})
    if role in RULES[action]:
        assert response.status_code == 302
        assert response.headers["Location"] == path.format(p=world.project.id)
        assert client.get(response.headers["Location"]).status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ["lawyer", "company", "operator"])
def test_a_project_out_of_scope_is_not_found(world, browser_as, role):
    client = browser_as(world.outsiders[role])
    for what in IN_PROJECT:
        response = client.get("/new", query_string={"what": what, "project_id": world.project.id})
        assert response.status_code == 404, what


@pytest.mark.parametrize(
    "args",
    [{}, {"what": "nothing"}, {"what": "session\x00"}, {"what": "x" * 5000}],
)
def test_an_unknown_action_is_a_bad_request(world, browser_as, args):
    response = browser_as(world.users["lawyer"]).get("/new", query_string=args)
    assert response.status_code == 400
    assert "text/html" in response.content_type


@pytest.mark.parametrize("project_id", ["", "x", "99999999999999999999999", "-1", "1.5"])
def test_a_bad_project_id_is_not_found(world, browser_as, project_id):
    client = browser_as(world.users["lawyer"])
    response = client.get("/new", query_string={"what": "session", "project_id": project_id})
    assert response.status_code == 404


def test_signed_out_goes_to_sign_in(client):
    response = client.get("/new", query_string={"what": "project"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
