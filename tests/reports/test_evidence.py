"""The evidence pack: its PDF says what the manifest says; its ZIP streams in bounded memory
and opens with every CRC right."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tracemalloc
import zipfile
from collections.abc import Iterator

from tests.reports.pdfcheck import ink, page_one_png, pdf_text, squash
from tests.reports.samples import manifest
from tracker.reports.evidence import (
    evidence_zip,
    member_names,
    render_evidence_pdf,
    safe_arcname,
)

MiB = 1 << 20


def test_pdf_lists_asset_files_certificate_ndas_and_events(app, tmp_path):
    pdf = render_evidence_pdf(manifest(), "ko")
    text = squash(pdf_text(pdf, tmp_path))
    for expected in (
        "영업비밀 증거 자료",
        "양극재 소성 조건 (영업비밀)",
        "원본증명 번호: OC-2026-000123",
        "소성조건_실험노트.pdf",
        "ab" * 16,  # the SHA-256, in two halves
        "2026. 10. 1.",  # uploaded in Seoul (the cell wraps before the time)
        "Fraunhofer IKTS",
        "2027. 1. 15.",
        "접근 기록 (1건)",
        "이연구 (기업 담당자)",
        "1/1쪽",
    ):
        assert squash(expected) in text, expected
    # no code, no id, no UTC or ISO time reaches the reader (issue 19)
    for code in ("trade_secret", "asset.", "attachment.", "asset#", "UTC", "+00:00", "T12:00"):
        assert code not in text, code
    spread, _colours = ink(page_one_png(pdf, tmp_path))
    assert spread > 10


def test_pdf_in_english_without_certificate_or_events(app, tmp_path):
    data = manifest()
    data["originality_cert_no"] = None
    data["access_events"] = []
    text = squash(pdf_text(render_evidence_pdf(data, "en"), tmp_path))
    assert "Trade-secretevidencepack" in text
    assert "Nooriginalitycertificateisrecorded." in text
    assert "Accessevents(0)" in text


BLOCK = os.urandom(64 * 1024)


def _chunks(n: int, block: bytes = BLOCK) -> Iterator[bytes]:
    for i in range(n):
        yield block[i % 7 :] + block[: i % 7]


def test_zip_opens_and_every_crc_verifies(app):
    data = manifest()
    files = [
        ("소성조건_실험노트.pdf", _chunks(40)),
        ("../../etc/passwd", [b"x"]),
        ("소성조건_실험노트.pdf", iter([b"second", b" version"])),
    ]
    expected = b"".join(_chunks(40))
    body = b"".join(evidence_zip(data, b"%PDF-1.4 test", files))
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        assert zf.testzip() is None  # every member's CRC-32 matches its data
        assert zf.namelist() == [
            "manifest.json",
            "evidence.pdf",
            "files/소성조건_실험노트.pdf",
            "files/etc/passwd",
            "files/소성조건_실험노트 (2).pdf",
        ]
        stored = zf.read("files/소성조건_실험노트.pdf")
        assert hashlib.sha256(stored).digest() == hashlib.sha256(expected).digest()
        assert zf.read("files/소성조건_실험노트 (2).pdf") == b"second version"
        assert zf.read("evidence.pdf") == b"%PDF-1.4 test"
        loaded = json.loads(zf.read("manifest.json"))
        assert loaded["originality_cert_no"] == "OC-2026-000123"
        assert loaded["files"][0]["sha256"] == "ab" * 32
        assert loaded["generated_at"] == "2026-11-30T09:30:00+00:00"
        assert loaded["access_events"][0]["object"]["type"] == "attachment"


def test_arcnames_cannot_escape_or_carry_control_characters():
    assert safe_arcname("../../a/./b\x00c.txt") == "a/bc.txt"
    assert safe_arcname("C:\\Users\\x.doc") == "C:/Users/x.doc"
    assert safe_arcname("/..") == "file"


def test_member_names_are_the_names_the_zip_writes():
    """What the manifest's paths are made with names exactly the ZIP's members, for names that
    escape, nest, carry control characters or repeat (also once made safe)."""
    names = ["../x", "x", "a/b", "a/./b", "c\x01d.txt", "cd.txt", "cd (2).txt", "..", "", "/"]
    body = b"".join(evidence_zip(manifest(), b"%PDF", [(n, [n.encode()]) for n in names]))
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        written = zf.namelist()[2:]
        assert member_names(names) == written
        assert len(set(written)) == len(names)
        assert [zf.read(w) for w in written] == [n.encode() for n in names]


def test_a_one_gib_file_streams_in_bounded_memory(app):
    """1 GiB through the ZIP in 1 MiB chunks: peak traced memory stays under 32 MiB (the file
    is never held whole); the output is read and dropped as a response would send it."""
    block = os.urandom(MiB)
    count = 1024

    def one_gib() -> Iterator[bytes]:
        for _ in range(count):
            yield block

    tracemalloc.start()
    try:
        total = 0
        tail = b""
        for piece in evidence_zip(manifest(), b"%PDF-1.4", [("big.bin", one_gib())]):
            total += len(piece)
            tail = (tail + piece)[-4096:]
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 32 * MiB, f"peak {peak / MiB:.1f} MiB"
    assert total > count * MiB  # the file was stored whole, not dropped
    assert b"PK\x05\x06" in tail  # the archive was closed with its central directory
