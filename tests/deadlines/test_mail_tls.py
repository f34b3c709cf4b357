"""Plain SMTP only to a relay on loopback or one allowed out loud (finding 9 of issue 21): a
real SMTP server (aiosmtpd) on an address of this machine off loopback plays the remote relay."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.support import Inbox
from tracker.deadlines import mail

SENDER = "tracker@tracker.example.kr"


def _address_off_loopback() -> str | None:
    """An address of this machine that is not loopback (the one its default route uses)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # a UDP "connect" sends nothing; it picks the route
        except OSError:
            return None
        address = str(s.getsockname()[0])
    return None if address.startswith("127.") or address == "0.0.0.0" else address


@pytest.fixture
def remote_relay() -> Iterator[tuple[Inbox, str, int]]:
    """A real SMTP server without TLS on a non-loopback address: (its inbox, host, port)."""
    host = _address_off_loopback()
    if host is None:
        pytest.skip("this machine has no address off loopback")
    with socket.socket() as s:
        s.bind((host, 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname=host, port=port)
    controller.start()
    try:
        yield inbox, host, port
    finally:
        controller.stop()


def _send(settings: mail.MailSettings) -> None:
    mail.send(settings, mail.build_message(settings, "a@example.kr", "Hi", "x", "<p>x</p>"))


def test_plain_smtp_to_a_remote_relay_is_refused(remote_relay: Any) -> None:
    inbox, host, port = remote_relay
    with pytest.raises(mail.MailConfigError, match="TRACKER_SMTP_ALLOW_PLAIN") as info:
        _send(mail.parse_settings(f"smtp://{host}:{port}", SENDER))
    assert "smtp+starttls://" in str(info.value)
    assert inbox.envelopes == []  # nothing left this machine in clear text


def test_the_config_check_names_the_setting_never_the_password(remote_relay: Any) -> None:
    _inbox, host, port = remote_relay
    config = {"TRACKER_MAIL_URL": f"smtp://{host}:{port}", "TRACKER_MAIL_FROM": SENDER}
    with pytest.raises(mail.MailConfigError, match="TRACKER_SMTP_ALLOW_PLAIN"):
        mail.settings_from_config(config)
    secret = {**config, "TRACKER_MAIL_URL": f"smtp://u:hunter2-pw@{host}:{port}"}
    for allowed in (False, True):  # a password never travels in clear, flag or not
        with pytest.raises(mail.MailConfigError) as info:
            mail.settings_from_config({**secret, "TRACKER_SMTP_ALLOW_PLAIN": allowed})
        assert "hunter2" not in str(info.value)


def test_a_plain_relay_allowed_out_loud_delivers(remote_relay: Any) -> None:
    inbox, host, port = remote_relay
    config = {
        "TRACKER_MAIL_URL": f"smtp://{host}:{port}",
        "TRACKER_MAIL_FROM": SENDER,
        "TRACKER_SMTP_ALLOW_PLAIN": True,
    }
    _send(mail.settings_from_config(config))
    assert len(inbox.envelopes) == 1


def test_starttls_is_required_when_asked_for(remote_relay: Any) -> None:
    """smtp+starttls:// never falls back to plain when the relay offers no STARTTLS."""
    inbox, host, port = remote_relay
    settings = mail.parse_settings(f"smtp+starttls://{host}:{port}", SENDER)
    with pytest.raises(mail.MailDeliveryError, match="STARTTLS|starttls"):
        _send(settings)
    assert inbox.envelopes == []


def test_plain_smtp_on_loopback_stays_allowed(smtp_server: Any) -> None:
    inbox, port = smtp_server
    _send(mail.parse_settings(f"smtp://127.0.0.1:{port}", SENDER))
    _send(mail.parse_settings(f"smtp://localhost:{port}", SENDER))
    assert len(inbox.envelopes) == 2
