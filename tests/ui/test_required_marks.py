"""In the browser: a deny's note becomes required (and says so to assistive technology) as
soon as "deny" is chosen, before the form is sent; choosing "approve" lifts it again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support import sign_in_page as sign_in

pytestmark = pytest.mark.real_commits  # the live server commits for real, on its own database


def test_the_deny_note_is_marked_required_when_deny_is_chosen(page: Page, live_server: str):
    sign_in(page, live_server, "operator")
    page.goto(f"{live_server}/")
    page.locator("#transfers_to_decide tbody a").first.click()
    expect(page).to_have_url(re.compile(r"/transfers/\d+$"))
    note = page.locator("textarea[name=note]")
    expect(note).to_have_attribute("aria-required", "false")
    page.check("input[name=decision][value=deny]")
    expect(note).to_have_attribute("aria-required", "true")
    assert note.evaluate("el => el.required") is True
    page.check("input[name=decision][value=approve]")
    expect(note).to_have_attribute("aria-required", "false")
    assert note.evaluate("el => el.required") is False


def test_the_password_field_is_marked_required(page: Page, live_server: str):
    page.goto(f"{live_server}/login")
    password = page.locator("input[name=password]")
    expect(password).to_have_attribute("aria-required", "true")
    expect(page.locator("label.field:has(input[name=password])")).to_contain_text("(필수)")
