"""Full-text search across projects and the records a user may see.

Every searchable text is one row of `search_entries` (record type and id, its project, the
policy action a user needs on that project to see the text). The migration adds a real
full-text index beside the table: on PostgreSQL a generated `tsvector` column `fts_document`
(config 'simple', so Korean words are kept as they are) with a GIN index; on SQLite an FTS5
table `search_entries_fts` kept in step by triggers. Searching filters by the user's scope and
by the actions their role may perform, in SQL, so a hit never reveals what the user may not see.

Callers index what they write (`index_record`) in the same transaction and remove it when the
record goes (`unindex_record`). Never index privileged notes.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from tracker import policy
from tracker.auth.models import User
from tracker.cases.models import SearchEntry
from tracker.cases.projects.models import Project
from tracker.db import db

#: words of a query: letters and digits of any script (Hangul included); the rest separates
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 8
#: the longest search text a form or the API takes
MAX_QUERY_LENGTH = 200
FTS_TABLE = "search_entries_fts"


def index_record(record_type: str, record_id: int, project_id: int, action: str, text: str) -> None:
    """Create or replace the searchable text of one record (flushed, not committed).

    `action` is the policy action a user needs on the project to see `text` (for example
    "disclosure.read" or "session.view_advice"); raises KeyError for an unknown action.
    """
    policy.role_may("admin", action)  # unknown actions raise KeyError
    entry = db.session.execute(
        sa.select(SearchEntry).where(
            SearchEntry.record_type == record_type, SearchEntry.record_id == record_id
        )
    ).scalar_one_or_none()
    if entry is None:
        entry = SearchEntry(record_type=record_type, record_id=record_id)
        db.session.add(entry)
    entry.project_id = project_id
    entry.action = action
    entry.text = text
    db.session.flush()


def unindex_record(record_type: str, record_id: int) -> None:
    """Remove a record's searchable text (nothing happens when there is none)."""
    db.session.execute(
        sa.delete(SearchEntry).where(
            SearchEntry.record_type == record_type, SearchEntry.record_id == record_id
        )
    )


def query_words(q: str) -> list[str]:
    """The words of a query, lower-cased; at most MAX_WORDS of them."""
    return [w.lower() for w in _WORD.findall(q)][:MAX_WORDS]


def allowed_actions(user: User) -> list[str]:
    """The actions the user's role may perform on a project in scope."""
    return policy.actions_of(user.role)


def _text_match(words: list[str]) -> sa.ColumnElement[bool]:
    """SQL: the entry's text contains every word (as a word prefix), using the FTS index."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        # words hold only \w characters, so quoting them is enough to make a safe tsquery
        tsquery = " & ".join(f"'{w}':*" for w in words)
        return sa.literal_column("search_entries.fts_document").op("@@")(
            sa.func.to_tsquery(sa.literal_column("'simple'"), tsquery)
        )
    fts = sa.table(FTS_TABLE, sa.column("rowid"))
    match = " AND ".join(f'"{w}"*' for w in words)
    matching = sa.select(fts.c.rowid).where(sa.literal_column(FTS_TABLE).op("MATCH")(match))
    return SearchEntry.id.in_(matching)


def search_entries(user: User, q: str) -> sa.Select[SearchEntry]:
    """The entries matching `q` that `user` may see (scope and role, in SQL)."""
    words = query_words(q)
    if not words:
        return sa.select(SearchEntry).where(sa.false())
    return (
        sa.select(SearchEntry)
        .join(Project, Project.id == SearchEntry.project_id)
        .where(
            policy.visible_projects(user),
            SearchEntry.action.in_(allowed_actions(user)),
            _text_match(words),
        )
    )


def search_projects(user: User, q: str) -> sa.Select[int]:
    """The ids of the projects with a matching text that `user` may see (for `IN (...)`)."""
    entries = search_entries(user, q).subquery()
    return sa.select(entries.c.project_id).distinct()


def alembic_include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic `include_object`: skip the per-database full-text objects (named "*fts*"),
    which exist in the database but not in the models."""
    return not (reflected and compare_to is None and name is not None and "fts" in name)
