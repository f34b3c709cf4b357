"""An asset keeps its project's zone, for the operator's portfolio; the review portfolio's
count from an index

Revision ID: 0025
Revises: 0023
Create Date: 2026-12-07

`ip_assets.zone_id` is the project's zone, copied (the app keeps it in step when an asset is
made or moved and when a project changes zone), with the index `(zone_id, title, id,
project_id)`: a zone's portfolio (an operator's, or a zone asked for) walks the zone's assets
in title order, and counts them, instead of every asset's title checked against the zone's
projects. Filled from the projects here.
`ix_risk_reviews_status_author` counts the review portfolio (the filed reviews and the
reader's own drafts) from the index alone, `ix_risk_reviews_level_status_author` the same
for one level. Downgrade drops the indexes and the column.
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    # a copy, not a reference (no foreign key): added in place on SQLite too
    op.add_column("ip_assets", sa.Column("zone_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE ip_assets SET zone_id ="
        " (SELECT projects.zone_id FROM projects WHERE projects.id = ip_assets.project_id)"
    )
    op.create_index(
        "ix_ip_assets_zone_title", "ip_assets", ["zone_id", "title", "id", "project_id"]
    )
    op.create_index("ix_risk_reviews_status_author", "risk_reviews", ["status", "author_id"])
    op.create_index(
        "ix_risk_reviews_level_status_author", "risk_reviews", ["level", "status", "author_id"]
    )


def downgrade():
    op.drop_index("ix_risk_reviews_level_status_author", table_name="risk_reviews")
    op.drop_index("ix_risk_reviews_status_author", table_name="risk_reviews")
    op.drop_index("ix_ip_assets_zone_title", table_name="ip_assets")
    # in place on SQLite too (ALTER TABLE DROP COLUMN: no copy of the table, whose rows others
    # reference)
    op.drop_column("ip_assets", "zone_id")
