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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tracker import policy, records
from tracker.auth.models import User
from tracker.cases.assets.models import IpAsset
from tracker.cases.filings.models import Filing
from tracker.cases.models import SearchEntry
from tracker.cases.projects.models import Project
from tracker.db import db

#: words of a query: letters and digits of any script (Hangul included); the rest separates
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 8
#: the longest search text a form or the API takes
MAX_QUERY_LENGTH = 200
FTS_TABLE = "search_entries_fts"
#: the word index of the entries' headings (migration 0020): an FTS5 table on SQLite
HEADING_TABLE = "search_entries_fts_heading"
#: the trigram index of word-parts (migration 0008): an FTS5 table on SQLite
TRIGRAM_TABLE = "search_entries_fts_trigram"
#: the shortest word-part a trigram index can find
TRIGRAM = 3
#: the longest title an entry keeps
TITLE_LENGTH = 300
#: how many hits a search counts one by one; beyond, the total is an estimate
COUNT_LIMIT = 1000
#: the length of a result's snippet, in characters
SNIPPET = 160
#: what a project code or the start of one looks like (letters, digits and hyphens, one hyphen
#: at least: `CB-BIO-2025-00002`, `CB-BIO-`)
CODE_LIKE = re.compile(r"[A-Za-z0-9]+(-[A-Za-z0-9]*)+")


def index_record(
    record_type: str,
    record_id: int,
    project_id: int,
    action: str,
    text: str,
    *,
    kind: str | None = None,
    title: str = "",
    heading: str | None = None,
    parent_id: int | None = None,
) -> None:
    """Create or replace the searchable text of one record (flushed, not committed).

    `action` is the policy action a user needs on the project to see `text` (for example
    "disclosure.read" or "session.view_advice"); raises KeyError for an unknown action.
    `kind` is the record's kind (default: `record_type`), `title` what a result calls it,
    `heading` the words that name it (default: `title`; a hit there ranks first),
    `parent_id` the record whose page shows it (a filing's asset).
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
    entry.kind = kind or record_type
    entry.title = title[:TITLE_LENGTH]
    entry.heading = title if heading is None else heading
    entry.parent_id = parent_id
    db.session.flush()


def index(record: Any) -> None:
    """Index every searchable text of a record, as its kind declares them
    (`RecordKind.search`, `tracker.records`); flushed, not committed."""
    kind = records.of(record)
    if kind.search is None:
        return
    for entry in kind.search(record):
        index_record(
            entry.type,
            record.id,
            _project_id(record),
            entry.action,
            entry.text,
            kind=kind.type,
            title=entry.title,
            heading=entry.heading,
            parent_id=entry.parent,
        )


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
                    kind=kind.type,
                    title=entry.title[:TITLE_LENGTH],
                    heading=entry.title if entry.heading is None else entry.heading,
                    parent_id=entry.parent,
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


def _text_match(words: list[str], *, by_scope: bool = False) -> sa.ColumnElement[bool]:
    """SQL: the entry's text contains every word (a word-part, or a word prefix), using the
    trigram and the word indexes.

    `by_scope`: the caller's scope is narrow (a lawyer's projects, a company's), so the
    database should walk the scope's entries (by project) and test each against the match,
    rather than expand every hit of a common word and drop those out of scope. On SQLite the
    entry id is then written `+search_entries.id`, which keeps the planner from driving the
    query by the full-text hits (the match is still read once, as a list)."""
    entry_id: Any = sa.literal_column("+search_entries.id") if by_scope else SearchEntry.id
    parts = [w for w in words if is_word_part(w)]
    prefixes = [w for w in words if not is_word_part(w)]
    dialect = db.session.get_bind().dialect.name
    conditions: list[sa.ColumnElement[bool]] = []
    if dialect == "postgresql":
        # the GIN trigram index (pg_trgm) serves ILIKE '%part%'; parts hold only \w characters.
        # A part without upper- or lower-case letters (Hangul) is the same as LIKE, which
        # tests a row several times faster when the plan walks the entries by id
        conditions += [
            SearchEntry.text.like(f"%{w}%")
            if w.upper() == w.lower()
            else SearchEntry.text.ilike(f"%{w}%")
            for w in parts
        ]
        if prefixes:
            # words hold only \w characters, so quoting them is enough to make a safe tsquery
            tsquery = " & ".join(f"'{w}':*" for w in prefixes)
            conditions.append(
                sa.literal_column("search_entries.fts_document").op("@@")(
                    sa.func.to_tsquery(sa.literal_column("'simple'"), tsquery)
                )
            )
        return sa.and_(*conditions)
    return sa.and_(*(entry_id.in_(hits) for hits in _sqlite_hits(parts, prefixes)))


def _sqlite_hits(parts: list[str], prefixes: list[str]) -> list[sa.Select[Any]]:
    """SQLite: the entry ids (rowids) the trigram index finds for the word-parts and the word
    index for the word prefixes, one SELECT per index used."""
    selects: list[sa.Select[Any]] = []
    if parts:
        tri = sa.table(TRIGRAM_TABLE, sa.column("rowid"))
        match = " AND ".join(f'"{w}"' for w in parts)
        selects.append(
            sa.select(tri.c.rowid).where(sa.literal_column(TRIGRAM_TABLE).op("MATCH")(match))
        )
    if prefixes:
        fts = sa.table(FTS_TABLE, sa.column("rowid"))
        match = " AND ".join(f'"{w}"*' for w in prefixes)
        selects.append(
            sa.select(fts.c.rowid).where(sa.literal_column(FTS_TABLE).op("MATCH")(match))
        )
    return selects


def search_entries(user: User, q: str) -> sa.Select[SearchEntry]:
    """The entries matching `q` that `user` may see (scope and role, in SQL): by their words,
    and by an exact filing or application number or a project code's start (`_match`)."""
    words = query_words(q)
    if not words:
        return sa.select(SearchEntry).where(sa.false())
    return (
        sa.select(SearchEntry)
        .join(Project, Project.id == SearchEntry.project_id)
        .where(
            policy.visible_projects(user),
            SearchEntry.action.in_(allowed_actions(user)),
            _match(q.strip(), words),
        )
    )


def assets_found(user: User, q: str) -> sa.Select[int]:
    """SQL: the ids of the IP assets whose entries match `q` as `user` may search them: an
    asset's own entries (`kind` "asset": its title, its numbers) and its filings' entries
    (a filing's entry names its asset, `parent_id`), in one pass over the hits that reads
    only those columns (for `IpAsset.id IN (...)`: the caller's query applies the scope to the
    assets too). A narrow scope is joined first, so its entries are walked and tested rather
    than every hit of a common word expanded."""
    words = query_words(q)
    if not words:
        return sa.select(SearchEntry.record_id).where(sa.false())
    narrow = not isinstance(policy.visible_projects(user), sa.sql.elements.True_)
    found = sa.select(
        sa.case(
            (SearchEntry.record_type == "filing", SearchEntry.parent_id),
            else_=SearchEntry.record_id,
        )
    ).where(sa.or_(SearchEntry.kind == "asset", SearchEntry.record_type == "filing"))
    stmt, _ = _hits(found, user, q.strip(), words, narrow)
    return stmt


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


def projects_matching(user: User, q: str) -> sa.ColumnElement[bool]:
    """SQL condition on `Project`: it has a text matching `q` whose record kind `user`'s role
    may see (the caller's query on `Project` applies the user's scope).

    Two plans, chosen by how common the words are (one cheap statement counts the word
    index's hits up to COMMON_HITS): a rare word lists its few projects (`Project.id IN
    (...)`); a common word would list nearly every project, so each project the list walks
    (in its own order, no further than the page) is asked whether one of its entries matches
    (`EXISTS`, the match read once as a list)."""
    words = query_words(q)
    if not words:
        return sa.false()
    actions = SearchEntry.action.in_(allowed_actions(user))
    if not _is_common(words):
        return Project.id.in_(search_projects(user, q))
    return sa.exists(
        sa.select(sa.literal(1)).where(
            SearchEntry.project_id == Project.id, actions, _text_match(words, by_scope=True)
        )
    )


#: from this many hits of the word index on, a word is common (see `projects_matching`)
COMMON_HITS = 2000


def _is_common(words: list[str]) -> bool:
    """Whether the words match COMMON_HITS entries or more (read no further than that; on
    SQLite, from the first full-text index alone: a bound, read without the entries)."""
    if db.session.get_bind().dialect.name == "sqlite":
        parts = [w for w in words if is_word_part(w)]
        prefixes = [w for w in words if not is_word_part(w)]
        first = _sqlite_hits(parts, prefixes)[0].limit(COMMON_HITS).subquery()
    else:
        first = sa.select(SearchEntry.id).where(_text_match(words)).limit(COMMON_HITS).subquery()
    hits = db.session.execute(sa.select(sa.func.count()).select_from(first)).scalar_one()
    return int(hits) >= COMMON_HITS


def code_match(q: str) -> sa.ColumnElement[bool] | None:
    """SQL: `Project`'s code starts with `q`, when `q` looks like a project code (else None).

    PostgreSQL's text parser splits `CB-BIO-2025-00002` into words and a signed number
    (`-00002`), so the words of the query cannot find it; the code column itself can."""
    if not CODE_LIKE.fullmatch(q):
        return None
    return Project.code.startswith(q.upper(), autoescape=True)


@dataclass(frozen=True)
class Hits:
    """One page of a search across records: rows (kind, record_id, project_id, project_code,
    title, snippet), the total, and whether the total is an estimate."""

    items: list[dict[str, Any]]
    total: int
    estimated: bool


def _match(q: str, words: list[str], *, by_scope: bool = False) -> sa.ColumnElement[bool]:
    """SQL: the entry's text holds the words, or the entry is one that `q` names exactly or by
    the start of its code (`named`): each part by its own index, never an OR that would
    read every entry."""
    exact = named(q)
    if not exact:
        return _text_match(words, by_scope=by_scope)
    texts = sa.select(SearchEntry.id).where(_text_match(words))
    return SearchEntry.id.in_(sa.union(texts, *exact))


#: the longest filing or application number (the columns' length)
NUMBER_LENGTH = 100


def _numbers(q: str) -> list[str]:
    """The ways `q` may be written as a filing or application number (as typed, upper-cased),
    when it looks like one: no space, a digit at least."""
    if not q or len(q) > NUMBER_LENGTH or any(c.isspace() for c in q):
        return []
    if not any(c.isdigit() for c in q):
        return []
    return sorted({q, q.upper()})


def numbered(q: str) -> list[sa.Select[Any]]:
    """SQL: the ids of the entries of the filings and assets whose application or
    registration number is exactly `q`, one SELECT per number column (each by its own
    index); none when `q` cannot be a number. PostgreSQL's text parser splits
    `10-2024-0041234` into a number and signed numbers, so the words of the query cannot
    find it; the columns can."""
    forms = _numbers(q)
    if not forms:
        return []
    filing = sa.and_(SearchEntry.record_type == "filing", SearchEntry.record_id == Filing.id)
    detail = sa.and_(SearchEntry.record_type == "asset_detail", SearchEntry.record_id == IpAsset.id)
    return [
        sa.select(SearchEntry.id).join(model, on).where(column.in_(forms))
        for model, on, column in (
            (Filing, filing, Filing.application_no),
            (Filing, filing, Filing.registration_no),
            (IpAsset, detail, IpAsset.application_no),
            (IpAsset, detail, IpAsset.registration_no),
        )
    ]


def named(q: str) -> list[sa.Select[Any]]:
    """SQL: the ids of the entries `q` names, by an exact number (`numbered`) or as the start
    of a project's code (`code_match`: the project's entry), one SELECT per index used (for
    one flat UNION)."""
    code = code_match(q)
    coded = (
        [
            sa.select(SearchEntry.id)
            .join(Project, Project.id == SearchEntry.project_id)
            .where(SearchEntry.record_type == "project", code)
        ]
        if code is not None
        else []
    )
    return [*coded, *numbered(q)]


def _heading_match(words: list[str], *, lowest: Any = None) -> sa.ColumnElement[bool]:
    """SQL: every word is among the words that name the entry (its heading). Used to rank the
    hits, so it is tested on the hits only: word-parts by position in the heading, word
    prefixes by the heading's own full-text index (SQLite) or its words (PostgreSQL)."""
    parts = [w for w in words if is_word_part(w)]
    prefixes = [w for w in words if not is_word_part(w)]
    dialect = db.session.get_bind().dialect.name
    position = sa.func.strpos if dialect == "postgresql" else sa.func.instr
    conditions = [position(sa.func.lower(SearchEntry.heading), w) > 0 for w in parts]
    if prefixes and dialect == "postgresql":
        tsquery = " & ".join(f"'{w}':*" for w in prefixes)
        simple: Any = sa.literal_column("'simple'")
        conditions.append(
            sa.func.to_tsvector(simple, SearchEntry.heading).op("@@")(
                sa.func.to_tsquery(simple, tsquery)
            )
        )
    elif prefixes:
        fts = sa.table(HEADING_TABLE, sa.column("rowid"))
        match = " AND ".join(f'"{w}"*' for w in prefixes)
        heads = sa.select(fts.c.rowid).where(sa.literal_column(HEADING_TABLE).op("MATCH")(match))
        if lowest is not None:  # the index reads its hits from this id up only
            heads = heads.where(fts.c.rowid >= lowest)
        conditions.append(SearchEntry.id.in_(heads))
    return sa.and_(*conditions)


def _exact_conditions(q: str) -> list[sa.ColumnElement[bool]]:
    """SQL: the entry is the record `q` names exactly (a project by its whole code, a filing
    or an asset by its number); none when `q` can name no record."""
    exact: list[sa.ColumnElement[bool]] = []
    if CODE_LIKE.fullmatch(q):
        exact.append(sa.and_(SearchEntry.record_type == "project", Project.code == q.upper()))
    numbers = numbered(q)
    if numbers:
        exact.append(SearchEntry.id.in_(sa.union(*numbers)))
    return exact


def _rank(q: str, words: list[str], *, lowest: Any = None) -> sa.ColumnElement[int]:
    """SQL: a hit's rank: 0 for the record `q` names exactly (`_exact_conditions`), 1 for a
    hit among the words that name a record (its title, code or numbers), 2 for a hit only in
    the rest of its text. `lowest`: no hit ranked has a smaller id (SQL), so the heading's
    index is read no further down (SQLite)."""
    exact = _exact_conditions(q)
    whens: list[tuple[sa.ColumnElement[bool], int]] = []
    if exact:
        whens.append((sa.or_(*exact), 0))
    whens.append((_heading_match(words, lowest=lowest), 1))
    return sa.case(*whens, else_=2)


def find(user: User, q: str, page: int, per_page: int) -> Hits:
    """The records matching `q` that `user` may see, one page of them: the record `q` names
    exactly first (a project's code, a filing's number), then hits in what names a record
    (title, code, numbers), then hits only in the rest of its text; newest first within each.

    The caller's scope (`visible_projects`) and the actions of their role narrow the entries
    in the same statement as the match, so a hit never names a record the user may not see.

    One statement reads the newest COUNT_LIMIT + 1 hits (`_window`: by the full-text index
    in id order, or by the scope's projects for a narrow scope), ranks those only and returns
    the page with their count: the total, exact up to COUNT_LIMIT and estimated beyond from
    the ids the window spans (`_extrapolate`). When the window holds every hit its order is
    the order of all hits. When it is full, its page is still theirs if every row of it (and
    so every row before it) has the best rank a hit can have: the newest hits of that rank are
    all in the window. Otherwise (a far page, or a page reaching hits of a lower rank) one
    statement more ranks every hit, and a page past the window's hits counts them apart."""
    q = q.strip()
    words = query_words(q)
    if not words:
        return Hits([], 0, False)
    scope = policy.visible_projects(user)
    narrow = not isinstance(scope, sa.sql.elements.True_)
    offset = (page - 1) * per_page
    window = _window(user, q, words, narrow).cte("hit_window").prefix_with("MATERIALIZED")
    lowest = sa.select(sa.func.min(window.c.id)).scalar_subquery()
    ranked: Any = sa.select(
        window.c.id,
        _rank(q, words, lowest=lowest).label("rank"),
        sa.func.count().over().label("hits"),
        sa.func.min(window.c.id).over().label("lowest"),
    ).join(SearchEntry, SearchEntry.id == window.c.id)
    if CODE_LIKE.fullmatch(q):  # the rank compares the project's code
        ranked = ranked.join(Project, Project.id == SearchEntry.project_id)
    ranked = ranked.subquery()
    paged = (
        sa.select(ranked)
        .order_by(ranked.c.rank, ranked.c.id.desc())
        .limit(per_page)
        .offset(offset)
        .subquery()
    )
    stmt = _columns(paged).add_columns(
        paged.c.rank,
        paged.c.hits,
        paged.c.lowest,
        sa.select(sa.func.min(SearchEntry.id)).scalar_subquery().label("first_id"),
        sa.select(sa.func.max(SearchEntry.id)).scalar_subquery().label("last_id"),
    )
    rows = db.session.execute(stmt.order_by(paged.c.rank, paged.c.id.desc())).all()
    if not rows and offset == 0:
        return Hits([], 0, False)
    if rows:
        first = rows[0]
        total, estimated = _extrapolate(first.hits, first.lowest, first.first_id, first.last_id)
        best = 0 if _exact_conditions(q) else 1
        if not estimated or (len(rows) == per_page and rows[-1].rank == best):
            # the window holds every hit, or every row of the page has the best rank
            return Hits(_items(rows, words), total, estimated)
    else:  # past the window's hits: its total apart
        total, estimated = _estimate(user, q, words, narrow)
    # a far page, or one reaching lower ranks of a full window: every hit ranked
    hits: Any = (
        sa.select(SearchEntry.id, _rank(q, words).label("rank"))
        .join(Project, Project.id == SearchEntry.project_id)
        .where(
            scope, SearchEntry.action.in_(allowed_actions(user)), _match(q, words, by_scope=narrow)
        )
        .subquery()
    )
    rows = db.session.execute(
        _columns(hits).order_by(hits.c.rank, hits.c.id.desc()).limit(per_page).offset(offset)
    ).all()
    return Hits(_items(rows, words), total, estimated)


def _window(user: User, q: str, words: list[str], narrow: bool) -> sa.Select[Any]:
    """SQL: the ids of the newest COUNT_LIMIT + 1 entries matching `q` that `user` may see
    (`_hits`), so the window stops after COUNT_LIMIT + 1 hits without reading the rest."""
    stmt, order = _hits(sa.select(SearchEntry.id), user, q, words, narrow)
    return stmt.order_by(order.desc()).limit(COUNT_LIMIT + 1)


def _hits(
    stmt: sa.Select[Any], user: User, q: str, words: list[str], narrow: bool
) -> tuple[sa.Select[Any], Any]:
    """`stmt` (a SELECT over `SearchEntry`) narrowed to the entries matching `q` that `user`
    may see, and the column that orders them newest first.

    For everyone's scope on SQLite the word or trigram index is the statement's first table
    (joined by rowid): its hits are read in its own rowid order, one by one, never gathered
    into a list first. A narrow scope (`narrow`) walks its projects' entries and tests each
    against the match (`+search_entries.id` keeps SQLite from walking every entry by id)."""
    conditions: list[sa.ColumnElement[bool]] = [SearchEntry.action.in_(allowed_actions(user))]
    if narrow:
        stmt = stmt.join(Project, Project.id == SearchEntry.project_id)
        conditions.append(policy.visible_projects(user))
    dialect = db.session.get_bind().dialect.name
    order: Any = SearchEntry.id
    if dialect == "sqlite" and narrow:
        order = sa.literal_column("+search_entries.id")
    if dialect == "sqlite" and not narrow and not named(q):
        parts = [w for w in words if is_word_part(w)]
        prefixes = [w for w in words if not is_word_part(w)]
        table, match = (
            (TRIGRAM_TABLE, " AND ".join(f'"{w}"' for w in parts))
            if parts
            else (FTS_TABLE, " AND ".join(f'"{w}"*' for w in prefixes))
        )
        index = sa.table(table, sa.column("rowid"))
        stmt = stmt.join(index, index.c.rowid == SearchEntry.id)
        conditions.append(sa.literal_column(table).op("MATCH")(match))
        if parts and prefixes:  # the word index as a list beside the trigram index
            conditions.append(SearchEntry.id.in_(_sqlite_hits([], prefixes)[0]))
        order = index.c.rowid
    else:
        conditions.append(_match(q, words, by_scope=narrow))
    return stmt.where(*conditions), order


def _columns(ids: Any) -> sa.Select[Any]:
    """What a hit shows, for the entry ids `ids` (a subquery with an `id` column)."""
    return (
        sa.select(
            ids.c.id,
            SearchEntry.kind,
            SearchEntry.record_id,
            SearchEntry.project_id,
            SearchEntry.parent_id,
            Project.code.label("project_code"),
            SearchEntry.title,
            SearchEntry.text,
        )
        .join(SearchEntry, SearchEntry.id == ids.c.id)
        .join(Project, Project.id == SearchEntry.project_id)
    )


def _items(rows: Sequence[Any], words: list[str]) -> list[dict[str, Any]]:
    seen: set[tuple[str, int]] = set()
    items: list[dict[str, Any]] = []
    for row in rows:
        if (row.kind, row.record_id) in seen:  # a second text of the same record
            continue
        seen.add((row.kind, row.record_id))
        items.append(
            {
                "type": row.kind,
                "id": row.record_id,
                "project_id": row.project_id,
                "parent_id": row.parent_id,
                "project_code": row.project_code,
                "title": row.title or records.kind_name(row.kind),
                "snippet": snippet(row.text, words),
            }
        )
    return items


def _estimate(user: User, q: str, words: list[str], narrow: bool) -> tuple[int, bool]:
    """The total of a search (`find`) from its window alone: `(total, estimated)`."""
    window = _window(user, q, words, narrow).subquery()
    row = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.min(window.c.id),
            sa.select(sa.func.min(SearchEntry.id)).scalar_subquery(),
            sa.select(sa.func.max(SearchEntry.id)).scalar_subquery(),
        ).select_from(window)
    ).one()
    return _extrapolate(*row)


def estimated_total(hits: sa.Select[Any], key: Any) -> tuple[int, bool]:
    """The number of rows `hits` selects (its first column: `key`, an indexed integer id),
    exact up to COUNT_LIMIT; beyond, estimated from how much of the id range of `key`'s table
    the first COUNT_LIMIT hits (highest ids first) span: `(total, estimated)`. One statement
    that reads COUNT_LIMIT + 1 hits at most, where an exact count would read every hit."""
    first = hits.order_by(key.desc()).limit(COUNT_LIMIT + 1).subquery()
    row = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.min(first.c[0]),
            sa.select(sa.func.min(key)).scalar_subquery(),
            sa.select(sa.func.max(key)).scalar_subquery(),
        ).select_from(first)
    ).one()
    return _extrapolate(*row)


def _extrapolate(count: int, lowest: int, first_id: int, last_id: int) -> tuple[int, bool]:
    """`count` hits (at most COUNT_LIMIT + 1, highest ids first) reaching down to id `lowest`
    among ids `first_id`..`last_id`: the exact count, or beyond COUNT_LIMIT an estimate that
    assumes the rest of the id range holds hits as densely."""
    if count <= COUNT_LIMIT:
        return int(count), False
    spanned = (last_id - lowest + 1) / (last_id - first_id + 1)
    return _round(COUNT_LIMIT / spanned), True


def _round(n: float) -> int:
    """Two significant digits: an estimate says "about 1,200", not "1,187"."""
    digits = max(len(str(int(n))) - 2, 0)
    return int(round(n, -digits))


def snippet(text: str, words: list[str]) -> str:
    """The part of `text` around the first query word it holds (SNIPPET characters at most,
    whitespace collapsed, "…" where it is cut)."""
    flat = " ".join(text.split())
    low = flat.lower()
    found = [i for w in words if (i := low.find(w)) >= 0]
    start = max(min(found, default=0) - SNIPPET // 4, 0)
    piece = flat[start : start + SNIPPET]
    return ("…" if start else "") + piece + ("…" if start + SNIPPET < len(flat) else "")


def alembic_include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic `include_object`: skip the per-database full-text objects (named "*fts*"),
    which exist in the database but not in the models."""
    return not (reflected and compare_to is None and name is not None and "fts" in name)
