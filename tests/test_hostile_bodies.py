"""Hostile JSON bodies answer 4xx, never 500 (issue 11, findings 5a and 5b): deep nesting is
refused before any parser recurses, and a lone surrogate in any string is a 422."""

import pytest

from tests.support import TEST_PASSWORD, count, csrf_token
from tracker.auth.models import User
from tracker.cases.projects.models import Project
from tracker.web.bodies import MAX_JSON_DEPTH, json_depth

NESTED = "[" * 5000
SURROGATE = "\ud800"


def _problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def test_json_depth_counts_brackets_outside_strings():
    assert json_depth(b'{"a": [1, {"b": []}]}') == 4
    assert json_depth(b'{"title": "[[[[[[[[[[{{{{{"}') == 1
    assert json_depth(b'{"t": "a \\" [[[[ \\\\"}') == 1
    assert json_depth(NESTED.encode()) == 5000


def test_deep_nesting_unauthenticated_is_400(client):
    for body in (NESTED, '{"email": ' + NESTED, "[" * (MAX_JSON_DEPTH + 1) + "]" * 33):
        r = client.post("/api/v1/auth/token", data=body, content_type="application/json")
        _problem(r, 400)
    # an HTML route posted a JSON body: the same refusal, as a page
    r = client.post("/login", data=NESTED, content_type="application/json")
    assert r.status_code == 400 and r.mimetype == "text/html"
    # a protected route refuses the stranger before reading the body
    r = client.post("/api/v1/projects", data=NESTED, content_type="application/json")
    _problem(r, 401)


def test_deep_nesting_signed_in_is_400_and_writes_nothing(world, api_as):
    before = count(Project)
    r = api_as(world.users["admin"]).post(
        "/api/v1/projects", data='{"title": ' + NESTED, content_type="application/json"
    )
    _problem(r, 400)
    assert count(Project) == before


def test_nesting_inside_strings_is_just_text(world, api_as):
    r = api_as(world.users["admin"]).get("/api/v1/projects")
    assert r.status_code == 200
    r = api_as(world.users["admin"]).post(
        "/api/v1/projects", json={"title": NESTED[:150], "code": "X"}
    )
    assert r.status_code == 422  # the schema's own refusals (missing fields), not a 400


@pytest.mark.parametrize(
    "body",
    [
        {"email": SURROGATE, "password": TEST_PASSWORD},
        {"email": "a@example.org", "password": SURROGATE},
        {"email": f"x{SURROGATE}@example.org", "password": "p"},
        {SURROGATE: 1, "email": "a@example.org", "password": "p"},
    ],
)
def test_surrogate_at_sign_in_is_422(client, make_user, body):
    make_user("lawyer", email="a@example.org")
    r = client.post("/api/v1/auth/token", json=body)
    problem = _problem(r, 422)
    assert problem["errors"]


def test_surrogate_with_a_known_account_is_422(client, make_user):
    user = make_user("lawyer")
    r = client.post(
        "/api/v1/auth/token",
        json={"email": user.email, "password": SURROGATE},
        headers={"Accept-Language": "en"},
    )
    assert _problem(r, 422)["errors"] == {
        "password": ["Text must not contain unpaired surrogate characters."]
    }


def test_surrogate_in_titles_and_names_is_422_and_writes_nothing(world, api_as):
    admin = api_as(world.users["admin"])
    before = count(Project), count(User)
    r = admin.post("/api/v1/projects", json={"code": "S-1", "title": f"a{SURROGATE}b"})
    assert list(_problem(r, 422)["errors"]) == ["title"]
    r = admin.post(
        "/api/v1/users",
        json={"email": "n@example.org", "name": SURROGATE, "role": "lawyer"},
    )
    assert list(_problem(r, 422)["errors"]) == ["name"]
    r = admin.patch(
        f"/api/v1/projects/{world.project.id}",
        json={"version": 1, "partner_ids": [1], "nested": [{"deep": SURROGATE}]},
    )
    assert list(_problem(r, 422)["errors"]) == ["nested.0.deep"]
    assert (count(Project), count(User)) == before


def test_html_forms_cannot_carry_a_surrogate(client, make_user):
    """Form bodies are decoded as UTF-8 with replacement: the encoded surrogate (ED A0 80)
    arrives as replacement characters and signs nobody in, without a 500."""
    make_user("lawyer", email="h@example.org")
    token = csrf_token(client)
    body = f"email=h%40example.org&password=%ED%A0%80&csrf_token={token}"
    r = client.post("/login", data=body, content_type="application/x-www-form-urlencoded")
    assert r.status_code in (200, 401) and r.mimetype == "text/html"
    r = client.post("/login", json={"email": SURROGATE, "password": "x"})
    assert r.status_code == 422 and r.mimetype == "text/html"
