"""GET /api/v1/dashboard: the caller's work per role, described in the OpenAPI document."""

from __future__ import annotations

import pytest

from tests.dashboard.waiting import QUEUES, fill
from tests.support import ROLES, statements


def test_needs_sign_in(client):
    assert client.get("/api/v1/dashboard").status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_its_shape(busy, api_as, role):
    user = busy.second if role == "lawyer" else busy.users[role]
    response = api_as(user).get("/api/v1/dashboard")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"role", "deadlines", "queues", "heat_map", "counts"}
    assert body["role"] == role
    assert set(body["queues"]) == set(QUEUES[role])
    assert isinstance(body["deadlines"], list)
    for items in body["queues"].values():
        for item in items:
            assert {"type", "id", "project_id", "title", "since"} <= set(item)
            assert item["project_id"] == busy.project.id
    if role in ("operator", "admin", "auditor"):
        assert len(body["heat_map"]["cells"]) == 5
    else:
        assert body["heat_map"] is None
    if role == "lawyer":
        assert [i["type"] for i in body["queues"]["reviews_to_decide"]] == ["risk_review"]
    if role == "company":
        blocked = [i for i in body["queues"]["my_requests"] if i["status"] == "blocked"]
        assert blocked[0]["failed_checks"][0]["code"] == "nda_active"
    if role in ("admin", "auditor"):
        assert {z["code"] for z in body["counts"]["zones"]} >= {busy.zone.code}


def test_same_statements_for_more_items(busy, api_as):
    api = api_as(busy.second)
    with statements() as few:
        api.get("/api/v1/dashboard")
    fill(busy.project, busy.users["lawyer"], busy.users["company"], 5)
    with statements() as many:
        body = api.get("/api/v1/dashboard").get_json()
    assert body["counts"]["reviews_to_decide"] == 6
    assert len(many) == len(few)


def test_openapi_describes_the_response(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/dashboard"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[-1]
    properties = spec["components"]["schemas"][name]["properties"]
    assert {"role", "deadlines", "queues", "heat_map", "counts"} <= set(properties)
