"""Default deny: every endpoint but a short explicit list needs a signed-in user."""

import pytest

from tracker.web import PUBLIC_ENDPOINTS


def _url(rule):
    values = {}
    for arg in rule.arguments:
        converter = rule._converters[arg].__class__.__name__
        values[arg] = 1 if converter == "IntegerConverter" else "x"
    path = rule.rule
    for name, value in values.items():
        path = path.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
        path = path.replace(f"<path:{name}>", str(value)).replace(f"<string:{name}>", str(value))
    return path


def _protected(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_public_list_is_short_and_real(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    # sign-in (2), the passkey step (2), language, token, health, the API document, the
    # calendar feed and the invitation page (their secret is the credential), static files
    assert len(PUBLIC_ENDPOINTS) <= 11
    # a public endpoint that names nothing would open whatever later takes its name
    assert PUBLIC_ENDPOINTS <= endpoints, PUBLIC_ENDPOINTS - endpoints
    # every public endpoint that exists is one we mean to be public
    for endpoint in PUBLIC_ENDPOINTS & endpoints:
        assert endpoint.split(".")[0] in {
            "static",
            "auth",
            "mfa",
            "main",
            "api_auth",
            "api_health",
            "api-docs",
            "reports",
            "deadlines",
        }


def test_every_other_endpoint_needs_sign_in(app):
    client = app.test_client()
    checked = 0
    for rule, method in _protected(app):
        path = _url(rule)
        response = client.open(path, method=method, json={} if method != "GET" else None)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.mimetype == "application/problem+json", (method, path)
        else:
            assert response.status_code == 302, (method, path, response.status_code)
            assert response.headers["Location"].startswith("/login"), (method, path)
        checked += 1
    assert checked > 10


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/users", "/api/v1/zones"])
def test_bad_bearer_token_is_401_even_with_a_cookie(make_user, browser_as, path):
    client = browser_as(make_user("admin"))
    assert client.get(path).status_code == 200
    r = client.get(path, headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401
    assert r.mimetype == "application/problem+json"


def test_public_endpoints_answer_anonymously(client):
    assert client.get("/login").status_code == 200
    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
