"""Deadlines and reminders: docketing dates, derived deadlines, calendar feed hash, digest log

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

`users.calendar_secret` becomes `calendar_secret_hash`: only the SHA-256 of a feed secret is
kept (no feed was ever issued before this revision, so the column holds nothing to convert).
Derived deadlines are written by the application (`flask --app tracker deadlines rederive`
after an upgrade; `notify` does it first on every run).
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ip_assets") as batch:
        batch.add_column(sa.Column("priority_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("nct_filed_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("docketed_with", sa.String(length=40), nullable=True))
    op.create_table(
        "asset_derived_deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("ip_priority", "ip_pct", "ip_national_phase", "ip_annuity", name="kind",
                    native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("rule", sa.String(length=80), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["asset_id"], ["ip_assets.id"], ondelete="CASCADE",
                                name=op.f("fk_asset_derived_deadlines_asset_id_ip_assets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_derived_deadlines")),
        sa.UniqueConstraint("asset_id", "key", name=op.f("uq_asset_derived_deadlines_asset_id_key")),
    )
    op.create_index(op.f("ix_asset_derived_deadlines_asset_id"), "asset_derived_deadlines",
                    ["asset_id"], unique=False)
    op.create_index(op.f("ix_asset_derived_deadlines_due_on"), "asset_derived_deadlines",
                    ["due_on"], unique=False)
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_calendar_secret", type_="unique")
        batch.alter_column("calendar_secret", new_column_name="calendar_secret_hash",
                           existing_type=sa.String(length=64), existing_nullable=True)
    with op.batch_alter_table("users") as batch:  # SQLite: after the rename, in a copy of its own
        batch.create_unique_constraint("uq_users_calendar_secret_hash", ["calendar_secret_hash"])
    op.create_table(
        "notification_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("sent", "failed", name="status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("deadline_count", sa.Integer(), nullable=False),
        sa.Column("queue_count", sa.Integer(), nullable=False),
        sa.Column("error_class", sa.String(length=100), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_notification_log_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_log")),
        sa.UniqueConstraint("user_id", "sent_on", name=op.f("uq_notification_log_user_id_sent_on")),
    )
    op.create_index(op.f("ix_notification_log_sent_on"), "notification_log", ["sent_on"],
                    unique=False)


def downgrade():
    op.drop_index(op.f("ix_notification_log_sent_on"), table_name="notification_log")
    op.drop_table("notification_log")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_calendar_secret_hash", type_="unique")
        batch.alter_column("calendar_secret_hash", new_column_name="calendar_secret",
                           existing_type=sa.String(length=64), existing_nullable=True)
    with op.batch_alter_table("users") as batch:
        batch.create_unique_constraint("uq_users_calendar_secret", ["calendar_secret"])
    op.drop_index(op.f("ix_asset_derived_deadlines_due_on"), table_name="asset_derived_deadlines")
    op.drop_index(op.f("ix_asset_derived_deadlines_asset_id"),
                  table_name="asset_derived_deadlines")
    op.drop_table("asset_derived_deadlines")
    with op.batch_alter_table("ip_assets") as batch:
        batch.drop_column("docketed_with")
        batch.drop_column("nct_filed_on")
        batch.drop_column("priority_on")
