"""Migration 0037 on the demo data (it has advice and other entries): on SQLite the word index
of every entry but advice (`search.OPEN_FTS_TABLE`) is built from the entries there are and
holds every such entry's words and no advice's; the downgrade drops it and its triggers, and
goes back to 0036 on both databases. On PostgreSQL it changes nothing."""

from __future__ import annotations

import flask_migrate
import pytest
import sqlalchemy as sa

from tests.support import demo_app, partial_index_hits
from tracker.cases import search
from tracker.db import db


def _objects() -> set[str]:
    """SQLite: the objects named after the index; PostgreSQL: every table, index and trigger
    of the schema (the migration adds none there)."""
    if db.engine.dialect.name != "sqlite":
        rows = db.session.execute(
            sa.text(
                "SELECT relname FROM pg_class JOIN pg_namespace n ON n.oid = relnamespace"
                " WHERE nspname = current_schema()"
                " UNION ALL SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
            )
        )
        return {name for (name,) in rows}
    rows = db.session.execute(
        sa.text("SELECT name FROM sqlite_master WHERE name LIKE :name"),
        {"name": f"{search.OPEN_FTS_TABLE}%"},
    )
    return {name for (name,) in rows}


def _version() -> str:
    return str(db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one())


@pytest.mark.real_commits
def test_upgrade_builds_the_word_index_without_advice_and_downgrade_drops_it(
    tmp_path_factory, worker_id
):
    app = demo_app(tmp_path_factory, worker_id, "openwords")
    with app.app_context():
        flask_migrate.downgrade(revision="0037")  # the revisions after it are not its own
        db.session.remove()
        upgraded = _objects()
        db.session.remove()
        flask_migrate.downgrade(revision="0036")
        assert _version() == "0036"
        if db.engine.dialect.name == "sqlite":
            assert _objects() == set()
        else:
            assert _objects() == upgraded
        db.session.remove()

        flask_migrate.upgrade(revision="0037")
        assert _version() == "0037"
        assert _objects() == upgraded
        if db.engine.dialect.name == "sqlite":
            table = search.OPEN_FTS_TABLE
            assert {f"{table}_{t}" for t in ("ai", "ad", "au")} <= _objects()
            # one row of sizes per indexed entry: exactly the entries that are not advice
            indexed, kept, advice = db.session.execute(
                sa.text(
                    f"SELECT (SELECT count(*) FROM {table}_docsize),"
                    " (SELECT count(*) FROM search_entries WHERE action <> :hidden),"
                    " (SELECT count(*) FROM search_entries WHERE action = :hidden)"
                ),
                {"hidden": search.OPEN_HIDDEN},
            ).one()
            assert indexed == kept and advice > 0
            texts = db.session.execute(sa.text("SELECT text FROM search_entries")).scalars()
            words = sorted({w for text in texts for w in search.query_words(text)[:2]})
            assert len(words) > 20
            for word in words:
                found, every = partial_index_hits(table, word, f"action <> '{search.OPEN_HIDDEN}'")
                assert found == every, word
        db.session.remove()

        flask_migrate.downgrade(revision="0036")
        if db.engine.dialect.name == "sqlite":
            assert _objects() == set()
        db.session.remove()
        flask_migrate.upgrade()
        db.session.remove()
        db.engine.dispose()
