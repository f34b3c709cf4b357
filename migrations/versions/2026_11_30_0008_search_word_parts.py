"""Search word-parts: a trigram index beside the word index of search_entries; NDAs
expiring soon counted from an index

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

Korean users search word-parts (`냉장고` finds `김치냉장고`), which a word index cannot answer.
SQLite: an FTS5 table with the `trigram` tokenizer over search_entries.text, kept in step by
triggers like the word index. PostgreSQL: `pg_trgm` and a GIN trigram index on the text, used
by `ILIKE '%part%'`. Named "*fts*" so the Alembic comparison skips them (not in the models).
Downgrade drops the index (PostgreSQL keeps the pg_trgm extension: other objects may use it).
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_SQLITE = [
    "CREATE VIRTUAL TABLE search_entries_fts_trigram USING fts5("
    "text, content='search_entries', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER search_entries_fts_trigram_ai AFTER INSERT ON search_entries BEGIN "
    "INSERT INTO search_entries_fts_trigram(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER search_entries_fts_trigram_ad AFTER DELETE ON search_entries BEGIN "
    "INSERT INTO search_entries_fts_trigram(search_entries_fts_trigram, rowid, text) "
    "VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER search_entries_fts_trigram_au AFTER UPDATE ON search_entries BEGIN "
    "INSERT INTO search_entries_fts_trigram(search_entries_fts_trigram, rowid, text) "
    "VALUES ('delete', old.id, old.text); "
    "INSERT INTO search_entries_fts_trigram(rowid, text) VALUES (new.id, new.text); END",
    # index the entries that exist already
    "INSERT INTO search_entries_fts_trigram(search_entries_fts_trigram) VALUES ('rebuild')",
]


def upgrade():
    # NDAs expiring soon: the project in the index too, so the count reads the index only
    with op.batch_alter_table("ndas") as batch:
        batch.drop_index("ix_ndas_status_expires_on")
        batch.create_index(
            "ix_ndas_status_expires_project", ["status", "expires_on", "project_id"]
        )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_search_entries_fts_trigram ON search_entries "
            "USING gin (text gin_trgm_ops)"
        )
    elif dialect == "sqlite":
        for statement in _SQLITE:
            op.execute(statement)


def downgrade():
    with op.batch_alter_table("ndas") as batch:
        batch.drop_index("ix_ndas_status_expires_project")
        batch.create_index("ix_ndas_status_expires_on", ["status", "expires_on"])
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX ix_search_entries_fts_trigram")
    elif dialect == "sqlite":
        for trigger in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER search_entries_fts_trigram_{trigger}")
        op.execute("DROP TABLE search_entries_fts_trigram")
