"""A file whose bytes do not match its name's type is refused (422 naming both types, in the
reader's language), over the API and the HTML form, before the rest of the body is stored;
a matching file of every listed extension is accepted."""

from __future__ import annotations

import gzip
import io
import lzma
import tarfile
import zipfile
from typing import Any

import pytest

from tests.support import blob_files, csrf_token, multipart, pdf, upload, version_rows, zip_of
from tracker.attachments import content, kinds
from tracker.attachments.receive import READ_SIZE, receive
from tracker.attachments.storage import blob_store
from tracker.db import db
from tracker.errors import InvalidInput


def _zip(*entries: tuple[str, bytes], stored_first: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for i, (name, data) in enumerate(entries):
            stored = stored_first and i == 0
            z.writestr(name, data, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _ooxml(part: str) -> bytes:
    return _zip(("[Content_Types].xml", b"<Types/>"), (f"{part}/document.xml", b"<x/>"))


def _packaged(mimetype: str) -> bytes:
    return _zip(("mimetype", mimetype.encode()), ("content.xml", b"<x/>"), stored_first=True)


def _tar() -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as t:
        info = tarfile.TarInfo("a.txt")
        info.size = 5
        t.addfile(info, io.BytesIO(b"hello"))
    return out.getvalue()


#: one file of every detected type
SAMPLES: dict[str, bytes] = {
    "application/pdf": pdf(),
    kinds.WORD: _ooxml("word"),
    kinds.EXCEL: _ooxml("xl"),
    kinds.POWERPOINT: _ooxml("ppt"),
    kinds.ODT: _packaged(kinds.ODT),
    kinds.ODS: _packaged(kinds.ODS),
    kinds.ODP: _packaged(kinds.ODP),
    kinds.HWPX: _packaged(kinds.HWPX),
    kinds.OLE: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
    kinds.ZIP: _zip(("a.txt", b"hello")),
    "image/png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
    "image/jpeg": b"\xff\xd8\xff\xe0" + b"\x00" * 100,
    "image/gif": b"GIF89a" + b"\x00" * 100,
    "image/tiff": b"II*\x00" + b"\x00" * 100,
    "image/webp": b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 100,
    "application/x-7z-compressed": b"7z\xbc\xaf\x27\x1c" + b"\x00" * 100,
    "application/gzip": gzip.compress(b"hello"),
    "application/x-xz": lzma.compress(b"hello"),
    "application/x-tar": _tar(),
    "application/x-hdf5": b"\x89HDF\r\n\x1a\n" + b"\x00" * 100,
    "application/vnd.apache.parquet": b"PAR1" + b"\x00" * 100,
    "model/step": b"ISO-10303-21;\nHEADER;\n",
    "image/vnd.dwg": b"AC1032" + b"\x00" * 100,
    "image/vnd.dxf": b"0\nSECTION\n2\nHEADER\n",
    "model/stl": b"solid part\n facet normal 0 0 1\n",
    "application/json": b'{"a": 1}',
    "application/xml": b"<?xml version='1.0'?><a/>",
    "text/plain": "이름,금액\n홍길동,100\n".encode("cp949"),
}
EXTENSIONS = sorted(ext for ext, (_label, accepted) in kinds.NAME_TYPES.items() if accepted)
PROGRAMS = sorted(ext for ext, (_label, accepted) in kinds.NAME_TYPES.items() if not accepted)


def _matching(ext: str) -> tuple[str, bytes]:
    accepted = kinds.NAME_TYPES[ext][1]
    detected = next(t for t in SAMPLES if t in accepted)
    return detected, SAMPLES[detected]


def _mismatching(ext: str) -> tuple[str, bytes]:
    accepted = kinds.NAME_TYPES[ext][1]
    detected = "image/png" if "image/png" not in accepted else "application/pdf"
    return detected, SAMPLES[detected]


@pytest.fixture
def lawyer_api(world: Any, api_as: Any) -> Any:
    return api_as(world.users["lawyer"])


def test_every_detected_type_has_a_sample_and_a_label() -> None:
    from tracker.attachments.content import ALLOWED_TYPES, detect

    assert set(SAMPLES) == set(ALLOWED_TYPES) == set(kinds.TYPE_LABELS)
    assert {t: detect(data) for t, data in SAMPLES.items()} == {t: t for t in SAMPLES}


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_each_extension_takes_its_own_type_and_refuses_another(
    ext: str, world: Any, lawyer_api: Any, blob_dir: Any
) -> None:
    detected, data = _matching(ext)
    r = upload(lawyer_api, world.project.id, data, name=f"자료.{ext.upper()}")
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["content_type"] == detected
    wrong, data = _mismatching(ext)
    r = upload(lawyer_api, world.project.id, data, name=f"other.{ext}")
    assert r.status_code == 422, r.get_json()
    assert r.headers["Content-Type"] == "application/problem+json"
    (message,) = r.get_json()["errors"]["file"]
    assert str(kinds.TYPE_LABELS[wrong]) in message and f"(.{ext})" in message
    assert str(kinds.NAME_TYPES[ext][0]) in message
    assert version_rows() == 1 and len(blob_files(blob_dir)) == 1


@pytest.mark.parametrize("ext", PROGRAMS)
def test_a_program_or_script_name_is_refused_whatever_the_content(
    ext: str, world: Any, lawyer_api: Any, blob_dir: Any
) -> None:
    for data in (b"echo hello\r\n", pdf(), SAMPLES[kinds.OLE]):
        r = upload(lawyer_api, world.project.id, data, name=f"run.{ext}")
        assert r.status_code == 422, r.get_json()
        assert "a program or script" in r.get_json()["errors"]["file"][0]
    assert version_rows() == 0 and blob_files(blob_dir) == []


@pytest.mark.parametrize(
    ("name", "data", "detected"),
    [
        ("contract.pdf", SAMPLES[kinds.ZIP], "a ZIP archive"),
        ("contract.pdf", SAMPLES["image/png"], "a PNG image"),
        ("minutes.docx", SAMPLES[kinds.EXCEL], "an Excel workbook"),
        ("minutes.docx", SAMPLES[kinds.ODT], "an OpenDocument text"),
        ("report.hwp", SAMPLES[kinds.HWPX], "a Hangul HWPX document"),
        ("sheet.xls", SAMPLES["image/png"], "a PNG image"),
        ("data.csv", SAMPLES["image/png"], "a PNG image"),
        ("bundle.zip", SAMPLES["application/x-7z-compressed"], "a 7z archive"),
    ],
)
def test_examples_of_refused_files(
    name: str, data: bytes, detected: str, world: Any, lawyer_api: Any, blob_dir: Any
) -> None:
    r = upload(lawyer_api, world.project.id, data, name=name)
    assert r.status_code == 422
    assert f"the content is {detected}." in r.get_json()["errors"]["file"][0]
    assert version_rows() == 0 and blob_files(blob_dir) == []


@pytest.mark.parametrize(
    ("name", "data"),
    [
        # Office Open XML parts may come in any order: a plain ZIP passes for .docx
        ("minutes.docx", SAMPLES[kinds.ZIP]),
        # a .zip may hold any zip-based format
        ("bundle.zip", SAMPLES[kinds.WORD]),
        # text formats take any text, and names not listed are not compared
        ("notes.json", b"not json at all"),
        ("drawing.dxf", b"999\nmade by hand\n0\nSECTION\n"),
        ("README", b"plain text"),
        ("measurements.dat", pdf()),
    ],
)
def test_what_cannot_be_told_apart_is_accepted(
    name: str, data: bytes, world: Any, lawyer_api: Any
) -> None:
    assert upload(lawyer_api, world.project.id, data, name=name).status_code == 201


def test_the_api_refusal_reads_in_korean(world: Any, api_as: Any, blob_dir: Any) -> None:
    user = world.users["company"]
    user.locale = "ko"
    db.session.commit()
    r = upload(api_as(user), world.project.id, SAMPLES["image/png"], name="계약서.pdf")
    assert r.status_code == 422
    message = r.get_json()["errors"]["file"][0]
    assert "PDF 문서" in message and "PNG 이미지" in message and "(.pdf)" in message
    assert version_rows() == 0 and blob_files(blob_dir) == []


def _html_upload(client: Any, project_id: int, data: bytes, name: str, **headers: str) -> Any:
    token = csrf_token(client, f"/projects/{project_id}/files")
    return client.post(
        f"/projects/{project_id}/files",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=headers,
    )


@pytest.mark.parametrize(
    ("locale", "expected", "detected"),
    [("en", "a PDF document", "a PNG image"), ("ko", "PDF 문서", "PNG 이미지")],
)
@pytest.mark.parametrize("script", [False, True])
def test_the_html_form_refuses_a_mismatch_in_the_users_language(
    locale: str,
    expected: str,
    detected: str,
    script: bool,
    world: Any,
    browser_as: Any,
    blob_dir: Any,
) -> None:
    user = world.users["company"]
    user.locale = locale
    db.session.commit()
    client = browser_as(user)
    headers = {"X-Requested-With": "XMLHttpRequest"} if script else {}
    r = _html_upload(client, world.project.id, SAMPLES["image/png"], "계약서.pdf", **headers)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    # the upload script shows the page's message next to the form
    error = page.split('<p class="error" role="alert">', 1)[1].split("</p>", 1)[0]
    assert expected in error and detected in error and "(.pdf)" in error
    assert version_rows() == 0 and blob_files(blob_dir) == []
    ok = _html_upload(client, world.project.id, SAMPLES["image/png"], "사진.png", **headers)
    assert ok.status_code == (204 if script else 303)
    assert version_rows() == 1


class _CountingBody:
    def __init__(self, head: bytes, total: int) -> None:
        self.data = io.BytesIO(head)
        self.total, self.read_bytes = total, 0

    def read(self, size: int) -> bytes:
        chunk = self.data.read(size)
        self.read_bytes += len(chunk)
        return chunk


def test_a_large_mismatch_is_refused_on_its_first_bytes(app: Any, blob_dir: Any) -> None:
    """The decision needs the first 8 KiB only: the parser stops at the first read piece, and
    the temporary blob is gone."""
    size = 16 * READ_SIZE
    body = multipart([("file", "scan.pdf", SAMPLES["image/png"] + b"\x00" * size)])
    counting = _CountingBody(body, len(body))
    with app.test_request_context():
        with pytest.raises(InvalidInput) as refused:
            receive(counting, b"XyZ", blob_store(), limit=2 * size)
    assert "file" in refused.value.errors
    assert counting.read_bytes <= 2 * READ_SIZE < size
    assert blob_files(blob_dir) == []


@pytest.mark.parametrize(
    ("name", "data", "detected"),
    [
        # a password-protected .docx/.xlsx is an OLE2 container holding the encrypted package
        ("secret.docx", SAMPLES[kinds.OLE], kinds.OLE),
        ("secret.xlsx", SAMPLES[kinds.OLE], kinds.OLE),
        # Word saves RTF under .doc; Excel's XML, tab-separated and HTML exports are .xls
        ("letter.doc", b"{\\rtf1\\ansi Hello}", "application/json"),
        ("sheet.xls", b'<?xml version="1.0"?><Workbook/>', "application/xml"),
        ("sheet.xls", b"a\tb\n1\t2\n", "text/plain"),
        ("sheet.xls", b"<html><table><tr><td>1</td></tr></table></html>", "text/plain"),
        # readers accept the PDF header after a BOM or a blank line
        ("contract.pdf", b"\xef\xbb\xbf\n" + pdf(), "application/pdf"),
    ],
)
def test_files_a_careful_user_has_are_kept(
    name: str, data: bytes, detected: str, world: Any, lawyer_api: Any
) -> None:
    r = upload(lawyer_api, world.project.id, data, name=name)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["content_type"] == detected


def test_a_trailing_dot_does_not_hide_a_script(world: Any, lawyer_api: Any, blob_dir: Any) -> None:
    """Windows drops trailing dots when it saves: "run.js." would arrive as run.js."""
    for name in ("run.js.", "run.bat..", "run.hta. ."):
        r = upload(lawyer_api, world.project.id, b"echo hello\r\n", name=name)
        assert r.status_code == 422, (name, r.get_json())
    assert version_rows() == 0 and blob_files(blob_dir) == []


def test_office_markers_are_member_names_not_content() -> None:
    """A presentation whose stored slide text says "word/" is still a presentation, and an
    OpenDocument's mimetype entry is found past an extra field."""
    pptx = zip_of(
        ("[Content_Types].xml", b"<Types/>"),
        ("notes.txt", b"see word/ and xl/ folders"),
        ("ppt/presentation.xml", b"<p/>"),
    )
    assert content.detect(pptx) == kinds.POWERPOINT
    odt = zip_of(("mimetype", b"application/vnd.oasis.opendocument.text"), extra=b"\xfe\xca\0\0")
    assert content.detect(odt) == kinds.ODT
