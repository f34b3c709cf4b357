"""The three operations the proof kills step by step: an upload, a disclosure acceptance and a
gate decision. Each is prepared on a running server (its disclosure or request filed and
acknowledged), sent, and afterwards found wholly absent or wholly present."""

from __future__ import annotations

import hashlib
import http.client
import re
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from tests.security.proofs.crash.harness import Harness
from tests.security.proofs.crash.ledger import UNKNOWN
from tests.security.proofs.crash.records import (
    ACCEPTED,
    acceptance_asset,
    file_disclosure,
    file_transfer,
)
from tests.support import multipart, pdf

MIB = 1024 * 1024


class Sent(threading.Thread):
    """A request in the background; `result()` is its status, None if the kill cut it off."""

    def __init__(self, call: Callable[[], tuple[int, Any]]) -> None:
        super().__init__(daemon=True)
        self.call = call
        self.status: int | None = None
        self.start()

    def run(self) -> None:
        try:
            self.status = self.call()[0]
        except (OSError, http.client.HTTPException):
            self.status = None

    def result(self) -> int | None:
        self.join(timeout=120)
        return self.status


class Streaming:
    """An upload written to the socket by the test: part of the body now, the rest later."""

    def __init__(self, h: Harness, path: str, body: bytes, sent: int) -> None:
        assert h.server is not None
        self.body, self.sent = body, sent
        self.sock = h.server.partial_upload(path, h.tokens["company"], body, sent)

    def rest(self) -> None:
        self.sock.sendall(self.body[self.sent :])

    def result(self) -> int | None:
        self.sock.settimeout(30)
        try:
            data = self.sock.recv(64)
        except OSError:
            data = b""
        finally:
            self.sock.close()
        status = re.match(rb"HTTP/1\.[01] (\d{3})", data)
        return int(status.group(1)) if status else None


class Operation:
    def __init__(self, h: Harness, n: int) -> None:
        self.h = h
        self.n = n
        self.blobs_before = self.stored()

    def sql(self, query: str, **params: Any) -> list[Any]:
        with self.h.engine.connect() as conn:
            return list(conn.execute(sa.text(query), params))

    def stored(self) -> set[str]:
        return {p.name for p in self.h.blobs.glob("??/*")}

    def published(self) -> bool:
        return bool(self.stored() - self.blobs_before)

    def temporary(self, size: int) -> bool:
        return any(p.stat().st_size >= size for p in (self.h.blobs / "tmp").glob("*"))

    def send(self, sent: int | None) -> Any:
        raise NotImplementedError

    def committed(self) -> bool:
        raise NotImplementedError

    def absent(self) -> list[str]:
        """Killed before its commit: nothing of it is in the database."""
        raise NotImplementedError

    def present(self) -> list[str]:
        """Killed after its commit: all of it reads back."""
        raise NotImplementedError


class Upload(Operation):
    def __init__(self, h: Harness, n: int) -> None:
        super().__init__(h, n)
        self.filename = f"step-{n}.pdf"
        self.data = pdf(4 * MIB, marker=f"crash-step-{n}".encode())
        self.body = multipart([("file", self.filename, self.data)])

    def send(self, sent: int | None) -> Streaming:
        path = f"/api/v1/projects/{self.h.demo.id}/attachments"
        return Streaming(self.h, path, self.body, len(self.body) if sent is None else sent)

    def rows(self) -> list[Any]:
        return self.sql(
            "SELECT a.id, v.state FROM attachments a LEFT JOIN attachment_versions v "
            "ON v.attachment_id = a.id WHERE a.filename = :name",
            name=self.filename,
        )

    def committed(self) -> bool:
        return bool(self.rows())

    def absent(self) -> list[str]:
        rows = self.rows()
        return [f"the killed upload is visible: {rows}"] if rows else []

    def present(self) -> list[str]:
        rows = self.rows()
        if [state for _id, state in rows] != ["ready"]:
            return [f"the committed upload reads back as {rows}"]
        status, data = self.h.call("company", "GET", f"/api/v1/attachments/{rows[0][0]}/content")
        if status != 200 or hashlib.sha256(data).digest() != hashlib.sha256(self.data).digest():
            return [f"the committed upload's content does not read back ({status})"]
        return []


class Acceptance(Operation):
    def __init__(self, h: Harness, n: int) -> None:
        super().__init__(h, n)
        filed = file_disclosure(h, h.demo, n, h.call)
        assert filed is not None, "the disclosure to accept was not filed"
        self.id = filed
        self.title = f"{ACCEPTED} {filed}-step"
        self.body = {"decision": "accept", "note": None, "asset": acceptance_asset(self.title)}
        h.ledger.attempt(("disclosure", filed), {"status": "accepted", "asset_id": UNKNOWN})

    def send(self, sent: int | None) -> Sent:
        path = f"/api/v1/disclosures/{self.id}/decision"
        return Sent(lambda: self.h.call("lawyer", "POST", path, self.body))

    def row(self) -> tuple[str, int | None, int]:
        [(status, asset_id)] = self.sql(
            "SELECT status, asset_id FROM disclosures WHERE id = :id", id=self.id
        )
        [(assets,)] = self.sql("SELECT count(*) FROM ip_assets WHERE title = :t", t=self.title)
        return status, asset_id, assets

    def committed(self) -> bool:
        return self.row()[0] == "accepted"

    def absent(self) -> list[str]:
        row = self.row()
        return [] if row == ("submitted", None, 0) else [f"the killed acceptance left {row}"]

    def present(self) -> list[str]:
        status, disclosure = self.h.call("company", "GET", f"/api/v1/disclosures/{self.id}")
        if status != 200 or disclosure["status"] != "accepted" or not disclosure["asset_id"]:
            return [f"the committed acceptance reads back as {status} {disclosure}"]
        status, asset = self.h.call("lawyer", "GET", f"/api/v1/assets/{disclosure['asset_id']}")
        if status != 200 or (asset["disclosure_id"], asset["title"]) != (self.id, self.title):
            return [f"the committed acceptance's asset reads back as {status} {asset}"]
        return []


class Gate(Operation):
    def __init__(self, h: Harness, n: int) -> None:
        super().__init__(h, n)
        filed = file_transfer(h, h.demo, h.demo.approvable, n, h.call)
        assert filed is not None and filed[1] == "pending_review", f"not approvable: {filed}"
        self.id = filed[0]
        self.body = {"decision": "approve", "note": f"Step {n}"}
        operator = h.user_ids["operator"]
        h.ledger.attempt(("transfer", self.id), {"status": "approved", "decided_by_id": operator})

    def send(self, sent: int | None) -> Sent:
        path = f"/api/v1/transfers/{self.id}/decision"
        return Sent(lambda: self.h.call("operator", "POST", path, self.body))

    def row(self) -> tuple[str, bool, int]:
        [(status, decided_at)] = self.sql(
            "SELECT status, decided_at FROM transfer_requests WHERE id = :id", id=self.id
        )
        [(events,)] = self.sql(
            "SELECT count(*) FROM audit_events WHERE action = 'transfer.decided' "
            "AND object_id = :id",
            id=self.id,
        )
        return status, decided_at is not None, events

    def committed(self) -> bool:
        return self.row()[0] == "approved"

    def absent(self) -> list[str]:
        row = self.row()
        return [] if row == ("pending_review", False, 0) else [f"the killed decision left {row}"]

    def present(self) -> list[str]:
        status, transfer = self.h.call("operator", "GET", f"/api/v1/transfers/{self.id}")
        operator = self.h.user_ids["operator"]
        if status != 200 or (transfer["status"], transfer["decided_by_id"]) != (
            "approved",
            operator,
        ):
            return [f"the committed decision reads back as {status} {transfer}"]
        return [] if self.row() == ("approved", True, 1) else [f"decision rows: {self.row()}"]


OPERATIONS: dict[str, type[Operation]] = {
    "upload": Upload,
    "acceptance": Acceptance,
    "gate": Gate,
}
