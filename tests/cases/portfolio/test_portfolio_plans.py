"""The asset portfolio's statements read the indexes meant for them (tracker/cases/portfolio):
by due date either way without sorting every asset, an operator's zone by the zone's index
on SQLite whatever its statistics say, and a lawyer's projects by key on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support import approved_review, make_asset, moment, plan_of, statements
from tracker.cases import search
from tracker.cases.assets.models import IpAsset
from tracker.cases.filings import service as filings
from tracker.cases.models import SearchEntry
from tracker.cases.portfolio import service
from tracker.cases.reviews.models import RiskReview
from tracker.db import db


def _plan(stmt: sa.Select[Any]) -> str:
    sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "postgresql":
        # a small table: the planner would rather scan and sort it; the index must still
        # give the order itself (a sort left in the plan means it does not)
        db.session.execute(sa.text("SET LOCAL enable_sort = off"))
    return plan_of(sql)


@pytest.fixture
def dated(world: Any) -> Any:
    """Six assets: four with a due date (two on the same day), two without."""
    days = [dt.date(2031, 5, 1), None, dt.date(2031, 1, 1), dt.date(2031, 5, 1), None,
            dt.date(2031, 9, 1)]  # fmt: skip
    for n, day in enumerate(days):
        asset = make_asset(world.project, title=f"Dated {n}")
        db.session.flush()
        db.session.execute(sa.update(IpAsset).where(IpAsset.id == asset.id).values(next_due_on=day))
    db.session.commit()
    return world


@pytest.mark.parametrize("sort", ["next_due_on", "-next_due_on"])
def test_assets_by_due_date_read_an_index_in_that_order(sort: str, dated: Any, api_as: Any) -> None:
    admin = dated.users["admin"]
    rows = db.session.execute(sa.select(IpAsset.id, IpAsset.next_due_on)).all()
    dates = sorted(r[1] for r in rows if r[1] is not None)
    if sort.startswith("-"):
        want = sorted((r for r in rows if r[1]), key=lambda r: (r[1], r[0]), reverse=True)
        want += sorted((r for r in rows if not r[1]), key=lambda r: r[0], reverse=True)
    else:
        want = sorted((r for r in rows if r[1]), key=lambda r: (r[1], r[0]))
        want += sorted((r for r in rows if not r[1]), key=lambda r: r[0])
    assert len(dates) == 4
    body = api_as(admin).get(f"/api/v1/assets?sort={sort}&per_page=50").get_json()
    assert [item["id"] for item in body["items"]] == [r[0] for r in want]  # empty dates last
    with db.session.begin_nested():
        plan = _plan(service.assets(admin, {"sort": sort}, ids=True).limit(50))
    if db.engine.dialect.name == "postgresql":
        index = "ix_ip_assets_next_due_desc" if sort.startswith("-") else "ix_ip_assets_next_due"
        assert index in plan and "Sort" not in plan, plan
    else:  # an ascending index read either way (NULLs come first in it)
        assert "ix_ip_assets_next_due" in plan and "TEMP B-TREE" not in plan, plan


def test_an_operator_s_assets_are_read_from_the_zone_s_index(world: Any) -> None:
    operator = world.users["operator"]
    for n in range(3):
        make_asset(world.project, title=f"Zoned {n}")
    db.session.commit()
    listed = service.assets(operator, {}, ids=True)
    if db.engine.dialect.name != "sqlite":
        # PostgreSQL's planner weighs the zone's rows itself: its statement keeps the plain
        # project check (no `+`), and lists the zone's assets by title
        sql = str(listed.compile(db.engine))
        assert "+ip_assets" not in sql and "ip_assets.zone_id" in sql, sql
        titles = [db.session.get(IpAsset, i).title for i in db.session.scalars(listed)]
        assert titles == sorted(titles) and {"Zoned 0", "Zoned 1", "Zoned 2"} <= set(titles)
        return
    # statistics like the 10k benchmark's: a project holds ~10 assets, a zone ~25,000, and
    # the planner guesses a handful of projects in a zone's list
    db.session.execute(sa.text("ANALYZE"))
    db.session.execute(sa.text("DELETE FROM sqlite_stat1 WHERE tbl IN ('ip_assets', 'projects')"))
    stats = [
        ("ip_assets", "ix_ip_assets_zone_title", "100000 25000 199 1 1"),
        ("ip_assets", "ix_ip_assets_project_id", "100000 10"),
        ("ip_assets", "ix_ip_assets_title", "100000 397 1"),
        # the operator's deadline indexes lead with the zone too (0032)
        ("ip_assets", "ix_ip_assets_zone_licence_until", "100000 25000 2500"),
        ("projects", "ix_projects_zone_id", "10000 2500"),
        ("projects", "ix_projects_zone_end_date", "10000 2500 2"),
    ]
    for tbl, idx, stat in stats:
        db.session.execute(
            sa.text("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (:t, :i, :s)"),
            {"t": tbl, "i": idx, "s": stat},
        )
    db.session.execute(sa.text("ANALYZE sqlite_schema"))  # the statistics reloaded
    try:
        stmt = service.assets(operator, {}, ids=True)
        plan = _plan(stmt.limit(50))
        assert "ix_ip_assets_zone_title" in plan and "TEMP B-TREE" not in plan, plan
        assert "ix_ip_assets_project_id" not in plan, plan
    finally:
        db.session.execute(sa.text("DELETE FROM sqlite_stat1"))
        db.session.execute(sa.text("ANALYZE sqlite_schema"))
        db.session.commit()


def test_a_walked_word_asks_each_asset_s_entries_from_their_own_index(world: Any) -> None:
    """A common word's page walks the assets and asks each one's own entries by the asset
    (`ix_search_entries_asset_record`, migration 0035): on SQLite from that index alone
    (covering, the row not read), on PostgreSQL whatever plan the prepared statement takes
    (the index's kind is written into the statement, not bound)."""
    admin = world.users["admin"]
    for n in range(3):
        search.index(make_asset(world.project, title=f"Walked module {n}"))
    search.index(make_asset(world.project, title="Walked gadget"))
    db.session.commit()
    walked = service.assets(admin, {"q": "module"}, ids=True, walk=True)
    with db.session.begin_nested():
        plan = _plan(walked.limit(50))
    with statements() as seen:
        ids = list(db.session.scalars(walked))
    if db.engine.dialect.name == "sqlite":
        assert "COVERING INDEX ix_search_entries_asset_record" in plan, plan
    else:
        assert "ix_search_entries_asset_record" in plan, plan
        assert "search_entries.kind = 'asset'" in seen[-1], seen
    titles = [db.session.get(IpAsset, i).title for i in ids]
    assert titles == [f"Walked module {n}" for n in range(3)]


def test_a_walked_condition_is_built_once_its_words_bound_and_not_kept(world: Any) -> None:
    """A common word's walked condition is built once per role and kinds of words on both
    databases (`search._WALKED`), what it asks the indexes bound per run: two words share it,
    each finds its own assets, and what is kept holds neither word."""
    admin = world.users["admin"]
    for n in range(2):
        search.index(make_asset(world.project, title=f"Walked module {n}"))
    search.index(make_asset(world.project, title="Walked gadget"))
    db.session.commit()
    found, conditions = {}, []
    for word in ("module", "gadget"):
        params: dict[str, Any] = {}
        stmt = service.assets(admin, {"q": word}, ids=True, walk=True, params=params)
        with statements() as seen:
            ids = list(db.session.scalars(stmt, params))
        # PostgreSQL: the kept condition's kind is written, so a generic plan reads its index
        assert db.engine.dialect.name == "sqlite" or "search_entries.kind = 'asset'" in seen[-1]
        found[word] = sorted(db.session.get(IpAsset, i).title for i in ids)
        conditions.append(search.assets_matching(admin, word, walk=True, params={}))
    assert found == {"module": ["Walked module 0", "Walked module 1"], "gadget": ["Walked gadget"]}
    assert conditions[0] is conditions[1]
    kept = [
        str(bound.value)
        for bound in sa.sql.visitors.iterate(conditions[0])
        if isinstance(bound, sa.BindParameter)
    ]
    assert kept and not [value for value in kept if "module" in value or "gadget" in value]


@pytest.mark.parametrize("path", ["/api/v1/assets", "/api/v1/risk-reviews"])
def test_a_lawyer_s_page_carries_its_total_and_reads_their_projects_by_key(
    path: str, world: Any, make_project: Any, make_user: Any, api_as: Any
) -> None:
    """A lawyer's list without a text search: on PostgreSQL their projects are an array (`=
    ANY(ARRAY(…))`, each project's rows found by its index) and the page's statement carries
    the total (`count(*) OVER ()`: the page reads every row of the scope anyway), no count
    apart; on SQLite the policy's `IN (…)` and a count apart (its page stops at the page).
    The same rows and totals either way; another lawyer's rows are left out."""
    lawyer, other = world.users["lawyer"], make_user("lawyer")
    mine = [world.project, *(make_project(lawyers=[lawyer]) for _ in range(2))]
    theirs = make_project(lawyers=[other])
    for project in [*mine, theirs]:
        for n in range(2):
            make_asset(project, title=f"Listed {n}")
            db.session.add(approved_review(project, other.id, created_at=moment(-n)))
    db.session.commit()
    model = IpAsset if "assets" in path else RiskReview
    expected = set(
        db.session.scalars(sa.select(model.id).where(model.project_id.in_([p.id for p in mine])))
    )
    api = api_as(lawyer)
    listed: list[int] = []
    for page in (1, 2, 3, 4):
        with statements() as seen:
            body = api.get(f"{path}?per_page=2&page={page}").get_json()
        assert body["total"] == len(expected) == 6, body
        listed += [item["id"] for item in body["items"]]
        if page == 1:
            (first, *_) = [s for s in seen if "LIMIT" in s]
            counts = [s for s in seen if "count(" in s.lower()]
            if db.engine.dialect.name == "postgresql":
                assert re.search(r"= ANY \(array\(\(SELECT project_lawyers\.project_id", first)
                assert counts == [first] and "OVER ()" in first, seen
            else:
                assert "IN (SELECT projects.id" in first and len(counts) == 1, seen
    assert len(listed) == 6 and set(listed) == expected  # page 4: past the end, counted


def _found(user: Any, q: str, walk: bool) -> list[str]:
    """The titles of the assets a page of `q` finds, walked or listed."""
    stmt = service.assets(user, {"q": q}, ids=True, walk=walk)
    return sorted(db.session.get(IpAsset, i).title for i in db.session.scalars(stmt))


def test_a_word_of_the_assets_is_asked_of_the_asset_entries_word_index(world: Any) -> None:
    """SQLite: the asset portfolio's `q=`, walked or listed, asks its word of the word index
    of the asset entries alone (`search.ASSET_FTS_TABLE`, migration 0036), never of the index
    of every entry; the same assets either way (PostgreSQL: the entries' `fts_document`)."""
    admin = world.users["admin"]
    for n in range(2):
        search.index(make_asset(world.project, title=f"Walked module {n}"))
    search.index(make_asset(world.project, title="Walked gadget"))
    # another kind's entry with the word: in the word index of every entry only
    search.index_record("nda", 1, world.project.id, "nda.view", "module nda", title="module")
    db.session.commit()
    for walk in (True, False):
        with statements() as seen:
            assert _found(admin, "module", walk) == ["Walked module 0", "Walked module 1"]
        sent = next(s for s in seen if "ip_assets" in s)
        if db.engine.dialect.name == "sqlite":
            assert f"{search.ASSET_FTS_TABLE} MATCH" in sent, sent
            assert f"{search.FTS_TABLE} MATCH" not in sent, sent
        else:
            assert "fts_document @@" in sent, sent
    if db.engine.dialect.name == "sqlite":
        words = f"SELECT rowid FROM {search.ASSET_FTS_TABLE} WHERE {search.ASSET_FTS_TABLE} MATCH ?"
        rows = db.session.connection().exec_driver_sql(words, ('"module"*',)).all()
        assert len(rows) == 2


def test_the_asset_entries_word_index_follows_their_entries(world: Any) -> None:
    """An asset is found, walked or listed, by the words its entries hold now: an entry
    written again with other words, an entry that leaves the asset entries (another kind)
    and an entry removed are found by their words no more, a filing's entry finds its asset
    (on SQLite the word index of the asset entries follows them by migration 0036's
    triggers: it holds the same hits as the index of every entry, for those entries)."""
    admin = world.users["admin"]
    assets = {
        name: make_asset(world.project, title=f"Quokka module {name}")
        for name in ("kept", "renamed", "moved", "removed")
    }
    filed = make_asset(world.project, title="Plain asset")
    for asset in (*assets.values(), filed):
        search.index(asset)
    filing = filings.create_filing(
        filed, {"office": "KR", "route": "first", "filed_on": dt.date(2031, 3, 31)}
    )
    entry = db.session.execute(
        sa.select(SearchEntry).where(
            SearchEntry.record_type == "filing", SearchEntry.record_id == filing.id
        )
    ).scalar_one()
    search.index_record(
        "filing",
        filing.id,
        world.project.id,
        entry.action,
        "Quokka office",
        kind=entry.kind,
        title=entry.title,
        parent_id=filed.id,
    )
    db.session.commit()
    everything = ["Plain asset", *(f"Quokka module {n}" for n in assets)]
    for walk in (True, False):
        assert _found(admin, "quokka", walk) == sorted(everything)
    renamed, moved = assets["renamed"], assets["moved"]
    search.index_record("asset", renamed.id, world.project.id, "asset.view", "Quokka gizmo")
    search.index_record(
        "asset", moved.id, world.project.id, "asset.view", "Quokka module moved", kind="note"
    )
    search.unindex_record("asset", assets["removed"].id)
    db.session.commit()
    for walk in (True, False):
        assert _found(admin, "quokka", walk) == [
            "Plain asset",
            "Quokka module kept",
            "Quokka module renamed",
        ]
        assert _found(admin, "module", walk) == ["Quokka module kept"]
        assert _found(admin, "gizmo", walk) == ["Quokka module renamed"]
        assert _found(admin, "office", walk) == ["Plain asset"]
    if db.engine.dialect.name == "sqlite":
        conn = db.session.connection()
        for word in ("quokka", "module", "gizmo", "office", "nda"):
            match = (f'"{word}"*',)
            asset_hits = conn.exec_driver_sql(
                f"SELECT rowid FROM {search.ASSET_FTS_TABLE} "
                f"WHERE {search.ASSET_FTS_TABLE} MATCH ? ORDER BY rowid",
                match,
            ).all()
            every_hit = conn.exec_driver_sql(
                "SELECT id FROM search_entries WHERE (kind = 'asset' OR record_type = 'filing')"
                f" AND id IN (SELECT rowid FROM {search.FTS_TABLE}"
                f" WHERE {search.FTS_TABLE} MATCH ?) ORDER BY id",
                match,
            ).all()
            assert asset_hits == every_hit, word
