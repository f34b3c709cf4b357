"""Audit events are appended unsealed and sealed into the chain in batches

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-06

Upgrade lets `seq` be empty (an event gets its place in the chain when it is sealed), adds
`form` (how the MAC input is encoded: 1 for every event written so far, whose MACs stay valid
and are checked as before; 2 for events sealed from now on) and a partial index of the unsealed
events (the sealer's queue).

Downgrade needs the audit key (it runs inside the app, which has it): the older release
checks every event with the first encoding and cannot hold an unsealed one, so the unsealed
events are sealed, and the events of form 2 and every event after the first of them get their
MACs again in the first encoding (the chain is checked before: a broken chain is not rewritten).
"""

import hashlib
import hmac

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0011"
branch_labels = None
depends_on = None

UNSEALED = "seq IS NULL"


def upgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("form", sa.SmallInteger(), nullable=False, server_default="1")
        )
        batch_op.alter_column("seq", existing_type=sa.BigInteger(), nullable=True)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("form", existing_type=sa.SmallInteger(), server_default=None)
        batch_op.create_index(
            "ix_audit_events_unsealed",
            ["id"],
            unique=False,
            postgresql_where=sa.text(UNSEALED),
            sqlite_where=sa.text(UNSEALED),
        )


def downgrade():
    conn = op.get_bind()
    needs_key = conn.execute(
        sa.text("SELECT count(*) FROM audit_events WHERE seq IS NULL OR form <> 1")
    ).scalar()
    if needs_key:
        _rechain(conn)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_unsealed")
        batch_op.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
        batch_op.drop_column("form")


def _rechain(conn):
    """Seal what is unsealed, then MAC every event from the first of form 2 on in the first
    encoding (the JSON object of tracker.audit.service.canonical), and move the head."""
    from tracker import keys
    from tracker.audit import sealing
    from tracker.audit.verify import verify_chain

    key = keys.current().audit_key
    session = sa.orm.Session(bind=conn)
    if sealing.unsealed(session):
        sealing.seal_locked(session, key)
    result = verify_chain_on(session, key, verify_chain)
    if result.problem is not None:
        raise RuntimeError(f"the audit chain is broken ({result.problem.kind}): not rewritten")
    first = conn.execute(sa.text("SELECT min(seq) FROM audit_events WHERE form <> 1")).scalar()
    previous = (
        conn.execute(
            sa.text("SELECT mac FROM audit_events WHERE seq = :s"), {"s": first - 1}
        ).scalar()
        or "0" * 64
    )
    from tracker.audit.models import AuditEvent
    from tracker.audit.service import canonical

    c = AuditEvent.__table__.c
    rows = conn.execute(
        sa.select(
            c.id, c.seq, c.at, c.actor_id, c.action, c.object_type, c.object_id, c.ip, c.detail
        )
        .where(c.seq >= first)
        .order_by(c.seq)
    ).all()
    updates = []
    for row in rows:
        previous = hmac.digest(key, bytes.fromhex(previous) + canonical(row), hashlib.sha256).hex()
        updates.append({"i": row.id, "m": previous})
    conn.execute(sa.text("UPDATE audit_events SET mac = :m, form = 1 WHERE id = :i"), updates)
    conn.execute(sa.text("UPDATE audit_head SET mac = :m WHERE id = 1"), {"m": previous})


def verify_chain_on(session, key, verify_chain):
    """`verify_chain` reading through this migration's connection."""
    from tracker.db import db

    original = db.session
    db.session = session
    try:
        return verify_chain(key, None)
    finally:
        db.session = original
