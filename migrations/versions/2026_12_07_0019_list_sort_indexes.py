"""Indexes for the sortable columns of the remaining lists

Revision ID: 0019
Revises: 0013
Create Date: 2026-12-07

The NDA lists sort by signing and effective dates, a project's disclosures by filing time,
title and conception date, its advisory sessions by length: one index each (the project first
where the list is a project's). Every other sort key already has one (the NDA expiry, the
partner's name, a request's filing time, planned date, status and project code, a session's
date, the audit time, actor and action). Downgrade drops them.
"""

from alembic import op

revision = "0019"
down_revision = "0013"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_ndas_effective", "ndas", ["effective_on", "id"]),
    ("ix_ndas_signed", "ndas", ["signed_on", "id"]),
    ("ix_disclosures_project_created", "disclosures", ["project_id", "created_at"]),
    ("ix_disclosures_project_title", "disclosures", ["project_id", "title"]),
    ("ix_disclosures_project_conceived", "disclosures", ["project_id", "conceived_on"]),
    (
        "ix_advisory_sessions_project_duration",
        "advisory_sessions",
        ["project_id", "duration_minutes"],
    ),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
