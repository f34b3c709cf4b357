"""An NDA keeps its project's zone; the operator's deadline parts read their zone's index

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07

The operator's dashboard lists the zone's deadlines: each part of the deadline engine walked
its due-date index across every zone and checked each row's project (the NDAs: ~2,700 rows
read for 200 of the zone's). `ndas.zone_id` is now the project's zone, copied (the app keeps it
in step when an NDA is made or moved and when a project changes zone, like `ip_assets.zone_id`
of 0025), with the index `(zone_id, status, expires_on)`; `ip_assets(zone_id,
export_licence_until)` and `projects(zone_id, end_date)` read a zone's licences and project
ends in due order (the stored levels' `(zone_id, valid_until, …)` of 0029 serves the review
part). `ix_projects_zone_status_code` (0029) gains the project's id
(`ix_projects_zone_status_code_id`): PostgreSQL then reads a zone's project ids from the index
alone when it counts the zone's requests to decide and its projects without a current review
(SQLite's indexes hold the row id anyway). Filled from the projects here; the changed tables
are analysed where the database was. Downgrade restores 0029's index and drops the rest.
Chained after 0031 (the descending due index), made the same day.
"""

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_ndas_zone_status_expires", "ndas", ["zone_id", "status", "expires_on"]),
    ("ix_ip_assets_zone_licence_until", "ip_assets", ["zone_id", "export_licence_until"]),
    ("ix_projects_zone_end_date", "projects", ["zone_id", "end_date"]),
    ("ix_projects_zone_status_code_id", "projects", ["zone_id", "status", "code", "id"]),
]

#: 0029's index, which the last one replaces
REPLACED = ("ix_projects_zone_status_code", "projects", ["zone_id", "status", "code"])

#: the tables whose indexes or columns change
TABLES = ("ndas", "ip_assets", "projects")


def upgrade():
    # a copy, not a reference (no foreign key): added in place on SQLite too
    op.add_column("ndas", sa.Column("zone_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE ndas SET zone_id ="
        " (SELECT projects.zone_id FROM projects WHERE projects.id = ndas.project_id)"
    )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    op.drop_index(REPLACED[0], table_name=REPLACED[1])
    _statistics()


def _statistics():
    """The planner's statistics for what was added, where the database keeps them (a SQLite
    database analysed before would otherwise take the new indexes, for which it has no figures,
    as the most selective; PostgreSQL's new column has none until analysed)."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        analysed = bind.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
        ).first()
        if analysed is not None:
            for table in TABLES:
                op.execute(f"ANALYZE {table}")
    elif bind.dialect.name == "postgresql":
        op.execute(f"ANALYZE {', '.join(TABLES)}")


def downgrade():
    op.create_index(*REPLACED)
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    # in place on SQLite too (ALTER TABLE DROP COLUMN: no copy of the table)
    op.drop_column("ndas", "zone_id")
