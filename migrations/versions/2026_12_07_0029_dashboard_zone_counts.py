"""The operator's dashboard counts a zone from indexes: stored levels carry zone and scores

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07

The operator's dashboard counted its zone row by row: the heat map looked up each of the
zone's projects' stored level and then its review's likelihood and impact; the queue of
projects without a current review checked each project of the zone and sorted them all by
code; the queue of requests to decide read every pending request of every zone to keep the
zone's. Now a stored level (`project_risk_levels`) carries its project's zone and its review's
likelihood and impact (the app keeps them in step on every review written and when a project
changes zone), with the index `(zone_id, valid_until, likelihood, impact)`: a zone's heat map
is read from that index alone. `projects(zone_id, status, code)` lists and counts a zone's
active projects in code order; `transfer_requests(status, project_id)` counts the requests of
a status per project without reading the rows. The new indexes and columns are analysed where
the database was (see `_statistics`). Downgrade drops them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_projects_zone_status_code", "projects", ["zone_id", "status", "code"]),
    ("ix_transfer_requests_status_project", "transfer_requests", ["status", "project_id"]),
]

#: the tables whose indexes or columns change
TABLES = ("project_risk_levels", "projects", "transfer_requests")


def upgrade():
    for column in ("zone_id", "likelihood", "impact"):
        op.add_column("project_risk_levels", sa.Column(column, sa.Integer(), nullable=True))
    op.execute(
        "UPDATE project_risk_levels SET"
        " zone_id = (SELECT projects.zone_id FROM projects"
        " WHERE projects.id = project_risk_levels.project_id),"
        " likelihood = (SELECT risk_reviews.likelihood FROM risk_reviews"
        " WHERE risk_reviews.id = project_risk_levels.review_id),"
        " impact = (SELECT risk_reviews.impact FROM risk_reviews"
        " WHERE risk_reviews.id = project_risk_levels.review_id)"
    )
    op.create_index(
        "ix_project_risk_levels_zone_scores",
        "project_risk_levels",
        ["zone_id", "valid_until", "likelihood", "impact"],
    )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    _statistics()


def _statistics():
    """The planner's statistics for what was added, where the database keeps them: a SQLite
    database analysed before (`sqlite_stat1`) would otherwise take a new index it has no
    figures for as the most selective (the deadline engine's parts then read the zone's
    projects from `ix_projects_zone_status_code` instead of their due indexes, and a count of
    requests by status reads `ix_transfer_requests_status_created`, from 0027, and every row
    instead of the covering `ix_transfer_requests_status_project`); PostgreSQL's
    new columns have none until analysed."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        analysed = bind.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
        ).first()
        if analysed is not None:  # with 0027's indexes on these tables, none analysed yet
            for table in TABLES:
                op.execute(f"ANALYZE {table}")
    elif bind.dialect.name == "postgresql":
        op.execute(f"ANALYZE {', '.join(TABLES)}")


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_index("ix_project_risk_levels_zone_scores", table_name="project_risk_levels")
    for column in ("impact", "likelihood", "zone_id"):
        op.drop_column("project_risk_levels", column)
