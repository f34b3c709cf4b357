"""Full-text search across projects and the records a user may see.

Every searchable text is one row of `search_entries` (record type and id, its project, the
policy action a user needs on that project to see the text). The migration adds a real
full-text index beside the table: on PostgreSQL a generated `tsvector` column `fts_document`
(config 'simple', so Korean words are kept as they are) with a GIN index; on SQLite an FTS5
table `search_entries_fts` kept in step by triggers. Migration 0008 adds a trigram index for
word-parts (`is_word_part`): `pg_trgm` GIN on PostgreSQL, an FTS5 `trigram` table on SQLite.
Searching filters by the user's scope and
by the actions their role may perform, in SQL, so a hit never reveals what the user may not see.

Callers index what they write (`index(record)`: the texts its record kind declares, or
`index_record`) in the same transaction and remove it when the
record goes (`unindex_record`). Never index privileged notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from tracker import policy, records
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
#: the trigram index of word-parts (migration 0008): an FTS5 table on SQLite
TRIGRAM_TABLE = "search_entries_fts_trigram"
#: the shortest word-part a trigram index can find
TRIGRAM = 3


def index_record(record_type: str, record_id: int, project_id: int, action: str, text: str) -> None:
    """Create or replace the searchable text of one record (flushed, not committed).

    `action` is the policy action a user needs on the project to see `text` (for example
    "disclosure.read" or "session.view_advice"); raises KeyError for an unknown action.
    """
    policy.check_action(action)
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


def index(record: Any) -> None:
    """Index every searchable text of a record, as its kind declares them
    (`RecordKind.search`, `tracker.records`); flushed, not committed."""
    kind = records.of(record)
    if kind.search is None:
        return
    for entry in kind.search(record):
        index_record(entry.type, record.id, _project_id(record), entry.action, entry.text)


def index_new(project_id: int, created: Iterable[Any]) -> None:
    """Index records of one project created in this transaction (they have no entry yet):
    their entries added and flushed once, not looked up and flushed one by one (an import)."""
    for record in created:
        kind = records.of(record)
        for entry in kind.search(record) if kind.search is not None else ():
            policy.check_action(entry.action)
            db.session.add(
                SearchEntry(
                    record_type=entry.type,
                    record_id=record.id,
                    project_id=project_id,
                    action=entry.action,
                    text=entry.text,
                )
            )
    db.session.flush()


def _project_id(record: Any) -> int:
    return int(record.id if record.__audit_type__ == "project" else record.project_id)


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
    return policy.actions_of(user)


def is_word_part(word: str) -> bool:
    """Whether `word` is matched anywhere inside a text (a word-part, as Korean users search:
    `냉장고` finds `김치냉장고`) rather than as the start of a word.

    Words with letters beyond ASCII of at least TRIGRAM characters use the trigram index.
    Shorter ones cannot (a trigram index needs three characters) and fall back to the word
    index, matched as a word prefix (`냉장` finds `냉장고`, not `김치냉장고`). ASCII words keep
    word-prefix matching (`ion` should not find `nation`)."""
    return len(word) >= TRIGRAM and not word.isascii()


def _text_match(words: list[str]) -> sa.ColumnElement[bool]:
    """SQL: the entry's text contains every word (a word-part, or a word prefix), using the
    trigram and the word indexes."""
    parts = [w for w in words if is_word_part(w)]
    prefixes = [w for w in words if not is_word_part(w)]
    dialect = db.session.get_bind().dialect.name
    conditions: list[sa.ColumnElement[bool]] = []
    if dialect == "postgresql":
        # the GIN trigram index (pg_trgm) serves ILIKE '%part%'; parts hold only \w characters
        conditions += [SearchEntry.text.ilike(f"%{w}%") for w in parts]
        if prefixes:
            # words hold only \w characters, so quoting them is enough to make a safe tsquery
            tsquery = " & ".join(f"'{w}':*" for w in prefixes)
            conditions.append(
                sa.literal_column("search_entries.fts_document").op("@@")(
                    sa.func.to_tsquery(sa.literal_column("'simple'"), tsquery)
                )
            )
        return sa.and_(*conditions)
    if parts:
        tri = sa.table(TRIGRAM_TABLE, sa.column("rowid"))
        match = " AND ".join(f'"{w}"' for w in parts)
        conditions.append(
            SearchEntry.id.in_(
                sa.select(tri.c.rowid).where(sa.literal_column(TRIGRAM_TABLE).op("MATCH")(match))
            )
        )
    if prefixes:
        fts = sa.table(FTS_TABLE, sa.column("rowid"))
        match = " AND ".join(f'"{w}"*' for w in prefixes)
        conditions.append(
            SearchEntry.id.in_(
                sa.select(fts.c.rowid).where(sa.literal_column(FTS_TABLE).op("MATCH")(match))
            )
        )
    return sa.and_(*conditions)


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
    """The ids of the projects with a matching text whose record kind `user`'s role may see
    (for `Project.id IN (...)`: the caller's query on `Project` applies the user's scope)."""
    words = query_words(q)
    if not words:
        return sa.select(SearchEntry.project_id).where(sa.false())
    return (
        sa.select(SearchEntry.project_id)
        .where(SearchEntry.action.in_(allowed_actions(user)), _text_match(words))
        .distinct()
    )


def alembic_include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic `include_object`: skip the per-database full-text objects (named "*fts*"),
    which exist in the database but not in the models."""
    return not (reflected and compare_to is None and name is not None and "fts" in name)
