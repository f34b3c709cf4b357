"""The shell in the browser (issue 19): the header menu collapses on a phone behind a button
a keyboard opens, focus lands on the outcome of a submit (never on BODY), the check links are
24×24 CSS px targets, and a printed page leaves out menus and forms."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.support import sign_in_page

pytestmark = pytest.mark.real_commits  # the live server commits for real, on its own database

DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _signed_in(browser: Browser, base: str, login: str) -> object:
    context = browser.new_context(locale="ko-KR", viewport=DESK)
    page = context.new_page()
    sign_in_page(page, base, login)
    return context, page


def test_the_menu_collapses_on_a_phone_and_opens_from_the_keyboard(browser, live_server):
    context, page = _signed_in(browser, live_server, "lawyer")
    toggle, nav = page.locator("button.menu-toggle"), page.locator("header nav")
    assert not toggle.is_visible() and nav.is_visible()  # a desk: the menu in a row
    page.set_viewport_size(PHONE)
    page.goto(live_server + "/projects")
    assert toggle.is_visible() and not nav.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert toggle.get_attribute("aria-controls") == "header-menu"
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true" and nav.is_visible()
    page.keyboard.press("Space")
    assert toggle.get_attribute("aria-expanded") == "false" and not nav.is_visible()
    header = page.locator("header.top").bounding_box()
    assert header and header["height"] < 80  # one line, not four
    context.close()


def test_without_script_the_menu_stays_open_on_a_phone(browser, live_server):
    context = browser.new_context(locale="ko-KR", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/login")
    assert not page.locator("button.menu-toggle").is_visible()
    assert page.locator("header .tools").is_visible()
    context.close()


def test_focus_moves_to_the_flash_after_a_submit(browser, live_server):
    context, page = _signed_in(browser, live_server, "company")
    page.click("header form[action$='/logout'] button")
    page.wait_for_selector("p.flash")
    # the message is in the page before the script that moves the focus has run: wait for it
    # (on a busy machine the sign-in page's autofocus comes first, and the script then moves on)
    focus = "() => document.activeElement.matches('main p.flash[data-flash]')"
    try:
        page.wait_for_function(focus, timeout=10_000)
    except PlaywrightTimeout:
        pass
    focused = page.evaluate(focus)
    assert focused, page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)")
    context.close()


def test_focus_moves_to_the_errors_after_a_refused_submit(browser, live_server):
    context = browser.new_context(locale="ko-KR", viewport=PHONE)
    page = context.new_page()
    page.goto(live_server + "/login")
    page.fill("input[name=email]", "nobody@tracker.example")
    page.fill("input[name=password]", "wrong")
    page.click("input[type=submit]")
    page.wait_for_load_state()
    assert page.evaluate("() => document.activeElement.tagName") != "BODY"
    context.close()


def test_check_links_are_24_px_targets(browser, live_server):
    context, page = _signed_in(browser, live_server, "operator")
    for viewport in (DESK, PHONE):
        page.set_viewport_size(viewport)
        page.goto(live_server + "/zone")
        marks = page.locator(".glance a.mark")
        assert marks.count() >= 6
        for i in range(marks.count()):
            box = marks.nth(i).bounding_box()
            assert box and box["width"] >= 24 and box["height"] >= 24, (viewport, i, box)
    context.close()


def test_a_printed_page_leaves_out_menus_and_forms(browser, live_server):
    context, page = _signed_in(browser, live_server, "operator")
    page.goto(live_server + "/zone")
    assert page.locator("header.top").is_visible() and page.locator("main form").first.is_visible()
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert not page.locator("main form").first.is_visible()
    assert page.locator("main h1").is_visible()
    context.close()
