"""Migration 0011: an asset's single filing becomes one filing where that is unambiguous (one
jurisdiction, a filing date, no earlier priority); the rest keep their dates for the lawyer to
split; downgrade drops the tables and leaves the assets' own dates as they were."""

import datetime as dt

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app

from tests.support import database_url, make_test_app
from tracker.auth.models import Organization, Zone
from tracker.cases.assets.models import IpAsset
from tracker.cases.projects.models import Project
from tracker.db import db


def _asset(project, title, jurisdictions, **dates):
    """An asset row as the schema of before 0011 holds it (written as a plain INSERT: the
    model has columns added since, such as the zone copy of 0025)."""
    return (
        dict(
            project_id=project.id,
            title=title,
            kind="patent",
            sensitivity="confidential",
            jurisdictions=jurisdictions,
            docketed_with="2026.1",
            **{
                name: None
                for name in ("filed_on", "application_no", "registered_on", "registration_no")
            },
            priority_on=None,
        )
        | dates
    )


@pytest.mark.real_commits
def test_single_filings_become_filings_and_the_rest_stay(tmp_path_factory, worker_id):
    app = make_test_app(tmp_path_factory, database_url(tmp_path_factory, worker_id, "fmig"))
    with app.app_context():
        flask_migrate.upgrade()
        # the assets as they were before filings (the revision 0011 follows)
        config = current_app.extensions["migrate"].migrate.get_config()
        before = ScriptDirectory.from_config(config).get_revision("0011").down_revision
        flask_migrate.downgrade(revision=before)
        project = Project(
            code="MIG-1",
            title="Migration",
            zone=Zone(code="ZM", name_en="Zone", name_ko="특구"),
            company=Organization(name="Co", kind="company", country="KR"),
        )
        kr = dt.date(2024, 3, 31)
        db.session.add(project)
        db.session.flush()
        db.session.execute(
            sa.insert(IpAsset.__table__),
            [
                _asset(project, "one KR", ["KR"], filed_on=kr, application_no="10-2024-1",
                       registered_on=dt.date(2026, 5, 12), registration_no="10-99"),
                _asset(project, "one WO", ["wo"], filed_on=dt.date(2025, 3, 28)),
                _asset(project, "many", ["KR", "US", "EP"], filed_on=kr),
                _asset(project, "no date", ["KR"]),
                _asset(project, "claims earlier", ["US"], filed_on=kr,
                       priority_on=dt.date(2023, 4, 1)),
            ]
        )  # fmt: skip
        db.session.commit()
        flask_migrate.upgrade(revision="0011")
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT a.title, f.office, f.route, f.application_no, f.registration_no,"
                    " f.filed_on, f.registered_on, f.status, a.docketed_with"
                    " FROM filings f JOIN ip_assets a ON a.id = f.asset_id ORDER BY a.title"
                )
            ).all()
            untouched = conn.execute(
                sa.text("SELECT count(*) FROM ip_assets WHERE docketed_with = '2026.1'")
            ).scalar()
        assert [tuple(map(str, r)) for r in rows] == [
            ("one KR", "KR", "first", "10-2024-1", "10-99", "2024-03-31", "2026-05-12",
             "registered", "None"),
            ("one WO", "WO", "pct", "None", "None", "2025-03-28", "None", "pending", "None"),
        ]  # fmt: skip
        assert untouched == 3  # their own derived deadlines are kept as they are
        flask_migrate.downgrade(revision="0010")
        with db.engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            dates = conn.execute(
                sa.text("SELECT filed_on FROM ip_assets WHERE title = 'one KR'")
            ).scalar()
        assert not {"filings", "filing_events", "filing_deadlines"} & tables
        assert str(dates) == "2024-03-31"
        flask_migrate.upgrade()
        db.engine.dispose()
