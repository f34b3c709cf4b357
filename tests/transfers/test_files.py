"""Files named in a request: ready attachments of the same project, their plaintext sha256
recorded at filing (sealed at rest, shown in the request and the ledger)."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support import transfer_body
from tracker.audit.models import AuditEvent
from tracker.db import db
from tracker.transfers.models import TransferFile


@pytest.fixture(autouse=True)
def blob_dir(app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "blobs"
    monkeypatch.setitem(app.config, "TRACKER_BLOB_DIR", str(path))
    return path


def document(text: bytes = b"membrane test results") -> bytes:
    return b"%PDF-1.7\n" + text * 50


def upload(api: Any, project_id: int, data: bytes, name: str = "results.pdf") -> dict[str, Any]:
    r = api.post(
        f"/api/v1/projects/{project_id}/attachments",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_file_hash_is_recorded_and_shown(gate_world, api_as):
    w = gate_world
    api = api_as(w.users["company"])
    data = document()
    att = upload(api, w.project.id, data)
    digest = hashlib.sha256(data).hexdigest()
    r = api.post(
        f"/api/v1/projects/{w.project.id}/transfers",
        json=transfer_body(w, attachment_ids=[att["id"]]),
    )
    assert r.status_code == 201, r.get_json()
    files = r.get_json()["files"]
    assert files == [
        {
            "attachment_id": att["id"],
            "attachment_version": 1,
            "filename": "results.pdf",
            "size": len(data),
            "sha256": digest,
        }
    ]
    # sealed at rest: a database reader cannot match a known document's hash
    row = db.session.execute(sa.select(TransferFile)).scalar_one()
    assert bytes.fromhex(digest) not in row.sha256_sealed
    details = [json for (json,) in db.session.execute(sa.select(AuditEvent.detail))]
    assert digest not in str(details)
    # the operator sees it in the request and the ledger
    tid = r.get_json()["id"]
    op = api_as(w.users["operator"])
    assert op.get(f"/api/v1/transfers/{tid}").get_json()["files"][0]["sha256"] == digest
    assert (
        op.post(f"/api/v1/transfers/{tid}/decision", json={"decision": "approve"}).status_code
        == 200
    )
    # the ledger shows the plaintext hash only to those who may download the file
    text = api.get("/api/v1/transfers/ledger?format=csv").get_data(as_text=True).lstrip("\ufeff")
    row = next(csv.DictReader(io.StringIO(text)))
    assert f"sha256={digest}" in row["Files"] and "results.pdf" in row["Files"]
    text = op.get("/api/v1/transfers/ledger?format=csv").get_data(as_text=True).lstrip("\ufeff")
    row = next(csv.DictReader(io.StringIO(text)))
    assert "results.pdf" in row["Files"] and digest not in text


def test_files_alone_are_enough(gate_world, api_as):
    w = gate_world
    api = api_as(w.users["lawyer"])
    att = upload(api, w.project.id, document())
    r = api.post(
        f"/api/v1/projects/{w.project.id}/transfers",
        json=transfer_body(w, asset_ids=[], attachment_ids=[att["id"]]),
    )
    assert r.status_code == 201 and r.get_json()["asset_ids"] == []


def test_attachment_of_another_project_is_422(gate_world, api_as, make_project):
    w = gate_world
    other = make_project(company=w.company)
    api = api_as(w.users["company"])
    att = upload(api, other.id, document(b"other"))
    r = api.post(
        f"/api/v1/projects/{w.project.id}/transfers",
        json=transfer_body(w, attachment_ids=[att["id"]]),
    )
    assert r.status_code == 422 and "attachment_ids" in r.get_json()["errors"]
    assert db.session.execute(sa.select(sa.func.count()).select_from(TransferFile)).scalar() == 0


def test_html_form_offers_the_projects_files(gate_world, api_as, browser_as):
    w = gate_world
    upload(api_as(w.users["company"]), w.project.id, document(), name="offer.pdf")
    html = (
        browser_as(w.users["company"])
        .get(f"/projects/{w.project.id}/transfers")
        .get_data(as_text=True)
    )
    assert "offer.pdf" in html


def test_attachment_not_ready_is_422(gate_world, api_as):
    from tracker.attachments.models import Attachment

    w = gate_world
    pending = Attachment(project=w.project, filename="half.pdf", current_version=0)
    db.session.add(pending)
    db.session.commit()
    r = api_as(w.users["company"]).post(
        f"/api/v1/projects/{w.project.id}/transfers",
        json=transfer_body(w, attachment_ids=[pending.id]),
    )
    assert r.status_code == 422 and "attachment_ids" in r.get_json()["errors"]


def test_a_file_of_an_asset_brings_the_asset_before_the_gate(gate_world, api_as):
    """Naming only an asset's file must not bypass the checks on that asset."""
    w = gate_world
    w.asset.nct_status, w.asset.nct_ref = "nct_funded", None
    db.session.flush()
    api = api_as(w.users["company"])
    r = api.post(
        f"/api/v1/projects/{w.project.id}/attachments",
        data={
            "file": (io.BytesIO(document(b"process recipe")), "recipe.pdf"),
            "record_type": "asset",
            "record_id": str(w.asset.id),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.get_json()
    r = api.post(
        f"/api/v1/projects/{w.project.id}/transfers",
        json=transfer_body(w, asset_ids=[], attachment_ids=[r.get_json()["id"]]),
    )
    assert r.status_code == 201, r.get_json()
    payload = r.get_json()
    assert payload["asset_ids"] == [w.asset.id]
    assert payload["status"] == "blocked"
    assert {c["code"] for c in payload["checks"] if not c["ok"]} == {"core_tech_approval"}
