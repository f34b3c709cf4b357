"""Each account reads times in its own time zone

Revision ID: 0013
Revises: 0017
Create Date: 2026-12-06

Upgrade adds `users.time_zone` (an IANA name; every existing account gets `Asia/Seoul`, where
the firm and its clients work). Downgrade drops the column: the older release shows Korean
time to everyone.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("time_zone", sa.String(64), nullable=False, server_default="Asia/Seoul")
        )


def downgrade():
    # in place (SQLite 3.35+ drops a column itself; a batch copy of users would fail on the
    # rows that point at it)
    op.execute("ALTER TABLE users DROP COLUMN time_zone")
