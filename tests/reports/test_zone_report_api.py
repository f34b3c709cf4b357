"""GET /api/v1/zones/{id}/report.pdf: exactly the zone's projects, Hangul, refusals, audited."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from tests.reports.pdfcheck import ink, page_one_png, pdf_text, squash
from tests.support import TODAY, approved_review, audit_actions, day, statements
from tracker import clock
from tracker.cases.ndas.models import Nda
from tracker.db import db
from tracker.i18n import format_day
from tracker.transfers.models import TransferRequest


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def zone_world(world: Any, make_project: Any, make_org: Any) -> Any:
    w = world
    w.project.code, w.project.title = "KR-ZR-001", "차세대 이차전지 양극재 공정"
    w.second = make_project(code="KR-ZR-002", title="Solid electrolyte", zone=w.zone)
    w.elsewhere = make_project(code="KR-ZR-999", title="다른 구역 과제")
    db.session.add(
        approved_review(
            w.project,
            w.users["lawyer"].id,
            likelihood=4,
            impact=4,
            score=16,
            level="high",
            valid_until=day(126),
        )
    )
    db.session.add(
        Nda(
            project=w.project,
            partner=w.partner,
            effective_on=day(-328),
            expires_on=day(51),
            status="active",
        )
    )
    w.blocked = TransferRequest(
        project=w.project,
        partner=w.partner,
        purpose="Pilot data",
        channel="email",
        planned_on=day(15),
        status="blocked",
        requested_by=w.users["lawyer"],
        checks=[
            {
                "code": "partner_on_project",
                "ok": False,
                "params": {"reason": "absent", "partner": "도쿄 머티리얼즈"},
            }
        ],
    )
    w.pending = TransferRequest(
        project=w.second,
        partner=w.partner,
        purpose="Samples",
        channel="email",
        planned_on=day(16),
        status="pending_review",
        requested_by=w.users["lawyer"],
        checks=[],
    )
    db.session.add_all([w.blocked, w.pending])
    db.session.flush()
    return w


def _get(api_as: Any, user: Any, zone_id: int) -> Any:
    return api_as(user).get(f"/api/v1/zones/{zone_id}/report.pdf")


def test_operator_gets_exactly_the_zone_projects_in_korean(zone_world, api_as, tmp_path):
    w = zone_world
    operator = w.users["operator"]
    operator.locale = "ko"
    db.session.flush()
    r = _get(api_as, operator, w.zone.id)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"].startswith('attachment; filename="zone-report-')
    text = pdf_text(r.data, tmp_path)
    assert set(re.findall(r"KR-ZR-\d{3}", text)) == {"KR-ZR-001", "KR-ZR-002"}
    flat = squash(text)
    # the title's words (the narrow cell wraps between them)
    for expected in (
        "특구 위험 현황 보고서",
        "차세대",
        "이차전지",
        "양극재",
        w.zone.name_ko,
        "과제 (2건)",
        format_day(day(126), "ko"),
        format_day(day(51), "ko"),
        "결정을 기다리는 자료 제공 요청 (1)",
        "차단된 자료 제공 요청 (1)",
        "도쿄 머티리얼즈",
    ):
        assert squash(expected) in flat, expected
    assert "Zonerisk-statusreport" not in flat
    spread, colours = ink(page_one_png(r.data, tmp_path))
    assert spread > 10 and colours > 4


@pytest.mark.parametrize(
    "at, day",
    [
        (dt.datetime(2026, 11, 30, 23, 0, tzinfo=dt.UTC), "2026-12-01"),  # 08:00 KST
        (dt.datetime(2026, 12, 1, 14, 59, tzinfo=dt.UTC), "2026-12-01"),  # 23:59 KST
        (dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC), "2026-12-02"),  # midnight KST
    ],
)
def test_named_with_the_day_in_korea(zone_world, api_as, monkeypatch, at, day):
    monkeypatch.setattr(clock, "now", lambda: at)
    w = zone_world
    r = _get(api_as, w.users["admin"], w.zone.id)
    assert r.status_code == 200
    assert f'filename="zone-report-{w.zone.code}-{day}.pdf"' in r.headers["Content-Disposition"]


def test_english_for_an_english_reader(zone_world, api_as, tmp_path):
    r = _get(api_as, zone_world.users["auditor"], zone_world.zone.id)
    assert r.status_code == 200
    flat = squash(pdf_text(r.data, tmp_path))
    assert "Zonerisk-statusreport" in flat
    assert "Partneronthe project".replace(" ", "") in flat  # the failing check, as text


@pytest.mark.parametrize(
    "who, status",
    [("admin", 200), ("auditor", 200), ("operator", 200), ("lawyer", 403), ("company", 403)],
)
def test_who_may_have_it(zone_world, api_as, who, status):
    assert _get(api_as, zone_world.users[who], zone_world.zone.id).status_code == status


def test_another_zones_operator_and_missing_zones_are_not_found(zone_world, api_as):
    assert _get(api_as, zone_world.outsiders["operator"], zone_world.zone.id).status_code == 404
    assert _get(api_as, zone_world.users["admin"], 2**40).status_code == 404


def test_audited_without_content(zone_world, api_as):
    before = len(audit_actions("report.zone_pdf"))
    assert _get(api_as, zone_world.users["admin"], zone_world.zone.id).status_code == 200
    db.session.expire_all()
    events = audit_actions("report.zone_pdf")
    assert len(events) == before + 1
    event = events[-1]
    assert (event.object_type, event.object_id) == ("zone", zone_world.zone.id)
    assert event.detail["zone_id"] == zone_world.zone.id
    assert "KR-ZR-001" not in str(event.detail)


def test_fixed_number_of_statements(zone_world, api_as, make_project):
    api = api_as(zone_world.users["admin"])
    assert api.get(f"/api/v1/zones/{zone_world.zone.id}/report.pdf").status_code == 200  # warm
    with statements() as few:
        assert api.get(f"/api/v1/zones/{zone_world.zone.id}/report.pdf").status_code == 200
    for _ in range(5):
        make_project(zone=zone_world.zone)
    with statements() as more:
        assert api.get(f"/api/v1/zones/{zone_world.zone.id}/report.pdf").status_code == 200
    assert len(more) == len(few), "\n---\n".join(more)


def test_documented_as_pdf(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    answer = spec["paths"]["/api/v1/zones/{zone_id}/report.pdf"]["get"]["responses"]["200"]
    assert "application/pdf" in answer["content"]


def test_buttons_on_the_zone_pages(zone_world, browser_as):
    link = f"/api/v1/zones/{zone_world.zone.id}/report.pdf"
    page = browser_as(zone_world.users["operator"]).get("/zone")
    assert page.status_code == 200 and link in page.get_data(as_text=True)
    for role in ("admin", "auditor"):
        page = browser_as(zone_world.users[role]).get("/admin/zones")
        assert page.status_code == 200 and link in page.get_data(as_text=True), role
    browser = browser_as(zone_world.users["operator"])
    assert browser.get(link).status_code == 200  # the page's session works for the download


def test_requests_only_for_roles_that_may_see_them(zone_world, api_as, tmp_path):
    """Admins may not see data-sharing requests (transfer.view): their report lists none, while
    the auditor's and the operator's list the zone's pending and blocked requests."""
    w = zone_world
    texts = {}
    for role in ("admin", "auditor", "operator"):
        user = w.users[role]
        user.locale = "en"
        db.session.flush()
        texts[role] = squash(pdf_text(_get(api_as, user, w.zone.id).data, tmp_path))
    # the requests' table (its header and the blocked one's failing check) is there for the
    # auditor and the operator; the admin's report says there are none
    for role in ("auditor", "operator"):
        assert "Failingchecks" in texts[role] and "Partnerontheproject" in texts[role]
    assert "Failingchecks" not in texts["admin"] and "Partnerontheproject" not in texts["admin"]
