"""What a self-sealed append costs: its statements, the same on SQLite and PostgreSQL (the
head and the queue read in one SELECT, the places and the head's move in one UPDATE on
PostgreSQL); and the event `record` inserts without a flush behaves as a flushed one when
its savepoint or transaction rolls back."""

from __future__ import annotations

import sqlalchemy as sa

from tests.support import statements
from tracker.audit import sealing
from tracker.audit.models import AuditEvent, AuditHead
from tracker.audit.service import record
from tracker.audit.verify import verify_chain
from tracker.db import db


def _audit_statements(seen: list[str]) -> list[str]:
    """The statements of the append and its seal (not the test's SAVEPOINTs)."""
    return [s for s in seen if "audit" in s or "advisory" in s]


def test_a_self_sealed_append_costs_four_statements(app):
    """INSERT, the lock (PostgreSQL; SQLite's BEGIN IMMEDIATE is the lock), the head with the
    queue, the places with the head's move (SQLite: one UPDATE of the events, one of the
    head): at most four, where the seal alone took five."""
    record("test.warm", object_type="test", object_id=1)
    db.session.commit()
    with statements() as seen:
        event = record("test.counted", object_type="test", object_id=2, detail={"n": 1})
        db.session.commit()
    ours = _audit_statements(seen)
    assert len(ours) == 4, ours
    assert event.seq == db.session.get(AuditHead, 1).seq  # sealed before the commit returned
    if db.engine.dialect.name == "postgresql":
        assert sum("FOR UPDATE" in s and "LEFT OUTER JOIN" in s for s in ours) == 1
        assert sum("unnest" in s and "audit_head" in s for s in ours) == 1


def test_a_seal_of_several_events_moves_the_head_once(app):
    """Events committed unsealed (a killed writer's) are sealed with the next writer's in the
    same two statements, in id order, and the chain verifies."""
    for n in range(3):
        record("test.left", object_type="test", object_id=n)
        db.session.info.pop(sealing.APPENDED)
        db.session.commit()
    with statements() as seen:
        record("test.next", object_type="test", object_id=9)
        db.session.commit()
    assert len(_audit_statements(seen)) == 4
    rows = db.session.execute(sa.select(AuditEvent.seq).order_by(AuditEvent.id)).scalars().all()
    assert list(rows) == sorted(rows) and rows[-4:] == [
        rows[-4],
        *range(rows[-4] + 1, rows[-1] + 1),
    ]
    result = verify_chain(app.extensions["tracker_keys"].audit_key, None)
    assert result.intact and result.unsealed == 0


def test_an_event_of_a_rolled_back_savepoint_leaves_the_session(app):
    """As the ORM does with a row its flush inserted: the event of a savepoint rolled back is
    taken out of the session and out of the events sealed at the commit; one written before
    the savepoint stays, and the next append (SQLite may give it the same id) works."""
    kept = record("test.kept", object_type="test", object_id=1)
    savepoint = db.session.begin_nested()
    gone = record("test.gone", object_type="test", object_id=2)
    savepoint.rollback()
    assert gone not in db.session and kept in db.session
    again = record("test.again", object_type="test", object_id=3)
    db.session.commit()
    actions = db.session.execute(
        sa.select(AuditEvent.action).where(AuditEvent.seq.is_not(None)).order_by(AuditEvent.seq)
    ).scalars()
    assert list(actions)[-2:] == ["test.kept", "test.again"]
    assert again.seq is not None and kept.seq == again.seq - 1


def test_an_event_of_a_rolled_back_transaction_leaves_the_session(app):
    event = record("test.gone", object_type="test", object_id=1)
    db.session.rollback()
    assert event not in db.session
    assert not db.session.info.get(sealing.APPENDED)
    assert db.session.execute(sa.select(AuditEvent.id)).first() is None


def test_an_unstorable_text_is_refused_before_the_insert(app):
    """The flush's rule for text columns holds for the event inserted without a flush."""
    import pytest

    from tracker.errors import InvalidInput

    before = _audit_rows()
    with pytest.raises(InvalidInput) as refused:
        record("test.\x00nul", object_type="test", object_id=1)
    assert "action" in refused.value.errors
    assert _audit_rows() == before  # nothing was inserted


def _audit_rows() -> int:
    return int(db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar())


def test_an_event_of_a_rolled_back_transaction_stays_readable(app):
    """As a flushed object rolled back becomes transient with its values: the event `record`
    returned can still be read after the rollback, and no later commit writes it again."""
    event = record("test.gone", object_type="test", object_id=1, detail={"n": 1})
    ident = event.id
    db.session.rollback()
    assert (event.action, event.detail, event.object_id, event.id) == (
        "test.gone",
        {"n": 1},
        1,
        ident,
    )
    assert event.seq is None and sa.inspect(event).transient
    record("test.next", object_type="test", object_id=2)
    db.session.commit()
    assert db.session.execute(sa.select(AuditEvent.action)).scalars().all() == ["test.next"]


def test_an_event_of_a_rolled_back_savepoint_stays_readable(app):
    kept = record("test.kept", object_type="test", object_id=1)
    savepoint = db.session.begin_nested()
    gone = record("test.gone", object_type="test", object_id=2, detail={"why": "savepoint"})
    savepoint.rollback()
    assert (gone.action, gone.detail) == ("test.gone", {"why": "savepoint"})
    assert sa.inspect(gone).transient and kept.action == "test.kept"
    db.session.commit()
    assert db.session.execute(sa.select(AuditEvent.action)).scalars().all() == ["test.kept"]


def test_an_event_written_before_a_rolled_back_savepoint_is_sealed_at_the_commit(app):
    """A savepoint's rollback takes only its own events from those sealed at the commit: the
    one written before it is sealed when the commit returns, though nothing more was
    recorded after the savepoint."""
    kept = record("test.kept", object_type="test", object_id=1)
    savepoint = db.session.begin_nested()
    record("test.gone", object_type="test", object_id=2)
    savepoint.rollback()
    assert db.session.info.get(sealing.APPENDED) == [kept]
    db.session.commit()
    rows = db.session.execute(sa.select(AuditEvent.action, AuditEvent.seq)).all()
    assert [(row.action, row.seq) for row in rows] == [("test.kept", kept.seq)]
    assert kept.seq is not None and kept.seq == db.session.get(AuditHead, 1).seq
    result = verify_chain(app.extensions["tracker_keys"].audit_key, None)
    assert result.intact and result.unsealed == 0 and result.events >= 1


def test_a_failed_flush_in_a_savepoint_takes_only_the_savepoint_s_events(app):
    """A flush that fails inside a savepoint rolls the savepoint back (its inner transaction
    ends first): the events written before the savepoint stay to be sealed at the commit."""
    import pytest

    kept = record("test.kept", object_type="test", object_id=1)
    savepoint = db.session.begin_nested()
    gone = record("test.gone", object_type="test", object_id=2)
    db.session.add(AuditHead(id=1, seq=0, mac="0" * 64))  # the head row exists: refused
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    savepoint.rollback()
    assert db.session.info.get(sealing.APPENDED) == [kept] and gone.action == "test.gone"
    db.session.commit()
    assert kept.seq is not None and kept.seq == db.session.get(AuditHead, 1).seq
    assert db.session.execute(sa.select(AuditEvent.action)).scalars().all() == ["test.kept"]


def test_an_append_encodes_its_detail_once(app, monkeypatch):
    """The detail is encoded to JSON once: the row stores that text as it is and the MAC
    covers it (no encoding again for the column, none to read it back); the event shows the
    detail as the column reads it back (integer keys as strings), and the chain verifies."""
    import json

    encodings: list[object] = []
    encode = json.dumps

    def counted(value: object, *args: object, **kwargs: object) -> str:
        encodings.append(value)
        return encode(value, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(json, "dumps", counted)
    event = record("test.encoded", object_type="test", object_id=1, detail={1: "één", "b": [2]})
    assert len(encodings) == 1, encodings
    monkeypatch.undo()
    assert event.detail == {"1": "één", "b": [2]}
    db.session.commit()
    stored = db.session.execute(
        sa.select(sa.cast(AuditEvent.detail, sa.Text)).where(AuditEvent.id == event.id)
    ).scalar_one()
    assert stored == json.dumps({"1": "één", "b": [2]})
    db.session.expire(event)
    assert event.detail == {"1": "één", "b": [2]} and event.seq is not None
    result = verify_chain(app.extensions["tracker_keys"].audit_key, None)
    assert result.intact and result.unsealed == 0


def test_an_appended_event_is_built_as_a_loaded_row(app):
    """`record` builds its event as the ORM's loading does, without the constructor (whose
    attribute events cost more than the INSERT's own Python): no `init` event fires, and the
    event is persistent in the session with every column's value and nothing to flush."""
    inits: list[object] = []

    def init(target: object, args: object, kwargs: object) -> None:
        inits.append(target)

    sa.event.listen(AuditEvent, "init", init)
    try:
        event = record("test.built", object_type="test", object_id=3, detail={"n": 1})
    finally:
        sa.event.remove(AuditEvent, "init", init)
    assert inits == []
    state = sa.inspect(event)
    assert state.persistent and not state.modified and event in db.session
    assert (event.action, event.object_type, event.object_id, event.detail) == (
        "test.built",
        "test",
        3,
        {"n": 1},
    )
    assert event.seq is None and len(event.mac) == 64 and event.at is not None
    assert not db.session.dirty and not db.session.new
