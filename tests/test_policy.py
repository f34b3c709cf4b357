"""The policy as a table: role × action × in scope / out of scope (docs/product.md).

The expected table is written out here from docs/product.md, independently of `policy.RULES`.
"""

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import Forbidden, NotFound

from tests.support import make_nda, plan_of
from tracker import policy
from tracker.cases.projects.models import Project
from tracker.db import db

A, L, C, O, U = "admin", "lawyer", "company", "operator", "auditor"  # noqa: E741

#: action -> the roles docs/product.md allows it for, inside their scope
EXPECTED = {
    "accounts.view": {A, U},
    "accounts.manage": {A},
    "project.create": {A},
    "project.view": {A, L, C, O, U},
    "project.edit": {A, L},
    "project.assign_lawyers": {A},
    "project.change_scope": {A},
    "asset.view": {A, L, C, O, U},
    "asset.view_full": {A, L, C, U},
    "asset.edit": {L},
    "filing.view": {A, L, C, U},
    "filing.edit": {L},
    "disclosure.file": {C},
    "disclosure.read": {L, C, U},
    "disclosure.decide": {L},
    "nda.view": {A, L, C, O, U},
    "nda.edit": {L},
    "nda.draft": {L, C},
    "review.view_result": {A, L, C, O, U},
    "review.view_answers": {A, L, C, U},
    "review.write": {L},
    "review.decide": {L},
    "session.view_advice": {L, C},
    "session.view_privileged": {L},
    "session.write": {L},
    "attachment.download": {L, C},
    "attachment.upload": {L, C},
    "transfer.view": {L, C, O, U},
    "transfer.request": {L, C},
    "transfer.decide": {O},
    "audit.view": {A, U},
    "audit.view_own": {L},
    "export.list": {A, L, C, O, U},
    "report.zone_pdf": {A, O, U},
    "asset.evidence_pack": {L, C},
    "accounts.remove_own_totp": {C, O, U},
    "dashboard.deadlines": {L, C},
    "dashboard.heat_map": {A, O, U},
    "dashboard.all_zones": {A, U},
    "dashboard.my_requests": {C},
    "dashboard.my_projects": {C},
    "dashboard.unreviewed_projects": {L, O},
    "dashboard.expiring_ndas": {O},
}

ROLES = (A, L, C, O, U)
ZONE_SCOPED = ("report.zone_pdf",)
WITHOUT_PROJECT = ("accounts.", "audit.", "dashboard.")
PROJECT_SCOPED = sorted(
    a for a in EXPECTED if not a.startswith(WITHOUT_PROJECT) and a not in ZONE_SCOPED
)


def test_every_action_is_in_the_table():
    assert set(EXPECTED) == set(policy.RULES)


@pytest.mark.parametrize("action", PROJECT_SCOPED)
@pytest.mark.parametrize("role", ROLES)
def test_in_scope(world, role, action):
    user = world.users[role]
    allowed = role in EXPECTED[action]
    assert policy.can(user, action, world.project) is allowed
    if allowed:
        policy.require(user, action, world.project)
    else:
        with pytest.raises(Forbidden):
            policy.require(user, action, world.project)


@pytest.mark.parametrize("action", PROJECT_SCOPED)
@pytest.mark.parametrize("role", (L, C, O))
def test_out_of_scope_is_not_found(world, role, action):
    user = world.outsiders[role]
    assert policy.can(user, action, world.project) is False
    with pytest.raises(NotFound):
        policy.require(user, action, world.project)


@pytest.mark.parametrize(
    "action", [a for a in EXPECTED if a.startswith(WITHOUT_PROJECT)] + list(ZONE_SCOPED)
)
@pytest.mark.parametrize("role", ROLES)
def test_actions_without_a_project(world, role, action):
    assert policy.can(world.users[role], action) is (role in EXPECTED[action])


def test_unknown_action_raises(world):
    with pytest.raises(KeyError):
        policy.can(world.users[A], "project.destroy", world.project)
    with pytest.raises(KeyError):
        policy.require(world.users[A], "nope")


def test_inactive_user_may_do_nothing(world):
    user = world.users[A]
    user.active = False
    assert not policy.can(user, "project.view", world.project)
    assert not policy.can(user, "accounts.manage")


def test_anonymous_may_do_nothing(world):
    assert not policy.can(None, "project.view", world.project)


@pytest.mark.parametrize("role", ROLES)
def test_visible_projects_matches_in_scope(world, make_project, role):
    others = [make_project() for _ in range(3)]
    for who in (world.users, world.outsiders):
        if role not in who:
            continue
        user = who[role]
        ids = set(
            db.session.execute(sa.select(Project.id).where(policy.visible_projects(user))).scalars()
        )
        for project in [world.project, *others]:
            assert (project.id in ids) is policy.in_scope(user, project)


def test_scope_rules(world):
    assert policy.in_scope(world.users[L], world.project)
    assert not policy.in_scope(world.outsiders[L], world.project)
    assert policy.in_scope(world.users[C], world.project)
    assert not policy.in_scope(world.outsiders[C], world.project)
    assert policy.in_scope(world.users[O], world.project)
    assert not policy.in_scope(world.outsiders[O], world.project)
    assert policy.in_scope(world.users[A], world.project)
    assert policy.in_scope(world.users[U], world.project)


@pytest.mark.parametrize("role", ROLES)
def test_zone_scope(world, role):
    """A zone-wide action: 403 for roles outside the matrix, 404 for another zone's operator."""
    user = world.users[role]
    if role in EXPECTED["report.zone_pdf"]:
        assert policy.zone_or_404(user, world.zone.id, "report.zone_pdf") is world.zone
    else:
        with pytest.raises(Forbidden):
            policy.zone_or_404(user, world.zone.id, "report.zone_pdf")
    with pytest.raises(NotFound if role in EXPECTED["report.zone_pdf"] else Forbidden):
        policy.zone_or_404(user, 2**70, "report.zone_pdf")


def test_zone_scope_other_operator(world):
    with pytest.raises(NotFound):
        policy.zone_or_404(world.outsiders[O], world.zone.id, "report.zone_pdf")


@pytest.mark.parametrize("role", ROLES)
def test_nda_state_rule(world, role):
    """Lawyers write any NDA; company staff only a draft that stays a draft (a project: a new
    NDA of it)."""
    user = world.users[role]
    draft = make_nda(world.project, world.partner, status="draft")
    active = make_nda(world.project, world.partner, signed_on=world.project.start_date)
    drafts, writes = role in EXPECTED["nda.draft"], role in EXPECTED["nda.edit"]
    assert policy.may_write_nda(user, world.project) is drafts
    assert policy.may_write_nda(user, world.project, "active") is writes
    assert policy.may_write_nda(user, draft) is drafts
    assert policy.may_write_nda(user, draft, "terminated") is writes
    assert policy.may_write_nda(user, active) is writes
    if role in world.outsiders:  # out of scope: not even a draft
        assert not policy.may_write_nda(world.outsiders[role], draft)


@pytest.mark.parametrize("role", ROLES)
def test_in_visible_project_and_its_negation_select_the_scope(world, make_project, role):
    """A record's project column inside the scope selects the rows `in_scope` allows, and its
    negation the others, for every role and for users outside the project too."""
    others = [make_project() for _ in range(3)]
    projects = [world.project, *others]
    for who in (world.users, world.outsiders):
        if role not in who:
            continue
        user = who[role]
        inside = policy.in_visible_project(user, Project.id)
        ids = set(db.session.scalars(sa.select(Project.id).where(inside)))
        outside = set(db.session.scalars(sa.select(Project.id).where(sa.not_(inside))))
        for project in projects:
            assert (project.id in ids) is policy.in_scope(user, project)
            assert (project.id in outside) is not policy.in_scope(user, project)


def test_a_lawyers_projects_are_listed_from_the_lawyers_own_index(world, make_project):
    """A lawyer's scope lists the lawyer's projects from the (user_id, project_id) index of
    `project_lawyers` (migration 0028), reading the association from the index alone
    (sequential scans off on PostgreSQL, as a 10k database would choose: a few test rows fit
    in one page). The scope stays `IN (…)`: written `= ANY(ARRAY(…))` it read the projects by
    key, but a prepared statement's generic plan then walked every search entry for a
    lawyer's search (docs/decisions.md)."""
    for _ in range(3):
        make_project(lawyers=[world.users[L]])
    stmt = sa.select(Project.id, Project.code).where(policy.visible_projects(world.users[L]))
    sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
    assert "ANY" not in sql.upper().replace("COMPANY", "")
    plan = plan_of(sql)
    assert "ix_project_lawyers_user_id_project_id" in plan, plan
