"""The random part of the crash-safety proof: clients, each acting as one role at a time,
write over HTTP at random (projects, assets and their edits, NDAs, advisory sessions,
disclosures and their decisions, uploads and new versions, transfer requests and gate
decisions, audited reads) until the server is killed; what it acknowledged goes to the
ledger."""

from __future__ import annotations

import hashlib
import http.client
import itertools
import random
import re
import threading
import time
from collections import Counter, defaultdict
from typing import Any

from tests.security.proofs.crash.harness import Harness, Project
from tests.security.proofs.crash.ledger import UNKNOWN, Expectation, same
from tests.security.proofs.crash.records import (
    ACCEPTED,
    acceptance_asset,
    acknowledge_accepted_asset,
    day,
    file_disclosure,
    file_transfer,
)
from tests.support import multipart, pdf

CLIENTS = 3
#: operation -> weight
OPERATIONS = {
    "create_project": 1,
    "create_asset": 3,
    "edit_asset": 2,
    "create_nda": 1,
    "record_session": 2,
    "file_disclosure": 3,
    "decide_disclosure": 3,
    "upload": 4,
    "file_transfer": 3,
    "decide_transfer": 3,
    "read": 2,
}
DECIDED = {"accept": "accepted", "reject": "rejected", "needs_info": "needs_info"}
MULTIPART = {"Content-Type": "multipart/form-data; boundary=XyZ"}


class Workload:
    def __init__(self, h: Harness, seed: int, demo: Project) -> None:
        self.h = h
        self.seed = seed
        self.lock = threading.Lock()
        self.names = itertools.count(1)
        self.projects = [demo]
        self.submitted: list[tuple[int, Project]] = []
        self.undecided: list[tuple[int, str]] = []
        self.disclosures: list[int] = []
        self.owned: dict[int, list[int]] = defaultdict(list)  # client -> assets it edits
        self.in_flight = 0
        self.answers: Counter[str] = Counter()
        #: refused requests by route and status (a refusal commits nothing)
        self.refusals: Counter[str] = Counter()
        self.server_errors: list[str] = []
        self.problems: list[str] = []
        status, info = h.call("admin", "GET", f"/api/v1/projects/{demo.id}")
        assert status == 200, info
        self.scope = {"zone_id": info["zone_id"], "company_id": info["company_id"]}

    def cycle(self, epoch: int, delay: float) -> int:
        """Run the clients for `delay` seconds, then SIGKILL the server; returns how many
        requests were in flight at the kill."""
        stop = threading.Event()
        clients = [
            threading.Thread(target=self._client, args=(epoch, i, stop), daemon=True)
            for i in range(CLIENTS)
        ]
        for client in clients:
            client.start()
        time.sleep(delay)
        with self.lock:
            in_flight = self.in_flight
        self.h.kill()
        stop.set()
        for client in clients:
            client.join(timeout=120)
        return in_flight

    def _client(self, epoch: int, index: int, stop: threading.Event) -> None:
        rng = random.Random(f"{self.seed}/{epoch}/{index}")
        names, weights = list(OPERATIONS), list(OPERATIONS.values())
        while not stop.is_set():
            getattr(self, rng.choices(names, weights)[0])(rng, index)

    def send(
        self, role: str, method: str, path: str, body: Any = None, raw: bytes | None = None
    ) -> tuple[int, Any] | None:
        """The answer, or None when the kill cut the request off (its outcome unknown)."""
        with self.lock:
            self.in_flight += 1
        try:
            status, answer = self.h.call(role, method, path, body, raw, MULTIPART if raw else None)
        except ConnectionRefusedError:
            return None  # the server is down: nothing was sent
        except (OSError, http.client.HTTPException):
            status, answer = 0, None
        finally:
            with self.lock:
                self.in_flight -= 1
        with self.lock:
            self.answers[str(status) if status else "cut off"] += 1
            if 400 <= status < 500:
                self.refusals[f"{method} {re.sub(r'/[0-9]+', '/{id}', path)} {status}"] += 1
            if status >= 500:
                self.server_errors.append(f"{method} {path}: {status} {str(answer)[:200]}")
        return (status, answer) if status else None

    def acknowledged(self, answer: tuple[int, Any] | None) -> Any:
        return answer[1] if answer is not None and 200 <= answer[0] < 300 else None

    def name(self) -> int:
        with self.lock:
            return next(self.names)

    def project(self, rng: random.Random) -> Project:
        with self.lock:
            return rng.choice(self.projects)

    # --- the operations -------------------------------------------------------------------------

    def create(
        self, kind: str, role: str, path: str, body: Any, names: tuple[str, ...], read: str
    ) -> Any:
        """POST a new record; once acknowledged, the ledger expects `names` as sent at
        `read`/id. Returns the answer (None unless acknowledged)."""
        got = self.acknowledged(self.send(role, "POST", path, body))
        if got is not None:
            expected = Expectation(f"{read}/{got['id']}", role, same(body, *names))
            self.h.ledger.acknowledge(kind, got["id"], expected)
        return got

    def change(
        self, key: tuple[str, Any], values: dict[str, Any], role: str, request: str, body: Any
    ) -> Any:
        """Send a change of a record in the ledger: refused (>= 400) it is as before, cut off it
        may be either, acknowledged it holds `values` (the caller may settle more). Returns
        the answer (None unless acknowledged)."""
        before = self.h.ledger.attempt(key, values)
        method, path = request.split(" ", 1)
        answer = self.send(role, method, path, body)
        if answer is not None and answer[0] >= 400:
            self.h.ledger.refused(key, before)
        got = self.acknowledged(answer)
        if got is not None:
            self.h.ledger.settle(key, {k: v for k, v in values.items() if v is not UNKNOWN})
        return got

    def create_project(self, rng: random.Random, client: int) -> None:
        n, demo = self.name(), self.projects[0]
        body = {
            "code": f"CR-{n}",
            "title": f"Crash project {n}",
            **self.scope,
            "partner_ids": [demo.partner_id],
            "lawyer_ids": [self.h.user_ids["lawyer"]],
        }
        names = ("code", "title", "zone_id", "company_id")
        got = self.create("project", "admin", "/api/v1/projects", body, names, "/api/v1/projects")
        if got is not None:
            with self.lock:
                self.projects.append(Project(got["id"], demo.partner_id))

    def create_asset(self, rng: random.Random, client: int) -> None:
        n, project = self.name(), self.project(rng)
        body = {
            "title": f"Asset {n}",
            "kind": rng.choice(("patent", "trade_secret", "software")),
            "sensitivity": rng.choice(("confidential", "trade_secret")),
            "nct_status": "not_nct",
            "strategic_item": "no",
        }
        path = f"/api/v1/projects/{project.id}/assets"
        names = ("title", "kind", "sensitivity")
        got = self.create("asset", "lawyer", path, body, names, "/api/v1/assets")
        if got is not None:
            with self.lock:
                project.assets.append(got["id"])
                self.owned[client].append(got["id"])

    def edit_asset(self, rng: random.Random, client: int) -> None:
        """Only the client that made an asset edits it, so its edits are in order."""
        if not self.owned[client]:
            return
        asset_id, title = rng.choice(self.owned[client]), f"Asset {self.name()} (edited)"
        path = f"/api/v1/assets/{asset_id}"
        current = self.acknowledged(self.send("lawyer", "GET", path))
        if current is not None:
            body = {"version": current["version"], "title": title}
            self.change(("asset", asset_id), {"title": title}, "lawyer", f"PATCH {path}", body)

    def create_nda(self, rng: random.Random, client: int) -> None:
        project = self.project(rng)
        with self.lock:
            assets = sorted(rng.sample(project.assets, min(len(project.assets), 2)))
        body = {
            "partner_id": project.partner_id,
            "signed_on": day(-31),
            "effective_on": day(-30),
            "expires_on": day(400),
            "status": "active",
            "asset_ids": assets,
        }
        path = f"/api/v1/projects/{project.id}/ndas"
        names = ("partner_id", "signed_on", "effective_on", "asset_ids")
        self.create("nda", "lawyer", path, body, names, "/api/v1/ndas")

    def record_session(self, rng: random.Random, client: int) -> None:
        n, project = self.name(), self.project(rng)
        body = {
            "held_on": day(-1),
            "duration_minutes": rng.randint(15, 180),
            "attendees": ["Kim Minji", "Lawyer Park"],
            "topics": [f"Topic {n}"],
            "advice": f"Advice {n}",
            "privileged_notes": f"Privileged notes {n}",
            "follow_ups": [{"title": f"Follow-up {n}", "owner": "Kim Minji", "due_on": day(14)}],
        }
        path = f"/api/v1/projects/{project.id}/sessions"
        names = ("held_on", "duration_minutes", "advice", "privileged_notes")
        self.create("session", "lawyer", path, body, names, "/api/v1/sessions")

    def file_disclosure(self, rng: random.Random, client: int) -> None:
        project = self.project(rng)
        got = file_disclosure(self.h, project, self.name(), self.send)
        if got is not None:
            with self.lock:
                self.submitted.append((got, project))
                self.disclosures.append(got)

    def decide_disclosure(self, rng: random.Random, client: int) -> None:
        with self.lock:
            if not self.submitted:
                return
            disclosure_id, project = self.submitted.pop(rng.randrange(len(self.submitted)))
        n = self.name()
        decision = rng.choices(list(DECIDED), [7, 2, 1])[0]
        body: dict[str, Any] = {"decision": decision, "note": f"Decided {n}"}
        if decision == "accept":
            body["asset"] = acceptance_asset(f"{ACCEPTED} {disclosure_id}-{n}")
        key = ("disclosure", disclosure_id)
        values = {
            "status": DECIDED[decision],
            "asset_id": UNKNOWN if decision == "accept" else None,
        }
        path = f"POST /api/v1/disclosures/{disclosure_id}/decision"
        got = self.change(key, values, "lawyer", path, body)
        if got is None:
            return
        self.h.ledger.settle(key, {"asset_id": got["asset_id"]})
        if decision == "accept":
            acknowledge_accepted_asset(self.h, got, project.id, body["asset"]["title"])
            with self.lock:
                project.assets.append(got["asset_id"])

    def upload(self, rng: random.Random, client: int) -> None:
        n, project = self.name(), self.project(rng)
        role = rng.choice(("company", "lawyer"))
        large = rng.random() < 0.2
        size = rng.randint(1_000_000, 4_000_000) if large else rng.randint(1_000, 200_000)
        data = pdf(size, marker=f"crash-{self.seed}-{n}".encode())
        parts: list[tuple[str, str | None, bytes]] = []
        with self.lock:
            if project.attachments and rng.random() < 0.3:
                parts.append(("attachment_id", None, str(rng.choice(project.attachments)).encode()))
        parts.append(("file", f"file-{n}.pdf", data))
        path = f"/api/v1/projects/{project.id}/attachments"
        got = self.acknowledged(self.send(role, "POST", path, raw=multipart(parts)))
        if got is None:
            return
        sha = hashlib.sha256(data).hexdigest()
        if got["sha256"] != sha:
            self.problems.append(f"upload {got['id']}: acknowledged with another sha256")
        path = f"/api/v1/attachments/{got['id']}/content?version={got['version']}"
        ident = f"{got['id']}/{got['version']}"
        self.h.ledger.acknowledge("upload", ident, Expectation(path, role, sha256=sha))
        with self.lock:
            if got["id"] not in project.attachments:
                project.attachments.append(got["id"])

    def file_transfer(self, rng: random.Random, client: int) -> None:
        project = self.project(rng)
        with self.lock:
            if project.approvable and rng.random() < 0.7:
                assets = project.approvable
            elif project.assets:
                assets = sorted(rng.sample(project.assets, min(len(project.assets), 2)))
            else:
                return
        got = file_transfer(self.h, project, assets, self.name(), self.send)
        if got is not None:
            with self.lock:
                self.undecided.append(got)

    def decide_transfer(self, rng: random.Random, client: int) -> None:
        with self.lock:
            if not self.undecided:
                return
            transfer_id, status = self.undecided.pop(rng.randrange(len(self.undecided)))
        approve = status == "pending_review" and rng.random() < 0.8
        decision = "approve" if approve else "deny"
        values = {
            "status": "approved" if approve else "denied",
            "decided_by_id": self.h.user_ids["operator"],
        }
        body = {"decision": decision, "note": f"Decision {self.name()}"}
        path = f"POST /api/v1/transfers/{transfer_id}/decision"
        self.change(("transfer", transfer_id), values, "operator", path, body)

    def read(self, rng: random.Random, client: int) -> None:
        """Reads that write: every read of a disclosure and of the audit trail is audited."""
        with self.lock:
            disclosure = rng.choice(self.disclosures) if self.disclosures else None
        if disclosure is not None and rng.random() < 0.5:
            self.send("lawyer", "GET", f"/api/v1/disclosures/{disclosure}")
        else:
            self.send("auditor", "GET", "/api/v1/audit?per_page=5")
