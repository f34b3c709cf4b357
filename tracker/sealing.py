"""Sealed text: sensitive text columns encrypted at rest under a data key per project.

A sealed column (`sealed_column`) holds ``sealed:1:`` and the base64 of nonce ‖ ciphertext ‖
tag of AES-256-GCM under the project's data key, with the table, the column and the row id as
associated data: a value copied to another row, another column or another table fails. The
data key (256 bits, random) is kept in `project_keys`, wrapped by the key file's active KEK
(`KeyRing.seal`, the project id as context); `keys rotate` re-wraps it (`rewrap_project_keys`).

The Python attribute holds the plain text; the database never does:

- at flush, `before_update` swaps a changed value for its sealed form and `after_update` puts
  the plain text back as the committed value; a new row is inserted with a placeholder, and
  `after_insert` (the row id is known only then) writes the sealed value with an UPDATE on
  the flush's own connection;
- on load and refresh the value is unsealed into the attribute; a value that does not
  authenticate (altered, moved, or plain text put there by someone with the database) raises
  `SealedTextError`, so wrong text is never shown as true (the web layer audits it);
- the column type refuses anything but a sealed value or the placeholder: a bulk UPDATE that
  bypasses the events cannot write plain text.

Data keys are cached per process once unwrapped (one statement loads every project's wrapped
key on a miss, so a list costs the same whatever number of projects it spans); a value that
fails under a cached key is retried once with the key as the database now holds it (a
restore, say). Writing always reads the key row first, so nothing is sealed under a key the
database does not hold.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Mapper, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from tracker import keys
from tracker.db import Model, UTCDateTime, db, utcnow
from tracker.errors import SealedTextError

PREFIX = "sealed:1:"
#: what a new row holds for the moment between its INSERT and the UPDATE that seals it
PENDING = "sealed:pending"
TEXT_AD = b"tracker sealed text v1|"
KEY_CONTEXT = b"tracker project key v1|"


class ProjectKey(Model):
    """A project's data key for sealed text, wrapped by a KEK of the key file."""

    __tablename__ = "project_keys"

    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    kek_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    wrapped_key: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SealedText(sa.types.TypeDecorator[str]):
    """The column type of sealed text: stores only sealed values (or NULL)."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is None or value == PENDING or value.startswith(PREFIX):
            return value
        raise ValueError("plain text given to a sealed column")


def sealed_column(max_length: int, *, nullable: bool, default: str | None = None) -> Any:
    """A sealed text column of a model that has a `project_id`; `max_length` is the limit of
    the plain text (`tracker.db.text_limit`), `default` the plain text a new row left without
    one gets (sealed like any other)."""
    return mapped_column(
        SealedText,
        nullable=nullable,
        info={"max_length": max_length, "sealed": True, "sealed_default": default},
    )


_SEALED_BY_MAPPER: dict[Mapper[Any], list[str]] = {}


def sealed_columns(mapper: Mapper[Any]) -> list[str]:
    """The attribute names of a mapper's sealed columns."""
    found = _SEALED_BY_MAPPER.get(mapper)
    if found is None:
        found = _SEALED_BY_MAPPER[mapper] = [
            a.key
            for a in mapper.column_attrs
            if isinstance(a.columns[0], sa.Column) and a.columns[0].info.get("sealed")
        ]
    return found


# --- sealing one value -----------------------------------------------------------------------


def _ad(table: str, column: str, row_id: int) -> bytes:
    return TEXT_AD + f"{table}|{column}|{row_id}".encode()


def seal_value(dek: bytes, table: str, column: str, row_id: int, text: str) -> str:
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(dek).encrypt(nonce, text.encode(), _ad(table, column, row_id))
    return PREFIX + base64.b64encode(nonce + sealed).decode()


def open_value(dek: bytes, table: str, column: str, row_id: int, stored: str) -> str:
    """The plain text of a sealed value; InvalidTag (or ValueError) when it does not
    authenticate or is not a sealed value at all."""
    return _open_with(AESGCM(dek), table, column, row_id, stored)


def _open_with(cipher: AESGCM, table: str, column: str, row_id: int, stored: str) -> str:
    """`open_value` with the data key's cipher made already (a page opens many values)."""
    if not stored.startswith(PREFIX):
        raise ValueError("not a sealed value")
    raw = base64.b64decode(stored[len(PREFIX) :], validate=True)
    return cipher.decrypt(raw[:12], raw[12:], _ad(table, column, row_id)).decode()


def wrap_key(ring: keys.KeyRing, project_id: int, dek: bytes) -> tuple[str, bytes]:
    return ring.active_kek_id, ring.seal(dek, KEY_CONTEXT + str(project_id).encode())


def unwrap_key(ring: keys.KeyRing, project_id: int, wrapped: bytes) -> bytes:
    return ring.unseal(wrapped, KEY_CONTEXT + str(project_id).encode())


# --- data keys -------------------------------------------------------------------------------

_KEYS: sa.Table = ProjectKey.__table__  # type: ignore[assignment]


def _cache() -> dict[int, tuple[bytes, bytes | None]]:
    """project id -> (wrapped key, data key once unwrapped), per application."""
    cache: dict[int, tuple[bytes, bytes | None]]
    cache = current_app.extensions.setdefault("tracker_project_keys", {})
    return cache


def _ciphers() -> dict[int, tuple[bytes, AESGCM]]:
    """project id -> (data key, its cipher), per application: what `open_columns` opens a
    page's values with (made once per key, not once per value)."""
    ciphers: dict[int, tuple[bytes, AESGCM]]
    ciphers = current_app.extensions.setdefault("tracker_project_ciphers", {})
    return ciphers


def _unwrapped(project_id: int, wrapped: bytes) -> bytes:
    cache = _cache()
    hit = cache.get(project_id)
    if hit is not None and hit[0] == wrapped and hit[1] is not None:
        return hit[1]
    dek = unwrap_key(keys.current(), project_id, wrapped)
    cache[project_id] = (wrapped, dek)
    return dek


def key_for_writing(conn: sa.Connection, project_id: int) -> bytes:
    """The project's data key as the database holds it, created on first use."""
    wrapped = conn.execute(
        sa.select(_KEYS.c.wrapped_key).where(_KEYS.c.project_id == project_id)
    ).scalar_one_or_none()
    if wrapped is None:
        dek = secrets.token_bytes(32)
        kek_id, wrapped = wrap_key(keys.current(), project_id, dek)
        conn.execute(
            _KEYS.insert().values(
                project_id=project_id, kek_id=kek_id, wrapped_key=wrapped, created_at=utcnow()
            )
        )
        _cache()[project_id] = (wrapped, dek)
        return dek
    return _unwrapped(project_id, wrapped)


def _key_for_reading(conn: sa.Connection, project_id: int, fresh: bool) -> bytes | None:
    cache = _cache()
    if fresh or project_id not in cache:
        query = sa.select(_KEYS.c.project_id, _KEYS.c.wrapped_key)
        if fresh:
            query = query.where(_KEYS.c.project_id == project_id)
        for pid, wrapped in conn.execute(query):
            hit = cache.get(pid)
            if hit is None or hit[0] != wrapped:
                cache[pid] = (wrapped, None)
    hit = cache.get(project_id)
    if hit is None:
        return None
    return _unwrapped(project_id, hit[0])


# --- the mapper events -----------------------------------------------------------------------


def _project_id(target: Any) -> int:
    pid = target.project_id
    if pid is None and getattr(target, "project", None) is not None:
        pid = target.project.id
    if pid is None:
        raise ValueError(f"{type(target).__name__} has no project to seal its text under")
    return int(pid)


def _seal_target(conn: sa.Connection, mapper: Mapper[Any], target: Any, names: list[str]) -> None:
    dek = key_for_writing(conn, _project_id(target))
    table = mapper.local_table.name  # type: ignore[attr-defined]
    for key in names:
        column = mapper.columns[key].name
        setattr(target, key, seal_value(dek, table, column, target.id, target.__dict__[key]))


def _changed(mapper: Mapper[Any], target: Any, insert: bool) -> dict[str, str]:
    state = sa.inspect(target)
    plain: dict[str, str] = {}
    for key in sealed_columns(mapper):
        value = target.__dict__.get(key)
        if insert and key not in target.__dict__:
            value = mapper.columns[key].info.get("sealed_default")
        if value is None or value == PENDING:
            continue
        if insert or state.attrs[key].history.has_changes():
            plain[key] = value
    return plain


@event.listens_for(Model, "before_insert", propagate=True)
def _before_insert(mapper: Mapper[Any], _conn: sa.Connection, target: Any) -> None:
    plain = _changed(mapper, target, insert=True)
    if not plain:
        return
    target._tracker_sealing = plain
    for key in plain:
        setattr(target, key, PENDING)


@event.listens_for(Model, "after_insert", propagate=True)
def _after_insert(mapper: Mapper[Any], conn: sa.Connection, target: Any) -> None:
    plain: dict[str, str] | None = target.__dict__.pop("_tracker_sealing", None)
    if not plain:
        return
    dek = key_for_writing(conn, _project_id(target))
    table: sa.Table = mapper.local_table  # type: ignore[assignment]
    values = {
        mapper.columns[key].name: seal_value(
            dek, table.name, mapper.columns[key].name, target.id, text
        )
        for key, text in plain.items()
    }
    conn.execute(table.update().where(table.c.id == target.id).values(**values))
    for key, text in plain.items():
        set_committed_value(target, key, text)


@event.listens_for(Model, "before_update", propagate=True)
def _before_update(mapper: Mapper[Any], conn: sa.Connection, target: Any) -> None:
    plain = _changed(mapper, target, insert=False)
    if not plain:
        return
    target._tracker_sealing = plain
    _seal_target(conn, mapper, target, list(plain))


@event.listens_for(Model, "after_update", propagate=True)
def _after_update(_mapper: Mapper[Any], _conn: sa.Connection, target: Any) -> None:
    plain: dict[str, str] | None = target.__dict__.pop("_tracker_sealing", None)
    for key, text in (plain or {}).items():
        set_committed_value(target, key, text)


def _unseal(target: Any, context: Any, attrs: Any) -> None:
    mapper = sa.inspect(target).mapper
    names = [k for k in sealed_columns(mapper) if attrs is None or k in attrs]
    stored = {k: target.__dict__[k] for k in names if target.__dict__.get(k) is not None}
    if not stored:
        return
    conn = context.session.connection()
    table = mapper.local_table.name  # type: ignore[attr-defined]
    project_id = target.project_id
    for key, value in stored.items():
        column = mapper.columns[key].name
        set_committed_value(
            target, key, _open_stored(conn, project_id, (table, column, target), value)
        )


#: what a value that does not open raises: altered, not sealed, wrong key, key file lacks its KEK
_FAILURES = (InvalidTag, ValueError, binascii.Error, UnicodeDecodeError, keys.KeyFileError)


def _open_stored(
    conn: sa.Connection, project_id: int, where: tuple[str, str, Any], value: str
) -> str:
    table, column, target = where
    for fresh in (False, True):
        try:
            dek = _key_for_reading(conn, project_id, fresh)
            if dek is None:
                raise ValueError("the project has no data key")
            return open_value(dek, table, column, target.id, value)
        except _FAILURES as exc:
            reason = type(exc).__name__
    raise SealedTextError(getattr(target, "__audit_type__", table), target.id, column, reason)


def open_column(model: Any, key: str, row_id: int, project_id: int, stored: str | None) -> Any:
    """The plain text of the sealed attribute `key` of the `model` row `row_id`, read as a
    plain column (a lean list's row, not a loaded record): what loading the record would put
    there, and the same `SealedTextError` for a value that does not open."""
    if stored is None:
        return None
    return open_columns(model, key, [(row_id, project_id, stored)])[0]


def open_columns(model: Any, key: str, rows: Iterable[tuple[int, int, str | None]]) -> list[Any]:
    """`open_column` for the `(row_id, project_id, stored)` of many `model` rows (a page of a
    lean list), in their order: the model's names and the session's connection looked up
    once for them all; the same `SealedTextError` as `open_column` for a value that does not
    open."""
    mapper = sa.inspect(model)
    table, column = mapper.local_table.name, mapper.columns[key].name
    audit_type = getattr(model, "__audit_type__", table)
    conn = db.session.connection()
    # each row's data key as the application holds it (`_cache`, read once for the page) and
    # its cipher made once per key (`_ciphers`); a value that does not open so, or whose key
    # is not held yet, takes `_open_stored`'s way (the key read, a fresh one, else the error)
    cache, ciphers = _cache(), _ciphers()
    opened: list[Any] = []
    for row_id, project_id, stored in rows:
        if stored is None:
            opened.append(None)
            continue
        hit = cache.get(project_id)
        dek = None if hit is None else hit[1]
        if dek is not None:
            made = ciphers.get(project_id)
            if made is None or made[0] != dek:
                made = ciphers[project_id] = (dek, AESGCM(dek))
            try:
                opened.append(_open_with(made[1], table, column, row_id, stored))
                continue
            except _FAILURES:
                pass
        where = (table, column, _Row(row_id, audit_type))
        opened.append(_open_stored(conn, project_id, where, stored))
    return opened


class _Row:
    """What `_open_stored` reads of a record: its id and the name its events use."""

    def __init__(self, row_id: int, audit_type: str) -> None:
        self.id = row_id
        self.__audit_type__ = audit_type


def _on_load(target: Any, context: Any) -> None:
    _unseal(target, context, None)


def _on_refresh(target: Any, context: Any, attrs: Any) -> None:
    _unseal(target, context, attrs)


event.listen(Model, "load", _on_load, propagate=True)
event.listen(Model, "refresh", _on_refresh, propagate=True)


# --- key rotation ----------------------------------------------------------------------------


def rewrap_project_keys(session: Any) -> tuple[int, int, list[int]]:
    """Re-wrap every project key not under the active KEK (part of `keys rotate`); flushed,
    not committed. Returns (re-wrapped, still on an old key, projects whose key failed)."""
    ring = keys.current()
    rows = session.execute(
        sa.select(ProjectKey).where(ProjectKey.kek_id != ring.active_kek_id)
    ).scalars()
    done, failed = 0, []
    for row in rows:
        try:
            dek = unwrap_key(ring, row.project_id, row.wrapped_key)
        except (InvalidTag, keys.KeyFileError, ValueError, IndexError):
            failed.append(row.project_id)
            continue
        row.kek_id, row.wrapped_key = wrap_key(ring, row.project_id, dek)
        done += 1
    session.flush()
    return done, project_keys_on_old_keys(session), failed


def project_keys_on_old_keys(session: Any) -> int:
    ring = keys.current()
    return int(
        session.execute(
            sa.select(sa.func.count())
            .select_from(ProjectKey)
            .where(ProjectKey.kek_id != ring.active_kek_id)
        ).scalar_one()
    )
