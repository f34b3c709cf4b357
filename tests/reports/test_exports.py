"""Download names for any filename (RFC 6266/5987) and cells an XLSX can hold."""

from __future__ import annotations

import io
from urllib.parse import unquote

from openpyxl import load_workbook

from tests.support import xlsx_rows
from tracker.reports.exports import csv_bytes, download, xlsx_bytes
from tracker.web.downloads import content_disposition


def _parts(header: str) -> tuple[str, str]:
    kind, fallback, extended = (p.strip() for p in header.split(";"))
    assert kind == "attachment"
    assert fallback.startswith('filename="') and fallback.endswith('"')
    assert extended.startswith("filename*=UTF-8''")
    return fallback[len('filename="') : -1], unquote(extended[len("filename*=UTF-8''") :])


def test_korean_name_has_an_ascii_fallback_and_the_exact_utf8_name():
    header = content_disposition("서울 구역 과제 목록.csv")
    header.encode("latin-1")  # a header value must be Latin-1 (it is plain ASCII here)
    fallback, exact = _parts(header)
    assert fallback == "download.csv"
    assert exact == "서울 구역 과제 목록.csv"
    assert "%EC%84%9C%EC%9A%B8%20" in header  # 서울 and a space, percent-encoded


def test_quotes_backslashes_and_control_characters_cannot_break_the_header():
    header = content_disposition('Q3 "final"\\report\r\nSet-Cookie: x.xlsx')
    assert "\r" not in header and "\n" not in header
    fallback, exact = _parts(header)
    assert fallback == "Q3 finalreportSet-Cookie: x.xlsx"
    assert exact == 'Q3 "final"\\reportSet-Cookie: x.xlsx'
    assert "%22final%22" in header and "%5C" in header


def test_mixed_name_keeps_its_ascii_letters():
    fallback, exact = _parts(content_disposition("Résumé 보고서 2026.pdf"))
    assert fallback == "Resume  2026.pdf"
    assert exact == "Résumé 보고서 2026.pdf"


def test_download_uses_the_rfc_6266_header(app):
    with app.test_request_context():
        response = download("csv", ["이름"], [["값"]], "과제 목록", "sheet")
    fallback, exact = _parts(response.headers["Content-Disposition"])
    assert exact == "과제 목록.csv"
    assert fallback == "download.csv"


def test_xlsx_with_control_characters_builds_and_keeps_the_text():
    body = xlsx_bytes("목록", ["제목", "메모"], [["줄\x0b바꿈\x00", "탭\t그대로\n줄"]])
    ws = load_workbook(io.BytesIO(body), read_only=True)["목록"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows == [["제목", "메모"], ["줄바꿈", "탭\t그대로\n줄"]]


def test_csv_drops_the_same_control_characters():
    text = csv_bytes(["a"], [["x\x0by\x1fz"]]).decode("utf-8-sig")
    assert text.splitlines() == ["a", "xyz"]


def test_xlsx_drops_every_character_xml_cannot_hold():
    """Issue 21, finding 4: U+FFFE or U+FFFF in one title made every XLSX holding it a 500;
    lone surrogates too. Tab, LF, CR, C1 controls and the rest of Unicode stay."""
    odd = "a\ufffeb\uffffc\ud800d\x00e\x85f\U0001f600\t\n\r\ue000"
    body = xlsx_bytes("목록\uffff", ["제목\ufffe"], [[odd]])
    rows = xlsx_rows(body)
    assert rows == [["제목"], ["ab" + "c" + "de\x85f\U0001f600\t\n\r\ue000"]]
    text = csv_bytes(["a"], [[odd]]).decode("utf-8-sig")
    assert not {"\ufffe", "\uffff", "\x00"} & set(text) and "abcde" in text
