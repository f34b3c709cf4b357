"""Indexes for the dashboard: the due dates of the deadline engine's parts, requests by status

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07

The deadline engine bounds each of its parts by the list's date window and, for the dashboard,
reads each part in due order only as far as it shows: an NCT review is due 45 days after
`nct_filed_on`, a licence expires on `export_licence_until`, a project ends on `end_date`;
none had an index, so every asset and project in scope was read. A review expires on its
project's stored level's `valid_until` (the latest approved review's), read in due order too.
NDAs, follow-ups and the hand-entered and derived deadlines have theirs already. The same
dashboard's queue of data-sharing requests to decide lists them by status, oldest first: one
index in that order instead of every request read by date. Downgrade drops them.
"""

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_ip_assets_nct_filed_on", "ip_assets", ["nct_filed_on"]),
    ("ix_ip_assets_licence_until", "ip_assets", ["export_licence_until"]),
    ("ix_projects_end_date", "projects", ["end_date"]),
    ("ix_project_risk_levels_valid_until", "project_risk_levels", ["valid_until"]),
    ("ix_transfer_requests_status_created", "transfer_requests", ["status", "created_at", "id"]),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
