"""The case-file HTML pages: every role in and out of scope, forms with CSRF and versions."""

import datetime as dt
import re

import pytest

from tests.support import OUTSIDERS, ROLES, approved_review, count, csrf_token, statements
from tracker.cases.assets.models import IpAsset
from tracker.cases.ndas.models import Nda
from tracker.cases.projects.models import Project
from tracker.cases.reviews.models import RiskReview
from tracker.db import db


@pytest.fixture
def records(world):
    asset = IpAsset(
        project=world.project,
        title="Stack controller firmware",
        kind="software",
        sensitivity="confidential",
        jurisdictions=["KR"],
        description="page-description-canary",
        nct_status="nct_funded",
        nct_ref="MOTIE-1",
    )
    db.session.add(asset)
    db.session.flush()
    nda = Nda(
        project=world.project,
        partner=world.partner,
        effective_on=dt.date(2026, 1, 1),
        expires_on=dt.date(2027, 12, 31),
        status="draft",
        purpose="Pilot",
    )
    nda.assets = [asset]
    db.session.add(nda)
    db.session.flush()
    world.asset, world.nda = asset, nda
    return world


def _pages(w):
    pid = w.project.id
    return {
        "detail": f"/projects/{pid}",
        "assets": f"/projects/{pid}/assets",
        "ndas": f"/projects/{pid}/ndas",
        "project_edit": f"/projects/{pid}/edit",
        "asset_new": f"/projects/{pid}/assets/new",
        "asset_detail": f"/assets/{w.asset.id}",
        "asset_edit": f"/assets/{w.asset.id}/edit",
        "nda_new": f"/projects/{pid}/ndas/new",
        "nda_detail": f"/ndas/{w.nda.id}",
        "nda_edit": f"/ndas/{w.nda.id}/edit",
    }


ALLOWED = {
    "detail": set(ROLES),
    "assets": set(ROLES),
    "ndas": set(ROLES),
    "project_edit": {"admin", "lawyer"},
    "asset_new": {"lawyer"},
    "asset_detail": set(ROLES),
    "asset_edit": {"lawyer"},
    "nda_new": {"lawyer", "company"},
    "nda_detail": set(ROLES),
    "nda_edit": {"lawyer", "company"},  # the NDA is a draft
}


@pytest.mark.parametrize("role", ROLES)
def test_pages_in_scope(records, browser_as, role):
    c = browser_as(records.users[role])
    for name, path in _pages(records).items():
        r = c.get(path)
        expected = 200 if role in ALLOWED[name] else 403
        assert r.status_code == expected, (name, role, r.status_code)
    html = c.get(f"/projects/{records.project.id}/assets").get_data(as_text=True)
    assert "Stack controller firmware" in html
    assert "MOTIE-1" in html
    # the description shows on the asset page, but never to operators
    assert "page-description-canary" not in html
    detail = c.get(f"/assets/{records.asset.id}").get_data(as_text=True)
    assert ("page-description-canary" in detail) == (role != "operator")
    assert "MOTIE-1" in detail
    assert records.partner.name in c.get(_pages(records)["ndas"]).get_data(as_text=True)


@pytest.mark.parametrize("role", OUTSIDERS)
def test_pages_out_of_scope(records, browser_as, role):
    c = browser_as(records.outsiders[role])
    for name, path in _pages(records).items():
        assert c.get(path).status_code == 404, name
    assert records.project.code not in c.get("/projects").get_data(as_text=True)


def test_project_list_filters_search_and_badge(world, browser_as, make_project):
    review = RiskReview(
        project=world.project,
        catalogue_version="1",
        answers={},
        likelihood=4,
        impact=4,
        score=16,
        level="high",
        status="approved",
        author_id=world.users["lawyer"].id,
    )
    review.valid_until = dt.date(2099, 1, 1)
    review.decided_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    db.session.add(review)
    db.session.flush()
    c = browser_as(world.users["admin"])
    html = c.get("/projects").get_data(as_text=True)
    assert '<span class="level high">' in html
    assert world.project.code in c.get("/projects?risk_level=high").get_data(as_text=True)
    assert world.project.code not in c.get("/projects?risk_level=low").get_data(as_text=True)
    assert world.project.code not in c.get("/projects?status=closed").get_data(as_text=True)
    assert c.get("/projects?risk_level=bogus&page=x").status_code == 200


def test_project_list_statements_constant(world, browser_as, make_project, make_org):
    c = browser_as(world.users["admin"])

    def run():
        with statements() as seen:
            assert c.get("/projects").status_code == 200
        return len(seen)

    first = run()
    for _ in range(5):
        make_project(
            partners=[make_org("partner"), make_org("partner")], lawyers=[world.users["lawyer"]]
        )
    assert run() == first


def test_korean_page(world, browser_as, make_user):
    user = make_user("admin", locale="ko")
    html = browser_as(user).get("/projects").get_data(as_text=True)
    assert "과제" in html and "위험 등급" in html


def _form_data(html):
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        data[name] = value
    return data


def test_create_project_form(world, browser_as):
    c = browser_as(world.users["admin"])
    token = csrf_token(c, "/projects/new")
    data = {
        "csrf_token": token,
        "code": "HTML-1",
        "title": "Form project",
        "zone_id": world.zone.id,
        "company_id": world.company.id,
        "partner_ids": [world.partner.id],
        "lawyer_ids": [world.users["lawyer"].id],
        "start_date": "2026-01-01",
        "end_date": "2025-01-01",
        "budget_krw": "1000",
        "security_level": "general",
        "status": "active",
    }
    before = count(Project)
    r = c.post("/projects/new", data=data)
    assert r.status_code == 422
    assert count(Project) == before
    data["end_date"] = "2027-01-01"
    r = c.post("/projects/new", data=data)
    assert r.status_code == 302
    assert count(Project) == before + 1
    # without the CSRF token nothing happens
    data["code"] = "HTML-2"
    del data["csrf_token"]
    assert c.post("/projects/new", data=data).status_code in (400, 422)
    assert count(Project) == before + 1


def test_edit_form_stale_version(world, browser_as, api_as):
    c = browser_as(world.users["lawyer"])
    path = f"/projects/{world.project.id}/edit"
    html = c.get(path).get_data(as_text=True)
    assert 'name="version"' in html and 'name="lawyer_ids"' not in html
    fields = _form_data(html)
    assert fields["version"] == "1"
    # someone else saves first
    r = api_as(world.users["admin"]).patch(
        f"/api/v1/projects/{world.project.id}", json={"title": "Theirs", "version": 1}
    )
    assert r.status_code == 200
    data = {
        "csrf_token": fields["csrf_token"],
        "version": "1",
        "code": world.project.code,
        "title": "Mine",
        "zone_id": world.zone.id,
        "company_id": world.company.id,
        "partner_ids": [world.partner.id],
        "security_level": "general",
        "status": "active",
    }
    r = c.post(path, data=data)
    assert r.status_code == 409
    db.session.expire_all()
    assert db.session.get(Project, world.project.id).title == "Theirs"
    data["version"] = "2"
    assert c.post(path, data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, world.project.id).title == "Mine"


def test_asset_and_nda_forms(records, browser_as):
    w = records
    c = browser_as(w.users["lawyer"])
    token = csrf_token(c, f"/projects/{w.project.id}/assets/new")
    data = {
        "csrf_token": token,
        "title": "Membrane data set",
        "kind": "data",
        "sensitivity": "trade_secret",
        "jurisdictions": "kr, jp",
        "owners-0-organization_id": w.company.id,
        "owners-0-share_pct": "70",
        "owners-1-organization_id": w.partner.id,
        "owners-1-share_pct": "40",
        "nct_status": "not_nct",
        "strategic_item": "no",
        "deadlines-0-kind": "other",
        "deadlines-0-due_on": "2027-01-01",
    }
    before = count(IpAsset)
    r = c.post(f"/projects/{w.project.id}/assets/new", data=data)
    assert r.status_code == 422  # 110 percent
    assert count(IpAsset) == before
    data["owners-1-share_pct"] = "30"
    r = c.post(f"/projects/{w.project.id}/assets/new", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)
    assert count(IpAsset) == before + 1
    # the NDA edit page keeps the version and saves
    html = c.get(f"/ndas/{w.nda.id}/edit").get_data(as_text=True)
    fields = _form_data(html)
    r = c.post(
        f"/ndas/{w.nda.id}/edit",
        data={
            "csrf_token": fields["csrf_token"],
            "version": fields["version"],
            "partner_id": w.partner.id,
            "effective_on": "2026-01-01",
            "expires_on": "2027-12-31",
            "signed_on": "2025-12-20",
            "status": "active",
            "asset_ids": [w.asset.id],
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Nda, w.nda.id).status == "active"
    # the company may no longer open the edit page of an active NDA
    assert browser_as(w.users["company"]).get(f"/ndas/{w.nda.id}/edit").status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_new_project_page_only_admin(world, browser_as, role):
    r = browser_as(world.users[role]).get("/projects/new")
    assert r.status_code == (200 if role == "admin" else 403)


def test_validation_messages_in_korean(records, browser_as, make_user):
    w = records
    lawyer = make_user("lawyer", locale="ko")
    w.project.lawyers.append(lawyer)
    db.session.flush()
    c = browser_as(lawyer)
    path = f"/projects/{w.project.id}/assets/new"
    data = {
        "csrf_token": csrf_token(c, path),
        "title": "지분 초과 자산",
        "kind": "patent",
        "sensitivity": "confidential",
        "jurisdictions": "KR, XX",
        "owners-0-organization_id": w.company.id,
        "owners-0-share_pct": "80",
        "owners-1-organization_id": w.partner.id,
        "owners-1-share_pct": "30",
        "nct_status": "not_nct",
        "strategic_item": "no",
    }
    r = c.post(path, data=data)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "지분의 합이 100%를 넘습니다." in html
    assert "XX: ISO 3166 국가 코드" in html  # no particle after a code


def test_company_files_a_draft_nda_in_the_browser(records, browser_as):
    w = records
    c = browser_as(w.users["company"])
    path = f"/projects/{w.project.id}/ndas/new"
    html = c.get(path).get_data(as_text=True)
    assert 'value="active"' not in html  # only drafts are offered
    before = count(Nda)
    data = {
        "csrf_token": csrf_token(c, path),
        "partner_id": w.partner.id,
        "effective_on": "2026-02-01",
        "expires_on": "2028-01-31",
        "status": "draft",
        "asset_ids": [w.asset.id],
    }
    assert c.post(path, data=data).status_code == 302
    data["status"] = "active"  # not offered to company staff: refused, nothing written
    assert c.post(path, data=data).status_code == 422
    assert count(Nda) == before + 1


def test_download_links_keep_the_filters(world, browser_as):
    c = browser_as(world.users["lawyer"])
    html = c.get("/projects?status=active&zone_id=0&q=").get_data(as_text=True)
    link = re.search(r'href="(/api/v1/projects\?[^"]*format=csv[^"]*)"', html).group(1)
    link = link.replace("&amp;", "&")
    assert "status=active" in link and "zone_id" not in link
    r = c.get(link)
    assert r.status_code == 200
    assert world.project.code in r.get_data(as_text=True)
    assert c.get(f"/projects/{world.project.id}/assets").status_code == 200
    assert "format=xlsx" in c.get(f"/projects/{world.project.id}/ndas").get_data(as_text=True)


def test_project_list_without_filters_shows_no_errors(world, browser_as):
    page = browser_as(world.users["lawyer"]).get("/projects").get_data(as_text=True)
    assert 'class="error"' not in page
    assert world.project.code in page


def test_asset_edit_page_with_the_most_owners_and_deadlines(records, make_org, browser_as):
    """An asset with as many owners and deadlines as the form holds (20 and 50, the API's
    limits too) opens for editing: no spare rows beyond `max_entries` (was a 500)."""
    from tracker.cases.assets.models import AssetDeadline, AssetOwner

    w = records
    w.asset.owners = [AssetOwner(organization=make_org("partner"), share_pct=5) for _ in range(20)]
    w.asset.deadlines = [
        AssetDeadline(kind="other", due_on=dt.date(2027, 1, 1) + dt.timedelta(days=i))
        for i in range(50)
    ]
    db.session.flush()
    r = browser_as(w.users["lawyer"]).get(f"/assets/{w.asset.id}/edit")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'name="owners-19-share_pct"' in html and 'name="owners-20-share_pct"' not in html
    assert 'name="deadlines-49-due_on"' in html and 'name="deadlines-50-due_on"' not in html


@pytest.mark.parametrize("page", ["%C2%B2", "-3", "abc", "99999999999999999999"])
def test_odd_page_numbers_show_a_page(records, browser_as, page):
    """`²` is a digit to str.isdigit() but not to int(): the lists answered 500 for it."""
    c = browser_as(records.users["lawyer"])
    pid = records.project.id
    for path in ("/projects", f"/projects/{pid}/assets", f"/projects/{pid}/ndas"):
        assert c.get(f"{path}?page={page}").status_code == 200, path


def test_odd_version_in_a_form_is_a_conflict_not_a_500(records, browser_as):
    c = browser_as(records.users["lawyer"])
    fields = _form_data(c.get(f"/ndas/{records.nda.id}/edit").get_data(as_text=True))
    r = c.post(
        f"/ndas/{records.nda.id}/edit",
        data={
            "csrf_token": fields["csrf_token"],
            "version": "²",
            "partner_id": records.partner.id,
            "effective_on": "2026-01-01",
            "expires_on": "2027-12-31",
            "status": "draft",
        },
    )
    assert r.status_code in (409, 422)
    db.session.expire_all()
    assert db.session.get(Nda, records.nda.id).version == records.nda.version


@pytest.mark.parametrize(
    ("locale", "words"),
    [("en", ("Active", "Not assessed", "High")), ("ko", ("활성", "미평가", "높음"))],
)
def test_project_list_rows_speak_the_readers_language(
    world, browser_as, make_user, make_project, locale, words
):
    """The list's status and risk-level cells, labelled once per page (projects/views.py)."""
    reviewed = make_project(zone=world.zone, company=world.company)
    db.session.add(approved_review(reviewed, world.users["admin"].id, level="high"))
    db.session.flush()
    html = browser_as(make_user("admin", locale=locale)).get("/projects").get_data(as_text=True)
    rows = html[html.index("<tbody>") : html.index("</tbody>")]
    for word in words:
        assert word in rows
    assert '<span class="level high">' in rows and '<span class="muted">' in rows
    assert "not_assessed" not in rows and ">active<" not in rows
