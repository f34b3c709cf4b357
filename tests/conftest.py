"""Fixtures: the app on a migrated database, one rolled-back transaction per test, signed-in
clients per role and factories.

One switch picks the database: TRACKER_TEST_DATABASE_URL (PostgreSQL), else SQLite. Under
pytest-xdist each worker gets its own PostgreSQL database, derived from that URL.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy.orm import scoped_session, sessionmaker

from tests import clock as test_clock
from tests.support import (
    CHROMIUM_ARGS,
    TEST_PASSWORD,
    ApiClient,
    database_url,
    demo_app,
    enrol_test_totp,
    make_test_app,
    serve,
    sign_in,
)
from tracker import policy
from tracker.auth import service as auth_service
from tracker.auth.models import Organization, User, Zone
from tracker.auth.passwords import hash_password
from tracker.cases import search, search_results
from tracker.cases.portfolio import listing
from tracker.cases.projects.models import Project
from tracker.db import db
from tracker.extensions import limiter


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[Flask]:
    app = make_test_app(tmp_path_factory, database_url(tmp_path_factory, worker_id, "main"))
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()  # close pooled connections before the interpreter does


def _truncate_all() -> None:
    """Empty every table (for tests that commit for real) and reset the audit chain head."""
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
        conn.execute(
            sa.text("INSERT INTO audit_head (id, seq, mac) VALUES (1, 0, :m)"), {"m": "0" * 64}
        )


@pytest.fixture(autouse=True)
def _db_transaction(request: pytest.FixtureRequest, app: Flask) -> Iterator[None]:
    """Each test runs inside one outer transaction that is rolled back afterwards, so the app
    may commit freely (commits release SAVEPOINTs). Tests marked `real_commits` commit for
    real (threads, several connections) and the tables are emptied afterwards."""
    limiter.reset()
    # what a process remembers of a word's entries (a plan only) is forgotten between tests,
    # whose databases differ under the same address; so is a word's estimated total
    search._walked.clear()
    listing._estimates.clear()
    # so are the statements built once and kept (the search's, the portfolio's walk condition):
    # a test that counts builds or reads what is kept starts from none
    search_results._FIRST.clear()
    search._WALKED.clear()
    with app.app_context():
        if request.node.get_closest_marker("real_commits"):
            try:
                yield
            finally:
                db.session.remove()
                _truncate_all()
            return
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


#: the instant the suite's clock started at in this process (printed at the end of the run)
_clock_started: list[dt.datetime] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real_commits: the test commits for real")
    config.addinivalue_line("markers", "real_clock: the test reads the real clock (tests.clock)")
    config.addinivalue_line(
        "markers", "crawl: a crawl of every page of the app (`make crawls`, not `make test`)"
    )
    _clock_started.append(test_clock.start())


@pytest.fixture(autouse=True)
def _real_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests marked `real_clock` read the real time; every other test the suite's clock."""
    if not request.node.get_closest_marker("real_clock"):
        yield
        return
    test_clock.stop()
    try:
        yield
    finally:
        test_clock.start()


#: figures tests report with `record_property("tally:<name>", {label: number})`, summed over the
#: tests and printed at the end of the run (the user properties reach the main process under
#: pytest-xdist; a worker's own output does not)
_tallies: dict[str, dict[str, int]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call":
        return
    for key, numbers in report.user_properties:
        if str(key).startswith("tally:"):
            totals = _tallies.setdefault(str(key)[len("tally:") :], {})
            for label, n in dict(numbers).items():
                totals[label] = totals.get(label, 0) + n


def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line(
        f"test clock: started at {_clock_started[0]:%Y-%m-%d %H:%M} UTC "
        f"({test_clock.shift_days()} days ahead of the real date)"
    )
    for name, totals in _tallies.items():
        numbers = ", ".join(f"{n} {label}" for label, n in totals.items())
        terminalreporter.write_line(f"{name}: {numbers}")


# --- factories ----------------------------------------------------------------------------------

_seq = itertools.count(1)
_hash_cache: dict[str, str] = {}


@pytest.fixture
def make_zone() -> Any:
    def make(**kw: Any) -> Zone:
        n = next(_seq)
        zone = Zone(
            code=kw.pop("code", f"Z{n}"),
            name_en=kw.pop("name_en", f"Zone {n}"),
            name_ko=kw.pop("name_ko", f"특구 {n}"),
            **kw,
        )
        db.session.add(zone)
        db.session.flush()
        return zone

    return make


@pytest.fixture
def make_org() -> Any:
    def make(kind: str = "company", **kw: Any) -> Organization:
        n = next(_seq)
        org = Organization(
            name=kw.pop("name", f"{kind} {n}"),
            kind=kind,
            country=kw.pop("country", "KR" if kind != "partner" else "DE"),
            **kw,
        )
        db.session.add(org)
        db.session.flush()
        return org

    return make


@pytest.fixture
def make_user(make_org: Any, make_zone: Any) -> Any:
    def make(role: str = "lawyer", **kw: Any) -> User:
        n = next(_seq)
        if role == "company" and "organization" not in kw and "organization_id" not in kw:
            kw["organization"] = make_org("company")
        if role == "operator" and "zone" not in kw and "zone_id" not in kw:
            kw["zone"] = make_zone()
        second_factor = kw.pop("second_factor", role in policy.second_factor_roles())
        password = kw.pop("password", TEST_PASSWORD)
        if password not in _hash_cache:
            _hash_cache[password] = hash_password(password)
        user = User(
            email=kw.pop("email", f"{role}{n}@example.test"),
            name=kw.pop("name", f"{role} {n}"),
            role=role,
            password_hash=_hash_cache[password],
            locale=kw.pop("locale", "en"),
            **kw,
        )
        db.session.add(user)
        db.session.flush()
        if second_factor:
            enrol_test_totp(user)
            db.session.flush()
        return user

    return make


@pytest.fixture
def make_project(make_zone: Any, make_org: Any) -> Any:
    def make(**kw: Any) -> Project:
        n = next(_seq)
        lawyers = kw.pop("lawyers", [])
        partners = kw.pop("partners", [])
        project = Project(
            code=kw.pop("code", f"P-{n:04d}"),
            title=kw.pop("title", f"Project {n}"),
            zone=kw.pop("zone", None) or make_zone(),
            company=kw.pop("company", None) or make_org("company"),
            **kw,
        )
        project.lawyers = list(lawyers)
        project.partners = list(partners) or [make_org("partner")]
        db.session.add(project)
        db.session.flush()
        return project

    return make


@pytest.fixture
def world(make_user: Any, make_project: Any, make_zone: Any, make_org: Any) -> Any:
    """One project with a user of every role in its scope, and one user of every role outside."""

    class World:
        pass

    w = World()
    w.zone = make_zone()
    w.company = make_org("company")
    w.partner = make_org("partner", country="GB")
    w.users = {
        "admin": make_user("admin"),
        "lawyer": make_user("lawyer"),
        "company": make_user("company", organization=w.company),
        "operator": make_user("operator", zone=w.zone),
        "auditor": make_user("auditor"),
    }
    w.outsiders = {
        "lawyer": make_user("lawyer"),
        "company": make_user("company"),
        "operator": make_user("operator"),
    }
    w.project = make_project(
        zone=w.zone, company=w.company, partners=[w.partner], lawyers=[w.users["lawyer"]]
    )
    return w


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def api_as(app: Flask) -> Any:
    """`api_as(user)`: an API client holding a fresh bearer token of `user`."""

    def make(user: User) -> ApiClient:
        token, _row = auth_service.issue_token(user)
        db.session.commit()
        return ApiClient(app.test_client(), token)

    return make


@pytest.fixture
def browser_as(app: Flask) -> Any:
    """`browser_as(user)`: a test client signed in through the real sign-in form."""

    def make(user: User) -> FlaskClient:
        c = app.test_client()
        response = sign_in(c, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return c

    return make


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def blob_dir(app: Flask, tmp_path_factory: pytest.TempPathFactory, monkeypatch: Any) -> Any:
    """A fresh, empty blob directory for this test (the app's TRACKER_BLOB_DIR)."""
    path = tmp_path_factory.mktemp("blobs") / "blobs"
    monkeypatch.setitem(app.config, "TRACKER_BLOB_DIR", str(path))
    return path


# --- the browser tests: a live server with the demo data, Debian's chromium --------------------


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    """The app with the demo data, served on loopback (its own database, committed for real:
    mark the module `real_commits`)."""
    with serve(demo_app(tmp_path_factory, worker_id, "live")) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh Korean context; the test fails if the CSP blocked anything."""
    context = browser.new_context(locale="ko-KR")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors
