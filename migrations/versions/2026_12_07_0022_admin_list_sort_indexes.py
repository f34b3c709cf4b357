"""Indexes for the sortable columns of the admin's lists

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07

The accounts sort by name and the zones by their Korean and English names and industry: one
index each. Every other sort key of those lists already has one (an account's e-mail is
unique, its role, active flag, organisation's name and zone's code are indexed; an
organisation's name, kind and country too; a zone's code is unique). Downgrade drops them.
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_users_name", "users", ["name"]),
    ("ix_zones_name_ko", "zones", ["name_ko"]),
    ("ix_zones_name_en", "zones", ["name_en"]),
    ("ix_zones_industry", "zones", ["industry"]),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
