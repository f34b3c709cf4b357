"""An operator's deadlines read the zone's rows through the records' own copies of their
project's zone (`DeadlineSource.zone_copy`: the NDAs', the assets' and the stored levels'),
while the scope is still asked of the project: a copy kept in step shows exactly the zone's
deadlines, and a copy gone stale (written around the ORM) can hide a row but never show one
of another zone (issue 20: the operator's dashboard)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.deadlines.conftest import TODAY
from tests.support import plan_of
from tracker.cases.assets.models import IpAsset
from tracker.cases.ndas.models import Nda
from tracker.cases.reviews.models import ProjectRiskLevel
from tracker.db import db
from tracker.deadlines import service

#: the sources an operator reads through a zone copy, and the tables holding the copy
COPIED = {"nda_expiry": Nda, "licence_expiry": IpAsset, "review_expiry": ProjectRiskLevel}


def _of_kinds(user, **filters):
    """The user's deadlines of the copied sources as (kind, project id)."""
    rows = service.deadlines(user, TODAY, **filters)
    return {(i["kind"], i["project_id"]) for i in rows if i["kind"] in COPIED}


def test_an_nda_keeps_its_project_s_zone(deadline_world, make_zone, make_project, make_user):
    """A new NDA takes its project's zone, a project moved to another zone takes its NDAs
    along, an NDA moved to another project takes that one's; each zone's operator lists
    exactly the NDAs of their zone's projects."""
    w = deadline_world
    operator = w.users["operator"]
    nda = w.records["nda"]
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Nda, nda.id).zone_id == w.project.zone_id == operator.zone_id
    assert ("nda_expiry", w.project.id) in _of_kinds(operator)

    elsewhere = make_zone()
    there = make_user("operator", zone=elsewhere)
    w.project.zone = elsewhere  # through the relationship: the id is set at flush
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Nda, nda.id).zone_id == elsewhere.id
    assert ("nda_expiry", w.project.id) not in _of_kinds(operator)
    assert ("nda_expiry", w.project.id) in _of_kinds(there)

    w.project.zone_id = operator.zone_id
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Nda, nda.id).zone_id == operator.zone_id
    assert ("nda_expiry", w.project.id) in _of_kinds(operator)

    other = make_project(zone=elsewhere)
    moved = db.session.get(Nda, nda.id)
    moved.project = other
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Nda, nda.id).zone_id == elsewhere.id
    assert ("nda_expiry", other.id) in _of_kinds(there)
    assert ("nda_expiry", other.id) not in _of_kinds(operator)


def test_a_copy_naming_the_operator_s_zone_shows_no_deadline_of_another_zone(
    deadline_world, make_user, api_as
):
    """Every copy of the other zone's rows rewritten to name the operator's zone (around the
    ORM): the operator's deadlines, list and dashboard, stay the zone's own."""
    w = deadline_world
    operator = w.users["operator"]
    before = service.deadlines(operator, TODAY, within_days=90, done=False, limit=200)
    dashboard = api_as(operator).get("/api/v1/dashboard").get_json()["deadlines"]
    assert _of_kinds(operator) == {(kind, w.project.id) for kind in COPIED}
    db.session.commit()
    for model in COPIED.values():
        db.session.execute(
            sa.update(model).where(model.project_id == w.other.id).values(zone_id=operator.zone_id)
        )
    db.session.commit()
    for filters in ({}, {"within_days": 90, "done": False, "limit": 200}, {"overdue": False}):
        assert all(i["project_id"] == w.project.id for i in service.deadlines(operator, TODAY))
        assert w.other.id not in {p for _k, p in _of_kinds(operator, **filters)}
    assert service.deadlines(operator, TODAY, within_days=90, done=False, limit=200) == before
    assert api_as(operator).get("/api/v1/dashboard").get_json()["deadlines"] == dashboard
    # the other zone's operator reads those rows no more: a stale copy hides, it never shows
    there = make_user("operator", zone_id=w.other.zone_id)
    assert _of_kinds(there) == set()
    # every role whose scope is not a zone reads the project, not the copy
    for role in ("admin", "auditor"):
        assert {(k, w.other.id) for k in COPIED} <= _of_kinds(w.users[role])


def test_the_operator_s_parts_read_the_zone_s_indexes(deadline_world):
    """The operator's dashboard statement asks each copy for the zone, and SQLite reads the
    NDAs, licences, stored levels and project ends of the zone from the indexes that start
    with the zone (PostgreSQL's plan for a few test rows is arbitrary: any index reads them;
    docs/performance.md has its plans at 10k)."""
    operator = deadline_world.users["operator"]
    stmt = service.deadline_query(operator, TODAY, within_days=90, done=False, limit=200)
    sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
    for table in ("ndas", "ip_assets", "project_risk_levels"):
        assert f"{table}.zone_id = {operator.zone_id}" in sql
    if db.engine.dialect.name != "sqlite":
        return
    plan = plan_of(sql)
    for index in (
        "ix_ndas_zone_status_expires",
        "ix_ip_assets_zone_licence_until",
        "ix_project_risk_levels_zone_scores",
        "ix_projects_zone_end_date",
    ):
        assert index in plan, plan


def test_the_start_page_s_expiring_ndas_keep_to_the_zone(deadline_world, make_user):
    """The operator's start page lists the zone's expiring NDAs from their zone copy: a copy
    naming the operator's zone shows no NDA of another zone, and the other zone's operator
    no longer reads a row whose copy went stale."""
    from tracker import records

    w = deadline_world
    operator = w.users["operator"]
    there = make_user("operator", zone_id=w.other.zone_id)
    section = records.sections()["expiring_ndas"]

    def listed(user):
        return {r.project_id for r in db.session.execute(section.query(user, TODAY))}

    assert listed(operator) == {w.project.id} and listed(there) == {w.other.id}
    db.session.execute(
        sa.update(Nda).where(Nda.project_id == w.other.id).values(zone_id=operator.zone_id)
    )
    assert listed(operator) == {w.project.id}
    assert listed(there) == set()
