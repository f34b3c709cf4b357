"""The zone page keeps blocked requests apart from those waiting for a decision, runs the
checks again on demand, and its six marks have a legend and text for screen readers."""

from __future__ import annotations

import re
from typing import Any

from tests.support import audit_actions, csrf_token, day, fresh, statements, transfer_draft
from tests.transfers.conftest import partnered_project
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
    blocked = file(w, planned_on=day(371))  # after the NDA ends
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
    blocked = file(w, planned_on=day(371))
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


# --- the checks as they come out now, on every view -----------------------------------------------


def _row(html: str, transfer_id: int) -> str:
    start = html.index(f'id="request-{transfer_id}"')
    return html[start : html.index("</tr>", start)]


def _approve(client: Any, transfer: TransferRequest, next_url: str) -> Any:
    """What the zone page's approve button sends."""
    data = {"decision": "approve", "version": str(transfer.version), "next": next_url}
    return client.post(
        f"/transfers/{transfer.id}/decision",
        data={"csrf_token": csrf_token(client, "/zone"), **data},
    )


def test_an_nda_that_expired_since_filing_shows_failing_on_view(gate_world, browser_as):
    w = gate_world
    waiting = file(w, planned_on=day(40))
    assert waiting.status == "pending_review"
    w.nda.expires_on = day(6)  # ended before the planned date: fails now
    db.session.commit()
    events = len(audit_actions("transfer.checked"))
    html = browser_as(w.users["operator"]).get("/zone").get_data(as_text=True)
    row = _row(html, waiting.id)
    assert row in _section(html, "blocked") and row not in _section(html, "waiting")
    assert "Active NDA: fails" in row and "Fails now; recorded as waiting." in row
    assert 'value="approve"' not in row  # never offered for a request that fails now
    # viewing writes nothing: the stored result changes when someone runs the checks again
    assert fresh(TransferRequest, waiting.id).status == "pending_review"
    assert len(audit_actions("transfer.checked")) == events


def test_a_blocked_request_that_passes_now_can_be_approved_from_the_zone(gate_world, browser_as):
    w = gate_world
    blocked = file(w, planned_on=day(371))  # after the NDA ends
    assert blocked.status == "blocked"
    w.nda.expires_on = day(583)
    w.review.valid_until = day(553)
    db.session.commit()
    c = browser_as(w.users["operator"])
    html = c.get("/zone").get_data(as_text=True)
    row = _row(html, blocked.id)
    assert row in _section(html, "waiting")
    assert "Passes now; recorded as blocked." in row and "Active NDA: passes" in row
    assert 'name="decision" value="approve"' in row
    r = _approve(c, blocked, "/zone")
    assert r.status_code == 302 and r.headers["Location"] == "/zone"
    assert fresh(TransferRequest, blocked.id).status == "approved"
    assert "Decision recorded." in c.get("/zone").get_data(as_text=True)


def test_the_approve_button_never_leaves_the_site(gate_world, browser_as):
    w = gate_world
    waiting = file(w)
    c = browser_as(w.users["operator"])
    r = _approve(c, waiting, "//evil.example/zone")
    assert r.status_code == 302 and r.headers["Location"] == f"/transfers/{waiting.id}"


def test_other_failing_checks_are_noted(gate_world, browser_as):
    w = gate_world
    blocked = file(w, planned_on=day(371))  # the NDA fails
    w.nda.expires_on = day(583)  # now the NDA lasts, the review does not
    db.session.commit()
    html = browser_as(w.users["operator"]).get("/zone").get_data(as_text=True)
    row = _row(html, blocked.id)
    assert row in _section(html, "blocked")
    assert "Other checks fail now than when last run." in row
    assert "Current risk review: fails" in row and "Active NDA: passes" in row


def test_the_zone_page_runs_every_requests_checks_in_a_fixed_number_of_statements(
    gate_world, browser_as, make_project, make_org
):
    w = gate_world
    c = browser_as(w.users["operator"])

    def count() -> int:
        with statements() as seen:
            assert c.get("/zone").status_code == 200
        return len(seen)

    file(w)
    one = count()
    for n in range(4):  # more requests, projects, partners, NDAs and reviews
        project, partner, asset = partnered_project(w, make_project, make_org, f"Partner {n}", "JP")
        for _ in range(2):
            service.file_transfer(
                w.users["company"],
                project,
                transfer_draft(w, partner_id=partner.id, asset_ids=[asset.id]),
            )
        file(w, planned_on=day(371))
    db.session.commit()
    html = c.get("/zone").get_data(as_text=True)
    assert html.count('id="request-') == 13
    assert count() == one


def test_the_batch_and_the_single_request_gate_agree(gate_world, make_org):
    """One set of rules: the zone page's batch gives each request what its own page gives."""
    w = gate_world
    stranger = make_org("partner", name="Not on the project", country="US")
    requests = [
        file(w),
        file(w, planned_on=day(371)),
        file(w, partner_id=stranger.id),
    ]
    w.asset.nct_status = "pending"
    db.session.commit()
    batch = service.live_checks(requests)
    assert batch == [service.preview_checks(t) for t in requests]
    assert [[c["ok"] for c in checks] for checks in batch] == [
        [True, True, True, False, True, True],
        [False, True, False, False, True, True],
        [False, False, True, False, True, False],
    ]


def test_the_live_result_reads_in_korean(gate_world, browser_as):
    w = gate_world
    waiting = file(w)
    w.nda.status = "terminated"
    w.users["operator"].locale = "ko"
    db.session.commit()
    html = browser_as(w.users["operator"]).get("/zone").get_data(as_text=True)
    row = _row(html, waiting.id)
    assert "지금은 통과하지 못합니다. 기록된 상태는 결정 대기입니다." in row
    assert "지금 점검 결과" in html
