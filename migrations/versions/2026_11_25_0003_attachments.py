"""Encrypted attachments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

Attachments and their versions (docs/product.md, "Files and encryption"): wrapped data keys, hashes, blob names.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

RECORD_TYPES = ("nda", "asset", "disclosure", "session", "review", "transfer")
STATES = ("pending", "ready", "deleted")


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True,
                   length=max(len(v) for v in values))


def upgrade():
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("record_type", _enum(RECORD_TYPES, "record_type"), nullable=True),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_attachments_created_by_id_users")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"],
                                name=op.f("fk_attachments_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
        sa.UniqueConstraint("uuid", name=op.f("uq_attachments_uuid")),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index("ix_attachments_project_listing",
                              ["project_id", "updated_at", "id"], unique=False)
        batch_op.create_index("ix_attachments_record",
                              ["project_id", "record_type", "record_id", "filename"],
                              unique=False)

    op.create_table(
        "attachment_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("ciphertext_sha256", sa.String(length=64), nullable=False),
        sa.Column("plaintext_sha256_sealed", sa.LargeBinary(length=64), nullable=False),
        sa.Column("kek_id", sa.String(length=64), nullable=False),
        sa.Column("wrapped_dek", sa.LargeBinary(length=64), nullable=False),
        sa.Column("blob_name", sa.String(length=64), nullable=False),
        sa.Column("state", _enum(STATES, "state"), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["attachment_id"], ["attachments.id"],
                                name=op.f("fk_attachment_versions_attachment_id_attachments"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"],
                                name=op.f("fk_attachment_versions_uploaded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment_versions")),
        sa.UniqueConstraint("attachment_id", "number",
                            name=op.f("uq_attachment_versions_attachment_id_number")),
        sa.UniqueConstraint("blob_name", name=op.f("uq_attachment_versions_blob_name")),
        sa.UniqueConstraint("uuid", name=op.f("uq_attachment_versions_uuid")),
    )
    with op.batch_alter_table("attachment_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_versions_kek_id"), ["kek_id"],
                              unique=False)
        batch_op.create_index("ix_attachment_versions_state_created", ["state", "created_at"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("attachment_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_attachment_versions_state_created")
        batch_op.drop_index(batch_op.f("ix_attachment_versions_kek_id"))
    op.drop_table("attachment_versions")
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index("ix_attachments_record")
        batch_op.drop_index("ix_attachments_project_listing")
    op.drop_table("attachments")
