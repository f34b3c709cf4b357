"""Each of the six checks passes and fails on its own; the text follows the reader's locale."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.support import PLANNED, approved_review, checks_by_code, day, moment, transfer_body
from tracker.cases.assets.models import IpAsset
from tracker.db import db
from tracker.transfers.gate import CHECK_CODES


def file(api_as: Any, w: Any, **over: Any) -> Any:
    r = api_as(w.users["company"]).post(
        f"/api/v1/projects/{w.project.id}/transfers", json=transfer_body(w, **over)
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def failed(payload: dict[str, Any]) -> set[str]:
    return {c["code"] for c in payload["checks"] if not c["ok"]}


def test_all_checks_pass(gate_world, api_as):
    payload = file(api_as, gate_world)
    assert [c["code"] for c in payload["checks"]] == list(CHECK_CODES)
    assert failed(payload) == set()
    assert payload["status"] == "pending_review"
    assert all(c["detail"] for c in payload["checks"])


def test_nda_expires_before_planned_date(gate_world, api_as):
    w = gate_world
    w.nda.expires_on = day(5)
    db.session.flush()
    payload = file(api_as, w)
    assert failed(payload) == {"nda_active"}
    assert payload["status"] == "blocked"
    detail = checks_by_code(payload)["nda_active"]["detail"]
    assert (
        day(5).isoformat() in detail and PLANNED.isoformat() in detail and w.partner.name in detail
    )


@pytest.mark.parametrize("status", ["terminated", "draft", "expired"])
def test_no_active_nda(gate_world, api_as, status):
    gate_world.nda.status = status
    db.session.flush()
    payload = file(api_as, gate_world)
    assert {"nda_active", "nda_covers_assets"} <= failed(payload)
    assert failed(payload) <= {"nda_active", "nda_covers_assets"}


def test_nda_of_another_partner_does_not_count(gate_world, api_as, make_org):
    gate_world.nda.partner = make_org("partner")
    db.session.flush()
    assert "nda_active" in failed(file(api_as, gate_world))


def test_nda_does_not_cover_an_asset(gate_world, api_as):
    w = gate_world
    other = IpAsset(
        project=w.project, title="Sensor firmware", kind="software", sensitivity="confidential"
    )
    db.session.add(other)
    db.session.flush()
    payload = file(api_as, w, asset_ids=[w.asset.id, other.id])
    assert failed(payload) == {"nda_covers_assets"}
    assert "Sensor firmware" in checks_by_code(payload)["nda_covers_assets"]["detail"]


def test_no_current_review(gate_world, api_as):
    gate_world.review.status = "rejected"
    db.session.flush()
    assert failed(file(api_as, gate_world)) == {"risk_review_current"}


def test_review_expires_before_planned_date(gate_world, api_as):
    gate_world.review.valid_until = day(5)
    db.session.flush()
    assert failed(file(api_as, gate_world)) == {"risk_review_current"}


def test_critical_review(gate_world, api_as):
    gate_world.review.level = "critical"
    db.session.flush()
    assert failed(file(api_as, gate_world)) == {"risk_review_current"}


@pytest.mark.parametrize(
    ("status", "ref", "ok"),
    [
        ("pending", None, False),
        ("pending", "MOTIE-1", False),
        ("nct_funded", None, False),
        ("nct_private", None, False),
        ("nct_funded", "   ", False),
        ("nct_funded", "MOTIE-2026-17", True),
        ("nct_private", "REP-9", True),
        ("not_nct", None, True),
    ],
)
def test_core_tech_approval(gate_world, api_as, status, ref, ok):
    gate_world.asset.nct_status, gate_world.asset.nct_ref = status, ref
    db.session.flush()
    assert failed(file(api_as, gate_world)) == (set() if ok else {"core_tech_approval"})


@pytest.mark.parametrize(
    ("item", "ref", "until", "ok"),
    [
        ("no", None, None, True),
        ("yes", None, None, False),
        ("unknown", None, None, False),
        ("yes", "EL-1", day(5), False),
        ("yes", "EL-1", PLANNED, True),
        ("yes", " ", day(37), False),
        ("unknown", "EL-2", day(37), True),
        ("yes", None, day(37), False),
    ],
)
def test_export_licence(gate_world, api_as, item, ref, until, ok):
    a = gate_world.asset
    a.strategic_item, a.export_licence_ref, a.export_licence_until = item, ref, until
    db.session.flush()
    assert failed(file(api_as, gate_world)) == (set() if ok else {"export_licence"})


def test_partner_not_on_project(gate_world, api_as, make_org):
    w = gate_world
    stranger = make_org("partner", name="University of Tartu")
    w.nda.partner = stranger
    db.session.flush()
    payload = file(api_as, w, partner_id=stranger.id)
    assert failed(payload) == {"partner_on_project"}
    assert "University of Tartu" in checks_by_code(payload)["partner_on_project"]["detail"]


def test_detail_in_korean_for_a_korean_reader(gate_world, api_as):
    w = gate_world
    w.nda.expires_on = day(5)
    w.users["company"].locale = "ko"
    db.session.flush()
    detail = checks_by_code(file(api_as, w))["nda_active"]["detail"]
    assert "만료" in detail and day(5).isoformat() in detail


def test_stored_result_reads_in_each_readers_language(gate_world, api_as):
    w = gate_world
    w.nda.expires_on = day(5)
    db.session.flush()
    tid = file(api_as, w)["id"]
    w.users["operator"].locale = "ko"
    db.session.flush()
    ko = api_as(w.users["operator"]).get(f"/api/v1/transfers/{tid}").get_json()
    en = api_as(w.users["lawyer"]).get(f"/api/v1/transfers/{tid}").get_json()
    assert checks_by_code(ko)["nda_active"]["detail"] != checks_by_code(en)["nda_active"]["detail"]
    assert "expires" in checks_by_code(en)["nda_active"]["detail"]


@pytest.mark.parametrize(("days", "ok"), [(-1, False), (0, False), (1, True)])
def test_nda_expiry_must_be_strictly_after_the_planned_date(gate_world, api_as, days, ok):
    gate_world.nda.expires_on = PLANNED + dt.timedelta(days=days)
    db.session.flush()
    assert failed(file(api_as, gate_world)) == (set() if ok else {"nda_active"})


@pytest.mark.parametrize(("days", "ok"), [(-1, False), (0, False), (1, True)])
def test_review_validity_must_be_strictly_after_the_planned_date(gate_world, api_as, days, ok):
    gate_world.review.valid_until = PLANNED + dt.timedelta(days=days)
    db.session.flush()
    assert failed(file(api_as, gate_world)) == (set() if ok else {"risk_review_current"})


def test_newer_critical_review_is_not_rescued_by_an_older_one(gate_world, api_as):

    w = gate_world
    newer = approved_review(
        w.project,
        w.users["lawyer"].id,
        level="critical",
        decided_at=moment(-5),
    )
    db.session.add(newer)
    db.session.flush()
    assert failed(file(api_as, w)) == {"risk_review_current"}
