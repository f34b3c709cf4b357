"""The demo case files: four projects, one per zone, filled in and visible to the demo logins."""

import datetime as dt

import sqlalchemy as sa

from tracker import clock
from tracker.auth.models import User
from tracker.cases.assets.models import IpAsset
from tracker.cases.demo import PROJECTS, load_demo_projects
from tracker.cases.demo_filings import FAMILY_TITLE
from tracker.cases.ndas.models import Nda
from tracker.cases.projects.models import Project
from tracker.db import db
from tracker.demo import load_demo


def _user(email):
    return db.session.execute(sa.select(User).where(User.email == email)).scalar_one()


def test_demo_projects(api_as):
    assert load_demo()  # calls load_demo_projects()
    codes = [spec["code"] for spec in PROJECTS]
    projects = db.session.execute(sa.select(Project).where(Project.code.in_(codes))).scalars().all()
    assert len(projects) == 4
    assert sorted(p.zone.code for p in projects) == ["BS-MOB", "CB-BIO", "GW-AIH", "JN-DC"]
    today = clock.today()
    for project in projects:
        items = (
            db.session.execute(
                sa.select(IpAsset).where(
                    IpAsset.project_id == project.id, IpAsset.title != FAMILY_TITLE
                )
            )
            .scalars()
            .all()
        )
        assert 2 <= len(items) <= 3
        assert len({a.kind for a in items}) == len(items)
        assert any(a.nct_status == "nct_funded" and a.nct_ref for a in items)
        assert any(
            a.strategic_item == "yes" and a.export_licence_ref and a.export_licence_until > today
            for a in items
        )
        nda = db.session.execute(sa.select(Nda).where(Nda.project_id == project.id)).scalar_one()
        assert nda.effective_status(today) == "active"
        assert nda.assets and nda.partner in project.partners
        assert "lawyer@tracker.example" in [u.email for u in project.lawyers]
    # the demo company login sees its DC power project; the demo lawyer sees all four
    company_view = api_as(_user("company@tracker.example")).get("/api/v1/projects").get_json()
    assert [p["code"] for p in company_view["items"]] == ["JN-DC-2026-01"]
    lawyer_view = api_as(_user("lawyer@tracker.example")).get("/api/v1/projects").get_json()
    assert sorted(p["code"] for p in lawyer_view["items"]) == sorted(codes)
    hits = api_as(_user("lawyer@tracker.example")).get(
        "/api/v1/projects", query_string={"q": "Strathclyde"}
    )
    assert [p["code"] for p in hits.get_json()["items"]] == ["BS-MOB-2026-04"]
    # loading again changes nothing
    count = db.session.execute(sa.select(sa.func.count()).select_from(Project)).scalar_one()
    assert load_demo_projects() == []
    assert db.session.execute(sa.select(sa.func.count()).select_from(Project)).scalar_one() == count


def test_demo_family(app):
    """The demo's family: four filings of one asset, each deadline counted from its own
    filing (the KR year-4 fee from the KR registration, with its grace)."""
    assert load_demo()
    asset = db.session.execute(sa.select(IpAsset).where(IpAsset.title == FAMILY_TITLE)).scalar_one()
    assert [f.office for f in asset.filings] == ["KR", "WO", "US", "EP"]
    kr = asset.filings[0]
    fee = [d for d in kr.deadlines if d.kind == "ip_annuity" and d.year == 4]
    assert [(d.due_on, d.grace_until) for d in fee] == [
        (dt.date(2029, 5, 12), dt.date(2029, 11, 12))
    ]
