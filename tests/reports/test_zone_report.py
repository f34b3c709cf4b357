"""The zone report: Hangul and English text, exactly the given projects, page numbers, a
heat map that is really drawn, metadata."""

from __future__ import annotations

import re

from tests.reports.pdfcheck import ink, page_count, page_one_png, pdf_text, squash
from tests.reports.samples import zone_data
from tracker.reports.pdf import level_of
from tracker.reports.zone_report import render_zone_report


def test_korean_report_has_hangul_labels_and_data(app, tmp_path):
    pdf = render_zone_report(zone_data(), "ko")
    assert pdf.startswith(b"%PDF-")
    text = squash(pdf_text(pdf, tmp_path))
    for expected in (
        "특구 위험 현황 보고서",  # title, translated
        "서울 보안구역 A",  # zone name
        "김운영 (구역 운영자)",  # who generated it
        "2026. 11. 30. 오후 6:30",  # 09:30 UTC in Seoul, the reader's zone
        "위험 히트맵",
        "차세대 이차전지 양극재",  # a Korean project title (Hangul from the shipped font)
        "1. 15.까지 적용",  # NDA coverage per partner (the date wraps in its narrow cell)
        "도쿄 머티리얼즈: 미적용",
        "결정을 기다리는 자료 제공 요청 (1)",
        "차단된 자료 제공 요청 (1)",
        "도쿄 머티리얼즈와 유효한 NDA가 없습니다.",
    ):
        assert squash(expected) in text, expected
    assert "Zonerisk-statusreport" not in text
    assert "/Title (Zone" not in pdf.decode("latin-1")


def test_english_report(app, tmp_path):
    text = squash(pdf_text(render_zone_report(zone_data(), "en"), tmp_path))
    for expected in (
        "Zone risk-status report",
        "Risk heat map",
        "Projects without a current review: 1",
        "Transfer requests waiting for a decision (1)",
        "Blocked transfer requests (1)",
        "All checks pass",
        "새별전자",  # data stays as written
    ):
        assert squash(expected) in text, expected
    assert "위험히트맵" not in text


def test_lists_exactly_the_projects_given(app, tmp_path):
    data = zone_data(projects=3)
    text = pdf_text(render_zone_report(data, "en"), tmp_path)
    codes = set(re.findall(r"KR-2026-\d{3}", text))
    assert codes == {"KR-2026-001", "KR-2026-002", "KR-2026-003"}
    assert "Projects (3)" in text.replace("\n", " ")


def test_empty_zone(app, tmp_path):
    data = zone_data()
    data["projects"], data["requests"] = [], []
    data["heat_map"] = {"cells": [[0] * 5 for _ in range(5)], "unreviewed": 0}
    text = pdf_text(render_zone_report(data, "ko"), tmp_path)
    assert "이특구에는과제가없습니다." in squash(text)
    assert "KR-2026" not in text


def test_long_report_numbers_pages_and_repeats_the_header(app, tmp_path):
    pdf = render_zone_report(zone_data(projects=60), "ko")
    pages = page_count(pdf, tmp_path)
    assert pages >= 4
    text = pdf_text(pdf, tmp_path)
    for n in range(1, pages + 1):
        assert f"{n}/{pages}쪽" in squash(text)
    page_texts = text.split("\f")
    # the table's header row is repeated on every page the project table runs over
    companies = ("한빛소재", "HanbitMaterials", "새별전자")  # only the project table names them
    with_rows = [p for p in page_texts if any(c in squash(p) for c in companies)]
    assert len(with_rows) >= 3
    assert all("협력기관별NDA적용" in squash(p) for p in with_rows)
    assert len(set(re.findall(r"KR-2026-\d{3}", text))) == 60


def test_english_page_numbers(app, tmp_path):
    pdf = render_zone_report(zone_data(), "en")
    pages = page_count(pdf, tmp_path)
    assert f"page1/{pages}" in squash(pdf_text(pdf, tmp_path))


def test_page_one_renders_with_ink_and_colour(app, tmp_path):
    png = page_one_png(render_zone_report(zone_data(), "ko"), tmp_path)
    spread, colours = ink(png)
    assert spread > 20  # not a blank page
    assert colours > 50  # text plus the four level colours of the heat map


def test_metadata(app, tmp_path):
    pdf = render_zone_report(zone_data(), "en")
    path = tmp_path / "m.pdf"
    path.write_bytes(pdf)
    import subprocess

    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout.decode()
    assert "Title:           Zone risk-status report" in info
    assert "Author:          김운영 (구역 운영자)" in info
    assert "Creator:         Tracker" in info


def test_levels_follow_the_score_bounds():
    assert [level_of(s) for s in (1, 4, 5, 9, 10, 16, 17, 25)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
        "critical",
        "critical",
    ]
