"""Everyone's-scope search reads a word index without advice, on SQLite

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-08

An admin's or auditor's search on SQLite reads its window (`search_results._window`) as the
word index's hits, newest first, and drops row by row the hits of actions the role may not
see: in the 10k data 9,020 hits were read for the 1,001 kept for `module`, 8,019 of them
advice (`session.view_advice`, `search.OPEN_HIDDEN`), which neither role may search.

An FTS5 table `search_entries_fts_open` holds the words of every entry except advice (the same
tokenizer as `search_entries_fts`, the entries' table as its content), kept in step by
triggers that add or remove an entry's words when its action is or was not advice, and
filled from the entries there are. `search.visible_hits` reads it instead of the full word
index when the caller's role may not see advice, so the window reads only hits it can keep.
It is SQLite's form of PostgreSQL's partial indexes of migration 0033. Named "*fts*", so
`search.alembic_include_object` leaves it out of the models' comparison. Downgrade drops it.

Nothing on PostgreSQL: migration 0033's partial GIN indexes already leave advice out there.
"""

from alembic import op

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None

#: the only searchable action no everyone's-scope role may perform (`search.OPEN_HIDDEN`)
HIDDEN = "session.view_advice"
TABLE = "search_entries_fts_open"


def _of(row: str) -> str:
    return f"{row}.action <> '{HIDDEN}'"


_SQLITE = [
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
    "text, content='search_entries', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER {TABLE}_ai AFTER INSERT ON search_entries WHEN {_of('new')} BEGIN "
    f"INSERT INTO {TABLE}(rowid, text) VALUES (new.id, new.text); END",
    f"CREATE TRIGGER {TABLE}_ad AFTER DELETE ON search_entries WHEN {_of('old')} BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, text) VALUES ('delete', old.id, old.text); END",
    # one trigger for both halves of an update, so their order is certain; only an update
    # that sets the text or the action changes what the table holds
    f"CREATE TRIGGER {TABLE}_au AFTER UPDATE OF text, action ON search_entries BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, text) SELECT 'delete', old.id, old.text "
    f"WHERE {_of('old')}; "
    f"INSERT INTO {TABLE}(rowid, text) SELECT new.id, new.text WHERE {_of('new')}; END",
    # index the entries that exist already
    f"INSERT INTO {TABLE}(rowid, text) SELECT id, text FROM search_entries"
    f" WHERE action <> '{HIDDEN}'",
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
