"""Upload, list, metadata and download through the API: access, limits and bad input."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from tests.support import (
    MARKER,
    audit_actions,
    blob_files,
    csrf_token,
    grep_tree,
    multipart,
    pdf,
    raw_upload,
    run_in_threads,
    upload,
    version_rows,
    wait_after,
    zip_of,
)
from tracker.attachments.crypto import HEADER_SIZE, IntegrityFailure
from tracker.attachments.models import AttachmentVersion
from tracker.cases.ndas.models import Nda
from tracker.db import db


def _content(api: Any, attachment_id: int, **query: Any) -> Any:
    return api.get(f"/api/v1/attachments/{attachment_id}/content", query_string=query)


@pytest.fixture
def lawyer_api(world: Any, api_as: Any) -> Any:
    return api_as(world.users["lawyer"])


def test_upload_and_download_round_trip(world: Any, lawyer_api: Any, blob_dir: Any) -> None:
    data = pdf(200_000)
    r = upload(lawyer_api, world.project.id, data, name="report.pdf")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert set(body) == {"id", "filename", "size", "sha256", "content_type", "version"}
    assert body["filename"] == "report.pdf" and body["size"] == len(data)
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["content_type"] == "application/pdf" and body["version"] == 1
    d = _content(lawyer_api, body["id"])
    assert d.status_code == 200
    assert d.get_data() == data
    assert d.headers["Content-Length"] == str(len(data))
    assert d.headers["X-Content-Type-Options"] == "nosniff"
    assert d.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert d.headers["Content-Disposition"].startswith("attachment;")
    assert d.headers["Content-Type"] == "application/pdf"
    assert len(audit_actions("attachment.uploaded")) == 1
    assert len(audit_actions("attachment.downloaded")) == 1
    # no plaintext byte on disk, and the blob is ciphertext of the right size
    assert grep_tree(blob_dir, MARKER) == []
    (blob,) = blob_files(blob_dir)
    assert blob.stat().st_size == HEADER_SIZE + len(data) + 4 * 16
    assert oct(blob.stat().st_mode & 0o777) == "0o600"
    # nor in the database: the plaintext sha256 is sealed
    row = db.session.execute(sa.select(AttachmentVersion)).scalar_one()
    assert hashlib.sha256(data).digest() not in row.plaintext_sha256_sealed
    # the blob digest (scheme 2) covers the header, each chunk's tag and the length, as
    # docs/attachment-format.md §4 writes it, computed here from the bytes alone
    raw = blob.read_bytes()
    body, unit = raw[HEADER_SIZE:], 64 * 1024 + 16
    tags = b"".join(body[i : i + unit][-16:] for i in range(0, len(body), unit))
    spec = b"tracker blob tags v1|" + raw[:HEADER_SIZE] + tags + len(raw).to_bytes(8, "big")
    assert row.blob_digest_scheme == 2
    assert row.ciphertext_sha256 == hashlib.sha256(spec).hexdigest()


@pytest.mark.parametrize("role", ["admin", "lawyer", "company", "operator", "auditor"])
def test_access_in_scope(role: str, world: Any, api_as: Any, lawyer_api: Any) -> None:
    created = upload(lawyer_api, world.project.id, pdf()).get_json()
    api = api_as(world.users[role])
    may_files = role in ("lawyer", "company")
    r = upload(api, world.project.id, pdf(), name="mine.pdf")
    assert r.status_code == (201 if may_files else 403)
    assert _content(api, created["id"]).status_code == (200 if may_files else 403)
    listing = api.get(f"/api/v1/projects/{world.project.id}/attachments")
    assert listing.status_code == 200
    meta = api.get(f"/api/v1/attachments/{created['id']}")
    assert meta.status_code == 200
    # the plaintext hash is shown only to those who may download the file
    assert (meta.get_json()["sha256"] is not None) is may_files
    assert (meta.get_json()["versions"][0]["sha256"] is not None) is may_files


@pytest.mark.parametrize("role", ["lawyer", "company", "operator"])
def test_access_out_of_scope(role: str, world: Any, api_as: Any, lawyer_api: Any) -> None:
    created = upload(lawyer_api, world.project.id, pdf()).get_json()
    api = api_as(world.outsiders[role])
    before = version_rows()
    assert upload(api, world.project.id, pdf()).status_code == 404
    assert version_rows() == before
    assert _content(api, created["id"]).status_code == 404
    assert api.get(f"/api/v1/projects/{world.project.id}/attachments").status_code == 404
    assert api.get(f"/api/v1/attachments/{created['id']}").status_code == 404


def test_unknown_ids_404(lawyer_api: Any) -> None:
    assert upload(lawyer_api, 999_999, pdf()).status_code == 404
    assert _content(lawyer_api, 999_999).status_code == 404
    assert lawyer_api.get("/api/v1/attachments/999999").status_code == 404


def test_too_large_by_content_length_is_refused_before_storing(
    world: Any, lawyer_api: Any, app: Any, monkeypatch: pytest.MonkeyPatch, blob_dir: Any
) -> None:
    monkeypatch.setitem(app.config, "TRACKER_MAX_UPLOAD_BYTES", 1000)
    r = upload(lawyer_api, world.project.id, pdf(200_000))
    assert r.status_code == 413
    assert r.mimetype == "application/problem+json"
    assert version_rows() == 0 and blob_files(blob_dir) == []


def test_limit_sized_file_accepted_and_one_more_byte_refused(
    world: Any, lawyer_api: Any, app: Any, monkeypatch: pytest.MonkeyPatch, blob_dir: Any
) -> None:
    limit = 150_000
    monkeypatch.setitem(app.config, "TRACKER_MAX_UPLOAD_BYTES", limit)
    r = upload(lawyer_api, world.project.id, pdf(limit + 1), name="big.pdf")
    assert r.status_code == 413
    assert version_rows() == 0 and blob_files(blob_dir) == []
    r = upload(lawyer_api, world.project.id, pdf(limit), name="exact.pdf")
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["size"] == limit


def test_disallowed_type_is_422_and_leaves_nothing(
    world: Any, lawyer_api: Any, blob_dir: Any
) -> None:
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00\xff" * 10_000
    r = upload(lawyer_api, world.project.id, exe, name="setup.pdf")
    assert r.status_code == 422
    assert "file" in r.get_json()["errors"]
    assert version_rows() == 0 and blob_files(blob_dir) == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "image/png"),
        ("이름,금액\n홍길동,100\n".encode(), "text/plain"),
        ("이름,금액\n홍길동,100\n".encode("cp949"), "text/plain"),
        (b'{"a": 1}', "application/json"),
        (b"ISO-10303-21;\nHEADER;", "model/step"),
        (zip_of(("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w/>")), None),
    ],
)
def test_detected_types(world: Any, lawyer_api: Any, data: bytes, expected: str | None) -> None:
    r = upload(lawyer_api, world.project.id, data, name="x.bin")
    assert r.status_code == 201, r.get_json()
    want = expected or "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert r.get_json()["content_type"] == want


def test_empty_file_is_422(world: Any, lawyer_api: Any, blob_dir: Any) -> None:
    r = upload(lawyer_api, world.project.id, b"", name="empty.pdf")
    assert r.status_code == 422
    assert r.get_json()["errors"]["file"] == ["The file is empty."]
    assert version_rows() == 0 and blob_files(blob_dir) == []


def test_path_like_name_is_harmless(world: Any, lawyer_api: Any, blob_dir: Any) -> None:
    r = upload(lawyer_api, world.project.id, pdf(), name="../../x")
    assert r.status_code == 201
    assert r.get_json()["filename"] == "x"
    assert all(p.is_relative_to(blob_dir) for p in blob_files(blob_dir))
    assert not any(p.name == "x" for p in blob_dir.parent.rglob("x"))


def test_korean_filename_round_trip(world: Any, lawyer_api: Any) -> None:
    name = "기술이전 계약서 (최종).pdf"
    created = upload(lawyer_api, world.project.id, pdf(), name=name).get_json()
    assert created["filename"] == name
    d = _content(lawyer_api, created["id"])
    disposition = d.headers["Content-Disposition"]
    assert f"filename*=UTF-8''{quote(name, safe='!#$&+^`|~')}" in disposition
    assert disposition.split(";")[1].strip().isascii()  # the plain `filename=` fallback
    from werkzeug.http import parse_options_header

    assert parse_options_header(disposition)[1]["filename"] == name


def test_truncated_multipart_body_is_400(world: Any, lawyer_api: Any, blob_dir: Any) -> None:
    body = multipart([("file", "a.pdf", pdf(300_000))])
    r = raw_upload(lawyer_api, world.project.id, body[: len(body) // 2])
    assert r.status_code == 400
    assert r.mimetype == "application/problem+json"
    assert version_rows() == 0 and blob_files(blob_dir) == []


def test_missing_file_field_is_422(world: Any, lawyer_api: Any, blob_dir: Any) -> None:
    r = raw_upload(lawyer_api, world.project.id, multipart([("record_type", None, b"nda")]))
    assert r.status_code == 422
    assert "file" in r.get_json()["errors"]
    r = raw_upload(lawyer_api, world.project.id, multipart([("other", "a.pdf", pdf())]))
    assert r.status_code == 422
    r = raw_upload(lawyer_api, world.project.id, multipart([("file", None, b"not a file")]))
    assert r.status_code == 422 and "file" in r.get_json()["errors"]
    r = raw_upload(
        lawyer_api,
        world.project.id,
        multipart([("colour", None, b"red"), ("file", "a.pdf", pdf())]),
    )
    assert r.status_code == 422 and r.get_json()["errors"] == {"colour": ["Unknown field."]}
    assert version_rows() == 0 and blob_files(blob_dir) == []


def test_not_multipart_is_415(world: Any, lawyer_api: Any) -> None:
    r = lawyer_api.post(f"/api/v1/projects/{world.project.id}/attachments", json={"file": "x"})
    assert r.status_code == 415


def test_versions(world: Any, lawyer_api: Any) -> None:
    first = upload(lawyer_api, world.project.id, pdf(marker=b"one"), name="plan.pdf").get_json()
    second = upload(lawyer_api, world.project.id, pdf(marker=b"two"), name="plan.pdf").get_json()
    assert second["id"] == first["id"] and second["version"] == 2
    third = upload(
        lawyer_api,
        world.project.id,
        pdf(marker=b"three"),
        name="plan v3.pdf",
        attachment_id=first["id"],
    ).get_json()
    assert third["id"] == first["id"] and third["version"] == 3
    meta = lawyer_api.get(f"/api/v1/attachments/{first['id']}").get_json()
    assert [v["version"] for v in meta["versions"]] == [1, 2, 3]
    assert meta["filename"] == "plan v3.pdf" and meta["version"] == 3
    assert _content(lawyer_api, first["id"]).get_data() == pdf(marker=b"three")
    assert _content(lawyer_api, first["id"], version=1).get_data() == pdf(marker=b"one")
    assert _content(lawyer_api, first["id"], version=9).status_code == 404


def test_record_must_exist_in_the_project(
    world: Any, lawyer_api: Any, make_project: Any, blob_dir: Any
) -> None:
    other = make_project()
    nda = Nda(
        project=other,
        partner=world.partner,
        effective_on=dt.date(2026, 1, 1),
        expires_on=dt.date(2027, 1, 1),
    )
    mine = Nda(
        project=world.project,
        partner=world.partner,
        effective_on=dt.date(2026, 1, 1),
        expires_on=dt.date(2027, 1, 1),
    )
    db.session.add_all([nda, mine])
    db.session.flush()
    pid = world.project.id
    r = upload(lawyer_api, pid, pdf(), record_type="nda", record_id=nda.id)
    assert r.status_code == 422 and "record_id" in r.get_json()["errors"]
    r = upload(lawyer_api, pid, pdf(), record_type="contract", record_id=mine.id)
    assert r.status_code == 422 and "record_type" in r.get_json()["errors"]
    r = upload(lawyer_api, pid, pdf(), record_type="nda")
    assert r.status_code == 422
    for not_a_number in ("²", "1_0", "x"):  # "²".isdigit() is true, int("²") fails
        r = upload(lawyer_api, pid, pdf(), record_type="nda", record_id=not_a_number)
        assert r.status_code == 422, r.get_data(as_text=True)[:200]
        assert r.get_json()["errors"] == {"record_id": ["Not a valid integer."]}
    r = upload(lawyer_api, pid, pdf(), attachment_id="²")
    assert r.status_code == 422 and "attachment_id" in r.get_json()["errors"]
    assert version_rows() == 0 and blob_files(blob_dir) == []
    r = upload(lawyer_api, pid, pdf(), name="signed.pdf", record_type="nda", record_id=mine.id)
    assert r.status_code == 201
    listing = lawyer_api.get(
        f"/api/v1/projects/{pid}/attachments",
        query_string={"record_type": "nda", "record_id": mine.id},
    ).get_json()
    assert [i["filename"] for i in listing["items"]] == ["signed.pdf"]
    assert listing["items"][0]["record_id"] == mine.id


def test_list_is_paginated_in_a_fixed_number_of_statements(world: Any, lawyer_api: Any) -> None:
    for i in range(5):
        upload(lawyer_api, world.project.id, pdf(marker=b"m%d" % i), name=f"f{i}.pdf")
        upload(lawyer_api, world.project.id, pdf(marker=b"n%d" % i), name=f"f{i}.pdf")
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        r = lawyer_api.get(
            f"/api/v1/projects/{world.project.id}/attachments", query_string={"per_page": 3}
        )
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    body = r.get_json()
    assert body["total"] == 5 and len(body["items"]) == 3
    assert [i["filename"] for i in body["items"]] == ["f4.pdf", "f3.pdf", "f2.pdf"]
    assert all(i["version"] == 2 for i in body["items"])
    page_statements = [s for s in statements if "attachment" in s.lower()]
    assert len(page_statements) == 3  # count, page, versions (+ uploaders joined)


def test_tampered_blob_download_is_cut_off_and_audited(
    world: Any, lawyer_api: Any, blob_dir: Any
) -> None:
    data = pdf(300_000)
    created = upload(lawyer_api, world.project.id, data).get_json()
    (blob,) = blob_files(blob_dir)
    raw = bytearray(blob.read_bytes())
    raw[HEADER_SIZE + 65_536 + 16 + 10] ^= 0x40  # a bit in the second chunk
    blob.write_bytes(bytes(raw))
    response = _content(lawyer_api, created["id"])
    assert response.status_code == 200  # the headers went out before the bad chunk
    with pytest.raises(IntegrityFailure):
        response.get_data()
    events = audit_actions("attachment.integrity_failed")
    assert len(events) == 1 and "chunk 1" in events[0].detail["reason"]


def test_missing_blob_download_fails_and_is_audited(
    world: Any, lawyer_api: Any, blob_dir: Any
) -> None:
    created = upload(lawyer_api, world.project.id, pdf()).get_json()
    (blob,) = blob_files(blob_dir)
    blob.unlink()
    with pytest.raises(IntegrityFailure):  # fails at the first chunk, before any byte is sent
        _content(lawyer_api, created["id"]).get_data()
    assert len(audit_actions("attachment.integrity_failed")) == 1


def test_blob_moved_to_another_version_fails(world: Any, lawyer_api: Any, blob_dir: Any) -> None:
    a = upload(lawyer_api, world.project.id, pdf(marker=b"AAA"), name="a.pdf").get_json()
    upload(lawyer_api, world.project.id, pdf(marker=b"BBB"), name="b.pdf")
    rows = {r.attachment_id: r for r in db.session.execute(sa.select(AttachmentVersion)).scalars()}
    path_a = blob_dir / rows[a["id"]].blob_name[:2] / rows[a["id"]].blob_name
    other = next(r for k, r in rows.items() if k != a["id"])
    path_b = blob_dir / other.blob_name[:2] / other.blob_name
    path_a.write_bytes(path_b.read_bytes())  # b's (valid) blob put in a's place
    with pytest.raises(IntegrityFailure):
        _content(lawyer_api, a["id"]).get_data()


def _chunked(api: Any, project_id: int, body: bytes) -> Any:
    """A body without Content-Length (Transfer-Encoding: chunked, as gunicorn hands it on)."""
    return api.post(
        f"/api/v1/projects/{project_id}/attachments",
        input_stream=io.BytesIO(body),
        headers={
            "Transfer-Encoding": "chunked",
            "Content-Type": "multipart/form-data; boundary=XyZ",
        },
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_chunked_upload_is_counted_and_cut_at_the_limit(
    world: Any, lawyer_api: Any, app: Any, monkeypatch: pytest.MonkeyPatch, blob_dir: Any
) -> None:
    limit = 100_000
    monkeypatch.setitem(app.config, "TRACKER_MAX_UPLOAD_BYTES", limit)
    r = _chunked(lawyer_api, world.project.id, multipart([("file", "a.pdf", pdf(limit + 1))]))
    assert r.status_code == 413
    assert version_rows() == 0 and blob_files(blob_dir) == []
    huge = multipart([("file", "b.pdf", pdf(limit + 200_000))])  # past the body limit too
    assert _chunked(lawyer_api, world.project.id, huge).status_code == 413
    assert version_rows() == 0 and blob_files(blob_dir) == []
    r = _chunked(lawyer_api, world.project.id, multipart([("file", "c.pdf", pdf(limit))]))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["size"] == limit


def _record(kind: str, project: Any, world: Any) -> Any:
    from tracker.cases.assets.models import IpAsset
    from tracker.cases.disclosures.models import Disclosure
    from tracker.cases.reviews.models import RiskReview
    from tracker.cases.sessions.models import AdvisorySession
    from tracker.transfers.models import TransferRequest

    day = dt.date(2026, 3, 1)
    lawyer, company = world.users["lawyer"], world.users["company"]
    made = {
        "nda": lambda: Nda(
            project=project, partner=world.partner, effective_on=day, expires_on=day
        ),
        "asset": lambda: IpAsset(project=project, title="A", kind="patent", sensitivity="public"),
        "disclosure": lambda: Disclosure(
            project=project, title="D", description="d", conceived_on=day, filed_by_id=company.id
        ),
        "session": lambda: AdvisorySession(
            project=project, held_on=day, duration_minutes=30, lawyer_id=lawyer.id
        ),
        "review": lambda: RiskReview(
            project=project,
            catalogue_version="1",
            answers={},
            likelihood=1,
            impact=1,
            score=1,
            level="low",
            author_id=lawyer.id,
        ),
        "transfer": lambda: TransferRequest(
            project=project,
            partner=world.partner,
            purpose="p",
            channel="oral",
            planned_on=day,
            status="blocked",
            requested_by_id=company.id,
        ),
    }[kind]()
    db.session.add(made)
    db.session.flush()
    return made


@pytest.mark.parametrize("kind", ["nda", "asset", "disclosure", "session", "review", "transfer"])
def test_every_record_type_can_hold_files(
    kind: str, world: Any, lawyer_api: Any, make_project: Any
) -> None:
    mine = _record(kind, world.project, world)
    theirs = _record(kind, make_project(), world)
    pid = world.project.id
    r = upload(lawyer_api, pid, pdf(), name="x.pdf", record_type=kind, record_id=mine.id)
    assert r.status_code == 201, r.get_json()
    r = upload(lawyer_api, pid, pdf(), name="x.pdf", record_type=kind, record_id=theirs.id)
    assert r.status_code == 422
    listing = lawyer_api.get(
        f"/api/v1/projects/{pid}/attachments",
        query_string={"record_type": kind, "record_id": mine.id},
    ).get_json()
    assert listing["total"] == 1 and listing["items"][0]["record_type"] == kind


def test_openapi_documents_the_multipart_upload(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    post = spec["paths"]["/api/v1/projects/{project_id}/attachments"]["post"]
    schema = post["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["required"] == ["file"]
    assert "201" in post["responses"]


def test_cookie_upload_needs_the_csrf_header_and_never_spools_the_body(
    world, browser_as, monkeypatch
):
    """A browser session uploading through the API: the CSRF token comes from the header, and
    Werkzeug's form parser (which would spool the plaintext to a temporary file) never runs."""
    import werkzeug.formparser

    def no_spooling(*args, **kwargs):
        raise AssertionError("the multipart body was parsed (and spooled) by Werkzeug")

    client = browser_as(world.users["lawyer"])
    token = csrf_token(client, "/account")
    body = multipart([("file", "a.pdf", pdf(2 * 1024 * 1024))])
    path = f"/api/v1/projects/{world.project.id}/attachments"

    def post(**headers):
        # a raw input stream: the test client's own form encoder would spool a temporary file
        return client.post(
            path,
            input_stream=io.BytesIO(body),
            content_length=len(body),
            content_type="multipart/form-data; boundary=XyZ",
            headers=headers,
        )

    monkeypatch.setattr(werkzeug.formparser, "default_stream_factory", no_spooling)
    assert post().status_code == 400
    accepted = post(**{"X-CSRFToken": token})
    assert accepted.status_code == 201, accepted.get_data(as_text=True)[:300]


def test_a_name_held_by_two_attachments_still_takes_new_versions(
    world: Any, lawyer_api: Any
) -> None:
    """Two attachments of one name (left by concurrent uploads before they were serialised):
    the next upload of that name goes to the newest one instead of failing with a 500."""
    from tracker.attachments.models import Attachment

    upload(lawyer_api, world.project.id, pdf(marker=b"old"), name="a.pdf")
    newest = upload(lawyer_api, world.project.id, pdf(marker=b"new"), name="b.pdf").get_json()
    db.session.get(Attachment, newest["id"]).filename = "a.pdf"
    db.session.commit()
    r = upload(lawyer_api, world.project.id, pdf(marker=b"again"), name="a.pdf")
    assert r.status_code == 201, r.get_data(as_text=True)[:300]
    assert (r.get_json()["id"], r.get_json()["version"]) == (newest["id"], 2)


@pytest.mark.real_commits
def test_concurrent_uploads_of_one_name_make_one_attachment(
    world: Any, api_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two uploads of the same name at once: one attachment with versions 1 and 2, never two
    attachments (and never two versions 1)."""
    from tracker.attachments import service
    from tracker.attachments.models import Attachment

    project_id = world.project.id
    db.session.commit()
    clients = [api_as(world.users["lawyer"]), api_as(world.users["company"])]
    db.session.close()  # this thread holds no transaction (on SQLite it would lock the writers)
    # Each upload waits in _target for the other one: without serialisation both look for the
    # name before either has created it. Serialised, the first waits in vain and goes on.
    wait_after(monkeypatch, service, "_target", timeout=2, give_up=True)

    def send(i: int) -> Any:
        return upload(clients[i], project_id, pdf(marker=b"c%d" % i), name="same.pdf")

    results = run_in_threads(lambda: send(0), lambda: send(1))
    assert sorted(r.status_code for r in results) == [201, 201], [
        r.get_data(as_text=True)[:200] for r in results
    ]
    assert {r.get_json()["version"] for r in results} == {1, 2}
    attachments = list(
        db.session.execute(
            sa.select(Attachment).where(Attachment.project_id == project_id)
        ).scalars()
    )
    assert len(attachments) == 1 and attachments[0].current_version == 2


def test_uploader_who_loses_the_project_during_the_upload_stores_nothing(
    world: Any, lawyer_api: Any, blob_dir: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The policy is asked again when the body has arrived: a lawyer taken off the project
    while a long upload streams in does not add a file to it."""
    from tracker.attachments import service
    from tracker.cases.projects.models import project_lawyers

    original = service.receive

    def receive_then_unassign(*args: Any, **kwargs: Any) -> Any:
        received = original(*args, **kwargs)
        db.session.execute(  # the request's own session (world's objects live in the test's)
            sa.delete(project_lawyers).where(
                project_lawyers.c.project_id == world.project.id,
                project_lawyers.c.user_id == world.users["lawyer"].id,
            )
        )
        db.session.commit()
        return received

    monkeypatch.setattr(service, "receive", receive_then_unassign)
    r = upload(lawyer_api, world.project.id, pdf(200_000))
    assert r.status_code == 404
    assert version_rows() == 0 and blob_files(blob_dir) == []
    assert audit_actions("attachment.uploaded") == []


def test_metadata_unwraps_each_version_key_once(
    world: Any, lawyer_api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.attachments import crypto

    for marker in (b"v1", b"v2", b"v3"):
        created = upload(lawyer_api, world.project.id, pdf(marker=marker), name="p.pdf").get_json()
    calls: list[Any] = []
    original = crypto.unwrap_dek

    def counting(*args: Any) -> bytes:
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(crypto, "unwrap_dek", counting)
    meta = lawyer_api.get(f"/api/v1/attachments/{created['id']}").get_json()
    assert [v["version"] for v in meta["versions"]] == [1, 2, 3]
    assert (
        meta["sha256"]
        == meta["versions"][2]["sha256"]
        == hashlib.sha256(pdf(marker=b"v3")).hexdigest()
    )
    assert len(calls) == 3


def test_invisible_characters_leave_the_filename(world: Any, lawyer_api: Any) -> None:
    """A right-to-left override would show "invoice\u202efdp.js" as "invoicesj.pdf" while the
    browser saves a script (a script's name is refused anyway, whatever its content); zero-width
    characters would hide differences between names."""
    refused = upload(lawyer_api, world.project.id, b"plain text", name="invoice\u202efdp.js")
    assert refused.status_code == 422
    for raw, data, expected in [
        ("invoice\u202etxt.md", b"plain text", "invoice_txt.md"),
        ("a\u200bb.pdf", pdf(), "a_b.pdf"),
    ]:
        created = upload(lawyer_api, world.project.id, data, name=raw).get_json()
        assert created["filename"] == expected
        disposition = _content(lawyer_api, created["id"]).headers["Content-Disposition"]
        assert disposition == f'attachment; filename="{expected}"'


@pytest.mark.parametrize("big", [2**31, 2**63])
def test_ids_no_row_can_have(world: Any, lawyer_api: Any, browser_as: Any, big: int) -> None:
    """Past the INTEGER column (PostgreSQL) or any SQLite integer: 404, 422 or nothing matched,
    never a 500 from the database driver."""
    pid = world.project.id
    assert lawyer_api.get(f"/api/v1/attachments/{big}").status_code == 404
    assert _content(lawyer_api, big).status_code == 404
    assert browser_as(world.users["lawyer"]).get(f"/files/{big}/download").status_code == 404
    listing = lawyer_api.get(f"/api/v1/projects/{pid}/attachments", query_string={"record_id": big})
    assert listing.status_code == 200 and listing.get_json()["total"] == 0
    if big < 10**12:  # the form fields take at most 12 digits
        r = upload(lawyer_api, pid, pdf(), record_type="nda", record_id=big)
        assert r.status_code == 422 and "record_id" in r.get_json()["errors"]
        r = upload(lawyer_api, pid, pdf(), attachment_id=big)
        assert r.status_code == 422 and "attachment_id" in r.get_json()["errors"]


def test_files_of_a_disclosure_are_as_private_as_the_disclosure(world, api_as):
    """Operators never see disclosures, so they do not learn a disclosure's file names either;
    a file of the project itself stays listed for them."""
    from tracker.cases.disclosures.models import Disclosure

    disclosure = Disclosure(
        project=world.project,
        title="New electrolyte",
        description="x",
        conceived_on=dt.date(2026, 1, 5),
        filed_by_id=world.users["company"].id,
    )
    db.session.add(disclosure)
    db.session.commit()
    company = api_as(world.users["company"])
    secret = upload(
        company,
        world.project.id,
        pdf(),
        "electrolyte-formula.pdf",
        record_type="disclosure",
        record_id=disclosure.id,
    )
    assert secret.status_code == 201
    assert upload(company, world.project.id, pdf(), "kickoff-minutes.pdf").status_code == 201
    path = f"/api/v1/projects/{world.project.id}/attachments"
    for role, sees_it in (
        ("operator", False),
        ("admin", False),
        ("auditor", True),
        ("lawyer", True),
        ("company", True),
    ):
        api = api_as(world.users[role])
        names = [a["filename"] for a in api.get(path).get_json()["items"]]
        assert "kickoff-minutes.pdf" in names, role
        assert ("electrolyte-formula.pdf" in names) is sees_it, role
        status = api.get(f"/api/v1/attachments/{secret.get_json()['id']}").status_code
        assert status == (200 if sees_it else 403), role
