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
record goes (`unindex_record`). Never index privileged notes. A page of results across
records, ranked, and its total: `tracker.cases.search_results`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from tracker import policy, records
from tracker.auth.models import User
from tracker.cases.assets.models import IpAsset
from tracker.cases.filings.models import Filing
from tracker.cases.models import SearchEntry
from tracker.cases.projects.models import Project
from tracker.db import BuiltOnce, Remembered, database_key, db

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
#: the word index of the entries that name an asset (`ASSET_WORDS`; migration 0036): an FTS5
#: table on SQLite, for a statement that reads only those entries (`text_match(assets=True)`)
ASSET_FTS_TABLE = "search_entries_fts_asset"
#: the word index of every entry but OPEN_HIDDEN's (migration 0037): an FTS5 table on SQLite,
#: read for a caller whose role may not see those (`visible_hits`), whose hits it keeps all
OPEN_FTS_TABLE = "search_entries_fts_open"
#: the shortest word-part a trigram index can find
TRIGRAM = 3
#: the longest title an entry keeps
TITLE_LENGTH = 300
#: how many hits a search counts one by one; beyond, the total is an estimate
COUNT_LIMIT = 1000
#: PostgreSQL: partial copies of the word and trigram indexes (migration 0033) that leave out
#: the entries of OPEN_HIDDEN, the one searchable action no role of everyone's scope (admin,
#: auditor) may perform; a statement whose `action IN (...)` is written out (not bound)
#: leaves them out too, so the planner reads these indexes (`search_results._window`)
OPEN_INDEXES = ("ix_search_entries_fts_open", "ix_search_entries_fts_trigram_open")
OPEN_HIDDEN = "session.view_advice"
#: a word's asset hits in everyone's scope (`may_walk`) are first counted up to this many,
#: highest ids first; beyond, the estimate they give stands when it is SAMPLE_TRUSTED or
#: more (`search_results.sampled`), else the hits are counted exactly
SAMPLE_HITS = 250
SAMPLE_TRUSTED = 3 * COUNT_LIMIT
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


def split_words(words: list[str]) -> tuple[list[str], list[str]]:
    """`words` as the indexes take them: the word-parts (`is_word_part`: the trigram index)
    and the word prefixes (the word index), each in the query's order."""
    parts = [w for w in words if is_word_part(w)]
    return parts, [w for w in words if not is_word_part(w)]


def text_match(
    words: list[str],
    *,
    by_scope: bool = False,
    opaque: bool = False,
    bind: bool = False,
    assets: bool = False,
) -> sa.ColumnElement[bool]:
    """SQL: the entry's text contains every word (a word-part, or a word prefix), using the
    trigram and the word indexes.

    `opaque` (PostgreSQL): the patterns and the query are given as sub-selects, so the planner
    plans with its default guesses instead of the values' statistics (see
    `search_results._window`: a range of ids read from the indexes' hits).

    `by_scope`: the caller's scope is narrow (a lawyer's projects, a company's), so the
    database should walk the scope's entries (by project) and test each against the match,
    rather than expand every hit of a common word and drop those out of scope. On SQLite the
    entry id is then written `+search_entries.id`, which keeps the planner from driving the
    query by the full-text hits (the match is still read once, as a list).

    `bind`: the patterns and queries are bind parameters named as `match_values` names them,
    without values (the caller passes those when it runs the statement), so a statement
    built once serves every query of the same shape (`word_shape`).

    `assets`: the statement reads only the entries that name an asset (`ASSET_WORDS`), so on
    SQLite the word prefixes are asked of their own word index (`ASSET_FTS_TABLE`), whose
    hits are those entries' alone (for `module` in the 10k data 14,205 of 23,683)."""
    entry_id: Any = sa.literal_column("+search_entries.id") if by_scope else SearchEntry.id
    parts, prefixes = split_words(words)
    dialect = db.session.get_bind().dialect.name
    conditions: list[sa.ColumnElement[bool]] = []
    if dialect == "postgresql":
        # the GIN trigram index (pg_trgm) serves ILIKE '%part%'; parts hold only \w characters.
        # A part without upper- or lower-case letters (Hangul) is the same as LIKE, which
        # tests a row several times faster when the plan walks the entries by id
        def value(v: Any) -> Any:
            return sa.select(v).scalar_subquery() if opaque else v

        values = match_values(words)
        conditions += [
            SearchEntry.text.like(value(_bound(f"part_{i}", values, bind)))
            if w.upper() == w.lower()
            else SearchEntry.text.ilike(value(_bound(f"part_{i}", values, bind)))
            for i, w in enumerate(parts)
        ]
        if prefixes:
            tsquery = _bound("tsquery", values, bind)
            conditions.append(
                sa.literal_column("search_entries.fts_document").op("@@")(
                    value(sa.func.to_tsquery(sa.literal_column("'simple'"), tsquery))
                )
            )
        return sa.and_(*conditions)
    hits = _sqlite_hits(parts, prefixes, bind=bind, assets=assets)
    return sa.and_(*(entry_id.in_(found) for found in hits))


def match_values(words: list[str]) -> dict[str, str]:
    """What the match of `words` compares with, by the name of its bind parameter in a
    statement built with `bind` (`text_match`, `visible_hits`): `part_0`... the word-parts'
    `LIKE` patterns (PostgreSQL), `tsquery` the word prefixes' query (PostgreSQL), `parts` and
    `prefixes` the trigram and word indexes' `MATCH` (SQLite)."""
    parts, prefixes = split_words(words)
    return {
        **{f"part_{i}": f"%{w}%" for i, w in enumerate(parts)},
        # words hold only \w characters, so quoting them is enough to make a safe query
        "tsquery": " & ".join(f"'{w}':*" for w in prefixes),
        "parts": " AND ".join(f'"{w}"' for w in parts),
        "prefixes": " AND ".join(f'"{w}"*' for w in prefixes),
    }


def word_shape(words: list[str]) -> tuple[tuple[bool, ...], bool]:
    """What a statement built with `bind` depends on in `words` (their values are bound):
    for each word-part whether it has no case (`LIKE`, else `ILIKE`), and whether there are
    word prefixes."""
    parts, prefixes = split_words(words)
    return tuple(w.upper() == w.lower() for w in parts), bool(prefixes)


def _bound(name: str, values: dict[str, str], bind: bool) -> Any:
    """The value `values[name]` in a statement: a bind parameter named `name` without a value
    when `bind` (the caller gives it), else one holding the value."""
    if bind:
        return sa.bindparam(name, type_=sa.String)
    return sa.literal(values[name], sa.String)


def _sqlite_hits(
    parts: list[str],
    prefixes: list[str],
    *,
    bind: bool = False,
    assets: bool = False,
    open_only: bool = False,
) -> list[sa.Select[Any]]:
    """SQLite: the entry ids (rowids) the trigram index finds for the word-parts and the word
    index for the word prefixes, one SELECT per index used (`bind`, `assets`: as
    `text_match`; `open_only`: as `_words_table`'s)."""
    values = match_values([*parts, *prefixes])
    selects: list[sa.Select[Any]] = []
    words_table = _words_table(assets, open_only)
    for table, name, used in ((TRIGRAM_TABLE, "parts", parts), (words_table, "prefixes", prefixes)):
        if used:
            index = sa.table(table, sa.column("rowid"))
            match = _bound(name, values, bind)
            selects.append(
                sa.select(index.c.rowid).where(sa.literal_column(table).op("MATCH")(match))
            )
    return selects


def _words_table(assets: bool, open_only: bool) -> str:
    """SQLite: the word index a statement asks for word prefixes: the asset entries' own when
    it reads only those (`assets`), the one without OPEN_HIDDEN's entries when its caller may
    not see them (`open_only`: `sees_hidden`), else every entry's."""
    if assets:
        return ASSET_FTS_TABLE
    return OPEN_FTS_TABLE if open_only else FTS_TABLE


def sees_hidden(user: User) -> bool:
    """Whether `user`'s role may see the entries of OPEN_HIDDEN (advice: a lawyer's, a
    company's), so that a search of theirs needs the word index of every entry."""
    return OPEN_HIDDEN in allowed_actions(user)


def search_entries(user: User, q: str) -> sa.Select[SearchEntry]:
    """The entries matching `q` that `user` may see (scope and role, in SQL): by their words,
    and by an exact filing or application number or a project code's start (`entry_match`)."""
    words = query_words(q)
    if not words:
        return sa.select(SearchEntry).where(sa.false())
    return (
        sa.select(SearchEntry)
        .join(Project, Project.id == SearchEntry.project_id)
        .where(
            policy.visible_projects(user),
            SearchEntry.action.in_(allowed_actions(user)),
            entry_match(q.strip(), words),
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
    ).where(ASSET_WORDS)
    stmt, _ = visible_hits(found, user, q.strip(), words, narrow, assets=True)
    return stmt


#: the entries of an asset itself (`kind` "asset", `record_id` the asset's id): its title and
#: its numbers (`assets.kind`)
ASSET_ENTRIES = ("asset", "asset_detail")
#: the entries that name an asset: its own (`kind` "asset") and its filings' (`parent_id` the
#: asset); on SQLite their words have their own index (`ASSET_FTS_TABLE`, the same condition
#: in migration 0036's triggers)
ASSET_WORDS = sa.or_(SearchEntry.kind == "asset", SearchEntry.record_type == "filing")


#: from this many hits of the word index on, a page of assets asks each asset it walks
#: (`walks_assets`); fewer are listed. Listing reads each hit once (~3-4 µs); walking asks
#: ~5 µs per asset, for a page and a sample of `SAMPLE_HITS` hits, so ~300 ÷ the hits'
#: density assets; and a sample whose estimate is under `SAMPLE_TRUSTED` lists the hits
#: after all (for the exact total). With ~1.7 entries per asset found, a word under ~5,000
#: entries has too few assets for a trusted sample: listed, it costs one statement.
WALK_HITS = 5000


#: per process: whether a query's words have `WALK_HITS` entries (`walks_assets`), by the
#: database, a digest of the words (`words_digest`) and the threshold; forgotten after a
#: minute. It chooses a plan only: both plans give the same rows and the same total
#: (`may_walk`), so an answer gone stale costs time, never a different list.
_walked: Remembered[bool] = Remembered(256, seconds=60)


def words_digest(words: list[str]) -> bytes:
    """What a process remembers a query's words by: a digest, not the words (they may name an
    unpublished invention)."""
    return hashlib.sha256("\x00".join(words).encode()).digest()


def may_walk(user: User, q: str) -> bool:
    """Whether a page of assets found by `q` may be walked (`walks_assets`): a word, in
    everyone's scope (a narrow scope walks its own entries), naming no record exactly. Such a
    list's total is the same whichever way its page is read (`portfolio.listing`: from a
    sample of its newest hits)."""
    words = query_words(q)
    if not words or named(q.strip()):
        return False
    return isinstance(policy.visible_projects(user), sa.sql.elements.True_)


def walks_assets(user: User, q: str) -> bool:
    """Whether a page of assets should ask each asset it walks whether it matches `q`
    (`assets_matching(walk=True)`) rather than list the hits: `may_walk`, and the words have
    `WALK_HITS` entries or more (remembered a minute per process: `_walked`)."""
    if not may_walk(user, q):
        return False
    words = query_words(q)
    key = (database_key(), words_digest(words), WALK_HITS)
    common = _walked.get(key)
    if common is None:
        common = _is_common(words, WALK_HITS)
        _walked.put(key, common)
    return common


#: `assets_matching`'s walked condition, per database, role's actions and the kinds of words
#: (word-parts, prefixes): built once, what the indexes are asked bound per statement run
_WALKED: BuiltOnce[sa.ColumnElement[bool]] = BuiltOnce(64)


def assets_matching(
    user: User, q: str, *, walk: bool = False, params: dict[str, Any] | None = None
) -> sa.ColumnElement[bool]:
    """SQL condition on `IpAsset`: an entry of the asset matches `q` as `user` may search it
    (the rows of `assets_found`; the caller's query applies the scope to the assets).

    Two plans, as `projects_matching`: the hits listed (`IpAsset.id IN (...)`), or with
    `walk` (`walks_assets`: a common word in everyone's scope, for a page and its sample of
    the newest hits), each asset the list walks (in its own order, no further than the page or the
    count) asked whether one of its own entries, by `(record_type, record_id)`, or one of
    its filings' entries matches (`EXISTS`), where the list would read a good part of every
    asset's entries. Whoever reads every row (a download) lists the hits.

    `params` (given with `walk`): the walked condition is the one built once for the
    database, the role and the kinds of words (`_WALKED`), its words not in it but put in
    `params`, for the statement's run (building it costs about as much as the page's Python;
    the patterns and the query are bound values either way, so on PostgreSQL the kept
    condition is planned as one built per request would be)."""
    words = query_words(q)
    if not words:
        return sa.false()
    if not walk:
        return IpAsset.id.in_(assets_found(user, q))
    actions = tuple(allowed_actions(user))
    if params is None:
        return _walk_condition(actions, text_match(words, by_scope=True, assets=True))
    params.update(match_values(words))
    # the database, the role's actions and the kinds of words choose the statement; the words
    # are bound (`text_match(bind=True)` writes none of them into it), so it keeps none
    key = (db.session.get_bind().dialect.name, actions, word_shape(words))
    return _WALKED.get(
        key,
        lambda: _walk_condition(actions, text_match(words, by_scope=True, bind=True, assets=True)),
    )


def _walk_condition(
    actions: tuple[str, ...], match: sa.ColumnElement[bool]
) -> sa.ColumnElement[bool]:
    """`assets_matching`'s condition for a walk: an asset's own entry or one of its filings'
    entries of the `actions` meets `match` (`text_match(by_scope=True)`)."""
    actions_in = SearchEntry.action.in_(actions)
    # the kind written into the statement, so that every plan of it (PostgreSQL's generic
    # plan of a prepared statement too) may read the asset entries' own index
    # (`ix_search_entries_asset_record`, partial on that kind)
    asset_kind: sa.BindParameter[str] = sa.bindparam(None, "asset", literal_execute=True)
    own = sa.select(sa.literal(1)).where(
        SearchEntry.record_type.in_(ASSET_ENTRIES),
        SearchEntry.record_id == IpAsset.id,
        SearchEntry.kind == asset_kind,
        actions_in,
        match,
    )
    filed = (
        sa.select(sa.literal(1))
        .select_from(Filing)
        .join(
            SearchEntry,
            sa.and_(SearchEntry.record_type == "filing", SearchEntry.record_id == Filing.id),
        )
        .where(Filing.asset_id == IpAsset.id, actions_in, match)
    )
    # one EXISTS over both (not `OR` of two, which PostgreSQL answers by hashing every hit)
    return sa.exists(sa.union_all(own, filed))


def search_projects(user: User, q: str) -> sa.Select[int]:
    """The ids of the projects with a matching text whose record kind `user`'s role may see
    (for `Project.id IN (...)`: the caller's query on `Project` applies the user's scope)."""
    words = query_words(q)
    if not words:
        return sa.select(SearchEntry.project_id).where(sa.false())
    return (
        sa.select(SearchEntry.project_id)
        .where(SearchEntry.action.in_(allowed_actions(user)), text_match(words))
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
            SearchEntry.project_id == Project.id, actions, text_match(words, by_scope=True)
        )
    )


#: from this many hits of the word index on, a word is common (see `projects_matching`)
COMMON_HITS = 2000


def _is_common(words: list[str], hits: int | None = None) -> bool:
    """Whether the words match `hits` (default COMMON_HITS) entries or more (read no further
    than that; on SQLite, from the first full-text index alone: a bound, read without the
    entries)."""
    hits = COMMON_HITS if hits is None else hits
    if db.session.get_bind().dialect.name == "sqlite":
        parts, prefixes = split_words(words)
        first = _sqlite_hits(parts, prefixes)[0].limit(hits).subquery()
    else:
        first = sa.select(SearchEntry.id).where(text_match(words)).limit(hits).subquery()
    found = db.session.execute(sa.select(sa.func.count()).select_from(first)).scalar_one()
    return int(found) >= hits


def code_match(q: str, *, bind: bool = False) -> sa.ColumnElement[bool] | None:
    """SQL: `Project`'s code starts with `q`, when `q` looks like a project code (else None).

    PostgreSQL's text parser splits `CB-BIO-2025-00002` into words and a signed number
    (`-00002`), so the words of the query cannot find it; the code column itself can.
    `bind`: the code is a bind parameter named `code` without a value (`named_values` gives
    it); it holds only letters, digits and hyphens (`CODE_LIKE`), so it has nothing to
    escape."""
    if not CODE_LIKE.fullmatch(q):
        return None
    if bind:
        return Project.code.startswith(sa.bindparam("code", type_=sa.String))
    return Project.code.startswith(q.upper(), autoescape=True)


def entry_match(
    q: str, words: list[str], *, by_scope: bool = False, bind: bool = False, assets: bool = False
) -> sa.ColumnElement[bool]:
    """SQL: the entry's text holds the words, or the entry is one that `q` names exactly or by
    the start of its code (`named`): each part by its own index, never an OR that would
    read every entry. `bind`: the words' values as `text_match`'s `bind`, the code and the
    numbers as `named`'s; `assets`: as `text_match`'s."""
    exact = named(q, bind=bind)
    if not exact:
        return text_match(words, by_scope=by_scope, bind=bind, assets=assets)
    texts = sa.select(SearchEntry.id).where(text_match(words, bind=bind, assets=assets))
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


def numbered(q: str, *, bind: bool = False) -> list[sa.Select[Any]]:
    """SQL: the ids of the entries of the filings and assets whose application or
    registration number is exactly `q`, one SELECT per number column (each by its own
    index); none when `q` cannot be a number. PostgreSQL's text parser splits
    `10-2024-0041234` into a number and signed numbers, so the words of the query cannot
    find it; the columns can. `bind`: the ways `q` may be written are a bind parameter
    named `numbers` without a value (`named_values` gives it)."""
    forms: Any = _numbers(q)
    if not forms:
        return []
    if bind:
        forms = sa.bindparam("numbers", expanding=True)
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


def named(q: str, *, bind: bool = False) -> list[sa.Select[Any]]:
    """SQL: the ids of the entries `q` names, by an exact number (`numbered`) or as the start
    of a project's code (`code_match`: the project's entry), one SELECT per index used (for
    one flat UNION). `bind`: the code and the numbers are bind parameters without values
    (`named_values` gives them).

    The project's entries are those of the projects whose code matches (`project_id IN`):
    the same rows as joining each project entry to its project, but read from the projects'
    codes and then each such project's entries (10,000 codes at 10k projects, ~0.8 ms on
    SQLite), where SQLite's plan of the join read every project's entry, text and all, to
    join it (~5 ms). On SQLite the record type is written `+search_entries.record_type`, so
    that its index (every project's entry) is never the one that drives the lookup."""
    code = code_match(q, bind=bind)
    record_type: Any = SearchEntry.record_type
    if code is not None and db.session.get_bind().dialect.name == "sqlite":
        record_type = sa.literal_column("+search_entries.record_type")
    coded = (
        [
            sa.select(SearchEntry.id).where(
                record_type == "project",
                SearchEntry.project_id.in_(sa.select(Project.id).where(code)),
            )
        ]
        if code is not None
        else []
    )
    return [*coded, *numbered(q, bind=bind)]


def named_shape(q: str) -> tuple[bool, bool]:
    """What a statement built with `bind` depends on in `q` besides its words (`named`):
    whether `q` may be the start of a project code, and whether it may be a number."""
    return CODE_LIKE.fullmatch(q) is not None, bool(_numbers(q))


def named_values(q: str) -> dict[str, Any]:
    """The values of the bind parameters of `named(q, bind=True)`: `code` (a project code's
    start, and the code whose project's entry ranks first) and `numbers` (the ways `q` may
    be written as a number)."""
    return {"code": q.upper(), "numbers": _numbers(q)}


def visible_hits(
    stmt: sa.Select[Any],
    user: User,
    q: str,
    words: list[str],
    narrow: bool,
    *,
    bind: bool = False,
    assets: bool = False,
) -> tuple[sa.Select[Any], Any]:
    """`stmt` (a SELECT over `SearchEntry`) narrowed to the entries matching `q` that `user`
    may see, and the column that orders them newest first.

    For everyone's scope on SQLite the word or trigram index is the statement's first table
    (joined by rowid): its hits are read in its own rowid order, one by one, never gathered
    into a list first. A narrow scope (`narrow`) walks its projects' entries and tests each
    against the match (`+search_entries.id` keeps SQLite from walking every entry by id).
    `bind`, `assets`: as `text_match`'s (`assets`: `stmt` reads only `ASSET_WORDS`). On
    SQLite, for everyone's scope, a caller who may not see advice (`sees_hidden`) has the word
    prefixes asked of the word index without it (`OPEN_FTS_TABLE`): the same entries kept,
    none read to be dropped."""
    conditions: list[sa.ColumnElement[bool]] = [SearchEntry.action.in_(allowed_actions(user))]
    if narrow:
        stmt = stmt.join(Project, Project.id == SearchEntry.project_id)
        conditions.append(policy.visible_projects(user))
    dialect = db.session.get_bind().dialect.name
    order: Any = SearchEntry.id
    if dialect == "sqlite" and narrow:
        order = sa.literal_column("+search_entries.id")
    if dialect == "sqlite" and not narrow and not any(named_shape(q)):
        parts, prefixes = split_words(words)
        open_only = not sees_hidden(user)
        words_table = _words_table(assets, open_only)
        table, name = (TRIGRAM_TABLE, "parts") if parts else (words_table, "prefixes")
        index = sa.table(table, sa.column("rowid"))
        stmt = stmt.join(index, index.c.rowid == SearchEntry.id)
        match = _bound(name, match_values(words), bind)
        conditions.append(sa.literal_column(table).op("MATCH")(match))
        if parts and prefixes:  # the word index as a list beside the trigram index
            hits = _sqlite_hits([], prefixes, bind=bind, assets=assets, open_only=open_only)[0]
            conditions.append(SearchEntry.id.in_(hits))
        order = index.c.rowid
    else:
        conditions.append(entry_match(q, words, by_scope=narrow, bind=bind, assets=assets))
    return stmt.where(*conditions), order


#: indexes that one database has and the models do not declare: `ip_assets (next_due_on DESC
#: NULLS LAST, id DESC)` on PostgreSQL (migration 0031; SQLite's index definitions take no
#: `NULLS LAST`, and its ascending index already serves that order backwards), and
#: PostgreSQL's block-range index of the entries' ids (migration 0038, `search_results._window`)
UNDECLARED_INDEXES = frozenset({"ix_ip_assets_next_due_desc", "ix_search_entries_id_ranges"})


def alembic_include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic `include_object`: skip the per-database full-text objects (named "*fts*") and
    `UNDECLARED_INDEXES`, which exist in the database but not in the models."""
    if not (reflected and compare_to is None and name is not None):
        return True
    return "fts" not in name and name not in UNDECLARED_INDEXES
