"""Test helpers shared by every test package (import them as `from tests.support import ...`;
`conftest` is not importable reliably once sub-folders have their own conftest.py)."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tracker import create_app
from tracker.db import normalise_database_url

TEST_PASSWORD = "correct horse battery staple"
ROLES = ("admin", "lawyer", "company", "operator", "auditor")


def _postgres_url(base: str, worker_id: str) -> str:
    url = sa.engine.make_url(normalise_database_url(base))
    if worker_id != "master":
        url = url.set(database=f"{url.database}_{worker_id}")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}
        ).first()
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url.render_as_string(hide_password=False)


def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str, name: str) -> str:
    """A fresh, empty database for this worker (`name` tells several apart)."""
    base = os.environ.get("TRACKER_TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path_factory.mktemp(name) / 'test.db'}"
    if name != "main":
        url = sa.engine.make_url(normalise_database_url(base))
        base = url.set(database=f"{url.database}_{name}").render_as_string(hide_password=False)
    return _postgres_url(base, worker_id)


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (and `g`), as in production, although the test
    keeps one pushed for its factories. The database session still joins the test's
    transaction, since every session is bound to the same connection."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_test_app(tmp_path_factory: pytest.TempPathFactory, url: str, **extra: Any) -> Flask:
    instance = tmp_path_factory.mktemp("instance")
    os.environ["TRACKER_INSTANCE_PATH"] = str(instance)
    config = {
        "TESTING": True,
        "TRACKER_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-only-secret-key",
        "TRACKER_KEY_FILE": str(instance / "keys.json"),
        "TRACKER_BLOB_DIR": str(instance / "blobs"),
        "TRACKER_AUDIT_CHECKPOINT_FILE": str(instance / "audit-checkpoint.json"),
        # no automatic checkpoints: tests that commit for real empty the tables afterwards, and
        # a checkpoint naming an emptied event would read as a cut chain to later tests
        "TRACKER_AUDIT_CHECKPOINT_EVERY_EVENTS": 0,
        "TRACKER_AUDIT_CHECKPOINT_EVERY_MINUTES": 0,
        # cheap hashing in tests; the production parameters are checked in test_passwords
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_KIB": 8,
        "ARGON2_PARALLELISM": 1,
        "RATELIMIT_STORAGE_URI": "memory://",
        "LOGIN_ADDRESS_LIMIT": "1000 per 15 minutes",
    }
    config.update(extra)
    app = create_app(config)
    app.test_client_class = FreshContextClient
    return app


# --- clients ---------------------------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, email: str, password: str = TEST_PASSWORD) -> Any:
    token = csrf_token(client)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


class ApiClient:
    """A test client that sends a bearer token and JSON."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client, self.token = client, token

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, headers=self._headers(kw.pop("headers", None)), **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.client.delete(path, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.client.post(path, headers=self._headers(kw.pop("headers", None)), **kw)

    def patch(self, path: str, **kw: Any) -> Any:
        return self.client.patch(path, headers=self._headers(kw.pop("headers", None)), **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self.client.put(path, headers=self._headers(kw.pop("headers", None)), **kw)


class StatementCounter:
    """Counts the SQL statements an engine runs inside a `with` block."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine, self.count = engine, 0

    def _count(self, *_args: Any) -> None:
        self.count += 1

    def __enter__(self) -> StatementCounter:
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._count)


def xlsx_rows(data: bytes) -> list[list[Any]]:
    """The first sheet of an XLSX download as rows of values."""
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
