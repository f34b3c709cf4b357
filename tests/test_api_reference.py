"""The API reference page lists every operation of the OpenAPI document."""

from __future__ import annotations


def test_every_operation_is_listed(world, browser_as, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    html = browser_as(world.users["auditor"]).get("/api-reference").get_data(as_text=True)
    operations = [
        (m.upper(), p)
        for p, item in spec["paths"].items()
        for m in item
        if m in ("get", "post", "put", "patch", "delete")
    ]
    assert len(operations) > 40
    for method, path in operations:
        assert f"<code>{method}</code></td><td><code>{path}</code>" in html, (method, path)
    assert "cdn" not in html.lower()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/api-reference").status_code in (302, 401)
