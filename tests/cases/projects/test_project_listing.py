"""The lean project list (tracker/cases/projects/listing.py): the same items the schema would
write, filters and totals right, codes found whole or by their start on both databases, and
Korean word-parts found through the trigram index."""

from __future__ import annotations

import pytest

from tests.support import approved_review, day, moment
from tracker import clock
from tracker.api.projects import ProjectSchema
from tracker.cases import search
from tracker.cases.projects.models import Project
from tracker.cases.projects.service import with_risk_level
from tracker.db import db


@pytest.fixture
def listed(world, make_project, make_org, make_user):
    """Four more projects: partners and lawyers in numbers, risk levels current, superseded,
    expired and none."""
    admin, lawyer = world.users["admin"], world.users["lawyer"]
    other_lawyer = make_user("lawyer")
    projects = [world.project]
    for i in range(4):
        partners = [make_org("partner") for _ in range(i)]
        projects.append(
            make_project(
                code=f"LS-{i}",
                zone=world.zone,
                company=world.company,
                partners=partners,
                lawyers=[lawyer, other_lawyer][: i % 3],
            )
        )
    db.session.add_all(
        [
            approved_review(projects[1], admin.id, level="high", likelihood=4, impact=4),
            # superseded by a later low review: the current level is low
            approved_review(projects[2], admin.id, level="critical"),
            approved_review(projects[2], admin.id, decided_at=moment(-5)),
            # expired: no current level
            approved_review(projects[3], admin.id, level="high", valid_until=day(-30)),
        ]
    )
    db.session.flush()
    return projects


def _items(api, **query):
    r = api.get("/api/v1/projects", query_string={"per_page": 200, **query})
    assert r.status_code == 200
    return r.get_json()


def test_items_are_what_the_schema_writes(world, listed, api_as):
    page = _items(api_as(world.users["admin"]))
    assert page["total"] == len(listed)
    by_id = {item["id"]: item for item in page["items"]}
    for project in listed:
        expected = ProjectSchema().dump(with_risk_level(db.session.get(Project, project.id)))
        got = by_id[project.id]
        assert sorted(got.pop("partner_ids")) == sorted(expected.pop("partner_ids"))
        assert sorted(got.pop("lawyer_ids")) == sorted(expected.pop("lawyer_ids"))
        assert got == expected
    assert [item["code"] for item in page["items"]] == sorted(p.code for p in listed)
    assert by_id[listed[1].id]["risk_level"] == "high"
    assert by_id[listed[2].id]["risk_level"] == "low"
    assert by_id[listed[3].id]["risk_level"] is None


def test_risk_level_filter_and_totals(world, listed, api_as):
    api = api_as(world.users["admin"])
    high = _items(api, risk_level="high")
    assert [i["id"] for i in high["items"]] == [listed[1].id] and high["total"] == 1
    assert [i["id"] for i in _items(api, risk_level="low")["items"]] == [listed[2].id]
    assert _items(api, risk_level="critical")["total"] == 0  # superseded
    none = _items(api, risk_level="none")
    assert {i["id"] for i in none["items"]} == {listed[0].id, listed[3].id, listed[4].id}
    # a page past the end still knows the total
    past = api.get("/api/v1/projects", query_string={"risk_level": "none", "page": 9}).get_json()
    assert past["items"] == [] and past["total"] == 3
    lawyer_view = _items(api_as(world.users["lawyer"]))
    assert {i["id"] for i in lawyer_view["items"]} == {
        p.id for p in listed if world.users["lawyer"] in p.lawyers
    }


def _found(api, q):
    return [item["id"] for item in _items(api, q=q)["items"]]


def test_a_project_code_is_found_whole_and_by_its_start(world, make_project, api_as):
    """PostgreSQL's parser splits `CB-BIO-2025-00002` into words and a signed number `-00002`;
    the code column answers instead (this failed on PostgreSQL before)."""
    api = api_as(world.users["admin"])
    r = api.post(
        "/api/v1/projects",
        json={
            "code": "CB-BIO-2025-00002",
            "title": "Enzyme",
            "zone_id": world.zone.id,
            "company_id": world.company.id,
        },
    )
    assert r.status_code == 201, r.get_json()
    pid = r.get_json()["id"]
    assert _found(api, "CB-BIO-2025-00002") == [pid]
    assert _found(api, "cb-bio-2025-00002") == [pid]
    assert _found(api, "CB-BIO-2025-") == [pid]
    assert _found(api, "CB-BIO-2025-00003") == []
    # out of scope, the code is not found either
    assert _found(api_as(world.outsiders["lawyer"]), "CB-BIO-2025-00002") == []


def test_korean_word_parts(world, api_as):
    """`냉장고` finds `김치냉장고` (trigram index); shorter queries fall back to word prefixes."""
    search.index_record(
        "project",
        world.project.id,
        world.project.id,
        "project.view",
        "김치냉장고 수출 Kimchi refrigerator",
    )
    db.session.flush()
    api = api_as(world.users["company"])
    pid = world.project.id
    assert _found(api, "냉장고") == [pid]  # a word-part
    assert _found(api, "치냉장") == [pid]
    assert _found(api, "냉장고 kimchi") == [pid]  # with a word prefix
    assert _found(api, "냉장고 tanker") == []
    assert _found(api, "김치") == [pid]  # two characters: a word prefix
    assert _found(api, "냉장") == []  # two characters inside a word: not found (documented)
    assert _found(api, "frigerator") == []  # ASCII words stay word prefixes
    assert _found(api_as(world.outsiders["company"]), "냉장고") == []


def test_clock_is_the_lists_today(world, listed, api_as, monkeypatch):
    """The level filter uses the same day as the level shown (clock.today())."""
    monkeypatch.setattr(clock, "today", lambda: day(200))  # every review expired
    page = _items(api_as(world.users["admin"]), risk_level="none")
    assert page["total"] == len(listed)


def _shown_total(client, query):
    r = client.get("/projects", query_string=query)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    return html.split('<p class="muted">', 1)[1].split(" ·", 1)[0], html.count("<tr>\n      <td><a")


def test_the_html_list_says_its_total_on_every_page(world, listed, browser_as):
    """The total on every page: a page past the end and an empty first page too."""
    client = browser_as(world.users["admin"])
    assert _shown_total(client, {"per_page": 2}) == ("5 projects", 2)
    assert _shown_total(client, {"per_page": 2, "page": 3}) == ("5 projects", 1)
    assert _shown_total(client, {"per_page": 2, "page": 9}) == ("5 projects", 0)
    assert _shown_total(client, {"risk_level": "critical"}) == ("0 projects", 0)
    assert _shown_total(client, {"risk_level": "critical", "page": 2}) == ("0 projects", 0)
    assert _shown_total(client, {"risk_level": "high", "page": 1}) == ("1 project", 1)
    # a lawyer counts their own projects only
    lawyer = browser_as(world.users["lawyer"])
    mine = db.session.query(Project).filter(Project.lawyers.contains(world.users["lawyer"]))
    assert _shown_total(lawyer, {"per_page": 1, "page": 2})[0] == f"{mine.count()} projects"
