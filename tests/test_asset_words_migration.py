"""Migration 0036 on the demo data (it has assets with filings): on SQLite the word index of
the asset entries (`search.ASSET_FTS_TABLE`) is built from the entries there are and holds
every asset entry's words and no other's; the downgrade drops it and its triggers, and goes
back to 0035 on both databases."""

from __future__ import annotations

import flask_migrate
import pytest
import sqlalchemy as sa

from tests.support import demo_app, partial_index_hits
from tracker.cases import search
from tracker.db import db


def _objects() -> set[str]:
    if db.engine.dialect.name != "sqlite":
        return set()
    rows = db.session.execute(
        sa.text("SELECT name FROM sqlite_master WHERE name LIKE :name"),
        {"name": f"{search.ASSET_FTS_TABLE}%"},
    )
    return {name for (name,) in rows}


@pytest.mark.real_commits
def test_upgrade_builds_the_asset_entries_word_index_and_downgrade_drops_it(
    tmp_path_factory, worker_id
):
    app = demo_app(tmp_path_factory, worker_id, "assetwords")
    with app.app_context():
        flask_migrate.downgrade(revision="0035")
        assert _objects() == set()
        version = db.session.execute(sa.text("SELECT version_num FROM alembic_version"))
        assert version.scalar_one() == "0035"
        db.session.remove()

        flask_migrate.upgrade(revision="0036")
        assert (
            db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
            == "0036"
        )
        if db.engine.dialect.name == "sqlite":
            table = search.ASSET_FTS_TABLE
            assert {f"{table}_{t}" for t in ("ai", "ad", "au")} <= _objects()
            # one row of sizes per indexed entry: exactly the asset entries
            indexed, named = db.session.execute(
                sa.text(
                    f"SELECT (SELECT count(*) FROM {table}_docsize), (SELECT count(*)"
                    " FROM search_entries WHERE kind = 'asset' OR record_type = 'filing')"
                )
            ).one()
            filed = db.session.execute(
                sa.text("SELECT count(*) FROM search_entries WHERE record_type = 'filing'")
            ).scalar_one()
            assert indexed == named and filed > 0
            titles = db.session.execute(sa.text("SELECT title FROM ip_assets")).scalars()
            words = {w for title in titles for w in search.query_words(title)[:1]}
            words |= {"kr", "10", "특허청"}
            hits: set[int] = set()
            for word in sorted(words):
                asset_hits, every_hit = partial_index_hits(
                    table, word, "kind = 'asset' OR record_type = 'filing'"
                )
                assert asset_hits == every_hit, word
                hits |= set(asset_hits)
            filing_entries = db.session.execute(
                sa.text("SELECT id FROM search_entries WHERE record_type = 'filing'")
            ).scalars()
            assert hits & set(filing_entries), "a filing's entry among the hits"
        db.session.remove()

        flask_migrate.downgrade(revision="0035")
        assert _objects() == set()
        db.session.remove()
        flask_migrate.upgrade()
        db.session.remove()
        db.engine.dispose()
