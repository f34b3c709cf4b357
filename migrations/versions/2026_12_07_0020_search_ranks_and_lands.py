"""Search: what names a record ranks first, a filing lands on its asset, filings indexed

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07

Upgrade:

- `search_entries` gains `heading` (the words of the text that name the record: a project's
  code and title, an asset's or a file's title, a filing's numbers; a hit there ranks before a
  hit only in the rest of the text) and `parent_id` (the record whose page shows this one: a
  filing's asset), filled for the entries there are; on SQLite an FTS5 table
  `search_entries_fts_heading` indexes the headings, kept in step by triggers;
- the filings that have no entry get one (0011 turned assets' numbers into filings without
  indexing them); every filing's entry is found by its numbers and its office's name in both
  languages (not the office's code) and lands on its asset's page;
- a submitted risk review's entry says its level as people do in both languages ("High 높음"),
  not the stored code;
- the application and registration numbers of filings and assets get indexes (an exact
  number lands first).

Downgrade drops the heading index, the indexes and the two columns. The entries written keep
their texts (filings found by numbers and office names, reviews by their levels' names):
revision 0013's code reads them as it reads any entry.
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_HEADING = [
    "CREATE VIRTUAL TABLE search_entries_fts_heading USING fts5("
    "heading, content='search_entries', content_rowid='id')",
    "CREATE TRIGGER search_entries_fts_heading_ai AFTER INSERT ON search_entries BEGIN "
    "INSERT INTO search_entries_fts_heading(rowid, heading) VALUES (new.id, new.heading); END",
    "CREATE TRIGGER search_entries_fts_heading_ad AFTER DELETE ON search_entries BEGIN "
    "INSERT INTO search_entries_fts_heading(search_entries_fts_heading, rowid, heading) "
    "VALUES ('delete', old.id, old.heading); END",
    "CREATE TRIGGER search_entries_fts_heading_au AFTER UPDATE ON search_entries BEGIN "
    "INSERT INTO search_entries_fts_heading(search_entries_fts_heading, rowid, heading) "
    "VALUES ('delete', old.id, old.heading); "
    "INSERT INTO search_entries_fts_heading(rowid, heading) VALUES (new.id, new.heading); END",
    # index the headings there are
    "INSERT INTO search_entries_fts_heading(search_entries_fts_heading) VALUES ('rebuild')",
]

#: the number columns an exact number is looked up in
_NUMBERS = [
    ("filings", "registration_no"),
    ("ip_assets", "application_no"),
    ("ip_assets", "registration_no"),
]

_HEADINGS = [
    "UPDATE search_entries SET heading = COALESCE((SELECT p.code || ' ' || p.title"
    " FROM projects p WHERE p.id = search_entries.record_id), '')"
    " WHERE record_type = 'project'",
    "UPDATE search_entries SET heading = text WHERE record_type = 'asset_detail'",
    "UPDATE search_entries SET heading = title"
    " WHERE record_type NOT IN ('project', 'asset_detail', 'filing')",
]

BATCH = 500


def _filings(conn):
    """Every filing's entry: its numbers and its office's name in both languages, landing on
    its asset (existing entries rewritten, missing ones added)."""
    from tracker.cases.filings.kind import search_text

    entries = sa.table(
        "search_entries",
        *(
            sa.column(name)
            for name in (
                "record_type",
                "record_id",
                "project_id",
                "action",
                "text",
                "kind",
                "title",
                "heading",
                "parent_id",
            )
        ),
    )
    known = {
        row[0]
        for row in conn.execute(
            sa.text("SELECT record_id FROM search_entries WHERE record_type = 'filing'")
        )
    }
    rows = conn.execute(
        sa.text(
            "SELECT f.id, f.asset_id, a.project_id, f.office, f.application_no,"
            " f.registration_no FROM filings f JOIN ip_assets a ON a.id = f.asset_id"
            " ORDER BY f.id"
        )
    ).all()
    added, changed = [], []
    for filing_id, asset_id, project_id, office, application_no, registration_no in rows:
        numbers = " ".join(n for n in (application_no, registration_no) if n)
        values = {
            "text": search_text(office, application_no, registration_no),
            "title": numbers[:300],
            "heading": numbers,
            "parent_id": asset_id,
        }
        if filing_id in known:
            changed.append({"b_id": filing_id, **values})
        else:
            added.append(
                {
                    "record_type": "filing",
                    "record_id": filing_id,
                    "project_id": project_id,
                    "action": "filing.view",
                    "kind": "filing",
                    **values,
                }
            )
    update = (
        entries.update()
        .where(entries.c.record_type == "filing", entries.c.record_id == sa.bindparam("b_id"))
        .values(
            text=sa.bindparam("text"),
            title=sa.bindparam("title"),
            heading=sa.bindparam("heading"),
            parent_id=sa.bindparam("parent_id"),
        )
    )
    for start in range(0, len(changed), BATCH):
        conn.execute(update, changed[start : start + BATCH])
    for start in range(0, len(added), BATCH):
        conn.execute(entries.insert(), added[start : start + BATCH])


def _reviews(conn):
    """A submitted review's entry: its level's names in both languages and its author."""
    from tracker.cases.reviews.kind import search_text

    rows = conn.execute(
        sa.text(
            "SELECT s.id, r.level, u.name FROM search_entries s"
            " JOIN risk_reviews r ON r.id = s.record_id"
            " LEFT JOIN users u ON u.id = r.author_id"
            " WHERE s.record_type = 'risk_review'"
        )
    ).all()
    changed = [
        {"b_id": entry_id, "text": search_text(level, name)} for entry_id, level, name in rows
    ]
    update = sa.text("UPDATE search_entries SET text = :text WHERE id = :b_id")
    for start in range(0, len(changed), BATCH):
        conn.execute(update, changed[start : start + BATCH])


def upgrade():
    # plain ADD COLUMN (no table copy on SQLite: the full-text triggers stay)
    op.add_column(
        "search_entries", sa.Column("heading", sa.Text(), nullable=False, server_default="")
    )
    op.add_column("search_entries", sa.Column("parent_id", sa.Integer(), nullable=True))
    for table, column in _NUMBERS:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])
    conn = op.get_bind()
    for statement in _HEADINGS:
        op.execute(statement)
    _filings(conn)
    _reviews(conn)
    if conn.dialect.name == "sqlite":
        for statement in _HEADING:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER search_entries_fts_heading_{trigger}")
        op.execute("DROP TABLE search_entries_fts_heading")
    for table, column in reversed(_NUMBERS):
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
    # plain DROP COLUMN (SQLite 3.35+): no table copy, the full-text triggers stay
    op.drop_column("search_entries", "parent_id")
    op.drop_column("search_entries", "heading")
