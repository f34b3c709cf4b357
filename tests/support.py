"""The one home of the test helpers: plain functions, classes and constants, imported as
`from tests.support import ...`. Fixtures live in the `conftest.py` of the folder that needs
them; no test imports a `conftest` module.

Sections: databases and the app, clients, statements and downloads, the race harness,
attachments, case records (projects, assets, NDAs, disclosures, sessions, reviews), transfers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.message
import email.policy
import importlib
import io
import os
import re
import socket
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import flask_migrate
import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from tests import clock as test_clock
from tracker import create_app, keys
from tracker.attachments.models import AttachmentVersion
from tracker.audit.models import AuditEvent
from tracker.auth import totp
from tracker.auth.models import User
from tracker.cases import search
from tracker.cases.assets.models import IpAsset
from tracker.cases.disclosures import service as disclosures
from tracker.cases.disclosures.models import Disclosure
from tracker.cases.ndas.models import Nda
from tracker.cases.projects.models import Project
from tracker.cases.reviews import service as risk
from tracker.cases.reviews.models import RiskReview
from tracker.cases.sessions import service as advice
from tracker.cases.sessions.models import AdvisorySession
from tracker.db import db, normalise_database_url
from tracker.demo import DEMO_PASSWORD, demo_totp_seed, load_demo
from tracker.transfers.service import TransferDraft

TEST_PASSWORD = "correct horse battery staple"
#: the TOTP seed (base32) of the fixtures' accounts whose role needs a second factor
TEST_TOTP_SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ROLES = ("admin", "lawyer", "company", "operator", "auditor")
OUTSIDERS = ("lawyer", "company", "operator")  # the roles `world` also has outside its project
#: the suite's date in Korea (tests.clock), and a planned transfer date a few days ahead
TODAY = test_clock.today()
PLANNED = TODAY + dt.timedelta(days=6)


def day(n: int) -> dt.date:
    """The date `n` days after the suite's today (before it when negative)."""
    return TODAY + dt.timedelta(days=n)


def moment(days: float) -> dt.datetime:
    """The time `days` days after the suite's now (before it when negative)."""
    return test_clock.instant() + dt.timedelta(days=days)


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
    keys.require(app)  # the key file is otherwise read on first use
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
    """Sign in through the form; an account with a TOTP seed also passes the second step
    (with a fresh code: see `totp_code`), as its owner's authenticator app would."""
    token = csrf_token(client)
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )
    if response.status_code == 302 and response.headers["Location"].endswith("/login/totp"):
        code = totp_code(email)
        token = csrf_token(client, "/login/totp")
        response = client.post("/login/totp", data={"otp": code, "csrf_token": token})
    return response


def totp_code(email: str) -> str:
    """The current TOTP code of the account `email` (in this test's database), made usable:
    when this step's code was used already (a test signs one account in many times within
    30 seconds) the account's last step is cleared and committed, as if time had passed.
    Otherwise nothing is written, so the test's objects stay loaded. A read that began a
    transaction (a test with real commits) is ended, so its lock does not block the request
    that follows (SQLite takes the write lock at BEGIN)."""
    began = not db.session().in_transaction()
    user = db.session.execute(
        sa.select(User).where(User.email == email.lower()).execution_options(populate_existing=True)
    ).scalar_one()
    secret = totp.totp_secret(user)
    assert secret is not None, f"{email} has no TOTP seed"
    code = pyotp.TOTP(secret)
    if user.totp_last_step is not None and user.totp_last_step >= code.timecode(dt.datetime.now()):
        user.totp_last_step = None
        db.session.commit()
    elif began:
        db.session.rollback()
    return code.now()


def token_body(email: str, password: str = TEST_PASSWORD) -> dict[str, str]:
    """A body for POST /api/v1/auth/token: with a fresh TOTP code when the account has a seed."""
    body = {"email": email, "password": password}
    user = db.session.execute(
        sa.select(User).where(User.email == email.lower())
    ).scalar_one_or_none()
    if user is not None and user.totp_enrolled:
        body["otp"] = totp_code(email)
    return body


def enrol_test_totp(user: User) -> None:
    """Give `user` the suite's TOTP seed (TEST_TOTP_SEED), without an audit event: the
    fixtures' privileged accounts come enrolled, as TRACKER_MFA_ROLES requires."""
    context = totp.TOTP_CONTEXT + str(user.id).encode()
    user.totp_secret_sealed = keys.current().seal(TEST_TOTP_SEED.encode(), context)


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


# --- a live server and the browser (Debian's chromium, driven by Playwright) ------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def demo_app(tmp_path_factory: pytest.TempPathFactory, worker_id: str, name: str) -> Flask:
    """An app on a database of its own (`name`), migrated, with the demo data committed."""
    app = make_test_app(tmp_path_factory, database_url(tmp_path_factory, worker_id, name))
    with app.app_context():
        flask_migrate.upgrade()
        load_demo()
        db.session.commit()
        db.session.remove()
    return app


#: the app each running `serve` serves, by base URL (sign_in_page reaches its database)
_SERVED: dict[str, Flask] = {}


@contextlib.contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve `app` on a loopback port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    _SERVED[base] = app
    try:
        yield base
    finally:
        _SERVED.pop(base, None)
        server.shutdown()
        thread.join(5)
        with app.app_context():
            db.engine.dispose()


def sign_in_page(page: Any, base: str, role: str) -> None:
    """Sign a Playwright page in as the demo login `role` through the sign-in form."""
    page.goto(f"{base}/login")
    page.fill("input[name=email]", f"{role}@tracker.example")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    if urlsplit(page.url).path == "/login/totp":
        page.fill("input[name=otp]", demo_totp_code(base, f"{role}@tracker.example"))
        page.click("input[type=submit]")
    page.wait_for_selector("header nav")  # the main menu: signed in, on the start page


def demo_otp(email: str) -> str:
    """The current code of a demo login's authenticator (a login without a second factor
    ignores it), for a server the test does not reach into: one token per login per run."""
    return pyotp.TOTP(demo_totp_seed(email)).now()


def demo_totp_code(base: str, email: str) -> str:
    """The current code of a demo login's authenticator (its seed is known, tracker.demo) on
    the app served at `base`, its last used step cleared first (see `totp_code`)."""
    app = _SERVED[base.rstrip("/")]
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.update(User).where(User.email == email).values(totp_last_step=None))
    return demo_otp(email)


# --- statements and downloads ----------------------------------------------------------------


def count(model: type) -> int:
    """How many rows `model` has (as this test's session sees them)."""
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def plan_of(sql: str) -> str:
    """The database's plan of `sql` (literal values bound) as text: PostgreSQL's EXPLAIN with
    sequential scans off (a test's few rows fit in a page, a 10k database's do not), SQLite's
    EXPLAIN QUERY PLAN."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        return "\n".join(r[0] for r in db.session.execute(sa.text("EXPLAIN " + sql)))
    return "\n".join(r[-1] for r in db.session.execute(sa.text("EXPLAIN QUERY PLAN " + sql)))


@contextlib.contextmanager
def statements() -> Iterator[list[str]]:
    """Collect the SQL statements run on the engine inside the block."""
    seen: list[str] = []

    def listener(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)


def xlsx_rows(data: bytes) -> list[list[Any]]:
    """The first sheet of an XLSX download as rows of values."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


# --- the race harness --------------------------------------------------------------------------
# Tests marked `real_commits` race two requests (or many threads) on real connections. The
# harness starts the threads together and can hold each one after a chosen function, so that
# all pass a check before any writes: the race is then real on PostgreSQL, not a matter of luck.


def run_in_threads(*calls: Callable[[], Any], timeout: float | None = None) -> list[Any]:
    """Run every call in a thread of its own, all at once; wait for them and return their
    results in order. An exception raised in a thread is raised here."""
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            results[i] = call()
        except BaseException as exc:  # handed to the test below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    if errors:
        raise errors[0]
    return results


def wait_after(
    monkeypatch: pytest.MonkeyPatch,
    module: Any,
    name: str,
    *,
    parties: int = 2,
    timeout: float = 10,
    when: Callable[..., bool] | None = None,
    give_up: bool = False,
) -> None:
    """Replace `module.name` so that each call runs the original, then waits at a barrier of
    `parties` threads. The function is replaced in every `tracker` module that bound it by
    name (`from x import name`) as well, so callers see the copy wherever they import it from.
    `when(*args)` limits the wait to some calls; with `give_up` a thread that waits in vain
    (the other one was serialised behind it) goes on after `timeout`."""
    original = getattr(module, name)
    barrier = threading.Barrier(parties)

    def then_wait(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if when is None or when(*args):
            try:
                barrier.wait(timeout=timeout)
            except threading.BrokenBarrierError:
                if not give_up:
                    raise
        return result

    holders = [module] + [
        m
        for n, m in list(sys.modules.items())
        if n.startswith("tracker") and m is not module and getattr(m, name, None) is original
    ]
    for holder in holders:
        monkeypatch.setattr(holder, name, then_wait)


def race_patches(clients: list[Any], path: str, bodies: list[dict[str, Any]]) -> list[int]:
    """PATCH `path` from every client at once, each with its body; the statuses in order."""
    return run_in_threads(
        *[
            lambda c=c, b=b: c.patch(path, json=b).status_code
            for c, b in zip(clients, bodies, strict=True)
        ]
    )


def hold_after_version_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL both requests pass the version check before either writes, so the loser
    fails at flush. (SQLite serialises writers from BEGIN IMMEDIATE, so there the second sees
    the new version and answers 409 from the check itself: no barrier, it would wait in vain.)"""
    if db.engine.dialect.name == "postgresql":
        # by its full name: the package attribute `tracker.errors` is tracker.web.errors
        errors = importlib.import_module("tracker.errors")
        wait_after(monkeypatch, errors, "check_version")


# --- attachments ---------------------------------------------------------------------------------

MARKER = b"PLAINTEXT-MARKER-7f3a9c"


def pdf(size: int = 1000, marker: bytes = MARKER) -> bytes:
    """A PDF-looking file of exactly `size` bytes, carrying `marker` several times."""
    head = b"%PDF-1.7\n" + marker + b"\n"
    body = (marker + b" ") * (size // (len(marker) + 1) + 1)
    return (head + body)[:size]


def blob_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return [p for p in root.rglob("*") if p.is_file()]


def upload(api: Any, project_id: int, data: bytes, name: str = "report.pdf", **fields: Any) -> Any:
    form = {"file": (io.BytesIO(data), name), **{k: str(v) for k, v in fields.items()}}
    return api.post(
        f"/api/v1/projects/{project_id}/attachments",
        data=form,
        content_type="multipart/form-data",
    )


def raw_upload(api: Any, project_id: int, body: bytes, boundary: str = "XyZ") -> Any:
    return api.post(
        f"/api/v1/projects/{project_id}/attachments",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def multipart(parts: list[tuple[str, str | None, bytes]], boundary: str = "XyZ") -> bytes:
    out = b""
    for name, filename, value in parts:
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disp}\r\n\r\n".encode() + value + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def version_rows() -> int:
    return count(AttachmentVersion)


def audit_actions(action: str) -> list[AuditEvent]:
    return list(
        db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars()
    )


def grep_tree(root: Path, needle: bytes) -> list[str]:
    found = []
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            if needle in (Path(dirpath) / f).read_bytes():
                found.append(f)
    return found


# --- case records --------------------------------------------------------------------------------

CANARY = "CANARY-priv-7f3a9c1e"
DISCLOSURE_CANARY = "CANARY-disc-4b1d08e2"  # the security proofs' disclosure description
FILE_CANARY = "CANARY-file-9c27e5a3"  # and file content
DISCLOSURE_READERS = {"lawyer", "company", "auditor"}
SESSION_READERS = {"lawyer", "company"}
REVIEW_ANSWER_READERS = {"admin", "lawyer", "company", "auditor"}


def disclosure_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Gallium-nitride DC converter topology",
        "description": "A soft-switching bridge that halves the losses at 800 V.",
        "inventors": [
            {"name": "Kim Minji", "share_pct": 60, "nationality": "KR", "employer": "Acme"},
            {"name": "Jonas Weber", "share_pct": 40, "nationality": "DE", "employer": "ISIT"},
        ],
        "conceived_on": "2026-03-02",
        "disclosed_externally": False,
    }
    body.update(over)
    return body


def session_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "held_on": "2026-10-01",
        "duration_minutes": 90,
        "attendees": ["Kim Minji", "Lawyer Park"],
        "topics": ["NDA scope", "Joint ownership"],
        "advice": "Sign the NDA before sending the converter drawings.",
        "privileged_notes": f"Partner may be in breach already. {CANARY}",
        "follow_ups": [{"title": "Send NDA draft", "owner": "Lawyer Park", "due_on": "2026-10-15"}],
    }
    body.update(over)
    return body


def answers(index: int = 0, **over: str) -> dict[str, str]:
    """Every factor answered with its `index`-th choice (0 lowest, -1 highest)."""
    chosen = {f["code"]: f["choices"][index]["code"] for f in risk.catalogue()["factors"]}
    chosen.update(over)
    return chosen


def make_disclosure(project: Project, filer: Any, **over: Any) -> Disclosure:
    body = disclosure_body(**over)
    body["conceived_on"] = dt.date.fromisoformat(body["conceived_on"])
    return disclosures.file_disclosure(project, filer, body)


def make_session(project: Project, lawyer: Any, **over: Any) -> AdvisorySession:
    body = session_body(**over)
    body["held_on"] = dt.date.fromisoformat(body["held_on"])
    body["follow_ups"] = [
        {**f, "due_on": dt.date.fromisoformat(f["due_on"])} for f in body["follow_ups"]
    ]
    return advice.record_session(project, lawyer, body)


def make_review(project: Project, author: Any, index: int = 0) -> RiskReview:
    return risk.submit_review(project, author, answers(index), "Looked at the partner setup.")


def make_asset(project: Project, **over: Any) -> IpAsset:
    asset = IpAsset(
        project=project,
        title=over.pop("title", "Converter layout"),
        kind=over.pop("kind", "patent"),
        sensitivity=over.pop("sensitivity", "confidential"),
        jurisdictions=[],
        **over,
    )
    db.session.add(asset)
    db.session.flush()
    return asset


def make_nda(project: Project, partner: Any, **over: Any) -> Nda:
    """An NDA of the project with the partner, in force from 328 days ago for 401 more days
    unless told otherwise."""
    values: dict[str, Any] = {
        "effective_on": day(-328),
        "expires_on": day(401),
        "status": "active",
        **over,
    }
    nda = Nda(project=project, partner=partner, **values)
    db.session.add(nda)
    db.session.flush()
    return nda


def fresh(model: type, ident: int) -> Any:
    """The row as the database has it now (requests ran in their own sessions)."""
    db.session.expire_all()
    return db.session.get(model, ident)


def assign_second_lawyer(project: Project, make_user: Any) -> Any:
    """Another lawyer on the project: reviews need a second lawyer to decide them."""
    lawyer = make_user("lawyer")
    project.lawyers.append(lawyer)
    db.session.flush()
    return lawyer


# --- transfers (the gate) ------------------------------------------------------------------------


def approved_review(project: Any, author_id: int, **over: Any) -> RiskReview:
    """An approved, low-level review of `project` (not yet added to the session)."""
    data: dict[str, Any] = dict(
        project=project,
        catalogue_version="1",
        answers={},
        likelihood=2,
        impact=2,
        score=4,
        level="low",
        status="approved",
        author_id=author_id,
        reviewer_id=author_id,
        decided_at=moment(-24),
        valid_until=day(188),
    )
    data.update(over)
    return RiskReview(**data)


def transfer_body(w: Any, **over: Any) -> dict[str, Any]:
    """The API body of a transfer request of `gate_world` that passes every check."""
    data = {
        "partner_id": w.partner.id,
        "asset_ids": [w.asset.id],
        "attachment_ids": [],
        "purpose": "Joint test of the membrane process",
        "channel": "secure_platform",
        "planned_on": PLANNED.isoformat(),
    }
    data.update(over)
    return data


def transfer_draft(w: Any, **over: Any) -> TransferDraft:
    """The service's draft of a transfer request of `gate_world` that passes every check."""
    data: dict[str, Any] = dict(
        partner_id=w.partner.id,
        asset_ids=[w.asset.id],
        attachment_ids=[],
        purpose="Joint test",
        channel="secure_platform",
        planned_on=PLANNED,
    )
    data.update(over)
    return TransferDraft(**data)


def checks_by_code(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["code"]: c for c in payload["checks"]}


# --- e-mail: a real SMTP server on loopback (aiosmtpd) -----------------------------------------


class Inbox:
    """aiosmtpd handler keeping what it receives (and the logins it accepted)."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def authenticate(self, server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret pass"
        if ok:
            self.logins.append((auth_data.login, auth_data.password))
        # handled=False: aiosmtpd answers 535 itself (its default would leave the client waiting)
        return AuthResult(success=ok, handled=False)

    def messages(self) -> list[email.message.EmailMessage]:
        return [
            email.message_from_bytes(e.original_content, policy=email.policy.default)
            for e in self.envelopes
        ]


def mail_to(app: Flask, server: tuple[Inbox, int], monkeypatch: Any, sender: str) -> Inbox:
    """Point the app's mail at a test SMTP server (`smtp_server`) for one test: its inbox."""
    inbox, port = server
    monkeypatch.setitem(app.config, "TRACKER_MAIL_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setitem(app.config, "TRACKER_MAIL_FROM", sender)
    return inbox


def free_port() -> int:
    """A loopback port nothing listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- security proofs: the paths of every route ----------------------------------------------------

#: path argument -> how to fill it from the `records` world (and whether it names a record of
#: a project, which an outsider may not know of)
ROUTE_ARGS: dict[str, tuple[Any, bool]] = {
    "project_id": (lambda w: w.project.id, True),
    "asset_id": (lambda w: w.asset.id, True),
    "filing_id": (lambda w: w.filing.id, True),
    "disclosure_id": (lambda w: w.disclosure.id, True),
    "nda_id": (lambda w: w.nda.id, True),
    "session_id": (lambda w: w.session.id, True),
    "follow_up_id": (lambda w: w.follow_up.id, True),
    "review_id": (lambda w: w.review.id, True),
    "attachment_id": (lambda w: w.attachment_id, True),
    "transfer_id": (lambda w: w.transfer.id, True),
    "user_id": (lambda w: w.target.id, False),
    "organization_id": (lambda w: w.partner.id, False),
    "lang": (lambda w: "ko", False),
    "zone_id": (lambda w: w.project.zone_id, False),
    "object_type": (lambda w: "project", False),
    "object_id": (lambda w: w.project.id, False),
    "secret": (lambda w: "made-up-secret-of-43-characters-aaaaaaaaaaa", False),
    "token": (lambda w: "made-up-invitation-of-43-characters-aaaaaaa", False),
    "notification_id": (lambda w: w.notification_id, False),
    "filename": (lambda w: "css/app.css", False),
    "passkey_id": (lambda w: w.passkey.id, False),
}

#: path arguments that differ by endpoint
ROUTE_ARGS_BY_ENDPOINT = {"attachments.static": {"filename": "upload.js"}}


def route_path(rule: Any, w: Any) -> tuple[str, bool]:
    """The path of a url_map rule for the records of `w`, and whether it names a record of a
    project (which an outsider may not know of)."""
    values, scoped = {}, False
    for arg in rule.arguments:
        assert arg in ROUTE_ARGS, f"add path argument {arg!r} of {rule.rule} to ROUTE_ARGS"
        fill, names_record = ROUTE_ARGS[arg]
        values[arg] = ROUTE_ARGS_BY_ENDPOINT.get(rule.endpoint, {}).get(arg) or fill(w)
        scoped = scoped or names_record
    path = rule.rule
    for name, value in values.items():
        for conv in ("int:", "path:", "string:", ""):
            path = path.replace(f"<{conv}{name}>", str(value))
    return path, scoped


def zip_of(*entries: tuple[str, bytes], extra: bytes = b"") -> bytes:
    """A ZIP of `entries` (name, data), stored uncompressed so their bytes show in the head;
    `extra` is the first member's extra field."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for i, (name, data) in enumerate(entries):
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 30, 0, 0, 0))
            if i == 0:
                info.extra = extra
            z.writestr(info, data, zipfile.ZIP_STORED)
    return out.getvalue()


def assert_sorted_heading(html: str, path: str, sort: str) -> None:
    """A list page sorted by `sort` marks that heading alone (`aria-sort`, ascending or
    descending) and the heading links `path` in the other direction."""
    state = "descending" if sort.startswith("-") else "ascending"
    assert html.count(f'aria-sort="{state}"') == 1 and html.count("aria-sort=") == 1
    name = sort.removeprefix("-")
    again = name if sort.startswith("-") else f"-{name}"
    assert f'href="{path}?sort={again}"' in html


def partial_index_hits(table: str, word: str, entries: str) -> tuple[list[int], list[int]]:
    """SQLite: the entry ids a word index of some entries (`table`) finds for the prefix
    `word`, and the ids the word index of every entry finds among the entries that `entries`
    (SQL condition on `search_entries`) selects, both in id order: the same when `table`
    holds exactly those entries' words."""
    conn = db.session.connection()
    match = (f'"{word}"*',)
    found = conn.exec_driver_sql(
        f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid", match
    ).scalars()
    every = conn.exec_driver_sql(
        f"SELECT id FROM search_entries WHERE ({entries}) AND id IN (SELECT rowid FROM"
        f" {search.FTS_TABLE} WHERE {search.FTS_TABLE} MATCH ?) ORDER BY id",
        match,
    ).scalars()
    return list(found), list(every)
