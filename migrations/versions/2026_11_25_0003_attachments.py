"""Encrypted attachments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

Reserved in the chain so domains can land in any order; filled in by its domain's work.
"""

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
