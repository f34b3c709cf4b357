"""A passkey in Chromium (issue 21): a lawyer without a second factor is held to the enrolment
page, adds a passkey there with the DevTools virtual authenticator (CTAP2, internal, resident
key, user verified), sees the recovery codes once, signs out, and signs in with the passkey at
the second step. The page's script (tracker/static/js/passkeys.js) carries the ceremonies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.support import TEST_PASSWORD, demo_app, serve
from tracker.audit.models import AuditEvent
from tracker.auth import accounts
from tracker.auth.models import Passkey
from tracker.db import db

pytestmark = pytest.mark.real_commits  # the live server commits for real, on its own database

EMAIL = "passkey-lawyer@tracker.example"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[tuple[Any, str]]:
    """The demo app with an unenrolled lawyer, served as http://localhost:<port> (a WebAuthn
    relying party needs a host name, and localhost is a secure context over plain HTTP)."""
    app = demo_app(tmp_path_factory, worker_id, "passkey")
    with app.app_context():
        accounts.create_user(EMAIL, "Passkey Lawyer", "lawyer", TEST_PASSWORD)
        db.session.commit()
        db.session.remove()
    with serve(app) as base:
        local = base.replace("127.0.0.1", "localhost")
        app.config.update(TRACKER_WEBAUTHN_RP_ID="localhost", TRACKER_WEBAUTHN_ORIGIN=local)
        yield app, local


def _virtual_authenticator(page: Page) -> Any:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp


def _password(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()


def test_a_passkey_is_added_and_signs_in(page: Page, site: tuple[Any, str]) -> None:
    app, base = site
    _virtual_authenticator(page)

    _password(page, base)
    expect(page).to_have_url(f"{base}/account/second-factor")  # held to the enrolment page
    page.goto(f"{base}/projects")
    expect(page).to_have_url(f"{base}/account/second-factor")
    page.fill("#passkey-name", "Chromium")
    page.click("#passkey-add")
    codes = page.locator("#passkey-codes li")
    expect(codes).to_have_count(10)
    expect(page.locator("#passkey-codes")).to_be_visible()
    page.click("#passkey-continue")
    page.wait_for_selector("header nav")  # the gate is open

    page.locator("header form[action='/logout'] button").click()
    expect(page).to_have_url(f"{base}/login")
    _password(page, base)
    expect(page).to_have_url(f"{base}/login/totp")
    page.click("#passkey-use")
    page.wait_for_selector("header nav")
    expect(page).to_have_url(f"{base}/")

    with app.app_context():
        key = db.session.execute(sa.select(Passkey)).scalar_one()
        assert key.name == "Chromium" and key.last_used_at is not None
        assert "internal" in key.transports
        actions = db.session.execute(
            sa.select(AuditEvent.action).where(AuditEvent.action.like("auth.passkey%"))
        ).scalars()
        assert sorted(actions) == ["auth.passkey_added", "auth.passkey_used"]
        db.session.remove()
