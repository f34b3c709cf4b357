"""`flask --app tracker notify` against a real SMTP server (aiosmtpd) the test starts: one
digest per user in their locale, their deadlines and queues, nothing privileged, once a day,
failures reported and retried."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tests.support import assign_second_lawyer, free_port, make_disclosure, make_review
from tracker.db import db
from tracker.deadlines.models import NotificationLog
from tracker.transfers.models import TransferRequest

BASE = "https://tracker.example.kr"
CANARIES = ("CANARY",)


@pytest.fixture
def mail_to(app, monkeypatch):
    def point(port: int) -> None:
        monkeypatch.setitem(app.config, "TRACKER_MAIL_URL", f"smtp://127.0.0.1:{port}")
        monkeypatch.setitem(app.config, "TRACKER_MAIL_FROM", "tracker@tracker.example.kr")
        monkeypatch.setitem(app.config, "TRACKER_BASE_URL", BASE)

    return point


@pytest.fixture
def busy_world(deadline_world, make_user):
    """The deadline world with a queue for every role: a disclosure, a review by another
    lawyer, a pending and a blocked request; canaries in what must never be sent."""
    w = deadline_world
    second = assign_second_lawyer(w.project, make_user)
    make_disclosure(w.project, w.users["company"], description="CANARY disclosure text")
    make_review(w.project, second)
    for status in ("pending_review", "blocked"):
        db.session.add(
            TransferRequest(
                project=w.project,
                partner_id=w.partner.id,
                purpose="CANARY purpose of the request",
                channel="secure_platform",
                planned_on=dt.date(2026, 12, 10),
                status=status,
                checks=[],
                requested_by_id=w.users["company"].id,
            )
        )
    w.users["company"].locale = "ko"
    db.session.flush()
    return w


def _messages_by_recipient(inbox):
    return {m["To"]: m for m in inbox.messages()}


def _bodies(msg):
    return (
        msg.get_body(("plain",)).get_content(),
        msg.get_body(("html",)).get_content(),
    )


def test_digest_delivery_content_and_idempotence(
    busy_world, smtp_server, mail_to, runner, make_user
):
    w = busy_world
    inbox, port = smtp_server
    mail_to(port)
    gone = make_user("lawyer", active=False)
    w.project.lawyers.append(gone)
    db.session.flush()
    result = runner.invoke(args=["notify"])
    assert result.exit_code == 0, result.output
    by = _messages_by_recipient(inbox)
    assert gone.email not in by  # deactivated accounts get nothing

    lawyer_text, lawyer_html = _bodies(by[w.users["lawyer"].email])
    assert "IN late follow-up" in lawyer_text  # overdue
    assert "IN patent" in lawyer_text  # the hand-entered IP deadline in 5 days
    assert "IN done follow-up" not in lawyer_text  # done items leave the reminders
    assert "Disclosures to decide" in lawyer_text and "Risk reviews to decide" in lawyer_text
    assert f"{BASE}/assets/{w.records['patent'].id}" in lawyer_text
    assert f'href="{BASE}/' in lawyer_html
    assert "OUT" not in lawyer_text

    company_text, _ = _bodies(by[w.users["company"].email])
    assert "기한 경과" in company_text and "후속 조치" in company_text  # Korean
    assert "IN late follow-up" in company_text

    operator_text, _ = _bodies(by[w.users["operator"].email])
    assert "Transfer requests to decide" in operator_text
    assert "IN late follow-up" not in operator_text  # follow-ups are advice
    assert "IN patent" not in operator_text and "IN software" in operator_text

    admin_text, _ = _bodies(by[w.users["admin"].email])
    assert "IN late follow-up" not in admin_text and "OUT software" in admin_text

    for outsider in w.outsiders.values():
        assert outsider.email not in by  # nothing in scope: no mail

    for msg in inbox.messages():
        raw = msg.as_string()
        text, html = _bodies(msg)
        for canary in CANARIES:
            assert canary not in text and canary not in html and canary not in raw

    rows = db.session.execute(sa.select(NotificationLog)).scalars().all()
    assert {r.status for r in rows} == {"sent"} and len(rows) == len(by)

    sent = len(inbox.envelopes)
    again = runner.invoke(args=["notify"])
    assert again.exit_code == 0 and "0 sent" in again.output
    assert len(inbox.envelopes) == sent


def test_a_server_down_is_reported_and_retried(busy_world, smtp_server, mail_to, runner):
    inbox, port = smtp_server
    mail_to(free_port())  # nothing listens there
    down = runner.invoke(args=["notify"])
    assert down.exit_code == 1
    assert "FAILED" in down.output and "retried" in down.output
    failed = db.session.execute(sa.select(NotificationLog)).scalars().all()
    assert failed and {r.status for r in failed} == {"failed"}
    assert {r.error_class for r in failed} == {"ConnectionRefusedError"}
    assert inbox.envelopes == []

    mail_to(port)
    up = runner.invoke(args=["notify"])
    assert up.exit_code == 0, up.output
    db.session.expire_all()
    rows = db.session.execute(sa.select(NotificationLog)).scalars().all()
    assert {r.status for r in rows} == {"sent"} and {r.attempts for r in rows} == {2}
    assert len(inbox.envelopes) == len(rows)


def test_missing_settings_exit_2(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_MAIL_URL", None)
    result = runner.invoke(args=["notify"])
    assert result.exit_code == 2 and "TRACKER_MAIL_URL" in result.output


def test_rederive_command(runner):
    result = runner.invoke(args=["deadlines", "rederive"])
    assert result.exit_code == 0 and "re-derived" in result.output


@pytest.mark.parametrize(
    ("base", "root"),
    [
        ("https://example.org/tracker", "https://example.org/tracker"),
        ("https://example.org/tracker/", "https://example.org/tracker"),
    ],
)
def test_the_digest_links_carry_the_path_once(
    busy_world, smtp_server, mail_to, runner, app, monkeypatch, base, root
):
    w = busy_world
    inbox, port = smtp_server
    mail_to(port)
    monkeypatch.setitem(app.config, "TRACKER_BASE_URL", base)
    result = runner.invoke(args=["notify"])
    assert result.exit_code == 0, result.output
    message = next(m for m in inbox.messages() if m["To"] == w.users["lawyer"].email)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"{root}/assets/{w.records['patent'].id}" in text
    links = re.findall(r"https://example\.org[^\s\"<>]*", text + html)
    assert links and all(link.startswith(f"{root}/") for link in links)
    assert not any("/tracker/tracker" in link or "//" in link[8:] for link in links)


INJECTED = (
    "Sensor array\r\n\r\nYour session expired: sign in again at http://evil.example/login"
    "\u2028second\u2029third\x0bfourth\x85fifth\x1bsixth"
)


def test_a_title_stays_on_its_line_in_both_parts(deadline_world, smtp_server, mail_to, runner):
    """Issue 21, finding 7: a title with line breaks read as lines of the digest's own text in
    another user's mail. Every break and control character is folded to a space."""
    w = deadline_world
    inbox, port = smtp_server
    mail_to(port)
    make_disclosure(w.project, w.users["company"], title=INJECTED)
    db.session.flush()
    assert runner.invoke(args=["notify"]).exit_code == 0
    text, html = _bodies(_messages_by_recipient(inbox)[w.users["lawyer"].email])
    lines = [line for line in text.splitlines() if "evil.example" in line]
    assert len(lines) == 1 and lines[0].startswith("- Sensor array Your session expired")
    assert lines[0].endswith("http://evil.example/login second third fourth fifth sixth")
    for part in (text, html):
        assert not {"\u2028", "\u2029", "\x0b", "\x85", "\x1b"} & set(part)
    assert "Sensor array Your session expired: sign in again" in html
