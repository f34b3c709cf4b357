"""The asset portfolio sorted by due date, latest first, from an index on PostgreSQL

Revision ID: 0031
Revises: 0029
Create Date: 2026-12-07

`sort=-next_due_on` orders `next_due_on DESC NULLS LAST, id DESC` (`sorting.ordered`: empty
dates last either way). PostgreSQL reads that order from no ascending index (a backward scan
of `ix_ip_assets_next_due` gives `NULLS FIRST`), so it sorted every asset for each page. The
index `ix_ip_assets_next_due_desc` holds that very order. PostgreSQL only: SQLite puts NULLs
first in an ascending index, so its backward scan of `ix_ip_assets_next_due` is already that
order (and its index definitions take no `NULLS LAST`). The models do not declare it
(`search.alembic_include_object` leaves it out of the comparison). Downgrade drops it.
"""

from alembic import op

revision = "0031"
down_revision = "0029"
branch_labels = None
depends_on = None

NAME = "ix_ip_assets_next_due_desc"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX {NAME} ON ip_assets (next_due_on DESC NULLS LAST, id DESC)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX {NAME}")
