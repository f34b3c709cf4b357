"""Requests are named by their partner, assets and planned date, never "#3"; every table of
checks has its legend (✔/✘ in words) beside it."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.support import PLANNED
from tests.transfers.test_pages import VIEWERS, file, tab
from tracker.db import db
from tracker.i18n import format_day
from tracker.transfers import service

ROLES = tuple(VIEWERS)


def _link_texts(html: str, transfer_id: int) -> list[str]:
    pattern = rf'<a href="/transfers/{transfer_id}(?:#\w+)?">(.*?)</a>'
    return [re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(pattern, html, re.S)]


@pytest.mark.parametrize("who", ROLES)
def test_every_list_names_the_request(gate_world, browser_as, who):
    w = gate_world
    t = file(w)
    browser = browser_as(w.users[who])
    name = f"{w.partner.name} · Membrane process · {format_day(PLANNED, 'en')}"
    pages = [tab(w), "/transfers", "/zone" if who == "operator" else None]
    for path in filter(None, pages):
        response = browser.get(path)
        assert response.status_code == VIEWERS[who], path
        if response.status_code != 200:
            continue
        html = response.get_data(as_text=True)
        texts = _link_texts(html, t.id)
        assert texts and all(text == name for text in texts if text), (path, texts)
        assert f">{t.id}</a>" not in html
        # the marks are explained beside the table
        assert "✔ passes, ✘ fails" in html, path


def test_the_request_page_is_named_and_its_checks_have_a_key(gate_world, browser_as):
    w = gate_world
    t = file(w)
    html = browser_as(w.users["operator"]).get(f"/transfers/{t.id}").get_data(as_text=True)
    assert f"{w.partner.name} · Membrane process" in html.split("<h2>", 1)[1].split("</h2>")[0]
    assert "✔ the check passes, ✘ it fails" in html
    assert f"Request #{t.id}" not in html


def test_two_requests_of_one_partner_differ_by_date(gate_world, browser_as):
    w = gate_world
    first = file(w)
    second = file(w, planned_on=PLANNED + dt.timedelta(days=1))
    html = browser_as(w.users["company"]).get(tab(w)).get_data(as_text=True)
    assert _link_texts(html, first.id) != _link_texts(html, second.id)


def test_the_ledger_names_approved_requests_in_korean(gate_world, browser_as):
    w = gate_world
    t = file(w)
    service.decide_transfer(w.users["operator"], t, "approve", "")
    w.users["auditor"].locale = "ko"
    db.session.commit()
    html = browser_as(w.users["auditor"]).get("/transfers/ledger").get_data(as_text=True)
    name = f"{w.partner.name} · Membrane process · {format_day(PLANNED, 'ko')}"
    assert _link_texts(html, t.id) == [name]
    assert "✔ 통과, ✘ 불통과" in html
