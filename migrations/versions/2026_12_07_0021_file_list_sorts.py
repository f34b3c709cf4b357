"""An index for sorting a project's files by name

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07

A project's file list sorts by file name and by upload time, the id breaking ties; the upload
time already has `ix_attachments_project_listing` (project, updated_at, id), the name gets
one of the same shape. Downgrade drops it.
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_attachments_project_filename", "attachments", ["project_id", "filename", "id"]
    )


def downgrade():
    op.drop_index("ix_attachments_project_filename", table_name="attachments")
