"""GET /api/v1/assets/{id}/evidence: the manifest of the API, the PDF, the files' bytes, who may
have it, audited; a large file streams through the ZIP in bounded memory."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tracemalloc
import zipfile
from typing import Any

import pytest
import sqlalchemy as sa

from tests.reports.pdfcheck import pdf_text, squash
from tests.support import audit_actions, day, make_asset, make_nda, pdf, upload
from tracker import policy
from tracker.attachments.models import AttachmentVersion
from tracker.audit.service import record
from tracker.db import db

MiB = 1 << 20
MANIFEST_KEYS = {
    "asset",
    "generated_at",
    "generated_by",
    "files",
    "originality_cert_no",
    "covering_ndas",
    "access_events",
}
FILE_KEYS = {"attachment_id", "version", "filename", "size", "sha256", "uploaded_at", "uploaded_by"}


@pytest.fixture
def pack_world(world: Any, make_org: Any, blob_dir: Any, api_as: Any) -> Any:
    w = world
    w.asset = make_asset(
        w.project, title="양극재 소성 조건", kind="trade_secret", originality_cert_no="OC-2026-77"
    )
    w.other_asset = make_asset(w.project, title="Other")
    w.nda = make_nda(w.project, w.partner, expires_on=day(217), assets=[w.asset])
    w.lawyer_api = api_as(w.users["lawyer"])
    w.content = pdf(5000)
    r = upload(
        w.lawyer_api,
        w.project.id,
        w.content,
        "소성 노트.pdf",
        record_type="asset",
        record_id=w.asset.id,
    )
    assert r.status_code == 201, r.get_json()
    w.attachment_id = r.get_json()["id"]
    w.lawyer_api.get(f"/api/v1/attachments/{w.attachment_id}/content").get_data()
    # events filed under the table name and under the API's resource name both count
    record("asset.updated", w.asset, detail={"fields": ["title"]})
    record("asset.viewed", object_type="asset", object_id=w.asset.id)
    record("asset.updated", w.other_asset, detail={})
    db.session.commit()
    return w


def _pack(api: Any, asset_id: int) -> Any:
    return api.get(f"/api/v1/assets/{asset_id}/evidence")


def _open(response: Any) -> zipfile.ZipFile:
    assert response.status_code == 200, response.get_data()[:300]
    assert response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def test_manifest_has_the_shape_of_the_contract(pack_world):
    w = pack_world
    pack = _open(_pack(w.lawyer_api, w.asset.id))
    manifest = json.loads(pack.read("manifest.json"))
    assert set(manifest) == MANIFEST_KEYS
    assert manifest["asset"]["id"] == w.asset.id
    assert manifest["asset"]["title"] == "양극재 소성 조건"
    assert manifest["originality_cert_no"] == "OC-2026-77"
    assert manifest["generated_by"]["id"] == w.users["lawyer"].id
    [entry] = manifest["files"]
    assert FILE_KEYS <= set(entry)
    assert entry["attachment_id"] == w.attachment_id and entry["version"] == 1
    assert entry["filename"] == "소성 노트.pdf" and entry["size"] == len(w.content)
    assert entry["sha256"] == hashlib.sha256(w.content).hexdigest()
    assert entry["uploaded_by"] == w.users["lawyer"].name and entry["uploaded_at"]
    [nda] = manifest["covering_ndas"]
    assert nda == {
        "id": w.nda.id,
        "partner": w.partner.name,
        "effective_on": day(-328).isoformat(),
        "expires_on": day(217).isoformat(),
        "status": "active",
    }
    actions = [(e["action"], e["object_type"]) for e in manifest["access_events"]]
    # who and when, not client addresses or the chain's MACs (the company may not read the audit)
    assert all("ip" not in e and "mac" not in e for e in manifest["access_events"])
    # object types are the API's resource names; a file's version events are the file's
    assert ("attachment.uploaded", "attachment") in actions
    assert ("attachment.downloaded", "attachment") in actions
    assert ("asset.updated", "asset") in actions and ("asset.viewed", "asset") in actions
    assert all(
        e["object_id"] != w.other_asset.id or e["object_type"] not in ("ip_assets", "asset")
        for e in manifest["access_events"]
    )
    assert len([a for a in actions if a[0] == "asset.updated"]) == 1  # not the other asset's
    downloaded = next(
        e for e in manifest["access_events"] if e["action"] == "attachment.downloaded"
    )
    assert downloaded["actor"]["name"] == w.users["lawyer"].name


def test_the_files_bytes_and_the_pdf(pack_world, tmp_path):
    w = pack_world
    w.users["lawyer"].locale = "ko"
    db.session.commit()
    pack = _open(_pack(w.lawyer_api, w.asset.id))
    names = pack.namelist()
    assert names[:2] == ["manifest.json", "evidence.pdf"]
    assert pack.read(f"files/{w.attachment_id}/v1/소성 노트.pdf") == w.content
    assert pack.testzip() is None
    text = squash(pdf_text(pack.read("evidence.pdf"), tmp_path))
    for expected in ("영업비밀 증거 자료", "양극재 소성 조건", "OC-2026-77", w.partner.name):
        assert squash(expected) in text, expected
    assert hashlib.sha256(w.content).hexdigest()[:32] in text


@pytest.mark.parametrize(
    "who, status",
    [("lawyer", 200), ("company", 200), ("admin", 403), ("auditor", 403), ("operator", 403)],
)
def test_who_may_have_it(pack_world, api_as, who, status):
    assert _pack(api_as(pack_world.users[who]), pack_world.asset.id).status_code == status


@pytest.mark.parametrize("who", ["lawyer", "company", "operator"])
def test_outsiders_do_not_learn_it_exists(pack_world, api_as, who):
    assert _pack(api_as(pack_world.outsiders[who]), pack_world.asset.id).status_code == 404


def test_missing_asset(pack_world):
    assert _pack(pack_world.lawyer_api, 2**40).status_code == 404


def test_audited_and_each_file_as_a_download(pack_world):
    w = pack_world
    packs, downloads = (
        len(audit_actions("asset.evidence_pack")),
        len(audit_actions("attachment.downloaded")),
    )
    r = _pack(w.lawyer_api, w.asset.id)
    r.get_data()
    db.session.expire_all()
    [event] = audit_actions("asset.evidence_pack")[packs:]
    assert (event.object_type, event.object_id) == ("asset", w.asset.id)
    assert event.detail == {"files": 1, "with_content": 1}
    assert len(audit_actions("attachment.downloaded")) == downloads + 1


def test_download_name(pack_world):
    w = pack_world
    w.project.code = "과제-코드-01"
    db.session.commit()
    disposition = _pack(w.lawyer_api, w.asset.id).headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="evidence---01-asset-')
    assert "filename*=UTF-8''evidence-%EA%B3%BC" in disposition


class _Body(io.RawIOBase):
    """A multipart upload body made as it is read: a large file never sits in memory. It
    tells its length as a file would (the test client asks by seeking to the end)."""

    def __init__(self, size: int, record_id: int) -> None:
        head = b"%PDF-1.7\n"
        self.parts = [
            b'--XyZ\r\nContent-Disposition: form-data; name="record_type"\r\n\r\nasset\r\n',
            b'--XyZ\r\nContent-Disposition: form-data; name="record_id"\r\n\r\n'
            + str(record_id).encode()
            + b"\r\n",
            b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n\r\n'
            + head,
        ]
        self.block = bytes(range(256)) * 4096  # 1 MiB
        self.remaining = size - len(head)
        self.tail = b"\r\n--XyZ--\r\n"
        self.total = sum(map(len, self.parts)) + self.remaining + len(self.tail)
        self.buffer = b""
        self.pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = self.total if whence == 2 else offset  # only to measure, before reading
        return self.pos

    def readinto(self, out: Any) -> int:
        while not self.buffer:
            if self.parts:
                self.buffer = self.parts.pop(0)
            elif self.remaining > 0:
                n = min(self.remaining, len(self.block))
                self.buffer, self.remaining = self.block[:n], self.remaining - n
            elif self.tail:
                self.buffer, self.tail = self.tail, b""
            else:
                return 0
        n = min(len(out), len(self.buffer))
        out[:n], self.buffer = self.buffer[:n], self.buffer[n:]
        self.pos += n
        return n


def test_large_file_streams_in_bounded_memory(pack_world, tmp_path):
    """256 MiB through the real upload and evidence endpoints (TRACKER_EVIDENCE_TEST_MIB=1024
    runs the 1 GiB case: about 35 s here, peak 0.3 MiB traced, as for 256 MiB)."""
    w = pack_world
    size = int(os.environ.get("TRACKER_EVIDENCE_TEST_MIB", "256")) * MiB
    r = w.lawyer_api.post(
        f"/api/v1/projects/{w.project.id}/attachments",
        input_stream=_Body(size, w.asset.id),
        headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
    )
    assert r.status_code == 201, r.get_json()
    big_id = r.get_json()["id"]
    response = w.lawyer_api.get(f"/api/v1/assets/{w.asset.id}/evidence", buffered=False)
    assert response.status_code == 200
    out = tmp_path / "pack.zip"
    tracemalloc.start()
    try:
        with out.open("wb") as fh:
            for chunk in response.response:
                fh.write(chunk)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        response.close()
    assert peak < 16 * MiB, peak
    with zipfile.ZipFile(out) as pack:
        info = pack.getinfo(f"files/{big_id}/v1/big.pdf")
        assert info.file_size == size
        digest = hashlib.sha256()
        with pack.open(info) as member:
            while block := member.read(MiB):
                digest.update(block)
        manifest = json.loads(pack.read("manifest.json"))
    entry = next(f for f in manifest["files"] if f["attachment_id"] == big_id)
    assert entry["sha256"] == digest.hexdigest() and entry["size"] == size


def test_documented_as_zip(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    answer = spec["paths"]["/api/v1/assets/{asset_id}/evidence"]["get"]["responses"]["200"]
    assert "application/zip" in answer["content"]


HOSTILE = ["../x", "a/b", "c\x01d\x7f.txt", "..", "/../../etc/passwd", "e\\f.pdf"]


def test_every_manifest_path_is_a_member_of_the_zip(pack_world):
    """Stored names older than the upload's clean-up (or written by anything else) may hold
    separators, `..` and control characters: the manifest names the members the ZIP holds."""
    w = pack_world
    contents = {}
    for n, name in enumerate(HOSTILE):
        data = pdf(1000 + n)
        r = upload(
            w.lawyer_api, w.project.id, data, f"{n}.pdf", record_type="asset", record_id=w.asset.id
        )
        assert r.status_code == 201, r.get_json()
        version = db.session.execute(
            sa.select(AttachmentVersion).where(
                AttachmentVersion.attachment_id == r.get_json()["id"]
            )
        ).scalar_one()
        version.filename = name
        contents[(version.attachment_id, version.number)] = data
    db.session.commit()
    pack = _open(_pack(w.lawyer_api, w.asset.id))
    members = set(pack.namelist())
    files = json.loads(pack.read("manifest.json"))["files"]
    assert len(files) == len(HOSTILE) + 1
    for entry in files:
        assert entry["path"] in members, (entry["filename"], entry["path"])
        expected = contents.get((entry["attachment_id"], entry["version"]), w.content)
        assert pack.read(entry["path"]) == expected
    assert len({entry["path"] for entry in files}) == len(files)


@pytest.mark.parametrize("role", ["admin", "lawyer", "company", "operator", "auditor"])
def test_the_asset_page_offers_the_pack_to_exactly_those_who_may_have_it(
    pack_world, browser_as, role
):
    w = pack_world
    client = browser_as(w.users[role])
    html = client.get(f"/assets/{w.asset.id}").get_data(as_text=True)
    link = f'href="/api/v1/assets/{w.asset.id}/evidence"'
    may = policy.role_may(role, "asset.evidence_pack")
    assert (link in html) == may
    assert may == (role in ("lawyer", "company"))
    if may:  # the page's session is enough to follow it
        assert client.get(f"/api/v1/assets/{w.asset.id}/evidence").mimetype == "application/zip"
