"""E-mail: the digest in both locales, delivered to a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.support import free_port
from tracker.deadlines import mail

SENDER = "tracker@tracker.example.kr"


def digest_data() -> dict[str, Any]:
    return {
        "name": "Kim Lawyer",
        "groups": {
            "overdue": [
                {
                    "kind": "follow_up",
                    "due_on": dt.date(2026, 11, 20),
                    "title": "Send minutes",
                    "url": "https://tracker.example.kr/projects/7",
                },
            ],
            "7": [
                {
                    "kind": "ip_priority",
                    "due_on": "2026-12-04",
                    "title": "Separator <patent> & co",
                    "url": "https://tracker.example.kr/assets/11",
                },
            ],
            "30": [],
            "90": [{"kind": "nda_expiry", "due_on": dt.date(2027, 2, 1), "title": "NDA Partner"}],
        },
        "queues": {
            "reviews_to_decide": [
                {
                    "type": "risk_review",
                    "title": "Battery project review",
                    "url": "https://tracker.example.kr/reviews/5",
                },
            ],
        },
        "site_url": "https://tracker.example.kr/",
    }


def test_digest_in_english():
    subject, text, html = mail.render_digest("en", **digest_data())
    assert subject == "Tracker: 1 overdue, 1 due within 7 days, 1 waiting"
    assert "Hello Kim Lawyer," in text
    assert "Overdue\n- Fri 20 Nov 2026 · Follow-up: Send minutes" in text
    assert "Due within 7 days" in text and "Priority deadline: Separator <patent> & co" in text
    assert "Due within 30 days" not in text  # empty windows are left out
    assert "Due within 90 days" in text and "NDA expiry: NDA Partner" in text
    assert "Risk reviews to decide\n- Battery project review" in text
    assert "https://tracker.example.kr/assets/11" in text
    assert '<html lang="en">' in html
    assert "Separator &lt;patent&gt; &amp; co" in html and "<patent>" not in html
    assert '<a href="https://tracker.example.kr/reviews/5">Battery project review</a>' in html


def test_digest_in_korean():
    subject, text, html = mail.render_digest("ko", **digest_data())
    assert subject == "Tracker: 기한 경과 1건, 7일 이내 1건, 대기 1건"
    assert "Kim Lawyer 님, 안녕하세요." in text
    assert "기한 경과\n- 2026년 11월 20일 (금) · 후속 조치: Send minutes" in text
    assert "결정할 위험 평가" in text and "90일 이내 기한" in text
    assert '<html lang="ko">' in html and "우선권 주장 기한" in html


def test_an_empty_digest_says_so():
    subject, text, _html = mail.render_digest("en", name="A", groups={}, queues={})
    assert subject == "Tracker: 0 overdue, 0 due within 7 days, 0 waiting"
    assert "Nothing is due and nothing waits for you." in text


def test_delivery_to_a_real_smtp_server_plain_and_html(smtp_server):
    inbox, port = smtp_server
    settings = mail.parse_settings(f"smtp://127.0.0.1:{port}", SENDER)
    subject, text, html = mail.render_digest("ko", **digest_data())
    mail.send(settings, mail.build_message(settings, "lawyer@example.kr", subject, text, html))
    (envelope,) = inbox.envelopes
    assert envelope.mail_from == SENDER and envelope.rcpt_tos == ["lawyer@example.kr"]
    (msg,) = inbox.messages()
    assert msg["Subject"] == subject and msg["To"] == "lawyer@example.kr"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg.get_content_type() == "multipart/alternative"
    plain = msg.get_body(("plain",)).get_content()
    rich = msg.get_body(("html",)).get_content()
    assert "후속 조치: Send minutes" in plain
    assert "Separator &lt;patent&gt;" in rich
    assert inbox.logins == []


def test_delivery_with_credentials_on_loopback(smtp_server):
    inbox, port = smtp_server
    settings = mail.parse_settings(f"smtp://digest:s3cret%20pass@127.0.0.1:{port}", SENDER)
    assert "s3cret" not in repr(settings)
    mail.send(settings, mail.build_message(settings, "a@example.kr", "Hi", "plain", "<p>x</p>"))
    assert inbox.logins == [(b"digest", b"s3cret pass")]
    assert len(inbox.envelopes) == 1


def test_wrong_credentials_raise_a_clear_error_without_the_password(smtp_server):
    inbox, port = smtp_server
    settings = mail.parse_settings(f"smtp://digest:wrong-pass@127.0.0.1:{port}", SENDER)
    with pytest.raises(mail.MailDeliveryError) as info:
        mail.send(settings, mail.build_message(settings, "a@example.kr", "Hi", "x", "<p>x</p>"))
    assert "SMTPAuthenticationError" in str(info.value) and "wrong-pass" not in str(info.value)
    assert inbox.envelopes == []


def test_server_down_raises_delivery_error():
    port = free_port()  # nothing listens there
    settings = mail.parse_settings(f"smtp://u:topsecret@127.0.0.1:{port}", SENDER)
    msg = mail.build_message(settings, "a@example.kr", "Hi", "x", "<p>x</p>")
    with pytest.raises(mail.MailDeliveryError, match=f"127.0.0.1:{port} failed") as info:
        mail.send(settings, msg)
    assert "topsecret" not in str(info.value)
    assert isinstance(info.value.__cause__, OSError)


@pytest.mark.parametrize(
    ("url", "sender", "problem"),
    [
        (None, SENDER, "TRACKER_MAIL_URL is not set"),
        ("smtp://127.0.0.1:25", None, "TRACKER_MAIL_FROM"),
        ("http://mail.example.kr", SENDER, "scheme"),
        ("smtp://:25", SENDER, "no host"),
        ("smtp://127.0.0.1:port", SENDER, "port"),
        ("smtp://user:pw@mail.example.kr:25", SENDER, "credentials need"),
    ],
)
def test_bad_settings_are_refused(url, sender, problem):
    with pytest.raises(mail.MailConfigError, match=problem):
        mail.parse_settings(url, sender)


def test_settings_schemes_and_default_ports():
    tls = mail.parse_settings("smtp+starttls://u%40x:p@mail.example.kr", SENDER)
    assert (tls.scheme, tls.host, tls.port, tls.username, tls.password) == (
        "smtp+starttls",
        "mail.example.kr",
        587,
        "u@x",
        "p",
    )
    assert mail.parse_settings("smtps://u:p@mail.example.kr", SENDER).port == 465
    cfg = {"TRACKER_MAIL_URL": "smtp://localhost:2525", "TRACKER_MAIL_FROM": SENDER}
    assert mail.settings_from_config(cfg).port == 2525
