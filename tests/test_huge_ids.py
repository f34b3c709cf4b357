"""Ids past 64 bits anywhere an admin can send one (issue 11, finding 5c): in every route's path
(HTML and API, every method), in list filters and in admin bodies. Each answers 404 or 422 (or
the role's usual 403), never a 500: the sweep walks `app.url_map`, so a new route is covered."""

from __future__ import annotations

import pytest

from tests.support import count, csrf_token
from tracker.auth.models import User

HUGE = 2**70  # past 64 bits
HUGE_NEGATIVE = -(2**70)
ROLE = "admin"


def _id_routes(app):
    for rule in app.url_map.iter_rules():
        ints = [
            a for a, conv in rule._converters.items() if type(conv).__name__ == "IntegerConverter"
        ]
        if not ints or rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, ints


def _url(rule, ints):
    values = {a: HUGE for a in ints}
    for arg in rule.arguments - set(ints):
        values[arg] = "x"
    return rule.build(values, append_unknown=False)[1]


@pytest.mark.parametrize("role", ["admin", "lawyer", "company", "operator", "auditor"])
def test_every_route_with_an_id_refuses_a_huge_one(app, world, api_as, browser_as, role):
    admin = world.users[role]
    api = api_as(admin)
    browser = browser_as(admin)
    token = csrf_token(browser, "/")
    checked, failures = 0, []
    for rule, method, ints in _id_routes(app):
        url = _url(rule, ints)
        view = app.view_functions[rule.endpoint]
        multipart = getattr(getattr(view, "view_class", view), "accepts_multipart", False)
        body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
        if multipart:
            body = {"data": {}, "content_type": "multipart/form-data"}
        if url.startswith("/api/"):
            response = api.client.open(
                url, method=method, headers={"Authorization": f"Bearer {api.token}"}, **body
            )
        else:
            data = {"csrf_token": token} if method != "GET" else None
            response = browser.open(url, method=method, data=data)
        checked += 1
        if response.status_code not in (403, 404, 405, 422):
            failures.append((method, url, response.status_code))
    print(f"huge-id sweep as {role}: {checked} route-methods, {len(failures)} failures")
    assert checked > 40
    assert failures == []


FILTERS = ("project_id", "zone_id", "partner_id", "company_id", "actor_id", "object_id", "user_id")


def test_huge_ids_in_list_filters(app, world, api_as, browser_as):
    admin = world.users[ROLE]
    api = api_as(admin)
    browser = browser_as(admin)
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.arguments or "GET" not in rule.methods or rule.endpoint == "static":
            continue
        for value in (HUGE, HUGE_NEGATIVE):
            query = "&".join(f"{f}={value}" for f in FILTERS)
            url = f"{rule.rule}?{query}"
            client = api if rule.rule.startswith("/api/") else browser
            response = client.get(url)
            if response.status_code >= 500:
                failures.append((url, response.status_code))
    assert failures == []


ADMIN_BODIES = [
    (
        "/api/v1/users",
        {
            "email": "h@example.test",
            "name": "H",
            "role": "company",
            "password": "a long enough passphrase 42",
            "organization_id": HUGE,
        },
    ),
    (
        "/api/v1/users",
        {
            "email": "h@example.test",
            "name": "H",
            "role": "operator",
            "password": "a long enough passphrase 42",
            "zone_id": HUGE,
        },
    ),
    (
        "/api/v1/projects",
        {
            "code": "H-1",
            "title": "H",
            "zone_id": HUGE,
            "company_id": 1,
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "budget_krw": 1,
            "security_level": "general",
        },
    ),
    (
        "/api/v1/projects",
        {
            "code": "H-2",
            "title": "H",
            "zone_id": 1,
            "company_id": HUGE,
            "partner_ids": [HUGE],
            "lawyer_ids": [HUGE],
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "budget_krw": 1,
            "security_level": "general",
        },
    ),
]


@pytest.mark.parametrize(("path", "body"), ADMIN_BODIES)
def test_huge_ids_in_admin_bodies_are_422(world, api_as, path, body):
    response = api_as(world.users[ROLE]).post(path, json=body)
    assert response.status_code == 422, response.get_json()


def test_huge_ids_in_admin_patches_are_422(world, api_as):
    api = api_as(world.users[ROLE])
    user = world.users["company"]
    r = api.patch(f"/api/v1/users/{user.id}", json={"organization_id": HUGE})
    assert r.status_code == 422
    project = world.project
    r = api.patch(
        f"/api/v1/projects/{project.id}", json={"version": project.version, "lawyer_ids": [HUGE]}
    )
    assert r.status_code == 422


@pytest.mark.parametrize("field", ["organization_id", "zone_id"])
def test_huge_ids_in_admin_forms(world, browser_as, field):
    browser = browser_as(world.users[ROLE])
    before = count(User)
    token = csrf_token(browser, "/admin/users")
    data = {
        "csrf_token": token,
        "email": "f@example.test",
        "name": "F",
        "role": "company" if field == "organization_id" else "operator",
        "password": "a long enough passphrase 42",
        field: str(HUGE),
    }
    r = browser.post("/admin/users", data=data)
    assert r.status_code in (200, 400, 422) and r.mimetype == "text/html"
    assert count(User) == before  # nothing created
