"""Everyone's-scope search reads only the entries admins and auditors may see, on PostgreSQL

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07

An admin's or auditor's repeated search reads its window as the word or trigram index's hits
ANDed with a range of ids (`search_results._window`), then drops the hits of kinds the role
may not see row by row: in the 10k data 8,019 of the 9,020 rows read for `module` were
advice (`session.view_advice`), which neither role may search. Two partial GIN indexes hold
the same words and trigrams as `ix_search_entries_fts_document` and
`ix_search_entries_fts_trigram` for every entry except advice; the planner uses them when the
statement's `action IN (...)` leaves advice out (it proves the predicate from the list), so
the hidden hits are never read. Other statements (a lawyer's or company's search, which may
show advice) keep the full indexes. PostgreSQL only: SQLite's full-text tables have no
partial form. Named "*fts*", so `search.alembic_include_object` leaves them out of the
models' comparison. Downgrade drops them.
"""

from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

#: the only searchable action no everyone's-scope role may perform (`search.OPEN_INDEXES`)
HIDDEN = "session.view_advice"
INDEXES = {
    "ix_search_entries_fts_open": "USING gin (fts_document)",
    "ix_search_entries_fts_trigram_open": "USING gin (text gin_trgm_ops)",
}


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, how in INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON search_entries {how} WHERE action <> '{HIDDEN}'")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in INDEXES:
            op.execute(f"DROP INDEX {name}")
