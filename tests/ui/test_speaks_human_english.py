"""The English half of issue 19's walk: every page every demo role reaches, in English and in
a time zone other than the firm's (Europe/Berlin), shows no stored code (an audit action, a
status or kind, a rule id, a MIME type, a detail key), no UTC or ISO time and no ISO date."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.support import sign_in
from tests.ui.crawl import crawl, visible_text
from tests.ui.test_korean_pages import STARTS
from tests.ui.test_speaks_human import PAGE_ALLOWED, findings, known_codes
from tracker.auth.models import User
from tracker.db import db
from tracker.demo import DEMO_PASSWORD, demo_logins, load_demo


@pytest.mark.parametrize("email", [e for e, _ in demo_logins()][:5])
def test_every_page_of_every_role_speaks_english(app, email):
    load_demo()
    db.session.execute(sa.update(User).values(locale="en", time_zone="Europe/Berlin"))
    db.session.flush()
    codes = known_codes()
    client = app.test_client()
    assert sign_in(client, email, DEMO_PASSWORD).status_code == 302
    found: dict[str, set[str]] = {}
    pages = 0
    for url, response in crawl(client, STARTS):
        assert response.status_code < 500, url
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        pages += 1
        page = response.get_data(as_text=True)
        assert '<html lang="en"' in page, url
        here = PAGE_ALLOWED.get(re.sub(r"\d+", "N", url.split("?")[0]), set())
        for item in findings(visible_text(page), codes - here, here, english=True):
            found.setdefault(item, set()).add(re.sub(r"\d+", "N", url))
    assert pages >= 5
    assert not found, "\n".join(f"{p!r} on {sorted(u)[:3]}" for p, u in sorted(found.items()))
