"""A risk review may be saved as its author's draft before it is answered in full

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

Upgrade lets likelihood, impact, score and level be empty, and adds a CHECK constraint that
only a draft may leave them empty (a draft does not answer every factor yet). Downgrade
deletes every draft (the older release would show them to everyone, and cannot hold one
without a result), then makes the four columns required again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SCORED = (
    "status = 'draft' OR (likelihood IS NOT NULL AND impact IS NOT NULL"
    " AND score IS NOT NULL AND level IS NOT NULL)"
)
LEVEL = sa.Enum(
    "low", "medium", "high", "critical", name="level", native_enum=False, create_constraint=True
)


def _result_columns(batch_op, nullable):
    for name in ("likelihood", "impact", "score"):
        batch_op.alter_column(name, existing_type=sa.Integer(), nullable=nullable)
    batch_op.alter_column("level", existing_type=LEVEL, nullable=nullable)


def upgrade():
    with op.batch_alter_table("risk_reviews", schema=None) as batch_op:
        _result_columns(batch_op, True)
        batch_op.create_check_constraint("scored", SCORED)


def downgrade():
    op.execute("DELETE FROM risk_reviews WHERE status = 'draft'")
    with op.batch_alter_table("risk_reviews", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_risk_reviews_scored"), type_="check")
        _result_columns(batch_op, False)
