"""Every e-mail names times and dates in the RECIPIENT's time zone and language, as people
write them ("2026년 12월 7일 (월) 오전 1:30", "Sun 6 Dec 2026, 17:30 (+01:00)"), never UTC or
ISO: the invitation's end, a decision's moment and the digest's date and deadlines, each sent
to a real SMTP server (aiosmtpd). The moment is 16:30 UTC: already the next day in Seoul, still
the same day in Berlin, so the two readers' dates differ."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

import pytest
import time_machine

from tests.support import make_disclosure, moment
from tracker.auth.invitations import VALID_FOR
from tracker.db import db

SENDER = "tracker@tracker.example.kr"
BASE = "https://tracker.example.kr"
#: 16:30 UTC of a day of the suite: 01:30 the next day in Seoul, 17:30 (18:30 in summer) in Berlin
AT = moment(0).replace(hour=16, minute=30, second=0, microsecond=0)
SEOUL, BERLIN = zoneinfo.ZoneInfo("Asia/Seoul"), zoneinfo.ZoneInfo("Europe/Berlin")
#: what no mail may hold: an ISO time or date, UTC, a raw offset of UTC
MACHINE_TIME = re.compile(r"\d{4}-\d\d-\d\d|\bUTC\b|\+00:00|T\d\d:\d\d")
EN_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def ko_day(d: dt.date) -> str:
    return f"{d.year}년 {d.month}월 {d.day}일 ({'월화수목금토일'[d.weekday()]})"


def en_day(d: dt.date) -> str:
    return f"{EN_DAYS[d.weekday()]} {d.day} {EN_MONTHS[d.month - 1]} {d.year}"


def ko_when(at: dt.datetime) -> str:
    """Seoul, written in Korean: the firm's zone, no offset."""
    local = at.astimezone(SEOUL)
    noon = "오전" if local.hour < 12 else "오후"
    return f"{ko_day(local.date())} {noon} {local.hour % 12 or 12}:{local.minute:02d}"


def en_berlin_when(at: dt.datetime) -> str:
    """Berlin, written in English, with its offset (not the firm's zone)."""
    local = at.astimezone(BERLIN)
    offset = local.strftime("%z")
    return f"{en_day(local.date())}, {local:%H:%M} ({offset[:3]}:{offset[3:]})"


def bodies(msg: Any) -> tuple[str, str]:
    return msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()


def assert_no_machine_time(msg: Any) -> None:
    for part in (*bodies(msg), str(msg["Subject"])):
        assert not MACHINE_TIME.search(part), MACHINE_TIME.search(part)


@pytest.fixture
def mailbox(app: Any, smtp_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    inbox, port = smtp_server
    monkeypatch.setitem(app.config, "TRACKER_MAIL_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setitem(app.config, "TRACKER_MAIL_FROM", SENDER)
    monkeypatch.setitem(app.config, "TRACKER_BASE_URL", BASE)
    return inbox


def test_the_moment_falls_on_two_dates():
    assert AT.astimezone(SEOUL).date() != AT.astimezone(BERLIN).date()


def test_an_invitation_names_its_end_in_each_recipients_zone(make_user, api_as, mailbox):
    admin = api_as(make_user("admin"))
    seoul = make_user("auditor", locale="ko", time_zone="Asia/Seoul")
    berlin = make_user("auditor", locale="en", time_zone="Europe/Berlin")
    db.session.commit()
    with time_machine.travel(AT - VALID_FOR, tick=False):
        for user in (seoul, berlin):
            response = admin.post(f"/api/v1/users/{user.id}/invitation")
            assert response.status_code < 300, response.get_json()
    by = {m["To"]: m for m in mailbox.messages()}
    ko_text, ko_html = bodies(by[seoul.email])
    assert f"링크는 {ko_when(AT)}까지 쓸 수 있습니다." in ko_text
    assert ko_when(AT) in ko_html
    en_text, en_html = bodies(by[berlin.email])
    assert f"The link works until {en_berlin_when(AT)}." in en_text
    assert en_berlin_when(AT) in en_html
    for msg in by.values():
        assert_no_machine_time(msg)


@pytest.mark.parametrize(
    ("locale", "zone", "expected"),
    [("ko", "Asia/Seoul", "결정 일시: {ko}"), ("en", "Europe/Berlin", "Decided: {en}")],
)
def test_a_decision_mail_names_the_moment_in_the_recipients_zone(
    world, api_as, mailbox, locale, zone, expected
):
    company = world.users["company"]
    company.locale, company.time_zone = locale, zone
    disclosure = make_disclosure(world.project, company)
    db.session.commit()
    with time_machine.travel(AT, tick=False):
        response = api_as(world.users["lawyer"]).post(
            f"/api/v1/disclosures/{disclosure.id}/decision",
            json={"decision": "reject", "note": "not new"},
        )
    assert response.status_code == 200, response.get_json()
    (msg,) = mailbox.messages()
    text, html = bodies(msg)
    line = expected.format(ko=ko_when(AT), en=en_berlin_when(AT))
    assert line in text and line in html
    assert_no_machine_time(msg)


def test_the_digest_dates_each_reader_in_their_zone(deadline_world, mailbox, runner, today):
    w = deadline_world
    lawyer, company = w.users["lawyer"], w.users["company"]
    lawyer.locale, lawyer.time_zone = "en", "Europe/Berlin"
    company.locale, company.time_zone = "ko", "Asia/Seoul"
    db.session.commit()
    with time_machine.travel(AT, tick=False):
        result = runner.invoke(args=["notify"])
    assert result.exit_code == 0, result.output
    by = {m["To"]: m for m in mailbox.messages()}
    late = today - dt.timedelta(days=3)  # the fixture's overdue follow-up
    en_text, en_html = bodies(by[lawyer.email])
    assert f"As of {en_berlin_when(AT)}." in en_text and en_berlin_when(AT) in en_html
    assert f"- {en_day(late)} · " in en_text
    ko_text, ko_html = bodies(by[company.email])
    assert f"{ko_when(AT)} 기준입니다." in ko_text and ko_when(AT) in ko_html
    assert f"- {ko_day(late)} · " in ko_text
    for msg in by.values():
        assert_no_machine_time(msg)
