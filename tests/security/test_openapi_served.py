"""The OpenAPI document says what is served (the fuzzing proof checks every answer against
it): errors as problem+json, exports as csv/xlsx, file downloads as bytes; a 405 names the
allowed methods."""

from __future__ import annotations

from typing import Any

from tracker.reports.exports import EXPORT_TYPES


def _spec(client: Any) -> dict[str, Any]:
    return client.get("/api/v1/openapi.json").get_json()


def test_every_error_response_is_documented_as_problem_json(client: Any) -> None:
    spec = _spec(client)
    for name in ("DEFAULT_ERROR", "UNPROCESSABLE_ENTITY"):
        content = spec["components"]["responses"][name]["content"]
        assert list(content) == ["application/problem+json"]
    assert set(spec["components"]["schemas"]["Problem"]["required"]) == {
        "type",
        "title",
        "status",
        "detail",
    }
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert "default" in operation["responses"], (method, path)


def test_exports_and_downloads_are_documented(client: Any) -> None:
    spec = _spec(client)
    listed = spec["paths"]["/api/v1/projects"]["get"]["responses"]["200"]["content"]
    assert set(EXPORT_TYPES.values()) <= set(listed)
    content = spec["paths"]["/api/v1/attachments/{attachment_id}/content"]["get"]
    assert list(content["responses"]["200"]["content"]) == ["*/*"]
    assert "x-streams-file" not in content


def test_a_real_error_matches_the_documented_problem(client: Any) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert {"type", "title", "status", "detail"} <= set(response.get_json())


def test_405_names_the_allowed_methods(client: Any) -> None:
    response = client.put("/api/v1/health")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert response.mimetype == "application/problem+json"
