"""The deployment the crash-safety proof kills: gunicorn (two sync workers) on the demo data,
on SQLite or PostgreSQL; its servers, the demo sign-ins, and the `flask` commands run
in-process (the same click commands, without an interpreter start per kill). The test must be
marked `real_commits`: otherwise `db.session` is bound to the test's own connection."""

from __future__ import annotations

import json
import os
import random
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from tests.attachments.live import LiveServer, flask_cli, server_env
from tests.security.proofs.crash.ledger import Ledger
from tests.support import demo_otp
from tracker import create_app
from tracker.db import db
from tracker.demo import DEMO_PASSWORD

#: the server's application_name on PostgreSQL: its backends are found by it
SERVER_APP = "tracker-crash-server"
ROLES = ("admin", "lawyer", "company", "operator", "auditor")
#: the server checkpoints the audit chain after every audited commit: kills land around
#: checkpoint writes too, and a commit is followed by an open of the checkpoint file (the
#: step "committed, not answered" points that file at a FIFO, see `stop_after_commit`)
CHECKPOINT_EVERY = "1"
#: tables whose rows the run adds, for the checks of their audit events (max id after the demo)
BASELINE_TABLES = (
    "projects",
    "ip_assets",
    "ndas",
    "advisory_sessions",
    "disclosures",
    "transfer_requests",
    "attachment_versions",
)


@dataclass
class Project:
    """A project the clients write to (the demo company's, or one an admin made)."""

    id: int
    partner_id: int
    #: assets a transfer may name and still pass the gate (the demo NDA covers them)
    approvable: list[int] = field(default_factory=list)
    assets: list[int] = field(default_factory=list)
    attachments: list[int] = field(default_factory=list)


class Harness:
    def __init__(self, workdir: Path, url: str, seed: int) -> None:
        self.workdir = workdir
        self.rng = random.Random(seed)  # the kill moments, the re-read samples
        self.url = url
        self.postgres = url.startswith("postgresql")
        served = f"{url}?application_name={SERVER_APP}" if self.postgres else url
        instance = workdir / "instance"
        self.checkpoints = instance / "audit-checkpoint.json"
        self.checkpoint_link = instance / "audit-checkpoint.link"
        self.env = server_env(
            workdir,
            served,
            TRACKER_AUDIT_CHECKPOINT_FILE=str(self.checkpoint_link),
            TRACKER_AUDIT_CHECKPOINT_EVERY_EVENTS=CHECKPOINT_EVERY,
        )
        self.checkpoint_link.symlink_to(self.checkpoints.name)
        self.blobs = workdir / "blobs"
        self.fifo = workdir / "checkpoint.fifo"
        os.mkfifo(self.fifo)
        self.engine = sa.create_engine(url)
        self.app = self._maintenance_app()
        for command in (("keys", "init"), ("db", "upgrade"), ("demo",)):
            code, out = self.command(*command)
            assert code == 0, out
        self.server: LiveServer | None = None
        self.tokens: dict[str, str] = {}
        self.user_ids: dict[str, int] = {}
        self.ledger = Ledger()
        self.demo = Project(0, 0)  # set by `begin`
        with self.engine.connect() as conn:
            self.baseline = {
                t: conn.execute(sa.text(f"SELECT COALESCE(MAX(id), 0) FROM {t}")).scalar_one()  # noqa: S608
                for t in BASELINE_TABLES
            }

    @property
    def database(self) -> str:
        return "postgresql" if self.postgres else "sqlite"

    def _maintenance_app(self) -> Flask:
        return create_app(
            {
                "TRACKER_ENV": "development",
                "SQLALCHEMY_DATABASE_URI": self.url,
                "SECRET_KEY": self.env["TRACKER_SECRET_KEY"],
                "TRACKER_KEY_FILE": self.env["TRACKER_KEY_FILE"],
                "TRACKER_BLOB_DIR": self.env["TRACKER_BLOB_DIR"],
                "TRACKER_AUDIT_CHECKPOINT_FILE": str(self.checkpoint_link),
                "TRACKER_AUDIT_CHECKPOINT_EVERY_EVENTS": int(CHECKPOINT_EVERY),
            }
        )

    # --- servers ------------------------------------------------------------------------------

    def start(self) -> None:
        self.server = LiveServer(self.env, workers=2, log=self.workdir / "gunicorn.log")
        self.server.start()

    def stop_after_commit(self, on: bool) -> None:
        """Point the server's checkpoint file at a FIFO nobody opens (`on`), or back at the
        real file. A request that commits audit events then stops right after its commit,
        opening the checkpoint file, before its answer is sent: the step "committed, not
        answered", with nothing in the product changed. A symlink, so the running server
        follows it at its next open."""
        new = self.checkpoint_link.with_name("audit-checkpoint.new")
        new.symlink_to(self.fifo if on else self.checkpoints.name)
        os.replace(new, self.checkpoint_link)

    def kill(self) -> None:
        """SIGKILL the server's process group (master and workers) and wait until all exited."""
        assert self.server is not None
        self.server.kill(signal.SIGKILL)

    def wait_backends_gone(self) -> None:
        """PostgreSQL: wait until the dead server's backends have ended (each rolls back what
        its client did not commit), so the checks see the database as it will stay."""
        if not self.postgres:
            return
        deadline = time.monotonic() + 60
        while self._backends() > 0:
            if time.monotonic() > deadline:
                raise RuntimeError("the killed server's database sessions did not end")
            time.sleep(0.02)

    def _backends(self) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    sa.text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :n"),
                    {"n": SERVER_APP},
                ).scalar_one()
            )

    def blocked_statement(self) -> str | None:
        """PostgreSQL: the statement a server backend is waiting on a lock at, if any."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.text(
                    "SELECT query FROM pg_stat_activity "
                    "WHERE application_name = :n AND wait_event_type = 'Lock'"
                ),
                {"n": SERVER_APP},
            ).first()
        return None if row is None else str(row[0])

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
        with self.app.app_context():
            db.engine.dispose()
        self.engine.dispose()

    # --- requests -----------------------------------------------------------------------------

    def begin(self) -> None:
        """Start the server, sign every role in and find the demo project."""
        self.start()
        self.sign_in()
        self.demo = self.demo_project()

    def sign_in(self) -> None:
        """A bearer token and the user id of each demo role (tokens are rows: they outlive
        every restart)."""
        for role in ROLES:
            assert self.server is not None
            email = f"{role}@tracker.example"
            self.tokens[role] = self.server.token(email, DEMO_PASSWORD, demo_otp(email))
            status, me = self.call(role, "GET", "/api/v1/me")
            assert status == 200, me
            self.user_ids[role] = me["id"]

    def call(
        self,
        role: str,
        method: str,
        path: str,
        body: Any = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """One request as `role`: (status, the JSON answer or the raw bytes). Raises OSError
        or http.client.HTTPException when the connection fails (the server was killed)."""
        assert self.server is not None
        sent = {"Authorization": f"Bearer {self.tokens[role]}", **(headers or {})}
        if body is not None:
            raw = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        status, answer = self.server.request(method, path, raw, sent)
        if answer[:1] in (b"{", b"["):  # JSON (a downloaded file here is a PDF)
            try:
                return status, json.loads(answer)
            except ValueError:
                pass
        return status, answer

    def demo_project(self) -> Project:
        """The demo company's project, its partner and the assets its active NDA covers."""
        status, page = self.call("company", "GET", "/api/v1/projects")
        assert status == 200 and page["items"], page
        project = page["items"][0]
        status, ndas = self.call("lawyer", "GET", f"/api/v1/projects/{project['id']}/ndas")
        assert status == 200, ndas
        active = [n for n in ndas["items"] if n["status"] == "active" and n["asset_ids"]]
        assert active, "the demo project has no active NDA covering assets"
        return Project(
            project["id"],
            active[0]["partner_id"],
            approvable=sorted(active[0]["asset_ids"]),
            assets=list(active[0]["asset_ids"]),
        )

    # --- maintenance --------------------------------------------------------------------------

    def command(self, *args: str) -> tuple[int, str]:
        """A `flask` command in-process (the same click command): (exit code, output). In this
        app's context: `with_appcontext` would otherwise run it in the test's own app."""
        with self.app.app_context():
            result = self.app.test_cli_runner().invoke(args=list(args))
        return result.exit_code, result.output

    def real_command(self, *args: str) -> tuple[int, str]:
        """A `flask` command in its own process, as an operator would run it."""
        done = flask_cli(self.env, *args)
        return done.returncode, done.stdout + done.stderr
