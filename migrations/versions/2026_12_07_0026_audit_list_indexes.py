"""Audit list indexes: each filter and sort column with the chain's number after it

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07

The audit list is newest first by `seq`, and its sorts break ties by `seq`: with `seq` in the
index after the actor, the action and the time, a filter on one of them (a lawyer reads their
own events: an actor filter) or a sort by one of them reads its page and its capped count
from the index in order, instead of walking the whole chain or sorting it. The three
composites replace the single-column indexes they start with. Downgrade restores those.
"""

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

#: (old single-column index, new composite index, columns)
INDEXES = [
    ("ix_audit_events_actor_id", "ix_audit_events_actor_seq", ["actor_id", "seq"]),
    ("ix_audit_events_action", "ix_audit_events_action_seq", ["action", "seq"]),
    ("ix_audit_events_at", "ix_audit_events_at_seq", ["at", "seq"]),
]


def upgrade():
    for old, new, columns in INDEXES:
        op.create_index(new, "audit_events", columns)
        op.drop_index(old, table_name="audit_events")


def downgrade():
    for old, new, columns in reversed(INDEXES):
        op.create_index(old, "audit_events", columns[:1])
        op.drop_index(new, table_name="audit_events")
