"""A common word's asset walk asks each asset's entries from one index range

Revision ID: 0035
Revises: 0033
Create Date: 2026-12-07

The asset portfolio's `q=` for a common word walks the assets in the list's order and asks,
for each, whether one of its own entries matches (`search.assets_matching(walk=True)`:
`record_type IN ('asset', 'asset_detail') AND record_id = ?`, the entry's kind and action,
the word). By the unique `(record_type, record_id)` index that is two descents per asset,
each followed by the entry's row for its kind and action. `ix_search_entries_asset_record`
holds the asset entries alone (`kind = 'asset'`) by `(record_id, record_type, action, kind)`:
one range per asset, by the asset first. On SQLite the entry's id is the rowid, also in the
index, so the row is not read at all (the word is a list of ids; `kind` is in the index so
that SQLite 3.40 need not read the row for it); PostgreSQL still reads each row for its
`fts_document`. SQLite analyses
`search_entries` when it was analysed before (a new index without figures would be guessed
at). Built and dropped CONCURRENTLY on PostgreSQL, outside the migration's transaction, so
writes to search_entries go on. Downgrade drops it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0033"
branch_labels = None
depends_on = None

NAME = "ix_search_entries_asset_record"
COLUMNS = ["record_id", "record_type", "action", "kind"]
ASSETS = "kind = 'asset'"


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.create_index(
                NAME,
                "search_entries",
                COLUMNS,
                postgresql_where=sa.text(ASSETS),
                postgresql_concurrently=True,
            )
        return
    op.create_index(NAME, "search_entries", COLUMNS, sqlite_where=sa.text(ASSETS))
    analysed = bind.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
    ).first()
    if analysed is not None:
        op.execute("ANALYZE search_entries")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.drop_index(NAME, "search_entries", postgresql_concurrently=True)
        return
    op.drop_index(NAME, "search_entries")
