"""The dashboard per role: its queues, filtered by the policy in SQL, in a fixed number of
statements however many items wait."""

from __future__ import annotations

import pytest

from tests.dashboard.waiting import QUEUES, TODAY, fill
from tests.support import ROLES, statements
from tracker.dashboard.service import build_dashboard, waiting_count
from tracker.policy import queues_of


def _ids(board, name):
    return sorted(item["id"] for item in board["queues"][name])


def _board(user):
    return build_dashboard(user, TODAY)


def test_lawyer_sees_the_disclosures_and_follow_ups_of_their_projects(busy):
    board = _board(busy.users["lawyer"])
    assert board["role"] == "lawyer"
    assert set(board["queues"]) == set(QUEUES["lawyer"])
    assert _ids(board, "disclosures_to_decide") == [d.id for d in busy.items["disclosure"]]
    follow_ups = [f.id for s in busy.items["session"] for f in s.follow_ups]
    assert _ids(board, "overdue_follow_ups") == follow_ups
    # the lawyer wrote the review: it waits for someone else
    assert board["queues"]["reviews_to_decide"] == []
    assert _ids(board, "projects_without_current_review") == [busy.project.id]
    assert board["heat_map"] is None
    assert board["counts"] == {
        "disclosures_to_decide": 1,
        "reviews_to_decide": 0,
        "overdue_follow_ups": 1,
        "projects_without_current_review": 1,
        "unread_notifications": 0,
    }
    item = board["queues"]["disclosures_to_decide"][0]
    assert item == {
        "type": "disclosure",
        "id": busy.items["disclosure"][0].id,
        "project_id": busy.project.id,
        "title": "Disclosure 0",
        "since": item["since"],
    }


def test_second_lawyer_sees_the_review_written_by_the_first(busy):
    board = _board(busy.second)
    assert _ids(board, "reviews_to_decide") == [r.id for r in busy.items["review"]]
    item = board["queues"]["reviews_to_decide"][0]
    assert item["type"] == "risk_review" and item["project_id"] == busy.project.id
    assert waiting_count(busy.second, TODAY) == 3  # disclosure, review, follow-up


def test_operator_decides_pending_requests_of_the_zone_and_sees_its_heat_map(busy):
    board = _board(busy.users["operator"])
    assert set(board["queues"]) == set(QUEUES["operator"])
    pending = [t.id for t in busy.items["transfer"] if t.status == "pending_review"]
    assert _ids(board, "transfers_to_decide") == pending
    assert board["heat_map"] == {"cells": [[0] * 5 for _ in range(5)], "unreviewed": 1}
    assert waiting_count(busy.users["operator"], TODAY) == 1


def test_company_sees_its_open_and_blocked_requests_with_failing_checks(busy):
    board = _board(busy.users["company"])
    assert set(board["queues"]) == set(QUEUES["company"])
    assert _ids(board, "my_requests") == sorted(t.id for t in busy.items["transfer"])
    blocked = next(i for i in board["queues"]["my_requests"] if i["status"] == "blocked")
    assert [c["code"] for c in blocked["failed_checks"]] == ["nda_active"]
    assert "Partner Ltd" in blocked["failed_checks"][0]["detail"]
    assert len(board["queues"]["overdue_follow_ups"]) == 1
    assert board["heat_map"] is None


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_admin_and_auditor_see_counts_per_zone_and_the_heat_map_of_all(busy, role):
    board = _board(busy.users[role])
    assert board["queues"] == {}
    assert board["heat_map"]["unreviewed"] == 2
    zones = {z["zone_id"]: z for z in board["counts"]["zones"]}
    mine = zones[busy.zone.id]
    assert (mine["projects"], mine["without_current_review"]) == (1, 1)
    assert zones[busy.other.zone_id]["projects"] == 1
    assert waiting_count(busy.users[role], TODAY) == 0


def test_requests_per_zone_are_counted_as_labelled_and_only_for_who_may_see_them(busy):
    """Waiting = recorded `pending_review` (the operator's queue counts the same), blocked
    = recorded `blocked`; admins may not see data-sharing requests, so no request counts."""
    by_status = {
        s: [t for t in busy.items["transfer"] if t.status == s]
        for s in ("pending_review", "blocked")
    }
    assert len(by_status["pending_review"]) == 1 and len(by_status["blocked"]) == 1
    auditor = {z["zone_id"]: z for z in _board(busy.users["auditor"])["counts"]["zones"]}
    mine = auditor[busy.zone.id]
    assert (mine["transfers_to_decide"], mine["transfers_blocked"]) == (1, 1)
    operator = _board(busy.users["operator"])
    assert operator["counts"]["transfers_to_decide"] == mine["transfers_to_decide"]
    admin = _board(busy.users["admin"])["counts"]["zones"]
    assert all("transfers_to_decide" not in z and "transfers_blocked" not in z for z in admin)


@pytest.mark.parametrize("role", ["lawyer", "company", "operator"])
def test_outsiders_see_nothing_of_the_project(busy, role):
    """Items of the outside project never reach the world's users, and the world's items
    never reach the outsiders (whose own project is yet another)."""
    theirs = {("disclosure", d.id) for d in busy.other_items["disclosure"]} | {
        ("transfer", t.id) for t in busy.other_items["transfer"]
    }
    board = _board(busy.users[role])
    seen = {(i["type"], i["id"]) for q in board["queues"].values() for i in q}
    assert seen and not seen & theirs
    assert all(i["project_id"] == busy.project.id for q in board["queues"].values() for i in q)
    outsider = _board(busy.outsiders[role])
    assert all(q == [] for q in outsider["queues"].values())
    assert waiting_count(busy.outsiders[role], TODAY) == 0


def test_inactive_user_sees_nothing(busy):
    busy.second.active = False
    assert all(q == [] for q in _board(busy.second)["queues"].values())


@pytest.mark.parametrize("role", ROLES)
def test_fixed_number_of_statements(busy, role):
    user = busy.second if role == "lawyer" else busy.users[role]
    with statements() as few:
        small = _board(user)
    fill(busy.project, busy.users["lawyer"], busy.users["company"], 4)
    with statements() as many:
        large = _board(user)
    assert len(many) == len(few) <= 6
    assert sum(large["counts"].get(q, 0) for q in QUEUES[role]) > sum(
        small["counts"].get(q, 0) for q in QUEUES[role]
    ) or role in ("admin", "auditor")
    with statements() as nav:
        waiting_count(user, TODAY)
    assert len(nav) == (1 if role in ("lawyer", "company", "operator") else 0)


def test_deadlines_of_the_scope_on_the_dashboard(busy):
    """The deadline engine's open items within 90 days and overdue: the overdue follow-up
    for the lawyer, none of the outside project's."""
    board = _board(busy.users["lawyer"])
    kinds = {(d["kind"], d["source_id"]) for d in board["deadlines"]}
    follow_up = busy.items["session"][0].follow_ups[0]
    assert ("follow_up", follow_up.id) in kinds
    other = busy.other_items["session"][0].follow_ups[0]
    assert ("follow_up", other.id) not in kinds
    assert all(d["project_id"] == busy.project.id for d in board["deadlines"])
    assert all(d["overdue"] for d in board["deadlines"] if d["kind"] == "follow_up")
    assert not [d for d in _board(busy.outsiders["lawyer"])["deadlines"]]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_its_queues_in_page_order(world, role):
    user = world.users[role]
    assert queues_of(user) == QUEUES[role]
    waiting = tuple(q for q in QUEUES[role] if q != "projects_without_current_review")
    assert queues_of(user, waiting=True) == waiting
