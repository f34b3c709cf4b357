"""The real UI in Debian's chromium, driven by Playwright, against a live server."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support import day
from tests.support import sign_in_page as sign_in

pytestmark = pytest.mark.real_commits  # the live server commits for real, on its own database


def test_sign_in_switch_language_and_sign_out(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/login")
    expect(page.locator("h1")).to_have_text("로그인")
    page.fill("input[name=email]", "admin@tracker.example")
    page.fill("input[name=password]", "wrong password here")
    page.click("input[type=submit]")
    expect(page.locator("[role=alert]")).to_be_visible()
    sign_in(page, live_server, "admin")
    expect(page.locator("nav")).to_contain_text("계정")
    page.click("button[lang=en]")
    expect(page.locator("nav")).to_contain_text("Accounts")
    page.click("text=Accounts")
    expect(page.locator("table")).to_contain_text("lawyer@tracker.example")
    page.click("text=Sign out")
    expect(page).to_have_url(f"{live_server}/login")
    page.goto(f"{live_server}/admin/users")
    expect(page).to_have_url(f"{live_server}/login?next=/admin/users")


def test_admin_adds_a_zone(page: Page, live_server: str) -> None:
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/zones")
    page.fill("input[name=code]", "TEST-Z")
    page.fill("input[name=name_ko]", "시험 특구")
    page.fill("input[name=name_en]", "Test zone")
    page.click("input[type=submit]")
    expect(page.locator("table")).to_contain_text("시험 특구")


def test_lawyer_cannot_open_admin_pages(page: Page, live_server: str) -> None:
    sign_in(page, live_server, "lawyer")
    expect(page.locator("nav")).not_to_contain_text("계정")
    response = page.goto(f"{live_server}/admin/users")
    assert response is not None and response.status == 403


def _first_project(page: Page, base: str) -> str:
    page.goto(f"{base}/projects")
    href = page.locator("main table a[href^='/projects/']").first.get_attribute("href")
    assert href is not None
    return href


def test_rows_are_added_and_errors_take_the_focus(page: Page, live_server: str) -> None:
    """Issue 10: owners are not limited to the three spare rows; a refused submit puts the
    focus on the summary of its errors."""
    sign_in(page, live_server, "lawyer")
    project = _first_project(page, live_server)
    page.goto(f"{live_server}{project}/assets/new")
    owners = page.locator("fieldset[data-rows]").first
    assert owners.locator("select").count() == 3
    owners.locator("button.add-row").click()
    owners.locator("button.add-row").click()
    assert owners.locator("select").count() == 5
    assert page.evaluate("document.activeElement.name") == "owners-4-organization_id"
    owners.locator(".row").nth(0).locator("button.remove-row").click()
    assert owners.locator("select").count() == 4
    page.click("input[type=submit].primary")  # no title: refused
    expect(page.locator(".error-summary")).to_be_visible()
    # the page's script moves the focus once loaded: wait for it (a loaded machine is slower)
    expect(page.locator(".error-summary")).to_be_focused()
    page.fill("input[name=title]", "Five-owner layout")
    last = owners.locator(".row").last
    last.locator("select").select_option(index=1)
    last.locator("input").fill("30")
    page.click("input[type=submit].primary")
    expect(page.locator("main")).to_contain_text("Five-owner layout")


# --- each role's dashboard, followed to an item and acted on (issue 9) -------------------------


def _decide_first(page: Page, base: str, queue: str, kind: str, fields: dict[str, str]) -> None:
    """From the start page, follow the first item of `queue` to its page, decide it with
    `fields` (the decision radio and text fields), and see the queue empty afterwards."""
    page.goto(f"{base}/")
    page.locator(f"#{queue} tbody a").first.click()
    expect(page).to_have_url(re.compile(rf"/{kind}/\d+$"))
    page.check(f"input[name=decision][value={fields.pop('decision')}]")
    for selector, value in fields.items():
        page.fill(selector, value)
    page.locator("form:has(input[name=decision]) [type=submit]").click()
    expect(page.locator(".flash").first).to_be_visible()
    page.goto(f"{base}/")
    expect(page.locator(f"#{queue} tbody a")).to_have_count(0)


def test_second_lawyer_sees_the_waiting_review_and_approves_it(page: Page, live_server: str):
    sign_in(page, live_server, "lawyer2")
    page.goto(f"{live_server}/")
    expect(page.locator("nav .badge.waiting")).to_be_visible()
    expect(page.locator("#reviews_to_decide tbody a")).to_have_count(1)
    fields = {"decision": "approve", "input[name=valid_until]": day(360).isoformat()}
    _decide_first(page, live_server, "reviews_to_decide", "reviews", fields)


def test_operator_sees_heat_map_and_denies_the_waiting_request(page: Page, live_server: str):
    sign_in(page, live_server, "operator")
    page.goto(f"{live_server}/")
    expect(page.locator("svg.heat-map")).to_be_visible()
    expect(page.locator("svg.heat-map title")).to_have_count(1)
    note = "The NDA does not cover the drawings yet."
    fields = {"decision": "deny", "textarea[name=note]": note}
    _decide_first(page, live_server, "transfers_to_decide", "transfers", fields)


def test_lawyer_asks_for_more_on_the_waiting_disclosure(page: Page, live_server: str):
    sign_in(page, live_server, "lawyer")
    note = "Please name the German inventor's employer."
    fields = {"decision": "needs_info", "textarea[name=note]": note}
    _decide_first(page, live_server, "disclosures_to_decide", "disclosures", fields)


def test_company_opens_its_blocked_request_with_failing_checks(page: Page, live_server: str):
    sign_in(page, live_server, "company")
    page.goto(f"{live_server}/")
    row = page.locator("#my_requests tbody tr:has(.fail)").first
    expect(row).to_be_visible()
    row.locator("a").click()
    expect(page).to_have_url(re.compile(r"/transfers/\d+$"))
    expect(page.locator("table.checks tr.failed").first).to_be_visible()


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_admin_and_auditor_follow_a_heat_map_cell(page: Page, live_server: str, role: str):
    sign_in(page, live_server, role)
    page.goto(f"{live_server}/")
    expect(page.locator("#zones tbody tr").first).to_be_visible()
    expect(page.locator("#recent-events tbody tr").first).to_be_visible()
    cell = page.locator("svg.heat-map a.cell:not([data-count='0'])").first
    count = int(cell.get_attribute("data-count") or 0)
    cell.click()
    expect(page).to_have_url(re.compile(r"/projects\?likelihood=\d&impact=\d$"))
    expect(page.locator("table tbody tr")).to_have_count(count)
