"""Data-sharing requests (the gate)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

Reserved in the chain so domains can land in any order; filled in by its domain's work.
"""

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
