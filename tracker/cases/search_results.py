"""One page of a search across records (`find`): the newest hits the caller may see (the
window), their rank, the page and its total (counted up to `search.COUNT_LIMIT` hits and
estimated beyond); and the same capped count for other lists (`estimated_total`)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import redis
import sqlalchemy as sa
from flask import current_app, has_app_context

from tracker import keys, policy, records
from tracker.auth.models import User
from tracker.cases import search
from tracker.cases.models import SearchEntry
from tracker.cases.projects.models import Project
from tracker.db import BuiltOnce, Remembered, condition_key, database_key, db

log = logging.getLogger(__name__)

#: the length of a result's snippet, in characters
SNIPPET = 160


@dataclass(frozen=True)
class Hits:
    """One page of a search across records: rows (kind, record_id, project_id, project_code,
    title, snippet), the total, and whether the total is an estimate."""

    items: list[dict[str, Any]]
    total: int
    estimated: bool


def _heading_match(
    words: list[str], *, lowest: Any = None, highest: Any = None, entry_id: Any = None
) -> sa.ColumnElement[bool]:
    """SQL: every word is among the words that name the entry (its heading). Used to rank the
    hits, so it is tested on the hits only: word-parts by position in the heading, word
    prefixes by the heading's own full-text index (SQLite) or its words (PostgreSQL). The
    words are bind parameters without values (`_values` gives them). `lowest`, `highest`
    (SQL): no hit tested has an id outside them, so the heading's index is read between them
    only (SQLite). `entry_id`: the column holding the entry's id (default
    `search_entries.id`), for word prefixes on SQLite, the only test that needs no column of
    the entry's row."""
    parts, prefixes = search.split_words(words)
    dialect = db.session.get_bind().dialect.name
    position = sa.func.strpos if dialect == "postgresql" else sa.func.instr
    conditions = [
        position(sa.func.lower(SearchEntry.heading), sa.bindparam(f"heading_{i}", type_=sa.String))
        > 0
        for i in range(len(parts))
    ]
    if prefixes and dialect == "postgresql":
        tsquery = sa.bindparam("tsquery", type_=sa.String)
        simple: Any = sa.literal_column("'simple'")
        conditions.append(
            sa.func.to_tsvector(simple, SearchEntry.heading).bool_op("@@")(
                sa.func.to_tsquery(simple, tsquery)
            )
        )
    elif prefixes:
        fts = sa.table(search.HEADING_TABLE, sa.column("rowid"))
        match = sa.bindparam("prefixes", type_=sa.String)
        heads = sa.select(fts.c.rowid).where(
            sa.literal_column(search.HEADING_TABLE).op("MATCH")(match)
        )
        if lowest is not None:  # the index reads its hits from this id up only
            heads = heads.where(fts.c.rowid >= lowest)
        if highest is not None:  # and no further up than this id
            heads = heads.where(fts.c.rowid <= highest)
        conditions.append((SearchEntry.id if entry_id is None else entry_id).in_(heads))
    return sa.and_(*conditions)


def _exact_conditions(
    q: str, *, bind: bool = False, entry_id: Any = None
) -> list[sa.ColumnElement[bool]]:
    """SQL: the entry is the record `q` names exactly (a project by its whole code, a filing
    or an asset by its number); none when `q` can name no record. `bind`: the code and the
    numbers are bind parameters without values (`search.named_values`). `entry_id`: the
    column holding the entry's id for a number (default `search_entries.id`)."""
    exact: list[sa.ColumnElement[bool]] = []
    if search.CODE_LIKE.fullmatch(q):
        code: Any = sa.bindparam("code", type_=sa.String) if bind else q.upper()
        exact.append(sa.and_(SearchEntry.record_type == "project", Project.code == code))
    numbers = search.numbered(q, bind=bind)
    if numbers:
        exact.append((SearchEntry.id if entry_id is None else entry_id).in_(sa.union(*numbers)))
    return exact


def _rank(
    q: str, words: list[str], *, lowest: Any = None, highest: Any = None, entry_id: Any = None
) -> sa.ColumnElement[int]:
    """SQL: a hit's rank: 0 for the record `q` names exactly (`_exact_conditions`), 1 for a
    hit among the words that name a record (its title, code or numbers), 2 for a hit only in
    the rest of its text. `lowest`, `highest`: no hit ranked has an id outside them (SQL), so
    the heading's index is read between them only (SQLite). `entry_id`: as
    `_heading_match`'s (`_ranked_without_rows`). The code and numbers are bind parameters
    without values (`_values`)."""
    exact = _exact_conditions(q, bind=True, entry_id=entry_id)
    whens: list[tuple[sa.ColumnElement[bool], int]] = []
    if exact:
        whens.append((sa.or_(*exact), 0))
    whens.append((_heading_match(words, lowest=lowest, highest=highest, entry_id=entry_id), 1))
    return sa.case(*whens, else_=2)


def _ranked_without_rows(q: str, words: list[str]) -> bool:
    """Whether `_rank` needs no column of an entry's row besides its id: on SQLite, for word
    prefixes and numbers (the heading's and the numbers' indexes give ids), not for
    word-parts (their position in the heading) nor a code (the project's)."""
    parts, _prefixes = search.split_words(words)
    dialect = db.session.get_bind().dialect.name
    return dialect == "sqlite" and not parts and not search.CODE_LIKE.fullmatch(q)


def find(user: User, q: str, page: int, per_page: int) -> Hits:
    """The records matching `q` that `user` may see, one page of them: the record `q` names
    exactly first (a project's code, a filing's number), then hits in what names a record
    (title, code, numbers), then hits only in the rest of its text; newest first within each.

    The caller's scope (`visible_projects`) and the actions of their role narrow the entries
    in the same statement as the match, so a hit never names a record the user may not see.

    One statement reads the newest search.COUNT_LIMIT + 1 hits (`_window`: by the full-text index
    in id order, or by the scope's projects for a narrow scope), ranks those only and returns
    the page with their count: the total, exact up to search.COUNT_LIMIT and estimated beyond from
    the ids the window spans (`_extrapolate`). When the window holds every hit its order is
    the order of all hits. When it is full, its page is still theirs if every row of it (and
    so every row before it) has the best rank a hit can have: the newest hits of that rank are
    all in the window. Otherwise (a far page, or a page reaching hits of a lower rank) one
    statement more ranks every hit, and a page past the window's hits counts them apart."""
    q = q.strip()
    words = search.query_words(q)
    if not words:
        return Hits([], 0, False)
    scope = policy.visible_projects(user)
    narrow = not isinstance(scope, sa.sql.elements.True_)
    offset = (page - 1) * per_page
    key = _bound_key(user, q, words, narrow)
    bound = _bounds.get(key)
    values = _values(q, words, bound, offset, per_page)
    first_statement = _first_statement(user, q, words, narrow, bound is not None)
    rows = _conn().execute(first_statement, values).all()
    if not rows and offset == 0:
        return Hits([], 0, False)
    if rows:
        first = rows[0]
        if first.hits > search.COUNT_LIMIT:  # a full window: where the next one may start
            _bounds.put(key, first.lowest)
        total, estimated = _extrapolate(first.hits, first.lowest, first.first_id, first.last_id)
        best = 0 if any(search.named_shape(q)) else 1
        if not estimated or (len(rows) == per_page and rows[-1].rank == best):
            # the window holds every hit, or every row of the page has the best rank
            return Hits(_items(rows, words), total, estimated)
    else:  # past the window's hits: its total apart
        total, estimated = _estimate(user, q, words, narrow, bound is not None, values)
    # a far page, or one reaching lower ranks of a full window: every hit ranked
    hits: Any = (
        sa.select(SearchEntry.id, _rank(q, words).label("rank"))
        .join(Project, Project.id == SearchEntry.project_id)
        .where(
            scope,
            SearchEntry.action.in_(search.allowed_actions(user)),
            search.entry_match(q, words, by_scope=narrow, bind=True),
        )
        .subquery()
    )
    rows = (
        _conn()
        .execute(
            _columns(hits).order_by(hits.c.rank, hits.c.id.desc()).limit(per_page).offset(offset),
            values,
        )
        .all()
    )
    return Hits(_items(rows, words), total, estimated)


#: `find`'s first statement for a query that names no record, by `_first_statement`'s key:
#: built once per shape, its values bound when it runs (`_values`). Building it took about
#: 2 ms of Python per search, as much as the rest of the request's.
_FIRST: BuiltOnce[sa.Select[Any]] = BuiltOnce(256)


def _first_statement(
    user: User, q: str, words: list[str], narrow: bool, hinted: bool
) -> sa.Select[Any]:
    """SQL: `find`'s first statement (its values by `_values`): the window (`_window`, read
    from a hint when `hinted`), its page ranked, the window's count and lowest id, the
    table's first and last id. Kept per shape (`_FIRST`): a narrow scope's (a lawyer's
    projects, a company's) by its own condition and values too, so each such user has their
    own; a query that may name a record (a code, a number) by what it may name
    (`search.named_shape`), its code and numbers bound as its words are."""
    scope = condition_key(policy.visible_projects(user)) if narrow else None
    if narrow and scope is None:
        return _page_statement(user, q, words, narrow, hinted)
    shape = (
        db.session.get_bind().dialect.name,
        search.word_shape(words),
        search.named_shape(q),
        tuple(search.allowed_actions(user)),
        hinted,
        search.COUNT_LIMIT,
        scope,
    )
    return _FIRST.get(shape, lambda: _page_statement(user, q, words, narrow, hinted))


def _values(
    q: str, words: list[str], bound: int | None, offset: int, per_page: int
) -> dict[str, Any]:
    """The values of `find`'s statements: the words' patterns (`search.match_values`, and the
    word-parts as the heading is searched for them: `heading_0`...), the code and numbers
    `q` may name (`search.named_values`), the hint (`bound`) and the page."""
    parts, _prefixes = search.split_words(words)
    return {
        **search.match_values(words),
        **search.named_values(q),
        **{f"heading_{i}": w for i, w in enumerate(parts)},
        "bound": bound,
        "offset": offset,
        "per_page": per_page,
        "wanted": offset + per_page,
    }


def _page_statement(
    user: User, q: str, words: list[str], narrow: bool, hinted: bool
) -> sa.Select[Any]:
    """`_first_statement`, built."""
    window = _window(user, q, words, narrow, hinted).cte("hit_window").prefix_with("MATERIALIZED")
    lowest = sa.select(sa.func.min(window.c.id)).scalar_subquery()
    per_page = sa.bindparam("per_page", type_=sa.Integer)
    offset = sa.bindparam("offset", type_=sa.Integer)
    if db.session.get_bind().dialect.name == "postgresql" and not any(search.named_shape(q)):
        paged = _newest_by_rank(window, words)
    else:
        # the window's entries are ranked from their ids alone when the rank allows (the
        # entries' rows not read again: 1,001 lookups), and the heading's index is read
        # between the window's lowest and highest id (SQLite 10k, `module`: ~1,000 heading
        # hits listed instead of ~5,300)
        highest = sa.select(sa.func.max(window.c.id)).scalar_subquery()
        by_id = _ranked_without_rows(q, words)
        ranked: Any = sa.select(
            window.c.id,
            _rank(
                q, words, lowest=lowest, highest=highest, entry_id=window.c.id if by_id else None
            ).label("rank"),
            sa.func.count().over().label("hits"),
            sa.func.min(window.c.id).over().label("lowest"),
        )
        if not by_id:
            ranked = ranked.join(SearchEntry, SearchEntry.id == window.c.id)
        if search.CODE_LIKE.fullmatch(q):  # the rank compares the project's code
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
    return stmt.order_by(paged.c.rank, paged.c.id.desc())


def _conn() -> sa.Connection:
    """The session's connection: plain rows of Core statements, without the ORM's execution
    path (a search loads no record)."""
    return db.session.connection()


def _newest_by_rank(window: Any, words: list[str]) -> Any:
    """SQL (PostgreSQL, a query that names no record): the page of the window `window` (a CTE
    of entry ids), ranked as `_rank` ranks (1: a hit among the words that name a record, 2: the
    rest; newest first within each), with the window's count and lowest id (`hits`, `lowest`).

    The window is read newest first and a hit's heading is tested only until the page is
    full: the newest `offset + per_page` title hits, then (when they are fewer) the newest
    other hits, so a page of title hits tests a few dozen headings, not every hit's. The page
    is bound (`wanted`: its offset and length, `per_page`, `offset`)."""
    wanted = sa.bindparam("wanted", type_=sa.Integer)
    heading = _heading_match(words)

    def newest(rank: int, condition: Any, limit: Any) -> sa.Select[Any]:
        # the window in id order (a sorted sub-select), its entries' headings tested one by
        # one (a sub-select per row), so the LIMIT stops the tests as soon as it has its rows.
        # Joined instead, a small table's plan could merge the window with the whole table
        # read backwards by id and test every entry's heading on the way (1k projects: 9,100
        # headings for 50 rows)
        ordered = sa.select(window.c.id).order_by(window.c.id.desc()).offset(0).subquery()
        tested = sa.select(condition).where(SearchEntry.id == ordered.c.id).scalar_subquery()
        return (
            sa.select(ordered.c.id, sa.literal(rank).label("rank"))
            .where(tested)
            .order_by(ordered.c.id.desc())
            .limit(limit)
        )

    titled = newest(1, heading, wanted).cte("titled").prefix_with("MATERIALIZED")
    others = newest(
        2,
        sa.not_(heading),
        wanted - sa.select(sa.func.count()).select_from(titled).scalar_subquery(),
    )
    ranked = sa.union_all(sa.select(titled.c.id, titled.c.rank), others).subquery()
    return (
        sa.select(
            ranked.c.id,
            ranked.c.rank,
            sa.select(sa.func.count()).select_from(window).scalar_subquery().label("hits"),
            sa.select(sa.func.min(window.c.id)).scalar_subquery().label("lowest"),
        )
        .order_by(ranked.c.rank, ranked.c.id.desc())
        .limit(sa.bindparam("per_page", type_=sa.Integer))
        .offset(sa.bindparam("offset", type_=sa.Integer))
        .subquery()
    )


def _window(user: User, q: str, words: list[str], narrow: bool, hinted: bool) -> Any:
    """SQL: the ids of the newest search.COUNT_LIMIT + 1 entries matching `q` that `user` may see
    (`_hits`), so the window stops after search.COUNT_LIMIT + 1 hits without reading the rest.

    On PostgreSQL, for everyone's scope, when an earlier window of the same search reached down
    to id `bound` (`_bounds`; `hinted`, the value bound as `bound`), the hits from `bound` up
    are read from the indexes' hits (the full-text or trigram index's bitmap ANDed with the
    primary key's range, not a walk of every entry by id), and the newest of them taken; when
    they are fewer than the window, the walk by id goes on below `bound` for the rest. The same
    ids either way; `bound` only decides how many rows are read. The words are bound
    (`_values`)."""
    stmt, order = search.visible_hits(sa.select(SearchEntry.id), user, q, words, narrow, bind=True)
    limit = search.COUNT_LIMIT + 1
    if not hinted:
        return stmt.order_by(order.desc()).limit(limit)
    bound = sa.bindparam("bound", type_=sa.Integer)
    # the planner is shown neither the bound nor the words (sub-selects), so it plans the
    # range's hits from the indexes rather than walking the whole range by id; the actions
    # are written into the statement (not bound), so every plan of it, a prepared
    # statement's generic plan too, can read the indexes of the entries that everyone's
    # scope may see (`search.OPEN_INDEXES`)
    actions: sa.BindParameter[list[str]] = sa.bindparam(
        "open_actions", search.allowed_actions(user), expanding=True, literal_execute=True
    )
    above = (
        sa.select(SearchEntry.id)
        .where(
            SearchEntry.action.in_(actions),
            search.text_match(words, opaque=True, bind=True),
            SearchEntry.id >= sa.select(bound).scalar_subquery(),
        )
        .cte("hits_above")
        .prefix_with("MATERIALIZED")
    )
    newest = sa.select(above.c.id).order_by(above.c.id.desc()).limit(limit).cte("newest_above")
    below = (
        stmt.where(SearchEntry.id < bound)
        .order_by(order.desc())
        .limit(limit - sa.select(sa.func.count()).select_from(newest).scalar_subquery())
    )
    return sa.union_all(sa.select(newest.c.id), below)


class _Bounds:
    """Per process: the lowest id of the last full window of a search (`_bound_key`), a hint
    for the next window of the same search (`_window`); a few hundred searches at most.

    With `TRACKER_REDIS_URL` the hints are shared between processes and instances: a hint this
    process lacks is asked of Redis (once per search and process, so a hint held costs no round
    trip), and a new one is written there for an hour, named by an HMAC of the key under a key
    derived from the secret key (`_hint_name`: never the words, and no digest that someone
    reading Redis could recompute from candidate words). A hint only decides how many rows a
    window reads, never which, so a stale or foreign one costs time, not results. Without
    Redis, or while it does not answer (short timeouts; it is not asked again for `RETRY`
    seconds, and says so once in the log, by the error's class only), each process keeps its
    own."""

    SIZE = 256
    #: how long Redis keeps a hint (seconds)
    SHARED_FOR = 3600
    #: after a Redis error, how long each process searches without it (seconds)
    RETRY = 30.0
    PREFIX = "tracker:search-bound:"

    def __init__(self) -> None:
        self._ids: Remembered[int] = Remembered(self.SIZE)
        self._asked: Remembered[bool] = Remembered(self.SIZE)  # Redis had none for these
        self._clients: dict[str, Any] = {}
        self._failed_at = -self.RETRY

    def get(self, key: tuple[Any, ...] | None) -> int | None:
        if key is None:
            return None
        bound = self._ids.get(key)
        if bound is not None or self._asked.get(key):
            return bound
        self._asked.put(key, True)
        shared = self._shared(key)
        if shared is not None:
            self._ids.put(key, shared)
        return shared

    def put(self, key: tuple[Any, ...] | None, bound: int) -> None:
        if key is None:
            return
        known = self._ids.get(key)
        self._ids.put(key, bound)
        if known != bound:
            self._shared(key, bound)

    def keys(self) -> list[Any]:
        """What this process remembers searches by (a hint held, or Redis asked)."""
        return list(dict.fromkeys(self._ids.keys() + self._asked.keys()))

    def clear(self) -> None:
        self._ids.clear()
        self._asked.clear()

    def _shared(self, key: tuple[Any, ...], bound: int | None = None) -> int | None:
        """Redis's hint for `key`, or (given `bound`) `bound` written there; None when there is
        no Redis, it failed, or it holds nothing (or no number)."""
        url = current_app.config.get("TRACKER_REDIS_URL") if has_app_context() else None
        if not url or time.monotonic() - self._failed_at < self.RETRY:
            return None
        name = self.PREFIX + _hint_name(str(current_app.config["SECRET_KEY"]), key)
        try:
            client = self._clients.get(url)
            if client is None:
                client = self._clients[url] = redis.Redis.from_url(
                    url, socket_timeout=0.05, socket_connect_timeout=0.1
                )
            if bound is None:
                held: Any = client.get(name)
                return int(held) if isinstance(held, bytes) and held.isdigit() else None
            client.set(name, bound, ex=self.SHARED_FOR)
        except (redis.RedisError, OSError) as exc:
            self._failed_at = time.monotonic()
            # the error's class only: its text may name the key
            log.warning(
                "search hints: Redis did not answer (%s); each process keeps its own for %d s",
                type(exc).__name__,
                self.RETRY,
            )
        return None


_bounds = _Bounds()

#: HKDF label of the key that names the search hints in Redis (its own: no other use of the
#: secret key can be matched against them)
HINTS_INFO = b"tracker search hints"


@functools.lru_cache(maxsize=4)
def _hints_key(secret: str) -> bytes:
    return keys.derive(secret.encode(), HINTS_INFO)


def _hint_name(secret: str, key: tuple[Any, ...]) -> str:
    """The name of the hint for `key` (`_bound_key`) in Redis: HMAC-SHA256 of the key under a
    key derived from the secret key. The key's parts (the database's URL, a plain digest of the
    words, the actions) can be guessed, so a plain digest of them would let someone reading
    Redis test candidate words against the names; without the secret key they cannot."""
    return hmac.new(_hints_key(secret), repr(key).encode(), hashlib.sha256).hexdigest()


def _bound_key(user: User, q: str, words: list[str], narrow: bool) -> tuple[Any, ...] | None:
    """What a window's lowest id is remembered by (`_bounds`): the database, a digest of the
    words (the words themselves are not kept: they may name an unpublished invention) and the
    actions the caller may see; None when the window is not read by a bound (SQLite, a narrow
    scope, a query that names a record)."""
    if db.session.get_bind().dialect.name != "postgresql" or narrow or any(search.named_shape(q)):
        return None
    actions = tuple(sorted(search.allowed_actions(user)))
    return (database_key(), search.words_digest(words), actions)


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


def _estimate(
    user: User, q: str, words: list[str], narrow: bool, hinted: bool, values: dict[str, Any]
) -> tuple[int, bool]:
    """The total of a search (`find`) from its window alone: `(total, estimated)`."""
    window = _window(user, q, words, narrow, hinted).subquery()
    row = (
        _conn()
        .execute(
            sa.select(
                sa.func.count(),
                sa.func.min(window.c.id),
                sa.select(sa.func.min(SearchEntry.id)).scalar_subquery(),
                sa.select(sa.func.max(SearchEntry.id)).scalar_subquery(),
            ).select_from(window),
            values,
        )
        .one()
    )
    return _extrapolate(*row)


def estimated_total(hits: sa.Select[Any], key: Any) -> tuple[int, bool]:
    """The number of rows `hits` selects (its first column: `key`, an indexed integer id),
    exact up to search.COUNT_LIMIT; beyond, estimated from how much of the id range of `key`'s table
    the first search.COUNT_LIMIT hits (highest ids first) span: `(total, estimated)`. One statement
    that reads search.COUNT_LIMIT + 1 hits at most, where an exact count would read every hit."""
    return _extrapolate(*_first_hits(hits, key, search.COUNT_LIMIT))


def sampled_total(
    hits: sa.Select[Any], key: Any, sample: int, params: Mapping[str, Any] | None = None
) -> tuple[int, bool] | None:
    """The number of rows `hits` selects from its first `sample` + 1 rows (highest `key`
    first), for a list whose every row is costly to test (a common word asked of each asset):
    exact when they are `sample` or fewer; the estimate they give (as `estimated_total`'s)
    when it is search.SAMPLE_TRUSTED or more, so the list holds far more rows than a count
    would read; else None (the caller counts the rows another way). `params`: the values of
    `hits`' named parameters (a statement built once, `search.assets_matching`)."""
    return sampled(*_first_hits(hits, key, sample, params), sample)


def sampled(
    count: int, lowest: int | None, first_id: int, last_id: int, sample: int
) -> tuple[int, bool] | None:
    """`sampled_total` from `count` rows (at most `sample` + 1, highest ids first) reaching
    down to id `lowest`, among ids `first_id`..`last_id` of the table."""
    if count <= sample:
        return int(count), False
    assert lowest is not None
    guess = _spread(sample, lowest, first_id, last_id)
    if guess >= search.SAMPLE_TRUSTED:
        return guess, True
    return None


def sample_columns(key: Any, sample: int) -> list[sa.ColumnElement[Any]]:
    """Columns beside every row of a list of `key` ids for `sampled`: the id `sample` + 1
    highest among the list's rows (none when they are fewer), and the table's lowest and
    highest id."""
    return [
        sa.func.nth_value(key, sample + 1)
        .over(order_by=key.desc(), rows=(None, None))
        .label("sample_lowest"),
        # of the whole table, not of the list's row (no correlation)
        sa.select(sa.func.min(key)).correlate(None).scalar_subquery().label("first_id"),
        sa.select(sa.func.max(key)).correlate(None).scalar_subquery().label("last_id"),
    ]


def _first_hits(
    hits: sa.Select[Any], key: Any, limit: int, params: Mapping[str, Any] | None = None
) -> tuple[int, int, int, int]:
    """How many of the first `limit` + 1 rows of `hits` (highest `key` first) there are, the
    lowest `key` among them, and the lowest and highest `key` of its table."""
    first = hits.order_by(key.desc()).limit(limit + 1).subquery()
    row = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.min(first.c[0]),
            sa.select(sa.func.min(key)).scalar_subquery(),
            sa.select(sa.func.max(key)).scalar_subquery(),
        ).select_from(first),
        params,
    ).one()
    return int(row[0]), row[1], row[2], row[3]


def _extrapolate(count: int, lowest: int, first_id: int, last_id: int) -> tuple[int, bool]:
    """`count` hits (at most search.COUNT_LIMIT + 1, highest ids first) reaching down to id `lowest`
    among ids `first_id`..`last_id`: the exact count, or beyond search.COUNT_LIMIT an estimate that
    assumes the rest of the id range holds hits as densely."""
    if count <= search.COUNT_LIMIT:
        return int(count), False
    return _spread(search.COUNT_LIMIT, lowest, first_id, last_id), True


def _spread(count: int, lowest: int, first_id: int, last_id: int) -> int:
    """The estimated number of hits among ids `first_id`..`last_id` when `count` of them lie
    above id `lowest` (the next one at `lowest`): as densely everywhere, rounded."""
    spanned = (last_id - lowest + 1) / (last_id - first_id + 1)
    return _round(count / spanned)


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
