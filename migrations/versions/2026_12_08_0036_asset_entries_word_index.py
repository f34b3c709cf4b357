"""The asset portfolio's `q=` asks a word index of the asset entries alone

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-08

The asset portfolio's `q=` (`search.assets_found`, `search.assets_matching`) reads only the
entries that name an asset: an asset's own (`kind = 'asset'`) and its filings'
(`record_type = 'filing'`). The word index holds every entry, so a common word's hits were
read for every kind (23,683 for `module` in the 10k data, of which 14,205 name an asset) and,
when each asset is walked, put into a temporary index first.

On SQLite an FTS5 table `search_entries_fts_asset` holds the words of those entries only (the
same tokenizer as `search_entries_fts`, the entries' table as its content), kept in step by
triggers that add or remove an entry's words when it is or was such an entry, and filled from
the entries there are. Named "*fts*", so `search.alembic_include_object` leaves it out of the
models' comparison. Downgrade drops it.

Nothing on PostgreSQL: its walk tests each asset's rows (`fts_document @@`), not the word
index's hits, and for a listed word the planner kept the GIN index of every entry but advice
(0033: 15,664 hits for `module`, of which 14,205 name an asset) over a partial one of the
asset entries, so such an index would be written on every asset's change and never read.
"""

from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

#: the entries that name an asset (`search.ASSET_WORDS`)
NAMES_ASSET = "kind = 'asset' OR record_type = 'filing'"
TABLE = "search_entries_fts_asset"


def _of(row: str) -> str:
    return f"({row}.kind = 'asset' OR {row}.record_type = 'filing')"


_SQLITE = [
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
    "text, content='search_entries', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER {TABLE}_ai AFTER INSERT ON search_entries WHEN {_of('new')} BEGIN "
    f"INSERT INTO {TABLE}(rowid, text) VALUES (new.id, new.text); END",
    f"CREATE TRIGGER {TABLE}_ad AFTER DELETE ON search_entries WHEN {_of('old')} BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, text) VALUES ('delete', old.id, old.text); END",
    # one trigger for both halves of an update, so their order is certain
    f"CREATE TRIGGER {TABLE}_au AFTER UPDATE ON search_entries BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, text) SELECT 'delete', old.id, old.text "
    f"WHERE {_of('old')}; "
    f"INSERT INTO {TABLE}(rowid, text) SELECT new.id, new.text WHERE {_of('new')}; END",
    # index the entries that exist already (not 'rebuild', which would read every entry)
    f"INSERT INTO {TABLE}(rowid, text) SELECT id, text FROM search_entries WHERE {NAMES_ASSET}",
]


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in _SQLITE:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER {TABLE}_{trigger}")
    op.execute(f"DROP TABLE {TABLE}")
