"""Exports that name things: names before the ids they name, headers in the reader's language,
dates as date cells, control characters stripped, download names for any project code."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from typing import Any
from urllib.parse import unquote

import pytest

from tests.support import audit_actions, day, make_asset, make_disclosure, statements, xlsx_rows
from tracker.db import db


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.get_data()[:300]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.fixture
def named(world: Any, make_project: Any) -> Any:
    w = world
    w.zone.name_ko, w.zone.name_en = "서울 보안구역", "Seoul security zone"
    w.company.name = "한빛소재 주식회사"
    w.partner.name = "Fraunhofer IKTS"
    w.users["lawyer"].name = "박변호"
    w.project.start_date = day(-269)
    db.session.flush()
    return w


def test_project_list_names_zone_company_partners_and_lawyers_in_korean(named, api_as):
    w = named
    admin = w.users["admin"]
    admin.locale = "ko"
    db.session.flush()
    r = api_as(admin).get("/api/v1/projects?format=csv")
    rows = _csv(r)
    header = list(rows[0])
    # the name first, its id in a column of its own right after
    for name, ident in (("특구", "특구 ID"), ("기업", "기업 ID"), ("협력기관", "협력기관 ID")):
        assert header.index(name) < header.index(ident), name
    row = next(x for x in rows if x["코드"] == w.project.code)
    assert row["특구"] == f"서울 보안구역 ({w.zone.code})" and row["특구 ID"] == str(w.zone.id)
    assert row["기업"] == "한빛소재 주식회사" and row["기업 ID"] == str(w.company.id)
    assert row["협력기관"] == "Fraunhofer IKTS" and row["담당 변호사"] == "박변호"
    assert row["시작일"] == day(-269).isoformat()
    assert "zone_id" not in header and "company_id" not in header


def test_english_headers_for_an_english_reader(named, api_as):
    rows = _csv(api_as(named.users["auditor"]).get("/api/v1/projects?format=csv"))
    row = next(x for x in rows if x["Code"] == named.project.code)
    assert row["Zone"] == f"Seoul security zone ({named.zone.code})"
    assert row["Company"] == "한빛소재 주식회사"


SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


def test_xlsx_holds_dates_as_dates(named, api_as):
    r = api_as(named.users["admin"]).get("/api/v1/projects?format=xlsx")
    assert r.status_code == 200
    rows = xlsx_rows(r.get_data())
    header = rows[0]
    row = next(x for x in rows[1:] if named.project.code in x)
    assert row[header.index("Start date")] == dt.datetime.combine(day(-269), dt.time())  # a date
    created = row[header.index("Created at (+09:00)")]  # the reader's zone, Seoul
    assert isinstance(created, dt.datetime)
    local = named.project.created_at.astimezone(SEOUL).replace(tzinfo=None)
    assert abs(created - local) < dt.timedelta(seconds=1)


def test_names_in_a_fixed_number_of_statements(named, api_as, make_project, make_org):
    api = api_as(named.users["admin"])
    api.get("/api/v1/projects?format=csv")  # warm
    with statements() as few:
        api.get("/api/v1/projects?format=csv")
    for _ in range(4):
        make_project(zone=named.zone, partners=[make_org("partner")])
    with statements() as more:
        api.get("/api/v1/projects?format=csv")
    assert len(more) == len(few)


def test_nda_and_asset_lists_name_partners_and_assets(named, api_as):
    from tracker.cases.ndas.models import Nda

    w = named
    asset = make_asset(w.project, title="양극재 소성 조건")
    db.session.add(
        Nda(
            project=w.project,
            partner=w.partner,
            effective_on=day(-328),
            expires_on=day(37),
            status="active",
            assets=[asset],
        )
    )
    db.session.flush()
    [row] = _csv(api_as(w.users["lawyer"]).get(f"/api/v1/projects/{w.project.id}/ndas?format=csv"))
    assert row["Assets"] == "양극재 소성 조건" and row["Asset IDs"] == str(asset.id)
    # a project by its code and title
    project = f"{w.project.code} · {w.project.title}"
    assert row["Partner name"] == "Fraunhofer IKTS" and row["Project"] == project
    assert row["Status"] == "Active"


def test_disclosure_with_a_control_character_exports_to_xlsx(named, api_as):
    w = named
    make_disclosure(w.project, w.users["company"], description="line\x0bbreak\x0c here")
    api = api_as(w.users["lawyer"])
    r = api.get(f"/api/v1/projects/{w.project.id}/disclosures?format=xlsx")
    assert r.status_code == 200
    rows = xlsx_rows(r.get_data())
    header = rows[0]
    assert rows[1][header.index("Description")] == "linebreak here"
    assert rows[1][header.index("Filed by")] == w.users["company"].name
    assert rows[1][header.index("Status")] == "Submitted"
    inventors = rows[1][header.index("Inventors")]
    assert "Name: Kim Minji" in inventors and "Share (%): 60" in inventors
    csv_rows = _csv(api.get(f"/api/v1/projects/{w.project.id}/disclosures?format=csv"))
    assert csv_rows[0]["Description"] == "linebreak here"


@pytest.mark.parametrize("code", ["과제-코드-01", 'KR"26"-\\01'])
@pytest.mark.parametrize("path", ["assets", "ndas", "disclosures", "risk-reviews", "sessions"])
def test_per_project_exports_for_any_code(named, api_as, code, path):
    w = named
    w.project.code = code
    db.session.flush()
    r = api_as(w.users["lawyer"]).get(f"/api/v1/projects/{w.project.id}/{path}?format=csv")
    assert r.status_code == 200
    disposition = r.headers["Content-Disposition"]
    fallback = disposition.split('filename="', 1)[1].split('"', 1)[0]
    assert '"' not in fallback and "\\" not in fallback and fallback.endswith(".csv")
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == f"{path}-{code}.csv"


def test_export_audited_once_delivered(named, api_as):
    before = len(audit_actions("export.list"))
    r = api_as(named.users["admin"]).get("/api/v1/projects?format=xlsx")
    assert r.status_code == 200
    db.session.expire_all()
    [event] = audit_actions("export.list")[before:]
    assert event.detail["format"] == "xlsx" and event.detail["list"] == "projects"
    bad = api_as(named.users["admin"]).get("/api/v1/projects?format=ods")
    assert bad.status_code == 422
    assert len(audit_actions("export.list")) == before + 1
