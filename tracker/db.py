"""Database objects shared by every domain: the declarative base, the session, column types."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import sqlite3
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import sqlalchemy as sa
from flask_babel import gettext
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

from tracker.errors import InvalidInput

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:
    # Flask-SQLAlchemy builds db.Model at run time; type checkers see the declarative base.
    Model = Base
else:
    Model = db.Model


@contextmanager
def own_transaction(reason: str) -> Iterator[None]:
    """Roll back whatever the request did, run the block and commit it on its own.

    The only way code commits inside a request (the request itself commits once at its end,
    in `tracker.web.hooks`). `reason` says why this write must survive the request's rollback;
    docs/architecture.md lists every use."""
    del reason  # documentation at the call site
    db.session.rollback()
    yield
    db.session.commit()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite keeps no offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def str_enum(*values: str, name: str) -> sa.Enum:
    """A portable enum: a VARCHAR with a named CHECK constraint on every database."""
    return sa.Enum(
        *values,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(v) for v in values),
        validate_strings=True,
    )


def text_limit(attr: Any) -> int:
    """The longest text the column behind a mapped attribute takes: its VARCHAR length, or for a
    Text or JSON column the `info={"max_length": N}` the model declares on it.

    Forms and API schemas read their `Length(max=...)` from here, so each limit is written once,
    on the model. A column with neither raises, so a forgotten limit fails at import time."""
    column = attr.property.columns[0]
    length = getattr(column.type, "length", None)
    if length is None:
        length = column.info.get("max_length")
    if not isinstance(length, int) or length <= 0:
        raise LookupError(f"column {column} declares no text limit")
    return length


_Built = TypeVar("_Built")


class BuiltOnce(Generic[_Built]):
    """Statements built once per key (a user as the policy sees them, a day, the filters) and
    kept: building a UNION of every record kind costs about as much as running it. Bounded:
    `size` keys at most, the least recently used forgotten first (many users' own statements
    do not push out everyone's), built anew when asked again. The key must hold every value
    the statement depends on."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._built: OrderedDict[Hashable, _Built] = OrderedDict()

    def get(self, key: Hashable, build: Callable[[], _Built]) -> _Built:
        found = self._built.get(key)
        if found is not None:
            with suppress(KeyError):  # forgotten meanwhile by another thread: still built
                self._built.move_to_end(key)
            return found
        found = self._built[key] = build()
        while len(self._built) > self.size:
            with suppress(KeyError):
                self._built.popitem(last=False)
        return found

    def kept(self) -> list[_Built]:
        """What is kept now (for tests: what a process holds in memory)."""
        return list(self._built.values())

    def clear(self) -> None:
        self._built.clear()


def condition_key(condition: sa.ColumnElement[Any]) -> Hashable | None:
    """What tells one SQL condition from another (a scope: `policy.visible_projects`), for the
    key of a statement built once (`BuiltOnce`): its shape and the values it holds (a lawyer's
    id, a zone); None when it cannot be told."""
    key = condition._generate_cache_key()
    if key is None:
        return None
    return (key.key, tuple(b.effective_value for b in key.bindparams))


_Value = TypeVar("_Value")


class Remembered(Generic[_Value]):
    """Per process: values by key (a hint a later request may use), `size` of them at most,
    the least recently used forgotten first; with `seconds`, each also forgotten that long
    after it was put (by the monotonic clock). A key of None is never remembered."""

    def __init__(self, size: int = 256, seconds: float | None = None) -> None:
        self.size = size
        self.seconds = seconds
        self._ids: OrderedDict[Hashable, tuple[_Value, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable | None) -> _Value | None:
        if key is None:
            return None
        with self._lock:
            found = self._ids.get(key)
            if found is None:
                return None
            if self.seconds is not None and time.monotonic() - found[1] > self.seconds:
                del self._ids[key]
                return None
            self._ids.move_to_end(key)
            return found[0]

    def put(self, key: Hashable | None, value: _Value) -> None:
        if key is None:
            return
        with self._lock:
            self._ids[key] = (value, time.monotonic())
            self._ids.move_to_end(key)
            while len(self._ids) > self.size:
                self._ids.popitem(last=False)

    def keys(self) -> list[Hashable]:
        with self._lock:
            return list(self._ids)

    def clear(self) -> None:
        with self._lock:
            self._ids.clear()


class _Watcher:
    """A connection of this process that only asks a SQLite file's `PRAGMA data_version`,
    with the file it opened (device and inode: a file put in place of it at the same path is
    another file) and a number of its own (a new watcher starts its count again)."""

    __slots__ = ("conn", "dev", "ino", "serial")

    def __init__(self, path: str, found: os.stat_result, serial: int) -> None:
        # `found` is taken before opening: if another file is put in place in between, the
        # next call sees that the path's file is not this one and opens another watcher
        self.conn = sqlite3.connect(path, check_same_thread=False)
        self.dev, self.ino, self.serial = found.st_dev, found.st_ino, serial


#: per SQLite file (its path) in this process: the watcher asked for `committed_state`
_WATCHERS: dict[str, _Watcher] = {}
_WATCHERS_LOCK = threading.Lock()
_WATCHER_SERIALS = itertools.count(1)
#: watchers a child process found after a fork: never used (SQLite's connections do not
#: cross a fork) and never closed there (closing could release the parent's file locks)
_INHERITED: list[_Watcher] = []
#: every `KeptWhileUnchanged`, emptied in a child process after a fork
_ALL_KEPT: weakref.WeakSet[KeptWhileUnchanged[Any]] = weakref.WeakSet()


def _sqlite_state(path: str) -> Hashable | None:
    """The state of the SQLite file at `path` as this process's watcher of it tells it: the
    process, the watcher, the file it reads and its `data_version`. A watcher whose file is no
    longer the one at `path` is closed and another opened; None when there is no file there
    (a watcher would create an empty one)."""
    try:
        found: os.stat_result | None = os.stat(path)
    except OSError:
        found = None
    with _WATCHERS_LOCK:
        watcher = _WATCHERS.get(path)
        if watcher is not None and (
            found is None or (found.st_dev, found.st_ino) != (watcher.dev, watcher.ino)
        ):
            del _WATCHERS[path]
            watcher.conn.close()
            watcher = None
        if found is None:
            return None
        if watcher is None:
            watcher = _WATCHERS[path] = _Watcher(path, found, next(_WATCHER_SERIALS))
        (version,) = watcher.conn.execute("PRAGMA data_version").fetchone()
        return ("sqlite", os.getpid(), watcher.serial, watcher.dev, watcher.ino, version)


def close_watchers(path: str | None = None) -> None:
    """Close this process's watchers (of the file at `path`, or all): the engine is disposed
    or the file is about to be replaced. The next `committed_state` opens another."""
    with _WATCHERS_LOCK:
        for key in [k for k in _WATCHERS if path is None or k == path]:
            _WATCHERS.pop(key).conn.close()


@event.listens_for(Engine, "engine_disposed")
def _close_watchers_on_dispose(engine: Engine) -> None:
    if engine.dialect.name == "sqlite" and engine.url.database:
        close_watchers(engine.url.database)


def _forget_after_fork() -> None:
    """In a child process after a fork: the parent's watchers are not this process's, and
    what the parent kept is not served here."""
    global _WATCHERS_LOCK
    _WATCHERS_LOCK = threading.Lock()  # the parent's may have been held by another thread
    _INHERITED.extend(_WATCHERS.values())
    _WATCHERS.clear()
    for kept in list(_ALL_KEPT):
        kept.forget()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


def committed_state() -> Hashable | None:
    """A value that changes whenever any connection or process commits a change to the
    database; None when it cannot be told, or when this session's own transaction has written,
    holds unflushed changes or is in a SAVEPOINT (what it reads is then not the committed
    state).

    PostgreSQL: the current snapshot (`pg_current_snapshot()`: the transactions that have
    completed; equal snapshots see the same committed rows). SQLite (a file): `PRAGMA
    data_version` of a connection of this process that never writes (`_sqlite_state`), which
    changes with every commit of any other connection, with the process, the watcher and the
    file it reads. Read it before computing what is kept under it, then call `read_from_now`:
    a commit after it changes it."""
    session = db.session
    if session.new or session.dirty or session.deleted:
        return None
    conn = session.connection()
    if conn.in_nested_transaction():
        return None  # a SAVEPOINT: its reads are not the committed state's
    if conn.dialect.name == "postgresql":
        snapshot, written = conn.exec_driver_sql(
            "SELECT pg_current_snapshot()::text, pg_current_xact_id_if_assigned() IS NOT NULL"
        ).one()
        return None if written else ("postgresql", id(conn.engine), snapshot)
    path = conn.engine.url.database
    if conn.dialect.name != "sqlite" or not path or path == ":memory:" or "mode=memory" in path:
        return None
    if not conn.info.get("tracker_deferred"):
        return None  # a transaction begun to write (or one that has written)
    return _sqlite_state(path)


def read_from_now() -> None:
    """Let this session's next statements read everything committed so far: SQLite keeps one
    snapshot per transaction, so a read transaction begun earlier in the request ends (it has
    written nothing: `committed_state` said so) and a new one begins. PostgreSQL's statements
    (READ COMMITTED) each read the latest committed rows anyway."""
    conn = db.session.connection()
    if conn.dialect.name == "sqlite" and conn.info.get("tracker_deferred"):
        raw = conn.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        raw.execute("COMMIT")
        raw.execute("BEGIN")


class KeptWhileUnchanged(Generic[_Built]):
    """Results kept per key while the database's committed state (`committed_state`) stays
    the one they were computed at: a result is served again only if nothing was committed
    since, by any process; else it is computed anew (and always when the state cannot be
    told). The key must hold what the result depends on besides the database (the user, the
    day, the locale). Every result kept is computed at one state: a new state empties it
    before anything is computed, so nothing computed earlier stays in memory. Bounded: at
    most `size` keys and, with `weigh`, `max_weight` in all (the oldest go first)."""

    def __init__(
        self,
        size: int,
        max_weight: int | None = None,
        weigh: Callable[[_Built], int] | None = None,
    ) -> None:
        self.size, self.max_weight, self.weigh = size, max_weight, weigh
        self._state: Hashable | None = None
        self._kept: OrderedDict[Hashable, tuple[_Built, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()
        _ALL_KEPT.add(self)

    def __len__(self) -> int:
        return len(self._kept)

    def forget(self) -> None:
        self._lock = threading.Lock()  # after a fork the parent's may have been held
        self._start(None)

    def _start(self, state: Hashable | None) -> None:
        """Keep nothing, and what is kept from now on is computed at `state`."""
        self._state, self._weight = state, 0
        self._kept.clear()

    def get(self, key: Hashable, compute: Callable[[], _Built]) -> _Built:
        state = committed_state()
        if state is None:
            return compute()
        with self._lock:
            if state == self._state:
                found = self._kept.get(key)
                if found is not None:
                    return found[0]
            else:
                self._start(None)
        read_from_now()
        value = compute()
        weight = self.weigh(value) if self.weigh is not None else 0
        with self._lock:
            if state != self._state:  # another thread kept results at another state
                self._start(state)
            old = self._kept.pop(key, None)
            if old is not None:
                self._weight -= old[1]
            if self.max_weight is not None and weight > self.max_weight:
                return value
            self._kept[key] = (value, weight)
            self._weight += weight
            while len(self._kept) > self.size or (
                self.max_weight is not None and self._weight > self.max_weight
            ):
                self._weight -= self._kept.popitem(last=False)[1][1]
        return value


def database_key() -> str:
    """The database this session reads, as part of the key of a per-process memory (its URL
    without the password): one process may serve several (tests do)."""
    return db.session.get_bind().engine.url.render_as_string(hide_password=True)


def among_ids(column: Any, ids: Sequence[int]) -> sa.ColumnElement[bool]:
    """`column IN (ids)` for a list of ids known in Python (a page's rows). On PostgreSQL
    it is `column = ANY(:ids)`, one array parameter: the statement's text is the same for
    every page (psycopg converts and prepares it once; an `IN` of 50 parameters is parsed
    again on every run, past psycopg's cache limit of 50 parameters, and SQLAlchemy expands
    it per run). SQLite has no arrays: `IN (…)` there."""
    if db.session.get_bind().dialect.name == "postgresql":
        array = sa.bindparam(None, [int(i) for i in ids], type_=ARRAY(sa.Integer))
        return column == sa.any_(array)
    return column.in_(ids)  # type: ignore[no-any-return]


def among_bound(column: Any, name: str) -> sa.ColumnElement[bool]:
    """`among_ids` for a statement built once and run with `{name: ids}`: one array
    parameter on PostgreSQL, an expanding `IN` on SQLite (the statement depends on the
    database: build it per database)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(name, type_=ARRAY(sa.Integer)))
    return column.in_(sa.bindparam(name, expanding=True))  # type: ignore[no-any-return]


#: how much of a SQLite database file is read through a memory map (bytes)
SQLITE_MMAP_SIZE = 1 << 30


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy emit BEGIN itself (pysqlite's own handling breaks SAVEPOINT).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # freed pages are zeroed: text that was changed or deleted does not linger in the file
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    # read the file through the operating system's page cache, shared by every connection and
    # process, instead of copying each page into the connection's own 2 MiB cache (a search
    # or a list over a large database reads thousands of pages and would miss that cache)
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_SIZE}")
    cursor.close()


#: whether SQLite transactions begun now start DEFERRED (set for the requests that only read:
#: GET, HEAD, OPTIONS, by `tracker.web.hooks`); everything else starts with BEGIN IMMEDIATE
_deferred_reads: ContextVar[bool] = ContextVar("tracker_deferred_reads", default=False)
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def defer_reads(on: bool) -> None:
    """Begin this context's SQLite transactions DEFERRED (`on`) or IMMEDIATE (the default)."""
    _deferred_reads.set(on)


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn: sa.Connection) -> None:
    if conn.dialect.name != "sqlite":
        return
    # A read-only request reads in a DEFERRED transaction: under WAL it runs beside a writer
    # instead of queueing for the write lock. Everything else takes the write lock at once, so
    # a read-then-write transaction never dead-locks on upgrade and the audit chain never forks.
    deferred = _deferred_reads.get()
    conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")
    conn.info["tracker_deferred"] = deferred


@event.listens_for(Engine, "before_cursor_execute")
def _sqlite_before_write(conn: sa.Connection, _cursor: Any, statement: str, *_args: Any) -> None:
    if conn.info.get("tracker_deferred") and statement.lstrip()[:7].upper().startswith(_WRITES):
        _take_write_lock(conn)


def _take_write_lock(conn: sa.Connection) -> None:
    """Turn a DEFERRED SQLite transaction that has only read into an IMMEDIATE one.

    SQLite cannot upgrade a read snapshot that another connection has since overtaken (it
    answers SQLITE_BUSY_SNAPSHOT, with no waiting), so the read transaction ends (it wrote
    nothing) and an IMMEDIATE one begins, waiting for the lock: the write and whatever it reads
    from then on see the latest data, as under PostgreSQL's READ COMMITTED. SQLAlchemy's own
    bookkeeping is untouched: its COMMIT or ROLLBACK ends the new transaction."""
    conn.info["tracker_deferred"] = False
    if conn.in_nested_transaction():
        raise RuntimeError("a SAVEPOINT inside a deferred read transaction cannot take the lock")
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    raw.execute("COMMIT")
    raw.execute("BEGIN IMMEDIATE")


def writing() -> None:
    """Hold the write lock from here on: call it before reading what a write depends on (the
    audit chain's head) in a request that began as a read. A no-op on PostgreSQL, where the
    reads are locked by `SELECT ... FOR UPDATE`, and in IMMEDIATE transactions."""
    conn = db.session.connection()
    if conn.info.get("tracker_deferred"):
        _take_write_lock(conn)


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given without a driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


#: the dates a record may hold: a year in 0006 or 9999 is a typing slip, not a fact
PLAUSIBLE_YEARS = (1900, 2200)


#: what no text column can hold: NUL (PostgreSQL refuses it) and unpaired surrogates (no
#: encoding can carry them; the database driver fails on them)
_UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")


@event.listens_for(sa.orm.Session, "before_flush")
def _refuse_unstorable_values(session: sa.orm.Session, _context: Any, _instances: Any) -> None:
    """Every date column of every new or changed row lies in PLAUSIBLE_YEARS and every text
    column holds storable text, or the flush is refused with InvalidInput (422) naming the
    fields: one rule for forms, API and CLI, the same on SQLite and PostgreSQL."""
    new = set(session.new)

    def changed() -> Iterator[tuple[str, sa.Column[Any], Any]]:
        for obj in (*session.new, *session.dirty):
            state = sa.inspect(obj)
            for attr in state.mapper.column_attrs:
                key = attr.key
                if key not in obj.__dict__:
                    continue
                # a changed row is judged on what changes: a value stored before the rule (an
                # old implausible date) must not block an edit of another field
                if obj not in new and not state.attrs[key].history.has_changes():
                    continue
                yield key, attr.columns[0], obj.__dict__[key]

    _refuse(changed())


def refuse_unstorable(table: sa.Table, values: dict[str, Any]) -> None:
    """The rule of `_refuse_unstorable_values` for a row inserted without the ORM's flush:
    InvalidInput (422) naming the fields of `values` that `table` could not store."""
    _refuse((key, table.c[key], value) for key, value in values.items())


def _refuse(values: Iterable[tuple[str, sa.Column[Any], Any]]) -> None:
    """InvalidInput (422) naming each field of `values` (name, column, value) whose value
    its column may not hold (`_refusal`), with every reason; nothing when all may."""
    errors: dict[str, list[str]] = {}
    for key, column, value in values:
        message = _refusal(column, value)
        if message is not None:
            errors.setdefault(key, []).append(message)
    if errors:
        raise InvalidInput(errors)


def _refusal(column: sa.Column[Any], value: Any) -> str | None:
    """Why `value` may not be stored in `column`, or None."""
    if isinstance(column.type, sa.Date) and isinstance(value, dt.date):
        if not PLAUSIBLE_YEARS[0] <= value.year <= PLAUSIBLE_YEARS[1]:
            return _implausible_message()
    elif isinstance(value, str):
        found = _UNSTORABLE_TEXT.search(value)
        if found is not None and found.group() == "\x00":
            return gettext("Text must not contain the NUL character.")
        if found is not None:
            return gettext("Text must not contain unpaired surrogate characters.")
    return None


def _implausible_message() -> str:
    return gettext(
        "Not a plausible date: give a year from %(first)d to %(last)d.",
        first=PLAUSIBLE_YEARS[0],
        last=PLAUSIBLE_YEARS[1],
    )
