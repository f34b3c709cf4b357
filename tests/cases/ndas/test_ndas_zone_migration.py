"""Migration 0032: `ndas.zone_id` is filled from each NDA's project (the copy the app keeps in
step from then on); downgrade drops the column and its index."""

import datetime as dt

import flask_migrate
import pytest
import sqlalchemy as sa

from tests.support import database_url, make_test_app
from tracker.db import db

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def _insert(conn, table, rows):
    """Plain INSERTs with the columns the table has at 0031 (the models have more since)."""
    columns = list(rows[0])
    conn.execute(
        sa.text(
            f"INSERT INTO {table} ({', '.join(columns)})"
            f" VALUES ({', '.join(':' + c for c in columns)})"
        ),
        rows,
    )


def _seed(conn):
    """Two zones, a project in each (and a second one in the first), an NDA or two each."""
    _insert(conn, "zones", [
        dict(id=zone, code=f"ZM{zone}", name_en=f"Zone {zone}", name_ko=f"특구 {zone}",
             created_at=NOW)
        for zone in (1, 2)
    ])  # fmt: skip
    _insert(conn, "organizations", [
        dict(id=1, name="Co", kind="company", country="KR", created_at=NOW),
        dict(id=2, name="Partner", kind="partner", country="US", created_at=NOW),
    ])  # fmt: skip
    _insert(conn, "projects", [
        dict(id=project, code=f"MIG-{project}", title="Migration", zone_id=zone, company_id=1,
             security_level="general", status="active", version=1, created_at=NOW,
             updated_at=NOW)
        for project, zone in ((10, 1), (20, 2), (30, 1))
    ])  # fmt: skip
    _insert(conn, "ndas", [
        dict(id=nda, project_id=project, partner_id=2, effective_on=dt.date(2026, 1, 1),
             expires_on=dt.date(2027, 1, 1), return_or_destroy=False, audit_rights=False,
             status="active", version=1, created_at=NOW, updated_at=NOW)
        for nda, project in ((100, 10), (101, 10), (200, 20), (300, 30))
    ])  # fmt: skip


def _nda_columns_and_indexes():
    with db.engine.connect() as conn:
        inspector = sa.inspect(conn)
        columns = {c["name"] for c in inspector.get_columns("ndas")}
        indexes = {i["name"] for i in inspector.get_indexes("ndas")}
    return columns, indexes


@pytest.mark.real_commits
def test_0032_fills_the_ndas_zone_from_their_project_and_downgrade_drops_it(
    tmp_path_factory, worker_id
):
    app = make_test_app(tmp_path_factory, database_url(tmp_path_factory, worker_id, "zmig"))
    with app.app_context():
        flask_migrate.upgrade(revision="0031")
        columns, _indexes = _nda_columns_and_indexes()
        assert "zone_id" not in columns
        with db.engine.begin() as conn:
            _seed(conn)

        flask_migrate.upgrade(revision="0032")
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT n.id, n.zone_id, p.zone_id FROM ndas n"
                    " JOIN projects p ON p.id = n.project_id ORDER BY n.id"
                )
            ).all()
        assert [tuple(r) for r in rows] == [
            (100, 1, 1), (101, 1, 1), (200, 2, 2), (300, 1, 1)
        ]  # fmt: skip
        columns, indexes = _nda_columns_and_indexes()
        assert "ix_ndas_zone_status_expires" in indexes

        flask_migrate.downgrade(revision="0031")
        columns, indexes = _nda_columns_and_indexes()
        assert "zone_id" not in columns
        assert "ix_ndas_zone_status_expires" not in indexes
        with db.engine.connect() as conn:
            kept = conn.execute(sa.text("SELECT id FROM ndas ORDER BY id")).scalars().all()
        assert kept == [100, 101, 200, 300]

        flask_migrate.upgrade()
        db.engine.dispose()
