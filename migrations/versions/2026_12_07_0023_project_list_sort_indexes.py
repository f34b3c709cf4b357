"""Indexes for the sortable columns of a project's assets and risk reviews

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07

A project's asset list sorts by title, kind, sensitivity, national core technology status and
next due date; its risk reviews by score (a level is its score's band) and validity: one index
each, the project first. A review's submission time and status already have one
(ix_risk_reviews_project_created, ix_risk_reviews_current). Downgrade drops them.
"""

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_ip_assets_project_title", "ip_assets", ["project_id", "title"]),
    ("ix_ip_assets_project_kind", "ip_assets", ["project_id", "kind"]),
    ("ix_ip_assets_project_sensitivity", "ip_assets", ["project_id", "sensitivity"]),
    ("ix_ip_assets_project_nct_status", "ip_assets", ["project_id", "nct_status"]),
    ("ix_ip_assets_project_next_due", "ip_assets", ["project_id", "next_due_on"]),
    ("ix_risk_reviews_project_score", "risk_reviews", ["project_id", "score"]),
    ("ix_risk_reviews_project_valid", "risk_reviews", ["project_id", "valid_until"]),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
