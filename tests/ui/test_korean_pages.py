"""Every page each demo role reaches, in Korean, holds no English sentence of the catalogue.

The English phrases are the catalogue's own msgids of two words or more (without
placeholders) whose Korean differs: one of them verbatim on a Korean page is a string that
skipped the translation."""

from __future__ import annotations

import pathlib
import re

import pytest
import sqlalchemy as sa
from babel.messages.extract import extract_from_dir

from tests.support import sign_in
from tests.ui.crawl import crawl, visible_text
from tracker.auth.models import User
from tracker.db import db
from tracker.demo import DEMO_PASSWORD, demo_logins, load_demo

ROOT = pathlib.Path(__file__).parents[2] / "tracker"
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}
#: the start page and the main lists every role may open
STARTS = ["/", "/projects", "/transfers", "/zones", "/admin/users", "/audit", "/account"]


#: an option whose text is its stored code ("lawyer", "law_firm", "en")
RAW_OPTION = re.compile(r'<option[^>]*value="([a-z_]{2,})"[^>]*>\s*\1\s*</option>')


def english_phrases() -> set[str]:
    from tests.test_translations import _korean

    korean = _korean()
    phrases = set()
    for _f, _n, message, _c, _ctx in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        msgid = message if isinstance(message, str) else message[0]
        if not msgid or "%" in msgid or len(msgid.split()) < 2:
            continue
        if korean.get(msgid, msgid) != msgid:
            phrases.add(msgid)
    return phrases


def sign_in_korean(client, email):
    assert sign_in(client, email, DEMO_PASSWORD).status_code == 302  # the second step too


@pytest.mark.crawl
@pytest.mark.parametrize("email", [e for e, _ in demo_logins()])
def test_no_english_on_korean_pages(app, email):
    load_demo()
    db.session.execute(sa.update(User).values(locale="ko"))
    db.session.flush()
    # every phrase in one pattern, longest first (a phrase inside a longer one found is found
    # with it)
    phrases = sorted(english_phrases(), key=len, reverse=True)
    any_phrase = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, phrases)) + r")(?!\w)")
    client = app.test_client()
    sign_in_korean(client, email)
    found: dict[str, set[str]] = {}
    pages = errors = 0
    for url, response in crawl(client, STARTS):
        assert response.status_code < 500, url
        if response.status_code != 200 or response.mimetype != "text/html":
            errors += response.status_code != 200
            continue
        pages += 1
        page = response.get_data(as_text=True)
        text = visible_text(page)
        for code in RAW_OPTION.findall(page):  # a stored code shown as its own label
            found.setdefault(f"<option>{code}</option>", set()).add(re.sub(r"\d+", "N", url))
        for phrase in any_phrase.findall(text):
            found.setdefault(phrase, set()).add(re.sub(r"\d+", "N", url))
    print(f"{email}: {pages} Korean pages read")
    assert pages >= 5
    assert not found, "\n".join(f"{p!r} on {sorted(u)}" for p, u in sorted(found.items()))
