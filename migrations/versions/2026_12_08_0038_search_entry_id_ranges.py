"""A search's window reads the range of ids above its hint from a block-range index, on PostgreSQL

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-08

Everyone's-scope search of a common word reads its window as the word index's hits ANDed with
the range of ids above the window's hint (`search_results._window`). That range came from the
primary key: every id in it put into the bitmap one by one (86,297 ids for `module` in the 10k
data, ~3 ms of the ~6.5 ms statement) to keep the 1,001 hits among them. The entries are
written in the order of their ids, so a BRIN index of `id` (the lowest and highest id of every
few pages) gives the same range as the pages that hold it (0.3–1.4 ms on a loaded machine); the
word index's exact hits on those pages are kept and each is tested against `id >= bound`, the
words and the action again, so the rows are the same. Its ranges are summarized as they fill
(`autosummarize`).
PostgreSQL only (SQLite has no such index; its window is read otherwise). Not in the models
(`search.UNDECLARED_INDEXES`). Built (and dropped) CONCURRENTLY, outside the migration's
transaction, so writes to search_entries go on while it is built. Downgrade drops it.
"""

from alembic import op

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None

#: named in `search.UNDECLARED_INDEXES`
NAME = "ix_search_entries_id_ranges"
#: pages per range (docs/decisions.md: fewer pages a range would read more of the index,
#: more would let the planner read it before the word index on a table of 1k projects)
PAGES = 2


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.execute(
                f"CREATE INDEX CONCURRENTLY {NAME} ON search_entries USING brin (id)"
                f" WITH (pages_per_range = {PAGES}, autosummarize = on)"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")
