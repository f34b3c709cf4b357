"""A phone (issue 19): no page any demo login reaches scrolls sideways at 390 CSS px.

Each signed-in crawl follows the links from the start page (`tests/ui/crawl.py`, one URL per
pattern) in Korean, the longer language on screen, and measures every page load:
`document.documentElement.scrollWidth` may not pass `innerWidth`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.support import demo_app, serve, sign_in_page
from tests.ui.crawl import page_links, walk
from tracker.demo import demo_logins

pytestmark = pytest.mark.real_commits  # the live server commits for real, on its own database

PHONE = {"width": 390, "height": 844}
LOGINS = [email.split("@")[0] for email, _role in demo_logins()]
#: how far the page is wider than the window (0 when it does not scroll sideways)
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
#: the widest elements that stick out on the right, to name in a failure
CULPRITS = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(-3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
    + ' ' + Math.round(e.getBoundingClientRect().right) + 'px')"""


@pytest.fixture(scope="module")
def phone_server(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    with serve(demo_app(tmp_path_factory, worker_id, "phone")) as base:
        yield base


def overflows(page: Page, base: str, url: str) -> tuple[int, list[str]]:
    page.goto(base + url)
    extra = page.evaluate(OVERFLOW)
    return extra, (page.evaluate(CULPRITS) if extra > 0 else [])


@pytest.mark.crawl  # every page of the app: `make crawls`
@pytest.mark.parametrize("login", LOGINS)
def test_no_page_scrolls_sideways_on_a_phone(
    browser: Browser, phone_server: str, login: str
) -> None:
    context = browser.new_context(locale="ko-KR", viewport=PHONE)
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})  # signs in with the menu in view
    sign_in_page(page, phone_server, login)
    page.set_viewport_size(PHONE)
    wide: list[str] = []

    def visit(url: str) -> Iterable[str]:
        extra, culprits = overflows(page, phone_server, url)
        if extra > 0:
            wide.append(f"{url}: {extra}px wider ({', '.join(culprits)})")
        return list(page_links(page.content(), url))

    loads = walk(visit, ["/", "/no-such-page"], per_pattern=1)
    context.close()
    assert loads >= 10, (login, loads)
    assert not wide, f"{len(wide)} of {loads} pages scroll sideways at 390 px:\n" + "\n".join(wide)


def test_the_measure_sees_a_page_that_scrolls_sideways(browser: Browser) -> None:
    """The harness itself: a page with a 700 px table is caught, one that fits is not."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    pages = {
        "http://phone.test/wide": "<table style='width:700px'><tr><td>x</td></tr></table>",
        "http://phone.test/fits": "<p>fits</p>",
    }
    page.route(
        "http://phone.test/*",
        lambda route: route.fulfill(body=pages[route.request.url], content_type="text/html"),
    )
    extra, culprits = overflows(page, "http://phone.test", "/wide")
    assert extra > 300 and culprits
    assert overflows(page, "http://phone.test", "/fits") == (0, [])
    context.close()
