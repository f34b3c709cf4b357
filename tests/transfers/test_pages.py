"""The HTML pages: a project's tab with the filing form, the operator's decision with the
reasons in view, the lists, the ledger and the zone overview, for every role."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from babel.dates import format_date

from tests.support import PLANNED, csrf_token, day, transfer_draft
from tracker.db import db
from tracker.transfers import service
from tracker.transfers.models import TransferRequest

ROLES = ("admin", "lawyer", "company", "operator", "auditor")
VIEWERS = {"admin": 403, "lawyer": 200, "company": 200, "operator": 200, "auditor": 200}


def file(w: Any, **over: Any) -> TransferRequest:
    t = service.file_transfer(w.users["company"], w.project, transfer_draft(w, **over))
    db.session.commit()
    return t


def tab(w: Any) -> str:
    return f"/projects/{w.project.id}/transfers"


@pytest.mark.parametrize("who", ROLES)
def test_project_tab_per_role(gate_world, browser_as, who):
    file(gate_world)
    r = browser_as(gate_world.users[who]).get(tab(gate_world))
    assert r.status_code == VIEWERS[who]
    if r.status_code == 200:
        html = r.get_data(as_text=True)
        assert "Membrane process" in html
        assert ('name="purpose"' in html) == (who in ("lawyer", "company"))


@pytest.mark.parametrize("who", ["lawyer", "company", "operator"])
def test_project_tab_out_of_scope(gate_world, browser_as, who):
    assert browser_as(gate_world.outsiders[who]).get(tab(gate_world)).status_code == 404


def test_company_files_through_the_form(gate_world, browser_as):
    w = gate_world
    c = browser_as(w.users["company"])
    token = csrf_token(c, tab(w))
    r = c.post(
        tab(w),
        data={
            "csrf_token": token,
            "partner_id": w.partner.id,
            "asset_ids": [w.asset.id],
            "purpose": "Share the membrane test data",
            "channel": "encrypted_email",
            "planned_on": PLANNED.isoformat(),
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    t = db.session.execute(sa.select(TransferRequest)).scalar_one()
    assert t.status == "pending_review" and t.channel == "encrypted_email"
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "Share the membrane test data" in page and "is active and runs until" in page


def test_form_rejects_a_past_date(gate_world, browser_as):
    w = gate_world
    c = browser_as(w.users["company"])
    r = c.post(
        tab(w),
        data={
            "csrf_token": csrf_token(c, tab(w)),
            "partner_id": w.partner.id,
            "asset_ids": [w.asset.id],
            "purpose": "x",
            "channel": "email",
            "planned_on": day(-24).isoformat(),
        },
    )
    assert r.status_code == 422
    assert "cannot be in the past" in r.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(TransferRequest)).scalar() == 0


def test_form_without_csrf_is_refused(gate_world, browser_as):
    w = gate_world
    r = browser_as(w.users["company"]).post(tab(w), data={"purpose": "x"})
    assert r.status_code in (400, 422)
    assert db.session.execute(sa.select(sa.func.count()).select_from(TransferRequest)).scalar() == 0


def decide_page(
    c: Any, t: TransferRequest, decision: str, note: str = "", version: Any = None
) -> Any:
    detail = f"/transfers/{t.id}"
    return c.post(
        f"{detail}/decision",
        data={
            "csrf_token": csrf_token(c, detail),
            "decision": decision,
            "note": note,
            "version": t.version if version is None else version,
        },
    )


def test_operator_sees_the_reasons_and_approves(gate_world, browser_as):
    w = gate_world
    t = file(w)
    c = browser_as(w.users["operator"])
    html = c.get(f"/transfers/{t.id}").get_data(as_text=True)
    assert "The checks now" in html and 'name="decision"' in html
    assert "The current risk review (level" in html and "Risk review #" not in html
    r = decide_page(c, t, "approve")
    assert r.status_code == 302
    db.session.refresh(t)
    assert t.status == "approved" and t.decided_by_id == w.users["operator"].id
    html = c.get(f"/transfers/{t.id}").get_data(as_text=True)
    assert "The checks the decision was made on" in html and 'name="decision"' not in html


def test_operator_cannot_approve_what_fails_now(gate_world, browser_as):
    w = gate_world
    t = file(w)
    w.nda.status = "terminated"
    db.session.commit()
    c = browser_as(w.users["operator"])
    r = decide_page(c, t, "approve")
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "was terminated" in html
    db.session.refresh(t)
    assert t.status == "pending_review"
    from tracker.audit.models import AuditEvent

    refused = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "transfer.approval_refused")
    ).scalar_one()
    assert refused.object_id == t.id


def test_deny_without_note_is_422_then_with_note(gate_world, browser_as):
    w = gate_world
    t = file(w)
    c = browser_as(w.users["operator"])
    assert decide_page(c, t, "deny").status_code == 422
    assert decide_page(c, t, "deny", "Partner has no audit rights").status_code == 302
    db.session.refresh(t)
    assert t.status == "denied" and t.decision_note == "Partner has no audit rights"


def test_stale_form_is_409(gate_world, browser_as):
    w = gate_world
    t = file(w)
    c = browser_as(w.users["operator"])
    assert decide_page(c, t, "approve", version=t.version + 1).status_code == 409


@pytest.mark.parametrize("who", ["company", "lawyer", "auditor", "admin"])
def test_others_cannot_decide_in_html(gate_world, browser_as, who):
    w = gate_world
    t = file(w)
    c = browser_as(w.users[who])
    token = csrf_token(c, "/account")
    data = {"csrf_token": token, "decision": "approve", "version": 1}
    r = c.post(f"/transfers/{t.id}/decision", data=data)
    assert r.status_code == 403
    db.session.refresh(t)
    assert t.status == "pending_review"


def test_other_zone_operator_gets_404(gate_world, browser_as):
    t = file(gate_world)
    c = browser_as(gate_world.outsiders["operator"])
    assert c.get(f"/transfers/{t.id}").status_code == 404
    token = csrf_token(c, "/account")
    r = c.post(f"/transfers/{t.id}/decision", data={"csrf_token": token})
    assert r.status_code == 404


def test_requester_rechecks_a_blocked_request(gate_world, browser_as):
    w = gate_world
    w.review.valid_until = day(5)
    db.session.flush()
    t = file(w)
    assert t.status == "blocked"
    w.review.valid_until = day(96)
    db.session.commit()
    c = browser_as(w.users["company"])
    detail = f"/transfers/{t.id}"
    r = c.post(f"{detail}/recheck", data={"csrf_token": csrf_token(c, detail)})
    assert r.status_code == 302
    db.session.refresh(t)
    assert t.status == "pending_review"


@pytest.mark.parametrize("path", ["/transfers", "/transfers/ledger"])
@pytest.mark.parametrize("who", ROLES)
def test_lists_per_role(gate_world, browser_as, path, who):
    w = gate_world
    t = file(w)
    service.decide_transfer(w.users["operator"], t, "approve", "")
    db.session.commit()
    r = browser_as(w.users[who]).get(path)
    assert r.status_code == VIEWERS[who]
    if r.status_code == 200:
        assert f'/transfers/{t.id}"' in r.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/transfers", "/transfers/ledger"])
@pytest.mark.parametrize("who", ["lawyer", "company", "operator"])
def test_lists_hide_out_of_scope(gate_world, browser_as, path, who):
    w = gate_world
    t = file(w)
    service.decide_transfer(w.users["operator"], t, "approve", "")
    db.session.commit()
    r = browser_as(w.outsiders[who]).get(path)
    assert r.status_code == 200
    assert f'/transfers/{t.id}"' not in r.get_data(as_text=True)


def test_list_filter_with_bad_date_is_422(gate_world, browser_as):
    r = browser_as(gate_world.users["lawyer"]).get("/transfers?planned_from=yesterday")
    assert r.status_code == 422


@pytest.mark.parametrize("who", ROLES)
def test_zone_overview_per_role(gate_world, browser_as, who):
    w = gate_world
    file(w)
    r = browser_as(w.users[who]).get("/zone")
    assert r.status_code == (200 if who == "operator" else 403)
    if who == "operator":
        html = r.get_data(as_text=True)
        assert (
            w.project.code in html
            and format_date(day(217), "medium", locale="en") in html
            and "low" in html
        )


def test_zone_overview_of_another_zone_is_empty(gate_world, browser_as):
    file(gate_world)
    html = browser_as(gate_world.outsiders["operator"]).get("/zone").get_data(as_text=True)
    assert gate_world.project.code not in html


def test_pages_in_korean(gate_world, browser_as):
    w = gate_world
    t = file(w)
    w.users["operator"].locale = "ko"
    db.session.commit()
    c = browser_as(w.users["operator"])
    html = c.get(f"/transfers/{t.id}").get_data(as_text=True)
    assert "현재 점검 결과" in html and "까지 유효합니다" in html and not re.search(r"#\d+는", html)
    assert "결정을 기다리는 요청" in c.get("/zone").get_data(as_text=True)
