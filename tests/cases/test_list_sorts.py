"""Sortable columns on the remaining lists (issue 19): NDAs, deadlines, data-sharing requests
(the lists, the ledger, a project's and the operator's queue), disclosures, advisory sessions
and the audit trail. Each: `sort=name` and `sort=-name` order the rows in SQL, an unknown key
is a 422 problem on the API and ignored on the page, and a sort never shows a row outside the
reader's scope nor opens a list to a role refused it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import day, make_asset, make_disclosure, make_nda, make_session, moment
from tracker.audit.service import record
from tracker.cases.assets.models import AssetDeadline
from tracker.db import db
from tracker.transfers.models import TransferRequest

ROLES = ("admin", "lawyer", "company", "operator", "auditor")


def _transfer(project: Any, partner: Any, requester: Any, **over: Any) -> TransferRequest:
    values: dict[str, Any] = {
        "purpose": "Joint test",
        "channel": "secure_platform",
        "status": "pending_review",
        "checks": [],
        **over,
    }
    t = TransferRequest(project=project, partner=partner, requested_by_id=requester.id, **values)
    db.session.add(t)
    db.session.flush()
    return t


@pytest.fixture
def rows(world: Any, make_project: Any, make_zone: Any, make_org: Any) -> Any:
    """Three rows of every list in the world's project, in a different order for each column,
    and one row of every list in a project of another zone and company (outside the scope of
    the world's lawyer, company and operator)."""
    w = world
    w.other = make_project(zone=make_zone())
    partners = [make_org("partner", name=f"Sortpartner {c}") for c in "BCA"]
    w.project.partners = [w.partner, *partners]
    # NDAs: partner B C A; signed 3 1 2; effective 1 3 2; expiring 2 1 3
    w.ndas = [
        make_nda(
            w.project, p, signed_on=day(-s), effective_on=day(-40 + e), expires_on=day(100 + x)
        )
        for p, s, e, x in zip(partners, (3, 1, 2), (1, 3, 2), (2, 1, 3), strict=True)
    ]
    w.foreign_nda = make_nda(w.other, w.other.partners[0], expires_on=day(50))
    # deadlines of three assets (titles B C A, due 20 10 30) and one of the other project
    for title, due in (("Sort asset B", 20), ("Sort asset C", 10), ("Sort asset A", 30)):
        asset = make_asset(w.project, title=title)
        asset.deadlines = [AssetDeadline(kind="annuity", due_on=day(due), done=False)]
    foreign = make_asset(w.other, title="Sort asset foreign")
    foreign.deadlines = [AssetDeadline(kind="annuity", due_on=day(5), done=False)]
    # requests: planned 2 3 1, filed 1 2 3 (3, 2 and 1 days ago), one blocked
    lawyer = w.users["lawyer"]
    w.transfers = [
        _transfer(w.project, partners[0], lawyer, planned_on=day(12), created_at=moment(-3)),
        _transfer(
            w.project,
            partners[1],
            lawyer,
            planned_on=day(13),
            created_at=moment(-2),
            status="blocked",
        ),
        _transfer(w.project, partners[2], lawyer, planned_on=day(11), created_at=moment(-1)),
    ]
    w.foreign_transfer = _transfer(
        w.other, w.other.partners[0], lawyer, planned_on=day(10), created_at=moment(-4)
    )
    # disclosures: titles B C A, conceived 2 1 3 days apart
    filer = w.users["company"]
    w.disclosures = [
        make_disclosure(w.project, filer, title=f"Sort idea {t}", conceived_on=str(day(-c)))
        for t, c in (("B", 2), ("C", 3), ("A", 1))
    ]
    # sessions: held 2 1 3 days ago, lasting 30 90 60 minutes
    w.sessions = [
        make_session(w.project, lawyer, held_on=str(day(-h)), duration_minutes=m)
        for h, m in ((2, 30), (3, 90), (1, 60))
    ]
    db.session.commit()
    return w


def _table(response: Any) -> str:
    """The page's table rows (filter fields name partners too)."""
    assert response.status_code == 200
    html: str = response.get_data(as_text=True)
    return html[html.index("<tbody") :]


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return [item["id"] for item in response.get_json()["items"]]


def _ids_of(records: list[Any], order: tuple[int, ...]) -> list[int]:
    return [records[i].id for i in order]


# --- NDAs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("expires_on", (1, 0, 2)),
        ("-expires_on", (2, 0, 1)),
        ("signed_on", (0, 2, 1)),
        ("-signed_on", (1, 2, 0)),
        ("effective_on", (0, 2, 1)),
        ("-effective_on", (1, 2, 0)),
        ("partner", (2, 0, 1)),
        ("-partner", (1, 0, 2)),
    ],
)
def test_the_nda_lists_sort(rows: Any, api_as: Any, sort: str, order: tuple[int, ...]) -> None:
    expected = _ids_of(rows.ndas, order)
    lawyer = api_as(rows.users["lawyer"])
    assert _ids(lawyer.get(f"/api/v1/projects/{rows.project.id}/ndas?sort={sort}")) == expected
    # across projects the lawyer sees only the project's own, sorted
    assert _ids(lawyer.get(f"/api/v1/ndas?sort={sort}")) == expected


@pytest.mark.parametrize("role", ROLES)
def test_a_sorted_nda_list_holds_only_what_the_role_sees(rows: Any, api_as: Any, role: str) -> None:
    got = _ids(api_as(rows.users[role]).get("/api/v1/ndas?sort=-expires_on"))
    mine = _ids_of(rows.ndas, (2, 0, 1))
    if role in ("admin", "auditor"):
        assert [i for i in got if i != rows.foreign_nda.id] == mine
        assert rows.foreign_nda.id in got
    else:
        assert got == mine
    outsider = rows.outsiders.get(role)
    if outsider is not None:
        assert _ids(api_as(outsider).get("/api/v1/ndas?sort=partner")) == []


def test_the_nda_page_sorts_by_its_headings(rows: Any, browser_as: Any) -> None:
    client = browser_as(rows.users["company"])
    path = f"/projects/{rows.project.id}/ndas"
    html = client.get(f"{path}?sort=-partner").get_data(as_text=True)
    assert html.index("Sortpartner C") < html.index("Sortpartner B") < html.index("Sortpartner A")
    assert 'aria-sort="descending"' in html
    assert f'href="{path}?sort=partner"' in html and f'href="{path}?sort=signed_on"' in html
    default = client.get(f"{path}?sort=nonsense")
    assert default.status_code == 200
    html = default.get_data(as_text=True)  # soonest expiry first: C, B, A
    assert html.index("Sortpartner C") < html.index("Sortpartner B") < html.index("Sortpartner A")


# --- deadlines ----------------------------------------------------------------------------------


def _titles(response: Any) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return [i["title"] for i in response.get_json()["items"] if i["title"].startswith("Sort asset")]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("due_on", ["Sort asset C", "Sort asset B", "Sort asset A"]),
        ("-due_on", ["Sort asset A", "Sort asset B", "Sort asset C"]),
        ("title", ["Sort asset A", "Sort asset B", "Sort asset C"]),
        ("-title", ["Sort asset C", "Sort asset B", "Sort asset A"]),
    ],
)
def test_the_deadlines_sort(rows: Any, api_as: Any, sort: str, expected: list[str]) -> None:
    # the company sees its own project's deadlines only, sorted
    got = _titles(api_as(rows.users["company"]).get(f"/api/v1/deadlines?sort={sort}"))
    assert got == expected


def test_deadlines_sort_by_project_in_scope(rows: Any, api_as: Any) -> None:
    codes = sorted([rows.project.code, rows.other.code])
    body = api_as(rows.users["admin"]).get("/api/v1/deadlines?sort=-project").get_json()
    got = [i["project_code"] for i in body["items"]]
    assert got == sorted(got, reverse=True) and set(got) == set(codes)
    body = api_as(rows.users["lawyer"]).get("/api/v1/deadlines?sort=project").get_json()
    assert {i["project_code"] for i in body["items"]} == {rows.project.code}
    assert _titles(api_as(rows.outsiders["lawyer"]).get("/api/v1/deadlines?sort=title")) == []


def test_the_deadlines_page_sorts_and_keeps_its_filters(rows: Any, browser_as: Any) -> None:
    client = browser_as(rows.users["lawyer"])
    html = client.get("/deadlines?sort=-title&within_days=90&page=1").get_data(as_text=True)
    assert html.index("Sort asset C") < html.index("Sort asset B") < html.index("Sort asset A")
    assert "Sort asset foreign" not in html
    # the heading keeps the window and starts again at the first page
    assert 'href="/deadlines?within_days=90&amp;sort=title"' in html
    html = client.get("/deadlines?sort=owner").get_data(as_text=True)
    assert html.index("Sort asset C") < html.index("Sort asset B") < html.index("Sort asset A")


# --- data-sharing requests ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("planned_on", (2, 0, 1)),
        ("-planned_on", (1, 0, 2)),
        ("created_at", (0, 1, 2)),
        ("-created_at", (2, 1, 0)),
        ("status", (1, 0, 2)),  # blocked before pending_review, then by id
        ("-status", (2, 0, 1)),
    ],
)
def test_the_request_lists_sort(rows: Any, api_as: Any, sort: str, order: tuple[int, ...]) -> None:
    expected = _ids_of(rows.transfers, order)
    for role in ("lawyer", "company", "operator"):
        api = api_as(rows.users[role])
        assert _ids(api.get(f"/api/v1/transfers?sort={sort}")) == expected, role
        path = f"/api/v1/projects/{rows.project.id}/transfers?sort={sort}"
        assert _ids(api.get(path)) == expected, role


def test_requests_sort_by_project_for_the_auditor(rows: Any, api_as: Any) -> None:
    got = _ids(api_as(rows.users["auditor"]).get("/api/v1/transfers?sort=-project"))
    codes = {t.id: t.project.code for t in [*rows.transfers, rows.foreign_transfer]}
    assert set(codes) <= set(got)
    seen = [codes[i] for i in got if i in codes]
    assert seen == sorted(seen, reverse=True)


def test_the_ledger_sorts(rows: Any, api_as: Any) -> None:
    for t, planned in zip(rows.transfers, (3, 1, 2), strict=True):
        t.status, t.planned_on = "approved", day(-planned)
    db.session.commit()
    api = api_as(rows.users["auditor"])
    got = _ids(api.get("/api/v1/transfers/ledger?sort=planned_on"))
    assert got == _ids_of(rows.transfers, (0, 2, 1))
    # no sort: the latest planned date first, as before
    assert _ids(api.get("/api/v1/transfers/ledger")) == _ids_of(rows.transfers, (1, 2, 0))


def test_the_admin_is_still_refused_the_requests(rows: Any, api_as: Any) -> None:
    assert api_as(rows.users["admin"]).get("/api/v1/transfers?sort=status").status_code == 403


def test_the_request_pages_sort(rows: Any, browser_as: Any) -> None:
    client = browser_as(rows.users["operator"])
    response = client.get("/transfers?sort=-planned_on")
    html = _table(response)
    names = ("Sortpartner C", "Sortpartner B", "Sortpartner A")
    assert html.index(names[0]) < html.index(names[1]) < html.index(names[2])
    assert 'aria-sort="descending"' in response.get_data(as_text=True)
    # the zone's queue: soonest planned date first by default, the other way round when asked
    response = client.get("/zone")
    html = _table(response)
    assert html.index(names[2]) < html.index(names[1])
    assert 'href="/zone?sort=-planned_on"' in response.get_data(as_text=True)
    html = _table(client.get("/zone?sort=-planned_on"))
    assert html.index(names[1]) < html.index(names[2])
    assert client.get("/zone?sort=drop").status_code == 200
    company = browser_as(rows.users["company"])
    path = f"/projects/{rows.project.id}/transfers"
    response = company.get(f"{path}?sort=planned_on")
    html = _table(response)
    assert html.index(names[2]) < html.index(names[1]) < html.index(names[0])
    assert f'href="{path}?sort=-planned_on"' in response.get_data(as_text=True)


# --- disclosures and sessions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("title", (2, 0, 1)),
        ("-title", (1, 0, 2)),
        ("conceived_on", (1, 0, 2)),
        ("-conceived_on", (2, 0, 1)),
        ("-created_at", (2, 1, 0)),
    ],
)
def test_the_disclosures_sort(rows: Any, api_as: Any, sort: str, order: tuple[int, ...]) -> None:
    path = f"/api/v1/projects/{rows.project.id}/disclosures?sort={sort}"
    for role in ("lawyer", "company", "auditor"):
        assert _ids(api_as(rows.users[role]).get(path)) == _ids_of(rows.disclosures, order)
    for role in ("admin", "operator"):
        assert api_as(rows.users[role]).get(path).status_code == 403
    assert api_as(rows.outsiders["company"]).get(path).status_code == 404


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("held_on", (1, 0, 2)),
        ("-held_on", (2, 0, 1)),
        ("duration_minutes", (0, 2, 1)),
        ("-duration_minutes", (1, 2, 0)),
    ],
)
def test_the_sessions_sort(rows: Any, api_as: Any, sort: str, order: tuple[int, ...]) -> None:
    path = f"/api/v1/projects/{rows.project.id}/sessions?sort={sort}"
    for role in ("lawyer", "company"):
        assert _ids(api_as(rows.users[role]).get(path)) == _ids_of(rows.sessions, order)
    for role in ("admin", "operator", "auditor"):
        assert api_as(rows.users[role]).get(path).status_code == 403
    assert api_as(rows.outsiders["lawyer"]).get(path).status_code == 404


def test_the_disclosure_and_session_pages_sort(rows: Any, browser_as: Any) -> None:
    client = browser_as(rows.users["company"])
    path = f"/projects/{rows.project.id}/disclosures"
    html = client.get(f"{path}?sort=title").get_data(as_text=True)
    assert html.index("Sort idea A") < html.index("Sort idea B") < html.index("Sort idea C")
    assert f'href="{path}?sort=-title"' in html and 'aria-sort="ascending"' in html
    html = client.get(f"{path}?sort=x").get_data(as_text=True)  # newest first
    assert html.index("Sort idea A") < html.index("Sort idea C") < html.index("Sort idea B")
    path = f"/projects/{rows.project.id}/sessions"
    html = client.get(f"{path}?sort=-duration_minutes").get_data(as_text=True)
    links = [f'/sessions/{rows.sessions[i].id}"' for i in (1, 2, 0)]
    assert html.index(links[0]) < html.index(links[1]) < html.index(links[2])
    assert f'href="{path}?sort=duration_minutes"' in html


# --- the audit trail ----------------------------------------------------------------------------


@pytest.fixture
def trail(world: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Events about the world's project: by the admin (first account), by the lawyer, and by
    no one, appended at times (hours ago) that are not their order in the chain, each action
    named so that the codes sort in yet another order."""
    w = world
    made = []
    for hours, actor, action in (
        (3, w.users["lawyer"].id, "test.sort_b"),
        (2, w.users["admin"].id, "test.sort_c"),
        (1, None, "test.sort_a"),
        (4, w.users["lawyer"].id, "test.sort_d"),
    ):
        at = moment(-hours / 24)
        monkeypatch.setattr("tracker.audit.service.utcnow", lambda at=at: at)
        made.append(record(action, object_type="project", object_id=w.project.id, actor_id=actor))
    monkeypatch.undo()
    db.session.commit()
    w.events = made
    return w


def _event_ids(response: Any) -> list[int]:
    return _ids(response)


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("at", (3, 0, 1, 2)),
        ("-at", (2, 1, 0, 3)),
        ("action", (2, 0, 1, 3)),
        ("-action", (3, 1, 0, 2)),
        ("actor", (1, 0, 3, 2)),  # the admin's account is older; no actor last
        ("-actor", (3, 0, 1, 2)),
    ],
)
def test_the_trail_sorts(trail: Any, api_as: Any, sort: str, order: tuple[int, ...]) -> None:
    path = f"/api/v1/audit?object_type=project&object_id={trail.project.id}&sort={sort}"
    assert _event_ids(api_as(trail.users["auditor"]).get(path)) == _ids_of(trail.events, order)
    # a lawyer reads the events of their own actions only, in the same order
    lawyer = trail.users["lawyer"].id
    mine = [trail.events[i].id for i in order if trail.events[i].actor_id == lawyer]
    assert _event_ids(api_as(trail.users["lawyer"]).get(path)) == mine
    for role in ("company", "operator"):
        assert api_as(trail.users[role]).get(path).status_code == 403


def test_the_trail_page_sorts_and_keeps_its_filters(trail: Any, browser_as: Any) -> None:
    client = browser_as(trail.users["admin"])
    base = f"/audit?object_type=project&object_id={trail.project.id}"
    html = client.get(f"{base}&sort=action").get_data(as_text=True)
    seqs = [f"<td>{e.seq}</td>" for e in (trail.events[2], trail.events[0], trail.events[1])]
    assert html.index(seqs[0]) < html.index(seqs[1]) < html.index(seqs[2])
    link = f"/audit?object_type=project&amp;object_id={trail.project.id}&amp;sort=-action"
    assert f'href="{link}"' in html
    # no sort: newest first in the chain's order (the last appended first), as before
    html = client.get(base).get_data(as_text=True)
    cells = [html.index(f"<td>{e.seq}</td>") for e in reversed(trail.events)]
    assert cells == sorted(cells)
    assert 'aria-sort="descending"' in html
    assert client.get(f"{base}&sort=mac").status_code == 200
    assert browser_as(trail.users["company"]).get(f"{base}&sort=at").status_code == 403


# --- unknown keys -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/ndas",
        "/api/v1/projects/{p}/ndas",
        "/api/v1/deadlines",
        "/api/v1/transfers",
        "/api/v1/transfers/ledger",
        "/api/v1/projects/{p}/transfers",
        "/api/v1/projects/{p}/disclosures",
        "/api/v1/projects/{p}/sessions",
        "/api/v1/audit",
    ],
)
@pytest.mark.parametrize("sort", ["id", "--title", "-", "purpose;drop", "x" * 3000])
def test_an_unknown_sort_is_a_422_problem(world: Any, api_as: Any, path: str, sort: str) -> None:
    role = "auditor" if "audit" in path else "lawyer"
    response = api_as(world.users[role]).get(
        path.format(p=world.project.id), query_string={"sort": sort}
    )
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert "sort" in response.get_json()["errors"]
