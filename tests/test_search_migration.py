"""Migration 0020 on the demo data: the filings that 0011 made without search entries get
them (found by numbers and office names, landing on their asset), every entry gets the words
that name it, reviews are found by their levels' names; the downgrade goes back to 0013."""

from __future__ import annotations

import flask_migrate
import pytest
import sqlalchemy as sa

from tests.support import demo_app
from tracker.cases.models import SearchEntry
from tracker.db import db


def _filing_entries() -> dict[int, tuple[int | None, str, str]]:
    rows = db.session.execute(
        sa.select(
            SearchEntry.record_id, SearchEntry.parent_id, SearchEntry.heading, SearchEntry.text
        ).where(SearchEntry.record_type == "filing")
    ).all()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


@pytest.mark.real_commits
def test_upgrade_indexes_the_filings_0011_left_out(tmp_path_factory, worker_id):
    app = demo_app(tmp_path_factory, worker_id, "searchmig")
    with app.app_context():
        filings = db.session.execute(
            sa.text("SELECT id, asset_id, application_no FROM filings ORDER BY id")
        ).all()
        assert filings, "the demo has filings"
        db.session.remove()

        flask_migrate.downgrade(revision="0013")
        # as 0011 left them: no entry for a filing; reviews by their stored level codes
        db.session.execute(sa.text("DELETE FROM search_entries WHERE record_type = 'filing'"))
        db.session.execute(
            sa.text("UPDATE search_entries SET text = 'high' WHERE record_type = 'risk_review'")
        )
        db.session.commit()
        db.session.remove()

        flask_migrate.upgrade()
        entries = _filing_entries()
        assert set(entries) == {f.id for f in filings}
        for filing_id, asset_id, application_no in filings:
            parent, heading, text = entries[filing_id]
            assert parent == asset_id
            if application_no:
                assert heading.startswith(application_no) and application_no in text
        reviews = (
            db.session.execute(
                sa.select(SearchEntry.text).where(SearchEntry.record_type == "risk_review")
            )
            .scalars()
            .all()
        )
        assert reviews and all(t.split()[:2] == ["High", "높음"] for t in reviews)
        project = db.session.execute(
            sa.text("SELECT id, code, title FROM projects ORDER BY id LIMIT 1")
        ).one()
        heading = db.session.execute(
            sa.select(SearchEntry.heading).where(
                SearchEntry.record_type == "project", SearchEntry.record_id == project.id
            )
        ).scalar_one()
        assert heading == f"{project.code} {project.title}"
        if db.engine.dialect.name == "sqlite":  # the heading index follows the entries
            counts = db.session.execute(
                sa.text(
                    "SELECT (SELECT count(*) FROM search_entries_fts_heading),"
                    " (SELECT count(*) FROM search_entries)"
                )
            ).one()
            assert counts[0] == counts[1]
        db.session.remove()

        # and back: 0013's schema, the entries readable as they are
        flask_migrate.downgrade(revision="0013")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("search_entries")}
        assert "heading" not in columns and "parent_id" not in columns
        db.session.remove()
        flask_migrate.upgrade()
        db.session.remove()
        db.engine.dispose()
