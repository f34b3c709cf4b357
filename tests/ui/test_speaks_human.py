"""The test of issue 19: every page every demo role reaches, in Korean, speaks to a person.

It fails on a code reaching the page (an audit action, a record or object type, a status or
kind code, a rule id such as `pct.filing@2026.1`, a MIME type, an audit detail key), on an
English word outside a short allow-list (brand names, units, abbreviations, and the words of
the records' own data: a partner called "Kiel Maritime" is not an untranslated string), on
a UTC or ISO time (`2026-12-06T15:19`, `15:19 UTC`) and on an ISO date (`2026-12-07`: a
person reads "2026. 12. 7."). The English walk is `test_speaks_human_english.py`."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from tests.ui.crawl import crawl, visible_text
from tests.ui.test_korean_pages import STARTS, sign_in_korean
from tracker import records
from tracker.auth import totp
from tracker.auth.models import User
from tracker.db import db
from tracker.demo import demo_logins, load_demo
from tracker.oversight.actions import ACTIONS, DETAIL_KEYS
from tracker.sealing import sealed_columns

#: words a Korean page may hold in Latin letters: brands, formats, units, abbreviations
ALLOWED = {
    "NDA", "NDAs", "PCT", "PDF", "CSV", "XLSX", "API", "IP", "ID", "TOTP", "OTP", "QR", "URL",
    "HWP", "HWPX", "ZIP", "PNG", "JPEG", "GIF", "TIFF", "DXF", "STL", "Word", "Excel",
    "PowerPoint", "OpenDocument", "Office", "Hangul", "iCalendar", "Tracker", "English",
    "IANA", "KB", "MB", "GB", "EAR", "ITAR", "KIPO", "EPO", "USPTO", "WIPO", "JPO", "CNIPA",
    "OpenAPI", "JSON", "HTTP", "HTTPS", "SHA", "AES", "GCM", "WCAG", "Asia", "Seoul",
    # file formats named in the upload hints, patent offices' abbreviations
    "CAD", "DWG", "IGES", "STEP", "XML", "Parquet", "ISO", "EP", "WO",
}  # fmt: skip
#: the import page names the values a spreadsheet's cells may hold (typed there as they are)
CELL_VALUES = {
    "YYYY-MM-DD", "EM", "EUIPO", "first", "paris", "pct", "national_phase", "validation",
    "divisional", "pending", "allowed", "registered", "refused", "withdrawn", "lapsed",
    "expired", "office", "route", "status",
}  # fmt: skip
PAGE_ALLOWED = {"/projects/N/filings/import": CELL_VALUES}
#: a time in UTC or as an ISO timestamp
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d|\bUTC\b|\+00:00")
#: a date as a machine writes it
ISO_DATE = re.compile(r"(?<![\w-])\d{4}-\d\d-\d\d(?![\w-])")
RULE_ID = re.compile(r"\b[a-z_]+(?:\.[a-z_]+)+@\d{4}\.\d+\b")
MIME = re.compile(r"\b(?:application|image|text|model|audio|video)/[a-z0-9.+-]+\b")
WORD = re.compile(r"(?<![\w@./-])[A-Za-z][A-Za-z'-]*[A-Za-z](?![\w@/-])")


def known_codes() -> set[str]:
    """Codes that must never reach a person as they are stored."""
    codes = {c for c in ACTIONS if "." in c}
    codes |= {k for k in DETAIL_KEYS if "_" in k}
    codes |= {k.type for k in records.kinds() if "_" in k.type}
    from tracker.cases.labels import LABELS
    from tracker.transfers.gate import CHECK_CODES

    codes |= {c for c in LABELS if "_" in c}
    codes |= set(CHECK_CODES)
    return codes


def _texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def data_words() -> set[str]:
    """Every word of the records' own text (names, titles, notes, attendees): data, not
    interface."""
    words: set[str] = set()
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, sa.String | sa.Text | sa.JSON)]
        if not columns or table.name == "audit_events":  # the trail holds codes, not data
            continue
        for row in db.session.execute(sa.select(*columns)):
            for value in row:
                for text in _texts(value):
                    words.update(WORD.findall(text))
    # sealed text is ciphertext in the table: its words as the application reads them
    for mapper in db.Model.registry.mappers:
        names = sealed_columns(mapper)
        for record in db.session.execute(sa.select(mapper.class_)).scalars() if names else ():
            for name in names:
                words.update(WORD.findall(getattr(record, name) or ""))
    return words


def findings(text: str, codes: set[str], allowed: set[str], *, english: bool = False) -> set[str]:
    """What a page's text holds that a Korean reader should not meet (each slip once: its
    letters are not reported again as English words); `english`: a page in English, where
    only the English words are at home."""
    found = set()
    patterns = (("time", ISO_TIME), ("date", ISO_DATE), ("rule", RULE_ID), ("type", MIME))
    for kind, pattern in patterns:
        found.update(f"{kind} {m}" for m in pattern.findall(text))
        text = pattern.sub(" ", text)
    for code in sorted(codes, key=len, reverse=True):
        pattern = re.compile(rf"(?<![\w.]){re.escape(code)}(?!\w)")
        if pattern.search(text):
            found.add(f"code {code}")
            text = pattern.sub(" ", text)
    for word in [] if english else WORD.findall(text):
        if word not in allowed and word.lower() not in allowed:
            found.add(f"word {word}")
    return found


@pytest.mark.crawl
@pytest.mark.parametrize("email", [e for e, _ in demo_logins()][:5])
def test_every_page_of_every_role_speaks_korean(app, email):
    load_demo()
    db.session.execute(sa.update(User).values(locale="ko"))
    db.session.flush()
    client = app.test_client()
    sign_in_korean(client, email)
    walk(client, ALLOWED | data_words(), lang="ko")


def walk(client: Any, allowed: set[str], *, lang: str) -> None:
    """Crawl every page `client` reaches from the start pages; fail on a page not in `lang`
    and on any finding (`findings`, English words only looked for on Korean pages)."""
    codes = known_codes()
    found: dict[str, set[str]] = {}
    pages = 0
    for url, response in crawl(client, STARTS):
        assert response.status_code < 500, url
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        pages += 1
        page = response.get_data(as_text=True)
        assert f'<html lang="{lang}"' in page, url
        here = allowed | PAGE_ALLOWED.get(re.sub(r"\d+", "N", url.split("?")[0]), set())
        for item in findings(visible_text(page), codes - here, here, english=lang == "en"):
            found.setdefault(item, set()).add(re.sub(r"\d+", "N", url))
    assert pages >= 5
    assert not found, "\n".join(f"{p!r} on {sorted(u)[:3]}" for p, u in sorted(found.items()))


def test_the_finder_finds_each_kind_of_slip():
    codes = {"auth.sign_in", "nda_covers_assets"}
    text = (
        "로그인 auth.sign_in 2026-12-06T15:19:44 pct.filing@2026.1 application/pdf "
        "미충족 점검: nda_covers_assets Submitted NDA PDF 15:19 UTC 기한 2026-12-07"
    )
    assert findings(text, codes, ALLOWED) == {
        "code auth.sign_in",
        "time 2026-12-06T15:19",
        "date 2026-12-07",
        "time UTC",
        "rule pct.filing@2026.1",
        "type application/pdf",
        "code nda_covers_assets",
        "word Submitted",
    }
    assert findings("2026. 12. 7. 오전 12:19 · NDA #3 · 독일", codes, ALLOWED) == set()
    # in English the words are at home; codes, machine times and dates are not
    english = "Submitted Dec 7, 2026, 9:00 AM (+01:00) 2026-12-07 auth.sign_in"
    assert findings(english, codes, ALLOWED, english=True) == {
        "date 2026-12-07",
        "code auth.sign_in",
    }


def test_the_authenticator_key_is_not_read_as_words(make_user, browser_as):
    """The key to type into an authenticator is random base-32: about one in 750 has no digit
    and read as one English word, failing the Korean walk now and then. The page marks it
    `translate="no"`, and the walk leaves such content out; a key of letters only, forced here,
    shows both."""
    user = make_user("lawyer", second_factor=False, locale="ko")
    client = browser_as(user)
    enrolment = next(
        e
        for e in (f"enrolment-{n}" for n in range(100_000))
        if not any(c.isdigit() for c in totp.candidate_secret(user, e))
    )
    with client.session_transaction() as session:
        session["totp_enrolment"] = enrolment
    page = client.get("/account/second-factor").get_data(as_text=True)
    key = totp.candidate_secret(user, enrolment)
    assert f'translate="no">{key}<' in page
    assert key not in visible_text(page)
    assert not findings(visible_text(page), known_codes(), ALLOWED | data_words(), english=False)
