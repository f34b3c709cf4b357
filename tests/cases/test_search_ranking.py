"""Search ranks and lands (issue 19): the record a query names exactly (a project's whole code,
a filing's or an asset's number) first, then hits in what names a record (title, code,
numbers), then hits only in the rest of its text, newest first within each; a filing's hit
lands on its asset's page at the filing; coded values are found by what people call them in
both languages, never by their code. On SQLite and on PostgreSQL (TRACKER_TEST_DATABASE_URL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support import ROLES, approved_review, make_asset, make_session, plan_of, statements
from tracker import policy
from tracker.cases import search
from tracker.cases.filings import service as filings
from tracker.cases.models import SearchEntry
from tracker.db import BuiltOnce, Remembered, db

NUMBER = "10-2031-0077123"


def _hits(api: Any, q: str, **args: Any) -> list[tuple[str, int]]:
    r = api.get("/api/v1/search", query_string={"q": q, **args})
    assert r.status_code == 200, r.get_data(as_text=True)
    return [(i["type"], i["id"]) for i in r.get_json()["items"]]


def _filing(asset: Any, **over: Any) -> Any:
    values = {
        "office": "KR",
        "route": "first",
        "application_no": NUMBER,
        "filed_on": dt.date(2031, 3, 31),
        "status": "pending",
        **over,
    }
    return filings.create_filing(asset, values)


def test_a_hit_in_the_title_ranks_before_a_hit_in_the_text(world, api_as):
    """Newest first alone would put the session (its advice names the word) first."""
    older = make_asset(world.project, title="Quokka press tooling")
    search.index(older)
    newer = make_asset(world.project, title="Quokka die set")
    search.index(newer)
    session = make_session(
        world.project, world.users["lawyer"], advice="Keep the quokka drawings in Korea."
    )
    db.session.commit()
    assert _hits(api_as(world.users["lawyer"]), "quokka") == [
        ("asset", newer.id),
        ("asset", older.id),
        ("session", session.id),
    ]
    # the same order on the far pages (every hit ranked)
    pages = [_hits(api_as(world.users["lawyer"]), "quokka", per_page=1, page=n) for n in (2, 3)]
    assert pages == [[("asset", older.id)], [("session", session.id)]]


def test_a_project_code_in_the_title_words_ranks_first(world, api_as, make_project):
    """A project is named by its code and title; partners' names are the rest of its text."""
    world.project.title = "Wombat coatings"
    search.index(world.project)
    partnered = make_project(zone=world.zone, company=world.company, title="Sintered parts")
    partnered.partners.append(world.partner)
    world.partner.name = "Wombat Materials Ltd"
    search.index(partnered)
    db.session.commit()
    assert _hits(api_as(world.users["admin"]), "wombat") == [
        ("project", world.project.id),
        ("project", partnered.id),
    ]


def test_an_exact_project_code_lands_first(world, api_as, make_project):
    world.project.code = "QK-MAT-2031-00007"
    search.index(world.project)
    longer = make_project(zone=world.zone, company=world.company, code="QK-MAT-2031-000071")
    search.index(longer)  # newer, and its code starts with the query too
    db.session.commit()
    admin = api_as(world.users["admin"])
    assert _hits(admin, "QK-MAT-2031-00007")[:2] == [
        ("project", world.project.id),
        ("project", longer.id),
    ]
    assert _hits(admin, "qk-mat-2031-00007")[0] == ("project", world.project.id)


def test_an_exact_filing_number_lands_first_and_on_the_filing(world, api_as, browser_as):
    asset = make_asset(world.project, title="Numbered sensor")
    search.index(asset)
    filing = _filing(asset)
    # newer records that name the number among other words
    mention = make_asset(world.project, title=f"Response plan {NUMBER} drafts")
    search.index(mention)
    db.session.commit()
    lawyer = api_as(world.users["lawyer"])
    assert _hits(lawyer, NUMBER)[0] == ("filing", filing.id)
    html = browser_as(world.users["lawyer"]).get("/search", query_string={"q": NUMBER})
    page = html.get_data(as_text=True)
    assert f'href="/assets/{asset.id}#filing-{filing.id}"' in page
    assert f'href="/projects/{world.project.id}"' not in page.split('<ol class="results">')[1]


def test_an_exact_asset_number_lands_first(world, api_as):
    asset = make_asset(world.project, title="Old docket", application_no="10-2019-0001234")
    search.index(asset)
    other = make_asset(world.project, title="Follow-up of 10-2019-0001234")
    search.index(other)
    db.session.commit()
    hits = _hits(api_as(world.users["company"]), "10-2019-0001234")
    assert hits[0] == ("asset", asset.id)


@pytest.mark.parametrize("role", ROLES)
def test_a_filing_is_found_by_its_number_by_whoever_may_see_filings(world, api_as, role):
    asset = make_asset(world.project, title="Family root")
    search.index(asset)
    filing = _filing(asset, registration_no="10-2999999")
    db.session.commit()
    expected = policy.role_may(role, "filing.view")
    for q in (NUMBER, "10-2999999"):
        assert (("filing", filing.id) in _hits(api_as(world.users[role]), q)) is expected, q


def test_a_filing_is_found_by_its_offices_name_not_its_code(world, api_as):
    asset = make_asset(world.project, title="Family root")
    search.index(asset)
    filing = _filing(asset)
    db.session.commit()
    lawyer = api_as(world.users["lawyer"])
    for q in ("korea", "대한민국"):
        assert ("filing", filing.id) in _hits(lawyer, q), q
    assert ("filing", filing.id) not in _hits(lawyer, "KR")
    text = db.session.execute(
        sa.select(SearchEntry.text).where(
            SearchEntry.record_type == "filing", SearchEntry.record_id == filing.id
        )
    ).scalar_one()
    assert "KR" not in text.split()


def test_a_filings_entry_names_its_asset(world):
    asset = make_asset(world.project, title="Family root")
    filing = _filing(asset)
    db.session.commit()
    entry = db.session.execute(
        sa.select(SearchEntry).where(
            SearchEntry.record_type == "filing", SearchEntry.record_id == filing.id
        )
    ).scalar_one()
    assert (entry.parent_id, entry.title, entry.heading) == (asset.id, NUMBER, NUMBER)


@pytest.mark.parametrize("q", ["high", "High", "높음"])
def test_a_review_is_found_by_its_levels_name_in_either_language(world, api_as, q):
    review = approved_review(world.project, world.users["lawyer"].id, level="high")
    db.session.add(review)
    db.session.flush()
    search.index(review)
    db.session.commit()
    assert ("risk_review", review.id) in _hits(api_as(world.users["admin"]), q)


def test_no_code_is_indexed_as_a_word(world, make_user):
    """Every coded value an entry holds is said as people say it: a review's level, a
    filing's office."""
    asset = make_asset(world.project, title="Family root")
    search.index(asset)
    _filing(asset)
    _filing(asset, office="EP", route="first", application_no="EP31001234")
    for level in ("low", "medium", "critical"):
        review = approved_review(world.project, world.users["lawyer"].id, level=level)
        db.session.add(review)
        db.session.flush()
        search.index(review)
    db.session.commit()
    texts = db.session.execute(
        sa.select(SearchEntry.text).where(SearchEntry.kind.in_(("filing", "risk_review")))
    ).scalars()
    words = {w for text in texts for w in text.split()}
    assert {"KR", "EP", "low", "medium", "critical"}.isdisjoint(words)
    assert {"낮음", "보통", "심각"} & words and {"Low", "Medium", "Critical"} <= words


def test_results_within_a_rank_stay_newest_first(world, api_as):
    made = []
    for n in range(3):
        asset = make_asset(world.project, title=f"Dingo rig {n}")
        search.index(asset)
        made.append(asset.id)
    db.session.commit()
    assert _hits(api_as(world.users["admin"]), "dingo") == [("asset", i) for i in reversed(made)]


def test_a_korean_word_part_in_the_title_ranks_first(world, api_as):
    """The session is newer and its advice holds the word-part: the asset's title wins."""
    asset = make_asset(world.project, title="소형 김치냉장고 압축기")
    search.index(asset)
    session = make_session(world.project, world.users["lawyer"], advice="김치냉장고 도면 보관")
    db.session.commit()
    assert _hits(api_as(world.users["lawyer"]), "냉장고") == [
        ("asset", asset.id),
        ("session", session.id),
    ]


def _index_notes(project_id: int, first_id: int, count: int, text: str, heading: str) -> None:
    for n in range(first_id, first_id + count):
        search.index_record(
            "test_note", n, project_id, "project.view", text, title=f"note {n}", heading=heading
        )


def _counted_builds(monkeypatch: Any) -> list[str]:
    """The queries whose search statement is built from now on (a fresh store of kept ones)."""
    from tracker.cases import search_results

    monkeypatch.setattr(search_results, "_FIRST", BuiltOnce(16))
    built: list[str] = []
    build = search_results._page_statement

    def counted(user: Any, q: str, *args: Any) -> Any:
        built.append(q)
        return build(user, q, *args)

    monkeypatch.setattr(search_results, "_page_statement", counted)
    return built


def test_a_search_statement_is_built_once_per_shape_and_bound_per_query(world, api_as, monkeypatch):
    """The search's first statement is built once per shape (the kinds of words, the role's
    actions, hinted or not; a narrow scope's condition and its values) and kept; each search
    binds its own words and page into it, so a kept statement never answers with another
    query's hits, nor with another user's scope."""

    built = _counted_builds(monkeypatch)
    _index_notes(world.project.id, 1, 3, "seen near the wombat burrow", "")
    _index_notes(world.project.id, 4, 2, "seen near the numbat burrow", "numbat")
    _index_notes(world.project.id, 6, 2, "쿼카나무 옆에서", "")
    _index_notes(world.project.id, 8, 1, "두더지굴 옆에서", "두더지굴")
    db.session.commit()
    admin = api_as(world.users["admin"])
    assert _hits(admin, "wombat") == [("test_note", n) for n in (3, 2, 1)]
    assert _hits(admin, "numbat") == [("test_note", 5), ("test_note", 4)]
    assert _hits(admin, "numbat", per_page=1, page=2) == [("test_note", 4)]
    assert _hits(admin, "wombat", per_page=2, page=2) == [("test_note", 1)]
    assert _hits(admin, "쿼카나무") == [("test_note", 7), ("test_note", 6)]
    assert _hits(admin, "두더지굴") == [("test_note", 8)]
    assert _hits(admin, "zzyzx") == []
    assert built == ["wombat", "쿼카나무"]
    lawyer = api_as(world.users["lawyer"])
    assert _hits(lawyer, "wombat") == _hits(admin, "wombat")
    assert _hits(lawyer, "numbat") == _hits(admin, "numbat")
    assert _hits(api_as(world.outsiders["lawyer"]), "numbat") == []  # none of their projects
    assert _hits(api_as(world.outsiders["company"]), "wombat") == []
    assert _hits(api_as(world.users["company"]), "wombat") == _hits(admin, "wombat")
    assert built == ["wombat", "쿼카나무", "wombat", "numbat", "wombat", "wombat"]


def test_a_code_or_number_search_is_built_once_per_shape_and_bound_per_query(
    world, api_as, make_project, monkeypatch
):
    """A query that may name a record (a project's code or its start, a filing's or an
    asset's number) is kept per shape as well (`search.named_shape`: may it be a code's start,
    may it be a number), its code and numbers bound per query: each finds its own record
    first, a lower-cased code too, and the kept statements hold no code or number."""
    from tracker.cases import search_results

    built = _counted_builds(monkeypatch)
    world.project.code = "QK-MAT-2031-00007"
    search.index(world.project)
    other = make_project(zone=world.zone, company=world.company, code="ZB-ELE-2030-00002")
    search.index(other)
    numbered = {
        number: make_asset(world.project, title=f"Docket {n}", application_no=number)
        for n, number in enumerate(("10-2019-0001234", "10-2020-0005678"))
    }
    for asset in numbered.values():
        search.index(asset)
    db.session.commit()
    admin = api_as(world.users["admin"])
    assert _hits(admin, "QK-MAT-2031-00007")[0] == ("project", world.project.id)
    assert _hits(admin, "ZB-ELE-2030-00002") == [("project", other.id)]
    assert _hits(admin, "zb-ele-2030-00002") == [("project", other.id)]
    for number, asset in numbered.items():
        assert _hits(admin, number) == [("asset", asset.id)]
    assert _hits(admin, "QK-MAT-") == [("project", world.project.id)]
    assert _hits(admin, "ZB-ELE-") == [("project", other.id)]
    # a code and a number may each be the other: one shape; a code's start, another
    assert built == ["QK-MAT-2031-00007", "QK-MAT-"]
    for statement in search_results._FIRST.kept():
        compiled = statement.compile(db.engine)
        held = str(compiled) + repr(list(compiled.params.values()))
        for value in ("QK-MAT", "ZB-ELE", "10-2019", "10-2020"):
            assert value.lower() not in held.lower(), held


def test_a_project_code_s_entry_is_found_from_the_projects_codes(world, make_project):
    """The entries a code's start names (the projects' own) are read from the projects whose
    code matches, not by joining every project's entry to its project (on SQLite that plan
    read each project's entry, text and all: ~5 ms at 10,000 projects)."""
    for n in range(3):
        search.index(make_project(zone=world.zone, company=world.company, code=f"QK-MAT-{n}"))
    db.session.commit()
    (coded,) = [s for s in search.named("QK-MAT-") if "projects" in str(s)]
    sql = str(coded.compile(db.engine, compile_kwargs={"literal_binds": True}))
    assert len(db.session.execute(sa.text(sql)).all()) == 3
    plan = plan_of(sql)
    if db.engine.dialect.name == "sqlite":
        assert "SEARCH search_entries USING INDEX ix_search_entries_project_id" in plan, plan
        assert "(record_type=?)" not in plan, plan


def test_a_window_of_word_prefixes_is_ranked_from_its_ids_on_sqlite(world, api_as):
    """On SQLite a window of word-prefix hits is ranked from its entries' ids (the heading's
    index read between the window's lowest and highest id), not by reading each entry's row
    again; a word-part's rank still reads the heading, and the pages rank as before."""
    from tracker.cases import search_results

    _index_notes(world.project.id, 1, 3, "seen near the wombat burrow", "")
    _index_notes(world.project.id, 4, 2, "seen near the wombat burrow", "wombat")
    db.session.commit()
    admin = api_as(world.users["admin"])
    with statements() as seen:
        assert _hits(admin, "wombat") == [("test_note", n) for n in (5, 4, 3, 2, 1)]
    (sql,) = [s for s in seen if "hit_window" in s]
    if db.engine.dialect.name == "sqlite":
        assert "hit_window.id IN (SELECT search_entries_fts_heading.rowid" in sql, sql
        assert "search_entries_fts_heading.rowid <= (SELECT max(hit_window.id)" in sql, sql
        assert "FROM hit_window JOIN search_entries" not in sql, sql
        words = search.query_words("두더지굴")
        part = search_results._page_statement(world.users["admin"], "두더지굴", words, False, False)
        assert "JOIN search_entries ON search_entries.id = hit_window.id" in str(part), part


def test_a_kept_search_statement_holds_its_role_s_actions(world, api_as, monkeypatch):
    """The role's actions are part of a kept statement's key: an admin searching right after an
    auditor, with the same kind of word, does not see the entries only an auditor may search
    (a disclosure's, a transfer's)."""
    from tracker.cases import search_results

    auditor, admin = world.users["auditor"], world.users["admin"]
    hidden = sorted(set(search.allowed_actions(auditor)) - set(search.allowed_actions(admin)))
    assert "disclosure.read" in hidden
    monkeypatch.setattr(search_results, "_FIRST", BuiltOnce(16))
    _index_notes(world.project.id, 1, 2, "seen near the wombat burrow", "")
    search.index_record(
        "test_note", 3, world.project.id, "disclosure.read", "the wombat disclosure", title="n3"
    )
    db.session.commit()
    assert _hits(api_as(auditor), "wombat") == [("test_note", n) for n in (3, 2, 1)]
    assert _hits(api_as(admin), "wombat") == [("test_note", 2), ("test_note", 1)]


def test_a_title_hit_older_than_the_newest_hits_still_ranks_first(world, api_as, monkeypatch):
    """Only the newest COUNT_LIMIT + 1 hits are ranked at once (the window); when none of them
    is a title hit, the older title hit must still come first (every hit ranked)."""
    monkeypatch.setattr(search, "COUNT_LIMIT", 10)
    _index_notes(world.project.id, 1, 1, "numbat", "numbat")  # the oldest: a title hit
    _index_notes(world.project.id, 2, 30, "seen near the numbat burrow", "")
    db.session.commit()
    for role in ("admin", "lawyer"):
        api = api_as(world.users[role])
        assert _hits(api, "numbat", per_page=3) == [
            ("test_note", 1),
            ("test_note", 31),
            ("test_note", 30),
        ], role
        assert _hits(api, "numbat", per_page=3, page=2) == [
            ("test_note", n) for n in (29, 28, 27)
        ], role


def test_a_full_window_of_title_hits_answers_the_page_with_an_estimate(world, api_as, monkeypatch):
    """The newest hits are all title hits: the window's page is every hit's page; the total
    beyond COUNT_LIMIT is estimated from the ids the window spans."""
    monkeypatch.setattr(search, "COUNT_LIMIT", 10)
    _index_notes(world.project.id, 1, 10, "bilby in the text", "")
    _index_notes(world.project.id, 11, 20, "bilby", "bilby")
    db.session.commit()
    for role in ("admin", "lawyer"):
        r = api_as(world.users[role]).get(
            "/api/v1/search", query_string={"q": "bilby", "per_page": 4}
        )
        body = r.get_json()
        assert [i["id"] for i in body["items"]] == [30, 29, 28, 27], role
        assert body["total_estimated"] is True and body["total"] > 10, role
    # a page past the window's title hits reaches the older text hits: every hit ranked
    far = _hits(api_as(world.users["admin"]), "bilby", per_page=4, page=6)
    assert far == [("test_note", n) for n in (10, 9, 8, 7)]


#: blocks of entries, oldest first: (action, how many, how many of them are title hits); the
#: newest blocks are hidden from some roles (advice from admins, operators and auditors,
#: data-sharing requests from admins, full asset details from operators)
_BLOCKS = (
    ("project.view", 15, 3),
    ("asset.view_full", 12, 2),
    ("transfer.view", 12, 0),
    ("session.view_advice", 25, 25),
)


@pytest.mark.parametrize("q", ["quokka", "카나무"])
def test_the_window_pages_as_ranking_every_hit_when_the_newest_entries_are_hidden(
    world, api_as, monkeypatch, q
):
    """The window (the newest COUNT_LIMIT + 1 hits the caller may see) must page exactly as
    ranking every hit the caller may see would, for every role, when the newest entries are
    ones the caller may not see (the window must skip them, not count them)."""
    monkeypatch.setattr(search, "COUNT_LIMIT", 10)
    entries: list[tuple[int, str, bool]] = []  # (record id, action, a title hit), oldest first
    record_id = 0
    for action, count, titled in _BLOCKS:
        for n in range(count):
            record_id += 1
            heading = "quokka 쿼카나무" if n < titled else ""
            search.index_record(
                "test_note",
                record_id,
                world.project.id,
                action,
                "seen near the quokka 쿼카나무 burrow",
                title=f"note {record_id}",
                heading=heading,
            )
            entries.append((record_id, action, n < titled))
    db.session.commit()
    for role in ROLES:
        user = world.users[role]
        allowed = set(policy.actions_of(user))
        visible = [(i, titled) for i, action, titled in reversed(entries) if action in allowed]
        expected = [i for i, titled in visible if titled] + [i for i, t in visible if not t]
        api = api_as(user)
        pages = []
        for page in range(1, len(expected) // 4 + 2):
            pages += [i for _, i in _hits(api, q, per_page=4, page=page)]
        assert pages == expected, role
        body = api.get("/api/v1/search", query_string={"q": q, "per_page": 4}).get_json()
        assert body["total_estimated"] is (len(expected) > 10), role
        if len(expected) <= 10:
            assert body["total"] == len(expected), role


@pytest.mark.parametrize("q", ["quokka", "카나무"])
def test_a_window_read_from_a_hinted_id_pages_as_ranking_every_hit(world, api_as, monkeypatch, q):
    """A repeated search on PostgreSQL reads its window from the indexes' hits above the last
    window's lowest id, and below it by id when those hits are too few. Whatever the hint
    (stale, too high, too low, inside a block, none), every role's pages, order and total
    must be those of ranking every hit the caller may see. Every third entry is no hit."""
    from tracker.cases import search_results

    monkeypatch.setattr(search, "COUNT_LIMIT", 10)
    monkeypatch.setattr(search_results, "_bounds", Remembered(256))
    hits: list[tuple[int, int, str, bool]] = []  # (record id, entry id, action, a title hit)
    entry_ids: list[int] = []
    record_id = 0
    for action, count, titled in _BLOCKS:
        for n in range(count):
            record_id += 1
            hit = n % 3 != 0
            heading = "quokka 쿼카나무" if hit and n // 2 < titled else ""
            search.index_record(
                "test_note",
                record_id,
                world.project.id,
                action,
                "seen near the quokka 쿼카나무 burrow" if hit else "an empty burrow",
                title=f"note {record_id}",
                heading=heading,
            )
            entry = db.session.execute(
                sa.select(SearchEntry.id).where(
                    SearchEntry.record_type == "test_note", SearchEntry.record_id == record_id
                )
            ).scalar_one()
            entry_ids.append(entry)
            if hit:
                hits.append((record_id, entry, action, bool(heading)))
    db.session.commit()
    for role in ROLES:
        user = world.users[role]
        allowed = set(policy.actions_of(user))
        visible = [(r, e, titled) for r, e, action, titled in reversed(hits) if action in allowed]
        expected = [r for r, _, titled in visible if titled] + [r for r, _, t in visible if not t]
        newest = [e for _, e, _ in visible][: search.COUNT_LIMIT + 1]
        narrow = not isinstance(policy.visible_projects(user), sa.sql.elements.True_)
        key = search_results._bound_key(user, q, search.query_words(q), narrow)
        bounds: list[int | None] = [None, 0, entry_ids[-1] + 1, min(newest)]
        bounds += [entry_ids[i] for i in (5, 16, 20, 28, 33, 40, 48, 60)]
        api = api_as(user)
        for bound in bounds:
            search_results._bounds.clear()
            if bound is not None:
                search_results._bounds.put(key, bound)
            pages = []
            for page in range(1, len(expected) // 4 + 2):
                pages += [i for _, i in _hits(api, q, per_page=4, page=page)]
            assert pages == expected, (role, bound)
            body = api.get("/api/v1/search", query_string={"q": q, "per_page": 4}).get_json()
            assert body["total_estimated"] is (len(expected) > 10), (role, bound)
            if len(expected) <= 10:
                assert body["total"] == len(expected), (role, bound)
            if key is not None and len(expected) > 10:  # a full window leaves its lowest id
                assert search_results._bounds.get(key) == min(newest), (role, bound)


def test_a_full_window_hints_the_next_one_on_postgresql(world, api_as, monkeypatch):
    """On PostgreSQL a full window (everyone's scope) leaves its lowest id for the next search
    of the same words by the same actions, which reads the hits above it from the indexes;
    a narrow scope (a lawyer's projects) and SQLite read as before."""
    from tests.support import statements
    from tracker.cases import search_results

    monkeypatch.setattr(search, "COUNT_LIMIT", 10)
    monkeypatch.setattr(search_results, "_bounds", Remembered(256))
    _index_notes(world.project.id, 1, 30, "seen near the wombat burrow", "")
    db.session.commit()
    postgres = db.engine.dialect.name == "postgresql"
    for role, hinted in (("admin", postgres), ("auditor", postgres), ("lawyer", False)):
        api = api_as(world.users[role])
        first = _hits(api, "wombat", per_page=3)
        with statements() as seen:
            assert (
                _hits(api, "wombat", per_page=3)
                == first
                == [("test_note", n) for n in (30, 29, 28)]
            )
        assert any("hits_above" in s for s in seen) is hinted, role


def test_the_remembered_bounds_keep_no_search_words(world, app, api_as, monkeypatch):
    """A process remembers where a search's window ended by a digest of its words: the words
    (which may name an unpublished invention) are not kept in memory after the request."""
    from tracker.cases import search_results

    monkeypatch.setitem(app.config, "TRACKER_REDIS_URL", None)
    monkeypatch.setattr(search, "COUNT_LIMIT", 10)
    monkeypatch.setattr(search_results, "_bounds", search_results._Bounds())
    _index_notes(world.project.id, 1, 30, "seen near the wombat burrow", "")
    db.session.commit()
    assert len(_hits(api_as(world.users["admin"]), "wombat", per_page=3)) == 3
    keys = search_results._bounds.keys()
    assert len(keys) == (1 if db.engine.dialect.name == "postgresql" else 0)
    assert "wombat" not in repr(keys)


def test_no_kept_statement_holds_search_words(world, api_as):
    """The statements kept for the next searches (the search's first statement, the portfolio's
    walked condition) are built with the words bound, not written: neither their SQL nor any
    of their bound values holds a word someone searched (which may name an unpublished
    invention), whoever searched, in either language."""
    from tracker.cases import search_results

    words = ("wombat", "쿼카나무")
    _index_notes(world.project.id, 1, 2, "seen near the wombat burrow", "")
    _index_notes(world.project.id, 3, 2, "쿼카나무 옆에서", "")
    db.session.commit()
    for role in ("admin", "lawyer", "company"):
        user = world.users[role]
        for word in words:
            assert _hits(api_as(user), word), (role, word)
            search.assets_matching(user, word, walk=True, params={})
    kept = [*search_results._FIRST.kept(), *search._WALKED.kept()]
    assert search_results._FIRST.kept()
    assert search._WALKED.kept()
    for statement in kept:
        compiled = statement.compile(db.engine)
        held = str(compiled) + repr(list(compiled.params.values()))
        assert not [word for word in words if word in held], held


def _fill_entries(project_id: int) -> None:
    """3,000 entries without the tests' words (PostgreSQL, in one statement)."""
    db.session.execute(
        sa.text(
            "INSERT INTO search_entries (record_type, record_id, project_id, action, text,"
            " kind, title, heading) SELECT 'test_filler', n, :project, 'asset.view',"
            " 'an empty burrow ' || n, 'asset', '', '' FROM generate_series(1, 3000) AS n"
        ),
        {"project": project_id},
    )


def _prepared_plan(statement: str, params: dict[str, Any]) -> str:
    """PostgreSQL's generic plan of `statement` (psycopg's `%(name)s` placeholders, as the app
    runs it: prepared after a few runs), read with its parameters `params`."""
    import re

    names: list[str] = []
    for name in re.findall(r"%\((\w+)\)s", statement):
        if name not in names:
            names.append(name)
    sql = re.sub(r"%\((\w+)\)s", lambda m: f"${names.index(m.group(1)) + 1}", statement)
    sql = sql.replace("%%", "%")
    args = ", ".join(
        str(sa.literal(params[n]).compile(db.engine, compile_kwargs={"literal_binds": True}))
        for n in names
    )
    db.session.execute(sa.text("SET LOCAL plan_cache_mode = force_generic_plan"))
    # the plan of a full index (the 10k data's: a bitmap of the words' hits ANDed with the
    # range above the hint), not a test's few rows walked by id, nor its range's few pages
    # each tested against the words (`cpu_operator_cost`): which index it reads for the words
    # is the question
    settings = (
        "enable_seqscan = off",
        "enable_indexscan = off",
        "cpu_index_tuple_cost = 1",
        "cpu_operator_cost = 1",
    )
    for setting in settings:
        db.session.execute(sa.text(f"SET LOCAL {setting}"))
    db.session.execute(sa.text(f"PREPARE hinted_window AS {sql}"))
    try:
        plan = db.session.execute(sa.text(f"EXPLAIN EXECUTE hinted_window({args})"))
        return "\n".join(r[0] for r in plan)
    finally:
        db.session.execute(sa.text("DEALLOCATE hinted_window"))


def test_a_hinted_window_reads_the_entries_everyones_scope_may_see(world, api_as, monkeypatch):
    """On PostgreSQL an admin's or auditor's repeated search reads the hits above its hint from
    the indexes that leave out the one kind neither role may search (advice), also in the
    generic plan of the prepared statement (the actions are written into it, not bound), so
    hidden hits are not read and dropped row by row. (The trigram index's copy is chosen the
    same way; at a test's size the planner reads the range by id instead, so the word index
    is the one asked here.)"""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("partial indexes: PostgreSQL")
    from tracker.cases import search_results

    for role in ("admin", "auditor"):  # the roles whose search is read by a hint
        assert search.OPEN_HIDDEN not in policy.actions_of(world.users[role]), role
    monkeypatch.setattr(search, "COUNT_LIMIT", 10)
    monkeypatch.setattr(search_results, "_bounds", search_results._Bounds())
    q = "wombat"
    _index_notes(world.project.id, 1, 30, "seen near the wombat burrow", "")
    # newer entries without the words, as in a real index: the range above the hint is then
    # too wide to read row by row, and the planner reads it from the word or trigram index
    _fill_entries(world.project.id)
    db.session.commit()
    db.session.execute(sa.text("ANALYZE search_entries"))
    seen: list[tuple[str, dict[str, Any]]] = []

    def listener(_conn, _cursor, statement, params, _context, _many):  # type: ignore[no-untyped-def]
        seen.append((statement, params))

    for role in ("admin", "auditor"):
        api = api_as(world.users[role])
        _hits(api, q, per_page=3)
        seen.clear()
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            _hits(api, q, per_page=3)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        statement, params = next((s, p) for s, p in seen if "hits_above" in s)
        plan = _prepared_plan(statement, params)
        assert f"Bitmap Index Scan on {search.OPEN_INDEXES[0]}" in plan, (role, plan)


def test_a_hinted_window_reads_its_range_of_ids_from_the_block_range_index(
    world, api_as, monkeypatch
):
    """On PostgreSQL the range of ids above a window's hint is read from the block-range index
    of the entries' ids (migration 0038: the pages that hold the range), not from the primary
    key id by id, and after the word index's hits in the bitmaps' AND, so the pages keep those
    hits exactly and only they are tested again; also in the generic plan of the prepared
    statement. The same hits as a search without a hint."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a block-range index: PostgreSQL")
    from tracker.cases import search_results

    monkeypatch.setattr(search, "COUNT_LIMIT", 10)
    monkeypatch.setattr(search_results, "_bounds", search_results._Bounds())
    _index_notes(world.project.id, 1, 30, "seen near the wombat burrow", "")
    _fill_entries(world.project.id)
    _index_notes(world.project.id, 31, 30, "seen near the wombat burrow", "")
    db.session.commit()
    db.session.execute(sa.text("ANALYZE search_entries"))
    seen: list[tuple[str, dict[str, Any]]] = []

    def listener(_conn, _cursor, statement, params, _context, _many):  # type: ignore[no-untyped-def]
        seen.append((statement, params))

    api = api_as(world.users["admin"])
    unhinted = _hits(api, "wombat", per_page=3, page=2)
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert _hits(api, "wombat", per_page=3, page=2) == unhinted
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert unhinted == [("test_note", n) for n in (57, 56, 55)]
    statement, params = next((s, p) for s, p in seen if "hits_above" in s)
    plan = _prepared_plan(statement, params)
    scans = [
        line.split(" on ")[1].split()[0] for line in plan.splitlines() if "Bitmap Index" in line
    ]
    assert scans[:2] == [search.OPEN_INDEXES[0], "ix_search_entries_id_ranges"], plan
    assert "BitmapAnd" in plan and "pk_search_entries" not in plan.split("CTE newest_above")[0]


def test_a_hint_is_shared_between_processes_through_redis(world, app, api_as, monkeypatch):
    """With Redis a full window's hint is written there (under a digest: no search words) and a
    process that has none (another worker, another instance) reads it instead of walking by id;
    the same hits either way. Without an answering Redis each process keeps its own hint."""
    import hashlib
    import os
    import uuid

    import redis

    from tests.support import statements
    from tracker.cases import search_results

    url = os.environ.get("TRACKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    store = redis.Redis.from_url(url)
    prefix = f"test-{uuid.uuid4().hex}:"
    monkeypatch.setattr(search_results._Bounds, "PREFIX", prefix)
    monkeypatch.setitem(app.config, "TRACKER_REDIS_URL", url)
    monkeypatch.setattr(search, "COUNT_LIMIT", 10)
    monkeypatch.setattr(search_results, "_bounds", search_results._Bounds())
    _index_notes(world.project.id, 1, 30, "seen near the wombat burrow", "")
    db.session.commit()
    postgres = db.engine.dialect.name == "postgresql"
    api = api_as(world.users["admin"])
    try:
        first = _hits(api, "wombat", per_page=3)
        assert first == [("test_note", n) for n in (30, 29, 28)]
        keys = store.keys(f"{prefix}*")
        assert len(keys) == (1 if postgres else 0)
        assert all(b"wombat" not in k + (store.get(k) or b"") for k in keys)
        # named by a keyed digest: not the plain digest of the key, and another secret key
        # names it otherwise, so candidate words cannot be tested against the names
        admin = world.users["admin"]
        key = search_results._bound_key(admin, "wombat", ["wombat"], False)
        if postgres:
            assert key is not None
            assert keys == [(prefix + search_results._hint_name(app.secret_key, key)).encode()]
            assert hashlib.sha256(repr(key).encode()).hexdigest().encode() not in keys[0]
            assert search_results._hint_name("another secret", key).encode() not in keys[0]
            assert 0 < store.ttl(keys[0]) <= search_results._Bounds.SHARED_FOR
        # another process: no hint of its own, Redis's instead of a walk by id
        monkeypatch.setattr(search_results, "_bounds", search_results._Bounds())
        with statements() as seen:
            assert _hits(api, "wombat", per_page=3) == first
        assert any("hits_above" in s for s in seen) is postgres
        # what is no number in Redis is no hint
        for key in keys:
            store.set(key, b"not a number")
        monkeypatch.setattr(search_results, "_bounds", search_results._Bounds())
        with statements() as seen:
            assert _hits(api, "wombat", per_page=3) == first
        assert not any("hits_above" in s for s in seen)
        # Redis not answering: the search walks, with the same hits
        monkeypatch.setitem(app.config, "TRACKER_REDIS_URL", "redis://127.0.0.1:1/0")
        monkeypatch.setattr(search_results, "_bounds", search_results._Bounds())
        with statements() as seen:
            assert _hits(api, "wombat", per_page=3) == first
            assert _hits(api, "wombat", per_page=3) == first  # its own hint, Redis not asked
        assert [("hits_above" in s) for s in seen if s.startswith("WITH")] == [False, postgres]
    finally:
        for key in store.keys(f"{prefix}*"):
            store.delete(key)


def test_a_redis_failure_is_logged_by_its_class_only(world, app, api_as, monkeypatch, caplog):
    """When Redis does not answer, the search hints say so once (not again within `RETRY`
    seconds), naming the error's class, never a hint's name or value."""
    import logging

    from tracker.cases import search_results

    if db.engine.dialect.name != "postgresql":
        pytest.skip("hints: PostgreSQL")
    monkeypatch.setitem(app.config, "TRACKER_REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(search, "COUNT_LIMIT", 10)
    monkeypatch.setattr(search_results, "_bounds", search_results._Bounds())
    _index_notes(world.project.id, 1, 30, "seen near the wombat burrow", "")
    db.session.commit()
    api = api_as(world.users["admin"])
    with caplog.at_level(logging.WARNING, logger=search_results.__name__):
        for q in ("wombat", "burrow", "near"):
            assert len(_hits(api, q, per_page=3)) == 3
    warned = [r.getMessage() for r in caplog.records if r.name == search_results.__name__]
    assert len(warned) == 1, warned
    assert "(ConnectionError)" in warned[0]
    assert search_results._Bounds.PREFIX not in warned[0]
    assert "wombat" not in warned[0]
