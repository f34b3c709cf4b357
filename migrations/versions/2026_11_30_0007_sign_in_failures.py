"""Sign-in failures counted per submitted e-mail address (known or not)

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-30

The lock-out moves from two columns of `users` (which only known addresses have) to a table
keyed by a keyed hash of the submitted address, so a lock answers alike for every address.
Counters of the old columns are not carried over (they last 15 minutes).
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_in_failures",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_failures")),
    )
    op.create_index(
        op.f("ix_sign_in_failures_window_start"), "sign_in_failures", ["window_start"]
    )
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("failed_window_start")
        batch_op.drop_column("failed_logins")


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("failed_window_start", sa.DateTime(timezone=True), nullable=True)
        )
    op.drop_index(op.f("ix_sign_in_failures_window_start"), table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
