"""Canary crawl: secrets carry canaries (privileged notes, a disclosure's description, a file's
content); every HTML page (links followed), every API GET, every export (csv and xlsx of every
list), search, error page and log line reachable by a role that may not read a secret must not
contain its canary. A positive control proves each canary is reachable by an entitled role, so
the crawl cannot pass by seeing nothing.

E-mails: `MAIL_SOURCES` is the hook. Once a command sends e-mails (the deadline notices), add
a function that runs it against a local SMTP server and returns the messages' text.
"""

from __future__ import annotations

import io
import logging
import re
import subprocess
import zipfile
from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.support import (
    CANARY,
    DISCLOSURE_CANARY,
    FILE_CANARY,
    ApiClient,
    route_path,
    sign_in,
)
from tracker.auth import service as auth_service
from tracker.cases.disclosures import service as disclosures
from tracker.db import db
from tracker.web.hooks import local_path

#: canary -> the roles that may read it (in their scope)
ENTITLED = {
    CANARY: {"lawyer"},  # privileged notes
    DISCLOSURE_CANARY: {"lawyer", "company", "auditor"},  # a disclosure's description
    FILE_CANARY: {"lawyer", "company"},  # a file's content
}
#: search words that match the secret records (never the canaries: the search box echoes them)
SEARCHES = ["losses", "breach", "plan", "Gallium", "NDA"]
#: pages never followed: they change state or are not pages
SKIP = re.compile(r"^/(static/|logout|language/)")
MAX_PAGES = 300
#: where e-mails are read from (see the module docstring): each returns (source, text) pairs
MAIL_SOURCES: list[Callable[[Flask, Any], list[tuple[str, str]]]] = []

PRINCIPALS = [(role, "in") for role in ("admin", "lawyer", "company", "operator", "auditor")]
PRINCIPALS += [(role, "out") for role in ("lawyer", "company", "operator")]
PRINCIPALS += [("anonymous", "-")]


def text_of(data: bytes) -> str:
    """The response as text: archives (xlsx, zip) unpacked, PDFs through pdftotext."""
    if data[:2] == b"PK":
        out = []
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for name in zf.namelist():
                out.append(name + "\n" + text_of(zf.read(name)))
        return "\n".join(out)
    if data[:5] == b"%PDF-" and b"%%EOF" in data[-1024:]:
        done = subprocess.run(
            ["pdftotext", "-q", "-", "-"], input=data, capture_output=True, check=False
        )
        return done.stdout.decode("utf-8", "replace") + data.decode("latin-1")
    return data.decode("utf-8", "replace")


class Crawler:
    def __init__(self, app: Flask, user: Any) -> None:
        self.browser = app.test_client()
        self.api: Any = app.test_client()
        if user is not None:
            assert sign_in(self.browser, user.email).status_code == 302
            token, _row = auth_service.issue_token(user)
            db.session.commit()
            self.api = ApiClient(app.test_client(), token)
        self.seen: dict[str, str] = {}

    def get(self, path: str) -> str:
        if path in self.seen:
            return self.seen[path]
        client = self.api if path.startswith("/api/") else self.browser
        response = client.get(path)
        text = text_of(response.get_data())
        response.close()
        self.seen[path] = text
        if response.status_code == 200 and response.mimetype == "application/json":
            body = response.get_json()
            if "?" not in path and isinstance(body, dict) and "items" in body:
                for fmt in ("csv", "xlsx"):  # a list: its exports, its search
                    self.get(f"{path}?format={fmt}")
                for word in SEARCHES:
                    self.get(f"{path}?q={word}")
        return text

    def crawl(self, start: list[str]) -> None:
        queue = list(start)
        while queue and len(self.seen) < MAX_PAGES:
            path = queue.pop(0)
            if path in self.seen:
                continue
            text = self.get(path)
            if path.startswith("/api/"):
                continue
            for href in re.findall(r'href="([^"#]+)', text):
                href = local_path(href.replace("&amp;", "&"))
                if href and not SKIP.match(href) and href not in self.seen:
                    queue.append(href)


def _start(app: Flask, w: Any) -> list[str]:
    paths = ["/", "/no-such-page", "/projects/99999999", "/api/v1/sessions/99999999"]
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.endpoint.endswith("static"):
            paths.append(route_path(rule, w)[0])
    paths += [f"/projects?q={word}" for word in SEARCHES]
    return paths


def crawl_all(app: Flask, w: Any, caplog: Any) -> dict[tuple[str, str], Crawler]:
    crawlers = {}
    with caplog.at_level(logging.DEBUG):
        for role, scope in PRINCIPALS:
            user = None
            if role != "anonymous":
                user = w.outsiders[role] if scope == "out" else w.users[role]
            crawler = Crawler(app, user)
            crawler.crawl(_start(app, w))
            crawlers[(role, scope)] = crawler
    return crawlers


def hits(
    crawlers: dict[tuple[str, str], Crawler], app: Flask, w: Any, caplog: Any
) -> tuple[list[tuple[str, str, str, str]], int]:
    """(who, canary, where) for every canary found where it must not be, and pages read."""
    found, pages = [], 0
    for (role, scope), crawler in crawlers.items():
        pages += len(crawler.seen)
        for canary, entitled in ENTITLED.items():
            if role in entitled and scope == "in":
                continue
            found += [(role, scope, canary, p) for p, t in crawler.seen.items() if canary in t]
    log_text = "\n".join(
        r.getMessage() + (logging.Formatter().formatException(r.exc_info) if r.exc_info else "")
        for r in caplog.records
    )
    for source in MAIL_SOURCES:
        for where, text in source(app, w):
            found += [("mail", "-", c, where) for c in ENTITLED if c in text]
    found += [("log", "-", c, "log") for c in ENTITLED if c in log_text]
    return found, pages


def positive_controls(crawlers: dict[tuple[str, str], Crawler]) -> None:
    """Each canary is reachable by an entitled role: the crawl reaches the secrets."""
    for canary, entitled in ENTITLED.items():
        for role in entitled:
            pages = crawlers[(role, "in")].seen
            assert any(canary in t for t in pages.values()), (role, canary, "never reached")


def test_canary_crawl(app: Flask, records: Any, caplog: Any, capsys: Any) -> None:
    crawlers = crawl_all(app, records, caplog)
    positive_controls(crawlers)
    found, pages = hits(crawlers, app, records, caplog)
    with capsys.disabled():
        print(
            f"\ncanary crawl: {pages} responses read by {len(crawlers)} principals, "
            f"{len(found)} hits"
        )
    assert not found, found[:20]


def test_canary_crawl_after_accepting_a_disclosure(
    app: Flask, records: Any, caplog: Any, capsys: Any
) -> None:
    disclosures.decide_disclosure(records.disclosure, records.users["lawyer"], "accept", None)
    db.session.commit()
    crawlers = crawl_all(app, records, caplog)
    found, pages = hits(crawlers, app, records, caplog)
    with capsys.disabled():
        print(f"\ncanary crawl (accepted disclosure): {pages} responses, {len(found)} hits")
    assert not found, found[:20]
