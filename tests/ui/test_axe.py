"""axe-core (WCAG 2.2 A/AA and best practice) over every page each demo login reaches from its
start page, in Korean on a 390 px phone and in English at a 1280 px desk (the sign-in and TOTP
pages in both languages at both widths), in Debian's chromium (issues 10 and 19): no violation
of any impact (critical, serious, moderate or minor). It runs in `make crawls`.

Each signed-in crawl follows the links from the start page (GET only; no sign-out, downloads,
exports or API; at most two URLs of a pattern, `tests/ui/crawl.py`) and submits one form of
each form page emptied, so the error states are checked too. Signed out: the sign-in and TOTP
pages, empty and with a wrong answer. axe is vendored for the tests only
(`tests/ui/vendor/axe-core/`) and injected into each page of a context that ignores the CSP (the
app's CSP allows no script but its own). A violation counts once per rule and page load; the
totals print at the end of the run (`tests/conftest.py`, "tally")."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Browser, Page

from tests.support import demo_app, serve, sign_in_page
from tests.ui.crawl import page_links, walk
from tracker.auth import accounts, totp
from tracker.db import db
from tracker.demo import DEMO_PASSWORD, demo_logins

pytestmark = pytest.mark.real_commits  # the live server commits for real, on its own database

AXE = Path(__file__).parent / "vendor/axe-core/axe.min.js"
AXE_RUN = """() => axe.run(document, {
  runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
  resultTypes: ['violations']
}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact, targets: v.nodes.map(n => n.target.join(' '))
})))"""
IMPACTS = ("critical", "serious", "moderate", "minor")
FAILING = set(IMPACTS)
LANGUAGES = {"en": "en-US", "ko": "ko-KR"}
#: a desk and a phone (the header menu collapses and tables stack below 700 px)
WIDTHS = {"desk": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
#: each language at one width in the signed-in crawls, so both widths and both languages are
#: covered at half the cost of every pair: Korean (the longer language on screen) on the phone,
#: English at the desk; the sign-in and TOTP pages run every pair
CRAWLS = [("ko", "phone"), ("en", "desk")]
LOGINS = [email.split("@")[0] for email, _role in demo_logins()]
TOTP_EMAIL = "totp-axe@tracker.example"
#: the start page, and a page that is not there (the error page)
STARTS = ["/", "/no-such-page"]
_NUMBER = re.compile(r"\d+")

#: Clears every field of the first form of the page that has a required field and turns off
#: the browser's own checks, so the server answers the empty submit (not the upload forms:
#: their script posts them and shows the answer in place); false when there is none.
EMPTY_FIRST_FORM = """() => {
  const form = [...document.querySelectorAll('form[method=post]:not(.upload)')]
    .find(f => f.querySelector('[required]') && f.querySelector('[type=submit]'));
  if (!form) return false;
  form.noValidate = true;
  for (const el of form.elements) {
    if (el.type === 'hidden' || el.type === 'submit' || el.type === 'button') continue;
    if (el.type === 'checkbox' || el.type === 'radio') el.checked = false;
    else if (el.tagName === 'SELECT') el.selectedIndex = -1;
    else el.value = '';
  }
  form.setAttribute('data-axe-empty', '');
  return true;
}"""


@pytest.fixture(scope="module")
def axe_server(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    """The demo, plus an account with two-step sign-in (for the TOTP page)."""
    app = demo_app(tmp_path_factory, worker_id, "axe")
    with app.app_context(), app.test_request_context():
        user = accounts.create_user(TOTP_EMAIL, "TOTP", "auditor", DEMO_PASSWORD)
        secret = pyotp.random_base32()
        assert totp.enrol_totp(user, secret, pyotp.TOTP(secret).now())
        db.session.commit()
        db.session.remove()
    with serve(app) as base:
        yield base


class Audit:
    """The violations of every page load of one crawl."""

    def __init__(self, page: Page, base: str) -> None:
        self.page, self.base = page, base
        self.loads = 0
        self.impacts: Counter[str] = Counter()
        self.failures: list[str] = []

    def check(self, label: str) -> None:
        self.loads += 1
        for v in self.page.evaluate(AXE_RUN):
            impact = v["impact"] or "minor"
            self.impacts[impact] += 1
            if impact in FAILING:
                targets = ", ".join(v["targets"][:5])
                self.failures.append(f"{label}: {v['id']} ({impact}) at {targets}")

    def visit(self, url: str) -> Iterable[str]:
        response = self.page.goto(self.base + url)
        self.check(f"{url} [{response.status if response else '-'}]")
        return list(page_links(self.page.content(), url))

    def submit(self, button: str, label: str) -> int | str:
        """Click `button`, wait for the page it leads to and check that; its status."""
        status = follow(self.page, button)
        self.check(f"{label} [{status}]")
        return status

    def submit_empty(self, url: str, pattern: str, done: set[str]) -> None:
        """Submit the page's first form with a required field emptied, once per pattern."""
        if pattern in done or not self.page.evaluate(EMPTY_FIRST_FORM):
            return
        done.add(pattern)
        # the form's main action (a review form's first button saves a draft, which may be empty)
        button = "form[data-axe-empty] [type=submit]"
        if self.page.locator(f"{button}.primary").count():
            button += ".primary"
        status = self.submit(button, f"{url} submitted empty")
        assert isinstance(status, int) and status >= 400, f"{url}: an empty form was accepted"


def follow(page: Page, button: str) -> int | str:
    """Click `button` and wait for the page it leads to; its status."""
    with page.expect_navigation() as nav:
        page.click(button)
    return nav.value.status if nav.value else "-"


def crawl_and_check(audit: Audit) -> None:
    forms: set[str] = set()

    def visit(url: str) -> Iterable[str]:
        links = audit.visit(url)
        audit.submit_empty(url, _NUMBER.sub("N", url.split("?")[0]), forms)
        return links

    walk(visit, STARTS, per_pattern=1)


def context_for(browser: Browser, lang: str) -> Any:
    context = browser.new_context(locale=LANGUAGES[lang], bypass_csp=True)
    context.add_init_script(path=str(AXE))
    return context


def report(record_property: Any, audits: list[Audit]) -> None:
    impacts = sum((a.impacts for a in audits), Counter())
    tally = {"page loads": sum(a.loads for a in audits)}
    tally.update({impact: impacts[impact] for impact in IMPACTS})
    record_property("tally:axe-core", tally)
    failures = [f for a in audits for f in a.failures]
    assert not failures, f"{len(failures)} violations:\n" + "\n".join(failures)


@pytest.mark.crawl  # every page of the app: `make crawls`
@pytest.mark.parametrize("login", LOGINS)
def test_every_page_of_a_login_in_both_languages(
    browser: Browser, axe_server: str, login: str, record_property: Any
) -> None:
    audits = []
    for lang, width in CRAWLS:
        context = context_for(browser, lang)
        page = context.new_page()
        sign_in_page(page, axe_server, login)
        follow(page, f"header button[lang={lang}]")  # the user's language from now on
        assert page.locator("html").get_attribute("lang") == lang
        page.set_viewport_size(WIDTHS[width])
        audit = Audit(page, axe_server)
        crawl_and_check(audit)
        context.close()
        assert audit.loads >= 10, (login, lang, width, audit.loads)
        audits.append(audit)
    report(record_property, audits)


def test_sign_in_and_totp_pages(browser: Browser, axe_server: str, record_property: Any) -> None:
    audits = []
    for lang, width in [(lang, width) for lang in LANGUAGES for width in WIDTHS]:
        context = context_for(browser, lang)
        page = context.new_page()
        audit = Audit(page, axe_server)
        sign_in_page(page, axe_server, "company")
        follow(page, f"header button[lang={lang}]")
        follow(page, "header form[action$='/logout'] button")
        page.set_viewport_size(WIDTHS[width])
        assert page.locator(".flash").is_visible()  # "You are signed out."
        audit.check("/login signed out")
        audit.submit_empty("/login", "/login", set())
        page.fill("input[name=email]", "admin@tracker.example")
        page.fill("input[name=password]", "not the password")
        audit.submit("input[type=submit]", "/login wrong password")
        page.fill("input[name=email]", TOTP_EMAIL)
        page.fill("input[name=password]", DEMO_PASSWORD)
        audit.submit("input[type=submit]", "/login/totp")
        assert page.url.endswith("/login/totp")
        audit.submit_empty("/login/totp", "/login/totp", set())
        page.fill("input[name=otp]", "000000")
        audit.submit("input[type=submit]", "/login/totp wrong code")
        context.close()
        assert audit.loads == 6
        audits.append(audit)
    report(record_property, audits)


def test_the_check_finds_violations_of_every_impact(browser: Browser) -> None:
    """The harness itself: on a page made to fail, axe runs and every impact is counted and
    listed with its rule and element (a moderate one fails the test as a critical one does)."""
    bad = (
        "<!doctype html><html><head></head><body><img src='x.png'>"
        "<p style='color:#aaa;background:#fff'>faint</p><h3>no main, no h1</h3></body></html>"
    )
    context = context_for(browser, "en")
    page = context.new_page()
    page.route("http://bad.test/", lambda route: route.fulfill(body=bad, content_type="text/html"))
    page.goto("http://bad.test/")
    audit = Audit(page, "http://bad.test")
    audit.check("bad")
    context.close()
    assert audit.loads == 1
    assert audit.impacts["critical"] and audit.impacts["serious"] and audit.impacts["moderate"]
    assert "bad: image-alt (critical) at img" in audit.failures
    assert any(f.startswith("bad: color-contrast (serious) at p") for f in audit.failures)
    assert any(f.startswith("bad: page-has-heading-one (moderate)") for f in audit.failures)
