"""Walk the pages a signed-in user reaches by following links (helpers for the UI tests)."""

from __future__ import annotations

import html
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from flask.testing import FlaskClient

_HREF = re.compile(r'href="([^"#]*)"')
#: links that change state, download or leave the pages
_SKIP = re.compile(
    r"^/(logout|static/|api/)|/download|/content|format=(csv|xlsx)|\.(pdf|zip|ics|csv|xlsx)\b"
)
_NUMBER = re.compile(r"\d+")


def page_links(page: str, base: str) -> Iterator[str]:
    """The local links of a page (path and query) a crawl follows."""
    for href in _HREF.findall(page):
        url = urljoin(base, html.unescape(href))
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not _SKIP.search(path):
            yield path


def walk(
    visit: Callable[[str], Iterable[str]], starts: list[str], per_pattern: int = 2, limit: int = 400
) -> int:
    """Breadth-first from `starts`: `visit(url)` each url reached (it returns the page's
    links), at most `per_pattern` urls that differ only in their numbers (so a list of 40
    projects costs 2). Returns how many urls were visited."""
    seen: set[str] = set()
    patterns: dict[str, int] = {}
    queue = deque(starts)
    while queue and len(seen) < limit:
        url = queue.popleft()
        pattern = _NUMBER.sub("N", url)
        if url in seen or patterns.get(pattern, 0) >= per_pattern:
            continue
        seen.add(url)
        patterns[pattern] = patterns.get(pattern, 0) + 1
        queue.extend(visit(url))
    return len(seen)


def crawl(
    client: FlaskClient, starts: list[str], per_pattern: int = 2, limit: int = 400
) -> Iterator[tuple[str, Any]]:
    """(url, response) of every page `walk` reaches with the test client."""
    reached: list[tuple[str, Any]] = []

    def visit(url: str) -> Iterable[str]:
        response = client.get(url)
        reached.append((url, response))
        if response.status_code == 200 and response.mimetype == "text/html":
            return list(page_links(response.get_data(as_text=True), url))
        return []

    walk(visit, starts, per_pattern, limit)
    yield from reached


_SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
#: a code element whose content is not language (a key typed as it is shown), marked
#: `translate="no"`; only `code` (no wrapper can hide a page's words from the walks)
_UNTRANSLATED = re.compile(r"<code\b[^>]*\stranslate=\"no\"[^>]*>[^<]*</code>")
_TAG = re.compile(r"<[^>]+>")
_ATTR = re.compile(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"')


def visible_text(page: str) -> str:
    """The text a reader sees or hears in the page's language: element text and the labelling
    attributes, without what the page marks `translate="no"` (the authenticator key, random
    letters a reader types as they are, which may by chance spell no digit)."""
    body = _UNTRANSLATED.sub(" ", _SCRIPT.sub(" ", page))
    attrs = " ".join(_ATTR.findall(body))
    text = _TAG.sub(" ", body) + " " + attrs
    return re.sub(r"\s+", " ", html.unescape(text))
