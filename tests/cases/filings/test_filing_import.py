"""Importing a docket (CSV or XLSX) over the API: the issue's family from a spreadsheet, Korean
headers, a dry run, one bad row storing nothing with every error by row and column, every
role in and out of scope, hostile files, and the one audit event without cell values."""

from __future__ import annotations

import io
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from tests.support import OUTSIDERS, ROLES, count, make_asset, multipart
from tracker.audit.models import AuditEvent
from tracker.cases import search
from tracker.cases.assets.models import IpAsset
from tracker.cases.filings.models import Filing, FilingDeadlineRow
from tracker.db import db

HEADER = (
    "asset_title,asset_kind,office,route,application_no,parent_application_no,filed_on,"
    "priority_on,published_on,registered_on,registration_no,status\n"
)
FAMILY = HEADER + "".join(
    ",".join(cells) + "\n"
    for cells in (
        ("Converter cell", "patent", "KR", "first", "10-2024-0041234", "", "2024-03-31", "",
         "", "2026-05-12", "10-2765432", "registered"),
        ("Converter cell", "patent", "WO", "pct", "PCT/KR2025/004321", "10-2024-0041234",
         "2025-03-28", "2024-03-31", "", "", "", "pending"),
        ("Converter cell", "patent", "US", "national_phase", "18/123456", "PCT/KR2025/004321",
         "2025-03-28", "2024-03-31", "", "2028-06-13", "12345678", "registered"),
        ("Converter cell", "patent", "EP", "national_phase", "25712345.6", "PCT/KR2025/004321",
         "2025-03-28", "2024-03-31", "", "", "", "pending"),
        ("Solar mark", "trademark", "KR", "", "40-2015-0012345", "", "2014-03-03", "", "",
         "2015-06-30", "40-1234567", "registered"),
    )
)  # fmt: skip
SECRET_CELL = "Converter cell"


@pytest.fixture
def lawyer(world, api_as):
    return api_as(world.users["lawyer"])


def post(client, project_id, data, name="docket.csv", query=""):
    return client.post(
        f"/api/v1/projects/{project_id}/filings/import{query}",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def state():
    return (count(IpAsset), count(Filing), count(FilingDeadlineRow), count(AuditEvent))


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_issue_family_imports_and_each_office_counts_from_its_own_filing(world, lawyer):
    r = post(lawyer, world.project.id, FAMILY.encode())
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"rows": 5, "assets": 2, "filings": 5, "errors": []}
    asset = db.session.scalar(sa.select(IpAsset).where(IpAsset.title == "Converter cell"))
    assert asset.project_id == world.project.id and asset.kind == "patent"
    assert asset.jurisdictions == ["KR", "WO", "US", "EP"]
    filings = {f.office: f for f in asset.filings}
    assert filings["US"].parent_id == filings["WO"].id == filings["EP"].parent_id
    assert filings["WO"].parent_id == filings["KR"].id
    due = {
        (row.key, row.office): (row.due_on.isoformat(), row.grace_until.isoformat())
        for f in asset.filings
        for row in f.deadlines
        if row.key in ("annuity:US:1", "annuity:EP:3", "annuity:KR:4")
    }
    assert due == {
        ("annuity:US:1", "US"): ("2031-12-13", "2032-06-13"),
        ("annuity:EP:3", "EP"): ("2027-03-31", "2027-09-30"),
        ("annuity:KR:4", "KR"): ("2029-05-12", "2029-11-12"),
    }
    # the new assets and filings are found by search (a filing by its application number)
    found = db.session.scalars(search.search_entries(world.users["lawyer"], "18/123456")).all()
    assert [(e.record_type, e.record_id) for e in found] == [("filing", filings["US"].id)]
    assert db.session.scalars(search.search_entries(world.users["lawyer"], "Converter")).all()
    mark = db.session.scalar(sa.select(IpAsset).where(IpAsset.title == "Solar mark"))
    (tm,) = mark.filings
    assert tm.route == "first" and [d.key for d in tm.deadlines if d.kind == "ip_renewal"]
    # ONE audit event, with the counts and no cell value
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "filing.imported")
    ).all()
    (event,) = events
    assert event.detail == {
        "project_id": world.project.id, "rows": 5, "assets": 2, "new_assets": 2, "filings": 5,
    }  # fmt: skip
    assert SECRET_CELL not in repr(event.detail)
    assert not db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action.in_(("filing.created", "asset.created")))
    )


def test_a_dry_run_counts_and_stores_nothing(world, lawyer):
    before = state()
    r = post(lawyer, world.project.id, FAMILY.encode(), query="?dry_run=true")
    assert r.status_code == 200
    assert r.get_json() == {"rows": 5, "assets": 2, "filings": 5, "errors": []}
    assert state() == before


def test_korean_headers_and_values_from_an_xlsx_and_an_existing_asset_reused(world, lawyer):
    existing = make_asset(world.project, title="변환 셀", kind="patent")
    data = xlsx([
        ["자산명", "자산 종류", "관청", "경로", "출원번호", "모출원번호", "출원일", "등록일",
         "상태"],
        ["변환 셀", "특허", "KR", "최초", "10-2023-0001", None, "2023.02.28", None, "계속중"],
        ["변환 셀", None, "JP", "파리", "2024-012345", "10-2023-0001", "2024-02-27", None, "출원"],
    ])  # fmt: skip
    r = post(lawyer, world.project.id, data, name="docket.xlsx")
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"rows": 2, "assets": 1, "filings": 2, "errors": []}
    db.session.refresh(existing)
    assert sorted(f.office for f in existing.filings) == ["JP", "KR"]
    keys = {d.key for f in existing.filings for d in f.deadlines}
    assert "examination" in keys


def test_one_bad_row_stores_nothing_and_every_error_is_named_by_row_and_column(world, lawyer):
    bad = FAMILY + (
        "Converter cell,patent,XX,paris,X-1,NOPE,2024-13-01,,,,,flying\n"
        ",patent,KR,first,,,2024-01-01,,,,,\n"
        "Other,trade_secret,KR,first,,,2024-01-01,2024-01-02,,2023-01-01,,\n"
    )
    before = state()
    r = post(lawyer, world.project.id, bad.encode())
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"
    errors = {(e["row"], e["field"]) for e in r.get_json()["errors"]}
    assert errors == {
        (7, "office"), (7, "filed_on"), (7, "status"), (7, "parent_application_no"),
        (8, "asset_title"),
        (9, "asset_kind"), (9, "priority_on"), (9, "registered_on"),
    }  # fmt: skip
    assert state() == before


@pytest.mark.parametrize("role", ROLES)
def test_only_lawyers_in_scope_import(world, api_as, role):
    before = state()
    r = post(api_as(world.users[role]), world.project.id, FAMILY.encode())
    assert r.status_code == (200 if role == "lawyer" else 403)
    if role != "lawyer":
        assert count(IpAsset) == before[0] and count(Filing) == before[1]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_404_and_nothing_changes(world, api_as, role):
    before = state()
    r = post(api_as(world.outsiders[role]), world.project.id, FAMILY.encode())
    assert r.status_code == 404
    assert count(IpAsset) == before[0] and count(Filing) == before[1]


def _truncated() -> bytes:
    data = xlsx([["asset_title", "office", "filed_on"], ["A", "KR", "2024-01-01"]])
    return data[: len(data) // 2]


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<a/>")
        z.writestr("xl/worksheets/sheet1.xml", b" " * (60 * 1024 * 1024))
    return out.getvalue()


def _formula() -> bytes:
    return xlsx([["asset_title", "office", "filed_on"], ["A", "KR", "=TODAY()"]])


@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        (_truncated(), 422, "file"),
        (_bomb(), 422, "file"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, 422, "file"),
        (b"", 422, "file"),
        (HEADER.encode() + b"A\x07bell,patent,KR,first,,,2024-01-01,,,,,\n", 422, "asset_title"),
        (HEADER.encode() + b'"Two\nlines",patent,KR,first,,,2024-01-01,,,,,\n', 422, "asset_title"),
        (HEADER.encode() + b"=HYPERLINK(\"x\"),patent,KR,first,,,2024-01-01,,,,,\n", 422,
         "asset_title"),
        (_formula(), 422, "filed_on"),
        (b"title,office\nA,KR\n", 422, "header"),
        (HEADER.encode() + b"A,patent,KR,first,,,2024-01-01,,,,,\n" * 5001, 422, "file"),
    ],
    ids=["truncated-xlsx", "zip-bomb", "binary", "empty", "control", "newline", "csv-formula",
         "xlsx-formula", "unknown-header", "too-many-rows"],
)  # fmt: skip
def test_hostile_files_answer_4xx_and_store_nothing(world, lawyer, data, status, field):
    before = state()
    r = post(lawyer, world.project.id, data)
    assert r.status_code == status, r.get_data()[:300]
    assert r.mimetype == "application/problem+json"
    assert field in {e["field"] for e in r.get_json()["errors"]}
    assert state() == before


def test_a_huge_file_is_refused_with_413_before_it_is_read(world, lawyer):
    before = state()
    body = multipart([("file", "docket.csv", b"a" * (3 * 1024 * 1024))])
    r = lawyer.post(
        f"/api/v1/projects/{world.project.id}/filings/import",
        data=body,
        content_type="multipart/form-data; boundary=XyZ",
    )
    assert r.status_code == 413
    assert state() == before


def test_malformed_requests_are_400_not_500(world, lawyer):
    r = lawyer.post(f"/api/v1/projects/{world.project.id}/filings/import", json={"file": "x"})
    assert r.status_code == 415
    r = lawyer.post(
        f"/api/v1/projects/{world.project.id}/filings/import",
        data={"other": (io.BytesIO(b"x"), "a.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 400
    r = post(lawyer, world.project.id, FAMILY.encode(), query="?dry_run=maybe")
    assert r.status_code == 422
    r = post(lawyer, 10**30, FAMILY.encode())
    assert r.status_code == 404


def test_importing_the_same_docket_twice_is_refused_the_second_time(world, lawyer):
    assert post(lawyer, world.project.id, FAMILY.encode()).status_code == 200
    before = state()
    r = post(lawyer, world.project.id, FAMILY.encode())
    assert r.status_code == 422
    assert {(e["row"], e["field"]) for e in r.get_json()["errors"]} >= {(2, "application_no")}
    assert state() == before
