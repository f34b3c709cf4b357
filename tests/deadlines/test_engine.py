"""The deadline engine: every source, the policy per role, overdue and done, in one statement."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.deadlines.conftest import TODAY
from tests.support import statements
from tracker.deadlines import service

IP_KINDS = {"ip_priority", "ip_pct", "ip_national_phase", "ip_annuity", "ip_other"}
EVERY_KIND_IN = {
    ("ip_other", "IN patent"),
    ("ip_priority", "IN patent"),
    ("ip_pct", "IN patent"),
    ("ip_national_phase", "IN patent"),
    ("nct_review", "IN software"),
    ("licence_expiry", "IN software"),
    ("nda_expiry", None),
    ("review_expiry", None),
    ("follow_up", "IN late follow-up"),
    ("follow_up", "IN done follow-up"),
    ("project_end", None),
}


def kinds(items):
    return {i["kind"] for i in items}


def test_a_lawyer_sees_every_source_of_the_project_and_nothing_outside(deadline_world):
    w = deadline_world
    items = service.deadlines(w.users["lawyer"], TODAY)
    assert {i["project_id"] for i in items} == {w.project.id}
    seen = {(i["kind"], i["title"]) for i in items}
    for kind, title in EVERY_KIND_IN:
        assert any(k == kind and (title is None or t == title) for k, t in seen), kind
    assert not any("OUT" in i["title"] for i in items)
    # soonest first, overdue at the top
    dues = [i["due_on"] for i in items]
    assert dues == sorted(dues)


def test_item_fields_and_states(deadline_world):
    items = service.deadlines(deadline_world.users["lawyer"], TODAY)
    by = {(i["kind"], i["title"]): i for i in items}
    late = by[("follow_up", "IN late follow-up")]
    assert (late["overdue"], late["done"], late["source_type"]) == (True, False, "follow_up")
    done = by[("follow_up", "IN done follow-up")]
    assert (done["overdue"], done["done"]) == (False, True)
    nct = by[("nct_review", "IN software")]
    assert nct["due_on"] == TODAY - dt.timedelta(days=5) and nct["overdue"] is True
    assert nct["source_type"] == "asset" and nct["derived"] is False and nct["rule"] is None
    prio = by[("ip_priority", "IN patent")]
    assert prio["derived"] is True and prio["rule"].startswith("paris.priority.patent@")
    assert prio["due_on"] == dt.date(2027, 2, 3)  # 2026-02-03 + 12 months
    entered = by[("ip_other", "IN patent")]
    assert entered["derived"] is False and entered["due_on"] == TODAY + dt.timedelta(days=5)
    review = [i for i in items if i["kind"] == "review_expiry"]
    assert len(review) == 1, "only the latest approved review of a project"
    assert review[0]["due_on"] == TODAY + dt.timedelta(days=100)
    nda = [i for i in items if i["kind"] == "nda_expiry"]
    assert len(nda) == 1 and nda[0]["due_on"] == TODAY + dt.timedelta(days=80)  # no draft
    assert set(service.ITEM_FIELDS) <= set(late)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (
            "admin",
            {"nct_review", "licence_expiry", "nda_expiry", "review_expiry", "project_end"}
            | IP_KINDS - {"ip_annuity"},
        ),
        (
            "auditor",
            {"nct_review", "licence_expiry", "nda_expiry", "review_expiry", "project_end"}
            | IP_KINDS - {"ip_annuity"},
        ),
        (
            "company",
            {
                "nct_review",
                "licence_expiry",
                "nda_expiry",
                "review_expiry",
                "project_end",
                "follow_up",
            }
            | IP_KINDS - {"ip_annuity"},
        ),
        (
            "operator",
            {"nct_review", "licence_expiry", "nda_expiry", "review_expiry", "project_end"},
        ),
    ],
)
def test_each_role_sees_what_its_matrix_allows(deadline_world, role, allowed):
    w = deadline_world
    items = service.deadlines(w.users[role], TODAY)
    assert kinds(items) == allowed
    if role in ("admin", "auditor"):
        assert {i["project_id"] for i in items} == {w.project.id, w.other.id}
    else:
        assert {i["project_id"] for i in items} == {w.project.id}


@pytest.mark.parametrize("role", ["lawyer", "company", "operator"])
def test_outsiders_see_none_of_it(deadline_world, role):
    w = deadline_world
    items = service.deadlines(w.outsiders[role], TODAY)
    assert not {w.project.id, w.other.id} & {i["project_id"] for i in items}


def test_inactive_user_sees_nothing(deadline_world):
    user = deadline_world.users["lawyer"]
    user.active = False
    assert service.deadlines(user, TODAY) == []


def test_filters(deadline_world):
    w = deadline_world
    lawyer = w.users["lawyer"]
    week = service.deadlines(lawyer, TODAY, within_days=7)
    assert week and all(i["due_on"] <= TODAY + dt.timedelta(days=7) for i in week)
    assert any(i["overdue"] for i in week), "a window includes what is overdue"
    overdue = service.deadlines(lawyer, TODAY, overdue=True)
    assert {(i["kind"], i["title"]) for i in overdue} == {
        ("follow_up", "IN late follow-up"),
        ("nct_review", "IN software"),
    }
    only = service.deadlines(lawyer, TODAY, kind="nda_expiry")
    assert kinds(only) == {"nda_expiry"}
    admin = w.users["admin"]
    other = service.deadlines(admin, TODAY, project_id=w.other.id)
    assert other and {i["project_id"] for i in other} == {w.other.id}
    assert all(not i["done"] for i in service.deadlines(lawyer, TODAY, done=False))


def test_recording_the_approval_reference_closes_the_review_clock(deadline_world):
    software = deadline_world.records["software"]
    software.nct_ref = "MOTIE-2026-1"
    items = service.deadlines(deadline_world.users["lawyer"], TODAY, kind="nct_review")
    assert [(i["done"], i["overdue"]) for i in items] == [(True, False)]


def test_one_statement_whatever_the_number_of_items(deadline_world, make_project):
    admin = deadline_world.users["admin"]
    with statements() as seen:
        first = service.deadlines(admin, TODAY)
    for _ in range(3):
        from tests.deadlines.conftest import fill

        fill(make_project(), deadline_world.users["lawyer"], "MORE")
    with statements() as again:
        more = service.deadlines(admin, TODAY)
    assert len(more) > len(first)
    assert len(seen) == len(again) == 1
