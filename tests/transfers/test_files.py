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
def blob_dir(blob_dir: Path) -> Path:
    """Every test here gets a fresh blob directory (tests/conftest.py)."""
    return blob_dir


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


@pytest.fixture
def filed(gate_world, api_as):
    """A request naming one file, approved, so it is in the ledger too."""
    w = gate_world
    data = document()
    att = upload(api_as(w.users["company"]), w.project.id, data)
    r = api_as(w.users["company"]).post(
        f"/api/v1/projects/{w.project.id}/transfers",
        json=transfer_body(w, attachment_ids=[att["id"]]),
    )
    tid = r.get_json()["id"]
    op = api_as(w.users["operator"])
    assert (
        op.post(f"/api/v1/transfers/{tid}/decision", json={"decision": "approve"}).status_code
        == 200
    )
    return tid, hashlib.sha256(data).hexdigest(), len(data)


def _ledger_files(api, fmt="csv"):
    response = api.get(f"/api/v1/transfers/ledger?format={fmt}")
    assert response.status_code == 200
    if fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.data)).active
        header = [c.value for c in sheet[1]]
        return [row[header.index("Files")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return [row["Files"] for row in csv.DictReader(io.StringIO(text))]


@pytest.mark.parametrize(
    ("role", "sees_digest"),
    [("lawyer", True), ("company", True), ("operator", False), ("auditor", False)],
)
def test_plaintext_hash_only_for_those_who_may_download(
    gate_world, api_as, browser_as, filed, role, sees_digest
):
    """Issue 11, finding 4 (docs/product.md): operators and auditors see a file's name,
    size and version, never its plaintext sha256 (with it, a guessed document is confirmed)."""
    tid, digest, size = filed
    user = gate_world.users[role]
    api = api_as(user)
    (file,) = api.get(f"/api/v1/transfers/{tid}").get_json()["files"]
    assert (file.get("sha256") == digest) is sees_digest
    assert {k: file[k] for k in ("filename", "size", "attachment_version")} == {
        "filename": "results.pdf",
        "size": size,
        "attachment_version": 1,
    }
    listed = api.get("/api/v1/transfers").get_json()["items"]
    assert (digest in str(listed)) is sees_digest and "results.pdf" in str(listed)
    for fmt in ("csv", "xlsx"):
        (files,) = _ledger_files(api, fmt)
        assert (digest in files) is sees_digest and "results.pdf" in files
        if not sees_digest:
            assert files == f"results.pdf (v1, {size} B)"
    browser = browser_as(user)
    for path in (f"/transfers/{tid}", "/transfers/ledger"):
        html = browser.get(path).get_data(as_text=True)
        assert "results.pdf" in html, path
        assert (digest in html) is sees_digest, path
    assert digest not in browser.get("/transfers").get_data(as_text=True) or sees_digest


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
