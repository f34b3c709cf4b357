"""Every error on an API path is problem+json; bad input never writes and never 500s."""

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.support import make_test_app
from tracker.auth.models import Organization, User, Zone
from tracker.db import db
from tracker.errors import StateConflict
from tracker.web.errors import handle_conflict


def _is_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    return body


def _count(model):
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


@pytest.fixture
def admin_api(make_user, api_as):
    return api_as(make_user("admin"))


def test_400_malformed_json_writes_nothing(admin_api):
    before = _count(Zone)
    response = admin_api.post(
        "/api/v1/zones", data='{"code": "X", "name_en": ', content_type="application/json"
    )
    _is_problem(response, 400)
    assert _count(Zone) == before


def test_401(client):
    _is_problem(client.get("/api/v1/users"), 401)
    assert client.get("/api/v1/users").headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("role", ["lawyer", "company", "operator", "auditor"])
def test_403_for_every_non_admin_on_account_writes(make_user, api_as, role):
    api = api_as(make_user(role))
    before = (_count(User), _count(Zone), _count(Organization))
    _is_problem(api.get("/api/v1/users"), 403)
    _is_problem(api.post("/api/v1/users", json={"email": "x@example.test"}), 403)
    _is_problem(api.post("/api/v1/zones", json={"code": "Q"}), 403)
    _is_problem(api.post("/api/v1/organizations", json={}), 403)
    _is_problem(api.patch("/api/v1/users/1", json={"active": False}), 403)
    assert (_count(User), _count(Zone), _count(Organization)) == before


def test_403_is_audited(make_user, api_as):
    from tracker.audit.models import AuditEvent

    user = make_user("lawyer")
    api_as(user).get("/api/v1/users")
    event = (
        db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "access.denied"))
        .scalars()
        .all()[-1]
    )
    assert event.actor_id == user.id
    assert event.detail["path"] == "/api/v1/users"


def test_404(admin_api):
    _is_problem(admin_api.get("/api/v1/users/999999"), 404)
    _is_problem(admin_api.get("/api/v1/no-such-thing"), 404)


def test_405(admin_api):
    _is_problem(admin_api.put("/api/v1/zones", json={}), 405)


def test_409_conflicts_are_problems():
    app = Flask(__name__)

    @app.route("/api/v1/x")
    def conflict():
        raise StateConflict("stale version", {"current_version": 3})

    app.register_error_handler(StateConflict, handle_conflict)
    from tracker.db import db as database

    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    database.init_app(app)
    body = _is_problem(app.test_client().get("/api/v1/x"), 409)
    assert body["current_version"] == 3


def test_413_huge_json_body(admin_api):
    before = _count(Zone)
    body = '{"code": "X", "name_en": "' + "a" * (2 * 1024 * 1024) + '", "name_ko": "x"}'
    response = admin_api.post("/api/v1/zones", data=body, content_type="application/json")
    _is_problem(response, 413)
    assert _count(Zone) == before


def test_415_wrong_content_type(admin_api):
    before = _count(Zone)
    response = admin_api.post("/api/v1/zones", data="code=X", content_type="text/plain")
    _is_problem(response, 415)
    assert _count(Zone) == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({"code": 5, "name_en": "Z", "name_ko": "Z"}, "code"),
        ({"name_en": "Z", "name_ko": "Z"}, "code"),
        ({"code": "Z", "name_en": "Z", "name_ko": "Z", "extra": 1}, "extra"),
        ([1, 2, 3], "_schema"),
    ],
)
def test_422_invalid_fields_write_nothing(admin_api, body, field):
    before = _count(Zone)
    problem = _is_problem(admin_api.post("/api/v1/zones", json=body), 422)
    assert field in problem["errors"]
    assert _count(Zone) == before


def test_429_has_retry_after(client, make_user):
    user = make_user("lawyer")
    for _ in range(5):
        client.post("/api/v1/auth/token", json={"email": user.email, "password": "x" * 12})
    body = _is_problem(
        client.post("/api/v1/auth/token", json={"email": user.email, "password": "x" * 12}), 429
    )
    assert body["status"] == 429


def test_token_body_errors(client):
    _is_problem(client.post("/api/v1/auth/token", data="{", content_type="application/json"), 400)
    _is_problem(client.post("/api/v1/auth/token", json={"email": "a@b.c"}), 422)
    _is_problem(client.post("/api/v1/auth/token", json={"email": 1, "password": 2}), 422)


def test_html_paths_get_html_errors(make_user, browser_as):
    client = browser_as(make_user("lawyer"))
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and missing.mimetype == "text/html"


@pytest.mark.real_commits  # its own engine, not the test transaction
def test_health_503_when_database_is_down(tmp_path_factory):

    app = make_test_app(tmp_path_factory, "sqlite:////nonexistent-dir/tracker.db")
    with app.app_context():
        response = app.test_client().get("/api/v1/health")
    assert response.status_code == 503
    assert response.get_json()["database"] != "ok"


def test_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    for path in [
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/users/{user_id}",
        "/api/v1/zones",
        "/api/v1/organizations",
        "/api/v1/health",
    ]:
        assert path in paths, path
    post_users = paths["/api/v1/users"]["post"]
    assert "requestBody" in post_users
    schema = spec["components"]["schemas"]["User"]
    assert "password" in schema["properties"]


def test_an_odd_client_address_is_audited_not_a_500(make_user, api_as):
    from tracker.audit.models import AuditEvent

    api = api_as(make_user("lawyer"))
    response = api.get("/api/v1/users", environ_base={"REMOTE_ADDR": "x" * 300})
    assert response.status_code == 403
    event = (
        db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "access.denied"))
        .scalars()
        .all()[-1]
    )
    assert event.ip == "x" * 45


# --- finding 2 of issue 11: the error log names the exception and the request, never values ---

LOG_CANARY = "CANARY-cell-text-7f3a"


class _Failing:
    """Stands in for a module whose first call raises with record text in its message."""

    exc = sa.exc

    @staticmethod
    def text(*_args, **_kwargs):
        raise ValueError(f"Cannot convert {LOG_CANARY!r} to Excel")


def test_unexpected_error_logs_type_and_request_only(
    client, browser_as, make_user, monkeypatch, caplog
):
    import logging

    from tracker.api import health
    from tracker.dashboard import views

    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(health, "sa", _Failing)
    response = client.get("/api/v1/health?q=secret-query")
    body = _is_problem(response, 500)
    assert LOG_CANARY not in str(body)

    def failing_render(*_args, **_kwargs):
        raise KeyError(LOG_CANARY)

    browser = browser_as(make_user("lawyer"))
    monkeypatch.setattr(views, "render_template", failing_render)
    response = browser.get("/")
    assert response.status_code == 500 and LOG_CANARY not in response.get_data(as_text=True)

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    lines = [caplog.handler.format(r) for r in errors]
    assert any("ValueError on GET /api/v1/health" in line for line in lines), lines
    assert any("KeyError on GET /" in line for line in lines), lines
    assert any("health.py:" in line for line in lines)  # where it happened, as file:line
    assert LOG_CANARY not in caplog.text
    assert "secret-query" not in caplog.text
    assert all(r.exc_info is None for r in errors)
