"""The zone page keeps blocked requests apart from those waiting for a decision, runs the
checks again on demand, and its six marks have a legend and text for screen readers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from tests.support import csrf_token, fresh, transfer_draft
from tracker.db import db
from tracker.transfers import service
from tracker.transfers.gate import CHECK_CODES, check_label
from tracker.transfers.models import TransferRequest


def file(w: Any, **over: Any) -> TransferRequest:
    t = service.file_transfer(w.users["company"], w.project, transfer_draft(w, **over))
    db.session.commit()
    return t


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def test_blocked_and_waiting_apart_with_a_legend(gate_world, browser_as):
    w = gate_world
    waiting = file(w)
    blocked = file(w, planned_on=dt.date(2027, 12, 1))  # after the NDA ends
    assert (waiting.status, blocked.status) == ("pending_review", "blocked")
    html = browser_as(w.users["operator"]).get("/zone").get_data(as_text=True)
    assert f'/transfers/{waiting.id}"' in _section(html, "waiting")
    assert f'/transfers/{blocked.id}"' not in _section(html, "waiting")
    assert f'/transfers/{blocked.id}"' in _section(html, "blocked")
    # each mark is a link to its check (keyboards reach it) with its text for screen readers
    assert f'href="/transfers/{blocked.id}#check-nda_active"' in html
    hidden = re.findall(r'<span class="visually-hidden">([^<]*)</span>', html)
    assert "Active NDA: fails" in hidden and "Active NDA: passes" in hidden
    legend = _section(html, "legend")
    assert [check_label(c) in legend for c in CHECK_CODES] == [True] * 6


def test_a_blocked_request_offers_deny_only(gate_world, browser_as):
    w = gate_world
    blocked = file(w, planned_on=dt.date(2027, 12, 1))
    html = browser_as(w.users["operator"]).get(f"/transfers/{blocked.id}").get_data(as_text=True)
    assert 'value="deny"' in html and 'value="approve"' not in html
    assert 'id="check-nda_active"' in html


def test_running_the_checks_again_moves_a_request(gate_world, browser_as):
    w = gate_world
    waiting = file(w)
    w.nda.status = "terminated"  # the facts change after filing
    db.session.commit()
    c = browser_as(w.users["operator"])
    r = c.post("/zone/recheck", data={"csrf_token": csrf_token(c, "/zone")})
    assert r.status_code == 303
    assert fresh(TransferRequest, waiting.id).status == "blocked"
    html = c.get("/zone").get_data(as_text=True)
    assert f'/transfers/{waiting.id}"' in _section(html, "blocked")


def test_only_operators_run_the_zone_checks(gate_world, browser_as):
    w = gate_world
    c = browser_as(w.users["company"])
    r = c.post("/zone/recheck", data={"csrf_token": csrf_token(c, "/projects")})
    assert r.status_code == 403
