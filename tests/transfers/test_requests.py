"""Filing, bad input, re-checking, deciding, and who may do each (docs/product.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support import TODAY, day, transfer_body
from tracker.audit.models import AuditEvent
from tracker.cases.assets.models import IpAsset
from tracker.db import db
from tracker.transfers.models import TransferRequest

IN_SCOPE = ("admin", "lawyer", "company", "operator", "auditor")


def url(w: Any) -> str:
    return f"/api/v1/projects/{w.project.id}/transfers"


def filed(api_as: Any, w: Any, who: str = "company", **over: Any) -> dict[str, Any]:
    r = api_as(w.users[who]).post(url(w), json=transfer_body(w, **over))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def decide(api_as: Any, user: Any, tid: int, decision: str = "approve", note: str = "") -> Any:
    return api_as(user).post(
        f"/api/v1/transfers/{tid}/decision", json={"decision": decision, "note": note}
    )


def count() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(TransferRequest)).scalar_one()


# --- filing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["company", "lawyer"])
def test_company_and_assigned_lawyer_file(gate_world, api_as, who):
    payload = filed(api_as, gate_world, who)
    assert payload["status"] == "pending_review"
    assert payload["asset_ids"] == [gate_world.asset.id]
    assert payload["version"] == 1
    actions = (
        db.session.execute(
            sa.select(AuditEvent.action).where(
                AuditEvent.object_id == payload["id"], AuditEvent.object_type == "transfer"
            )
        )
        .scalars()
        .all()
    )
    assert actions == ["transfer.filed", "transfer.checked"]


@pytest.mark.parametrize(("who", "status"), [("admin", 403), ("operator", 403), ("auditor", 403)])
def test_others_in_scope_cannot_file(gate_world, api_as, who, status):
    r = api_as(gate_world.users[who]).post(url(gate_world), json=transfer_body(gate_world))
    assert r.status_code == status
    assert count() == 0


@pytest.mark.parametrize("who", ["lawyer", "company", "operator"])
def test_outsiders_cannot_file(gate_world, api_as, who):
    r = api_as(gate_world.outsiders[who]).post(url(gate_world), json=transfer_body(gate_world))
    assert r.status_code == 404
    assert count() == 0


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"partner_id": 999999}, "partner_id"),
        ({"channel": "carrier_pigeon"}, "channel"),
        ({"planned_on": (TODAY - dt.timedelta(days=1)).isoformat()}, "planned_on"),
        ({"planned_on": "2026-13-01"}, "planned_on"),
        ({"asset_ids": [999999]}, "asset_ids"),
        ({"asset_ids": [], "attachment_ids": []}, "asset_ids"),
        ({"attachment_ids": [999999]}, "attachment_ids"),
        ({"purpose": ""}, "purpose"),
        ({"purpose": "   "}, "purpose"),
        ({"unknown_field": 1}, "unknown_field"),
    ],
)
def test_bad_input_is_422_and_writes_nothing(gate_world, api_as, over, field):
    api = api_as(gate_world.users["company"])
    before = db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()
    r = api.post(url(gate_world), json=transfer_body(gate_world, **over))
    assert r.status_code == 422, r.get_json()
    assert r.mimetype == "application/problem+json"
    assert field in r.get_json()["errors"]
    assert count() == 0
    after = db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()
    assert after == before


def test_partner_must_be_a_partner_organisation(gate_world, api_as):
    r = api_as(gate_world.users["company"]).post(
        url(gate_world), json=transfer_body(gate_world, partner_id=gate_world.company.id)
    )
    assert r.status_code == 422 and "partner_id" in r.get_json()["errors"]


def test_asset_of_another_project_is_422(gate_world, api_as, make_project):
    other = make_project()
    asset = IpAsset(project=other, title="Elsewhere", kind="patent", sensitivity="public")
    db.session.add(asset)
    db.session.flush()
    r = api_as(gate_world.users["company"]).post(
        url(gate_world), json=transfer_body(gate_world, asset_ids=[gate_world.asset.id, asset.id])
    )
    assert r.status_code == 422 and "asset_ids" in r.get_json()["errors"]
    assert count() == 0


def test_planned_today_is_allowed(gate_world, api_as):
    assert filed(api_as, gate_world, planned_on=TODAY.isoformat())["status"] == "pending_review"


def test_malformed_json_is_400(gate_world, api_as):
    r = api_as(gate_world.users["company"]).post(
        url(gate_world), data="{", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400


# --- re-checking -------------------------------------------------------------------------------


def test_blocked_request_clears_on_recheck(gate_world, api_as):
    w = gate_world
    w.review.valid_until = day(5)
    db.session.flush()
    payload = filed(api_as, w)
    assert payload["status"] == "blocked"
    w.review.valid_until = day(188)
    db.session.flush()
    r = api_as(w.users["company"]).post(f"/api/v1/transfers/{payload['id']}/recheck")
    assert r.status_code == 200
    assert r.get_json()["status"] == "pending_review"


@pytest.mark.parametrize(("who", "status"), [("operator", 403), ("auditor", 403), ("admin", 403)])
def test_recheck_roles(gate_world, api_as, who, status):
    tid = filed(api_as, gate_world)["id"]
    assert (
        api_as(gate_world.users[who]).post(f"/api/v1/transfers/{tid}/recheck").status_code == status
    )


def test_recheck_out_of_scope_is_404(gate_world, api_as):
    tid = filed(api_as, gate_world)["id"]
    for who in ("lawyer", "company", "operator"):
        r = api_as(gate_world.outsiders[who]).post(f"/api/v1/transfers/{tid}/recheck")
        assert r.status_code == 404


# --- deciding ------------------------------------------------------------------------------------


def test_operator_approves_with_a_snapshot(gate_world, api_as):
    w = gate_world
    tid = filed(api_as, w)["id"]
    r = decide(api_as, w.users["operator"], tid)
    assert r.status_code == 200, r.get_json()
    payload = r.get_json()
    assert payload["status"] == "approved"
    assert payload["decided_by_id"] == w.users["operator"].id
    assert [c["ok"] for c in payload["decision_checks"]] == [True] * 6
    assert payload["version"] == 2
    event = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "transfer.decided")
    ).scalar_one()
    assert event.object_id == tid and event.detail["decision"] == "approve"


def test_second_decision_is_409(gate_world, api_as):
    w = gate_world
    tid = filed(api_as, w)["id"]
    assert decide(api_as, w.users["operator"], tid).status_code == 200
    again = decide(api_as, w.users["operator"], tid, "deny", "changed my mind")
    assert again.status_code == 409
    t = db.session.get(TransferRequest, tid)
    db.session.refresh(t)
    assert t.status == "approved"


def test_deny_needs_a_note(gate_world, api_as):
    w = gate_world
    tid = filed(api_as, w)["id"]
    r = decide(api_as, w.users["operator"], tid, "deny", "  ")
    assert r.status_code == 422 and "note" in r.get_json()["errors"]
    r = decide(api_as, w.users["operator"], tid, "deny", "Partner audit outstanding")
    assert r.status_code == 200 and r.get_json()["status"] == "denied"
    assert r.get_json()["decision_note"] == "Partner audit outstanding"


def test_unknown_decision_is_422(gate_world, api_as):
    tid = filed(api_as, gate_world)["id"]
    assert decide(api_as, gate_world.users["operator"], tid, "maybe").status_code == 422


def test_operator_may_deny_a_blocked_request_but_not_approve_it(gate_world, api_as):
    w = gate_world
    w.nda.status = "terminated"
    db.session.flush()
    tid = filed(api_as, w)["id"]
    r = decide(api_as, w.users["operator"], tid)
    assert r.status_code == 409
    assert {c["code"] for c in r.get_json()["checks"]} == {"nda_active", "nda_covers_assets"}
    assert decide(api_as, w.users["operator"], tid, "deny", "No NDA").status_code == 200


@pytest.mark.parametrize("change", ["expired", "terminated"])
def test_clears_at_filing_but_fails_at_decision(gate_world, api_as, monkeypatch, change):
    w = gate_world
    payload = filed(api_as, w)
    assert payload["status"] == "pending_review"
    if change == "expired":  # time passes: the NDA lapses before the operator looks
        from tracker import clock

        w.nda.expires_on = day(3)
        db.session.flush()
        monkeypatch.setattr(clock, "today", lambda: day(4))
    else:
        w.nda.status = "terminated"
        db.session.flush()
    r = decide(api_as, w.users["operator"], payload["id"])
    assert r.status_code == 409
    assert r.mimetype == "application/problem+json"
    failed = {c["code"] for c in r.get_json()["checks"]}
    assert "nda_active" in failed
    assert all(not c["ok"] and c["detail"] for c in r.get_json()["checks"])
    t = db.session.get(TransferRequest, payload["id"])
    db.session.refresh(t)
    assert t.status == "pending_review" and t.decided_by_id is None
    refused = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "transfer.approval_refused")
    ).scalar_one()
    assert refused.object_id == t.id and "nda_active" in refused.detail["failed"]
    assert refused.actor_id == w.users["operator"].id


def test_operator_of_another_zone_gets_404(gate_world, api_as):
    tid = filed(api_as, gate_world)["id"]
    r = decide(api_as, gate_world.outsiders["operator"], tid)
    assert r.status_code == 404


@pytest.mark.parametrize("who", ["company", "lawyer", "admin", "auditor"])
def test_only_the_operator_decides(gate_world, api_as, who):
    tid = filed(api_as, gate_world)["id"]
    r = decide(api_as, gate_world.users[who], tid)
    assert r.status_code == 403
    t = db.session.get(TransferRequest, tid)
    db.session.refresh(t)
    assert t.status == "pending_review"


@pytest.mark.parametrize("who", ["lawyer", "company"])
def test_outsiders_cannot_decide(gate_world, api_as, who):
    tid = filed(api_as, gate_world)["id"]
    assert decide(api_as, gate_world.outsiders[who], tid).status_code == 404


def test_unknown_transfer_is_404(gate_world, api_as):
    assert decide(api_as, gate_world.users["operator"], 999999).status_code == 404
    assert api_as(gate_world.users["operator"]).get("/api/v1/transfers/999999").status_code == 404


def test_stale_version_is_409(gate_world, api_as):
    w = gate_world
    tid = filed(api_as, w)["id"]
    r = api_as(w.users["operator"]).post(
        f"/api/v1/transfers/{tid}/decision", json={"decision": "approve", "note": "", "version": 7}
    )
    assert r.status_code == 409


# --- reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 403), ("lawyer", 200), ("company", 200), ("operator", 200), ("auditor", 200)],
)
def test_read_one_in_scope(gate_world, api_as, who, status):
    tid = filed(api_as, gate_world)["id"]
    assert api_as(gate_world.users[who]).get(f"/api/v1/transfers/{tid}").status_code == status
    r = api_as(gate_world.users[who]).get(url(gate_world))
    assert r.status_code == status
    if status == 200:
        assert [t["id"] for t in r.get_json()["items"]] == [tid]


@pytest.mark.parametrize("who", ["lawyer", "company", "operator"])
def test_read_out_of_scope_is_404(gate_world, api_as, who):
    tid = filed(api_as, gate_world)["id"]
    assert api_as(gate_world.outsiders[who]).get(f"/api/v1/transfers/{tid}").status_code == 404
    assert api_as(gate_world.outsiders[who]).get(url(gate_world)).status_code == 404


def test_openapi_describes_the_gate_and_the_audit_trail(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    for path in (
        "/api/v1/projects/{project_id}/transfers",
        "/api/v1/transfers",
        "/api/v1/transfers/ledger",
        "/api/v1/transfers/{transfer_id}",
        "/api/v1/transfers/{transfer_id}/recheck",
        "/api/v1/transfers/{transfer_id}/decision",
        "/api/v1/audit",
    ):
        assert path in paths, path
    assert "requestBody" in paths["/api/v1/transfers/{transfer_id}/decision"]["post"]
