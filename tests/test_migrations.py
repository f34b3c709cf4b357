"""Alembic: `upgrade head` yields exactly the models' schema; every revision goes down and up."""

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from tests.support import database_url, make_test_app
from tracker.cases.search import alembic_include_object
from tracker.db import db


@pytest.mark.real_commits  # reads the schema on a connection of its own
def test_upgrade_head_matches_the_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": alembic_include_object}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == []


@pytest.mark.real_commits
def test_every_revision_goes_down_and_up(tmp_path_factory, worker_id):
    app = make_test_app(tmp_path_factory, database_url(tmp_path_factory, worker_id, "mig"))
    with app.app_context():
        config = current_app.extensions["migrate"].migrate.get_config()
        script = ScriptDirectory.from_config(config)
        revisions = list(reversed(list(script.walk_revisions())))
        assert [r.revision for r in revisions][:4] == ["0001", "0002", "0003", "0004"]
        for revision in revisions:
            flask_migrate.upgrade(revision=revision.revision)
            flask_migrate.downgrade(revision=revision.down_revision or "base")
            flask_migrate.upgrade(revision=revision.revision)
        flask_migrate.downgrade(revision="base")
        with db.engine.connect() as conn:
            tables = set(db.inspect(conn).get_table_names()) - {"alembic_version"}
        assert tables == set()
        flask_migrate.upgrade()
        db.engine.dispose()
