"""Search across records (`GET /api/v1/search`, the `/search` page): every kind of record in
the caller's scope, each hit only for the roles that may see that text, landing on the
record's own page; sealed text (privileged notes, disclosure and asset descriptions) is
never found, by anyone."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.support import (
    CANARY,
    OUTSIDERS,
    PLANNED,
    ROLES,
    answers,
    make_asset,
    make_disclosure,
    make_nda,
    make_review,
    make_session,
    pdf,
    upload,
)
from tracker import policy
from tracker.cases import search
from tracker.cases.models import SearchEntry
from tracker.cases.reviews import service as reviews
from tracker.db import db
from tracker.transfers.models import TransferRequest

WORD = "zirconia"


@pytest.fixture
def zworld(world, api_as, make_org, make_user):
    """The world's project with one record of every searchable kind, each naming WORD."""
    w = world
    w.project.title = f"{WORD} membranes"
    search.index(w.project)
    partner = make_org("partner", name=f"{WORD.title()} Partners GmbH")
    w.project.partners.append(partner)
    w.asset = make_asset(
        w.project, title=f"{WORD} sinter recipe", description="sealedasset furnace profile"
    )
    search.index(w.asset)
    w.disclosure = make_disclosure(
        w.project,
        w.users["company"],
        title=f"{WORD} coating",
        description="sealeddisclosure bridge",
    )
    w.session = make_session(
        w.project,
        w.users["lawyer"],
        advice=f"Keep the {WORD} recipe in Korea.",
        privileged_notes=f"sealednote {CANARY}",
    )
    w.nda = make_nda(w.project, partner, purpose="sealedpurpose exchange")
    search.index(w.nda)
    author = make_user("lawyer", name=f"{WORD.title()} Reviewer")
    w.project.lawyers.append(author)
    w.review = make_review(w.project, author)
    w.transfer = TransferRequest(
        project=w.project,
        partner=partner,
        purpose="sealedpurpose trial",
        channel="secure_platform",
        planned_on=PLANNED,
        status="pending_review",
        checks=[],
        requested_by_id=w.users["company"].id,
    )
    db.session.add(w.transfer)
    db.session.flush()
    search.index(w.transfer)
    db.session.commit()
    r = upload(api_as(w.users["lawyer"]), w.project.id, pdf(), name=f"{WORD}-drawing.pdf")
    assert r.status_code == 201, r.get_data(as_text=True)
    return w


#: each kind's hit and the action its text needs (the registry's declarations)
KINDS = {
    "project": "project.view",
    "asset": "asset.view",
    "disclosure": "disclosure.read",
    "session": "session.view_advice",
    "nda": "nda.view",
    "risk_review": "review.view_result",
    "transfer": "transfer.view",
    "attachment": "project.view",
}


def _search(api, q, **args):
    r = api.get("/api/v1/search", query_string={"q": q, **args})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


@pytest.mark.parametrize("role", ROLES)
def test_every_kind_in_scope_for_the_roles_that_may_see_it(zworld, api_as, role):
    body = _search(api_as(zworld.users[role]), WORD, per_page=200)
    found = {item["type"] for item in body["items"]}
    expected = {kind for kind, action in KINDS.items() if policy.role_may(role, action)}
    assert found == expected
    assert body["total"] == len(body["items"]) and body["total_estimated"] is False
    for item in body["items"]:
        assert set(item) == {"type", "id", "project_id", "project_code", "title", "snippet"}
        assert item["project_id"] == zworld.project.id
        assert item["project_code"] == zworld.project.code
        assert WORD in (item["title"] + item["snippet"]).lower()


@pytest.mark.parametrize("role", OUTSIDERS)
def test_nothing_outside_the_scope(zworld, api_as, role):
    body = _search(api_as(zworld.outsiders[role]), WORD)
    assert body == {
        "items": [],
        "total": 0,
        "total_estimated": False,
        "page": 1,
        "per_page": 50,
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "sealed", ["sealednote", CANARY, "sealeddisclosure", "sealedasset", "sealedpurpose"]
)
def test_sealed_text_is_never_found(zworld, api_as, role, sealed):
    """Privileged notes (not even for the project's lawyer), disclosure and asset
    descriptions, NDA and request purposes are not indexed."""
    assert _search(api_as(zworld.users[role]), sealed)["items"] == []
    texts = db.session.execute(sa.select(SearchEntry.text, SearchEntry.title)).all()
    assert not any(sealed.lower() in f"{t} {title}".lower() for t, title in texts)


def test_a_draft_review_is_found_once_submitted(world, api_as, make_user):
    author = make_user("lawyer", name="Draftwriter Kim")
    world.project.lawyers.append(author)
    review = reviews.submit_review(world.project, author, answers(), "x", draft=True)
    db.session.commit()
    admin = api_as(world.users["admin"])
    assert _search(admin, "draftwriter")["items"] == []
    assert _search(api_as(author), "draftwriter")["items"] == []
    reviews.save_draft(review, answers(), "x", submit=True)
    db.session.commit()
    assert [i["id"] for i in _search(admin, "draftwriter")["items"]] == [review.id]


def test_results_page_links_land_on_each_record(zworld, browser_as):
    client = browser_as(zworld.users["lawyer"])
    r = client.get("/search", query_string={"q": WORD})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    for path in (
        f"/projects/{zworld.project.id}",
        f"/assets/{zworld.asset.id}",
        f"/disclosures/{zworld.disclosure.id}",
        f"/sessions/{zworld.session.id}",
        f"/ndas/{zworld.nda.id}",
        f"/reviews/{zworld.review.id}",
        f"/transfers/{zworld.transfer.id}",
        f"/projects/{zworld.project.id}/files",
    ):
        assert f'href="{path}"' in html, path
    assert "sealednote" not in html and CANARY not in html


@pytest.mark.parametrize("role", ROLES)
def test_every_link_on_the_results_page_opens(zworld, browser_as, role):
    client = browser_as(zworld.users[role])
    html = client.get("/search", query_string={"q": WORD}).get_data(as_text=True)
    start = html.index('<ol class="results">')
    links = [
        part.split('"', 1)[0]
        for part in html[start : html.index("</ol>", start)].split('href="')[1:]
    ]
    assert links, "no result links"
    for link in links:
        assert client.get(link).status_code == 200, link


def test_header_has_a_labelled_search_box(world, browser_as):
    html = browser_as(world.users["company"]).get("/projects").get_data(as_text=True)
    assert 'role="search"' in html and 'for="header-search-q"' in html
    assert 'id="header-search-q"' in html and 'action="/search"' in html


def test_project_code_finds_the_project(world, api_as):
    world.project.code = "ZX-MAT-2026-00042"
    search.index(world.project)
    db.session.commit()
    for q in ("ZX-MAT-2026-00042", "zx-mat-2026"):
        items = _search(api_as(world.users["admin"]), q)["items"]
        assert {"type": "project", "id": world.project.id} in [
            {"type": i["type"], "id": i["id"]} for i in items
        ], q


def test_estimated_total_beyond_the_count_limit(world, api_as, monkeypatch):
    monkeypatch.setattr(search, "COUNT_LIMIT", 10)
    for n in range(30):
        search.index_record("test_note", n + 1, world.project.id, "project.view", "quasar")
    db.session.commit()
    body = _search(api_as(world.users["admin"]), "quasar", per_page=5)
    assert len(body["items"]) == 5 and body["total_estimated"] is True
    assert 10 < body["total"] <= 300
    assert body["items"][0]["id"] == 30  # newest first
    # a page beyond the first COUNT_LIMIT hits: the same estimate, counted apart
    far = _search(api_as(world.users["admin"]), "quasar", per_page=5, page=3)
    assert [i["id"] for i in far["items"]] == [20, 19, 18, 17, 16]
    assert far["total"] == body["total"] and far["total_estimated"] is True


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"q": ""},
        {"q": "x" * 201},
        {"q": "ok", "page": "0"},
        {"q": "ok", "page": "x"},
        {"q": "ok", "per_page": "201"},
        {"q": "ok", "page": "99999999999999999999"},
        {"q": "a\x00b"},
    ],
)
def test_bad_input_is_a_problem(world, api_as, args):
    r = api_as(world.users["admin"]).get("/api/v1/search", query_string=args)
    assert r.status_code in (400, 422), (args, r.status_code)
    assert r.content_type.startswith("application/problem+json")


@pytest.mark.parametrize("q", ['"', "'", "a OR b", "NEAR(x y)", "*", ":*", "!&|", "\x07bell"])
def test_query_syntax_is_not_interpreted(world, api_as, browser_as, q):
    assert (
        api_as(world.users["admin"]).get("/api/v1/search", query_string={"q": q}).status_code == 200
    )
    assert browser_as(world.users["admin"]).get("/search", query_string={"q": q}).status_code == 200


def test_html_page_tolerates_bad_paging(world, browser_as):
    client = browser_as(world.users["admin"])
    for args in ({"q": "x", "page": "-1"}, {"q": "x", "page": "abc"}, {}, {"q": "x" * 5000}):
        assert client.get("/search", query_string=args).status_code == 200, args


def test_anonymous_is_refused(client):
    assert client.get("/api/v1/search?q=x").status_code == 401
    assert client.get("/search?q=x").status_code in (302, 303)


@pytest.mark.parametrize("common", [False, True])
def test_project_list_finds_the_same_by_either_plan(
    world, api_as, make_project, monkeypatch, common
):
    """A rare word lists its projects, a common one asks each project walked: same answer."""
    monkeypatch.setattr(search, "COMMON_HITS", 1 if common else 10_000)
    other = make_project(zone=world.zone, company=world.company, title="quillwort beds")
    search.index(other)
    world.project.title = "quillwort trials"
    search.index(world.project)
    elsewhere = make_project(title="quillwort elsewhere")  # in the admin's scope only
    search.index(elsewhere)
    db.session.commit()
    for role, expected in (
        ("company", {world.project.id, other.id}),
        ("operator", {world.project.id, other.id}),
    ):
        r = api_as(world.users[role]).get("/api/v1/projects", query_string={"q": "quillwort"})
        assert {p["id"] for p in r.get_json()["items"]} == expected, role
        assert r.get_json()["total"] == 2
    assert api_as(world.users["admin"]).get("/api/v1/projects?q=quillwort").get_json()["total"] == 3
