"""Search across records, and a stored current risk level per project

Revision ID: 0018
Revises: 0012
Create Date: 2026-12-06

Upgrade:

- `search_entries` gains `kind` (the record's kind, its audit object type: `asset` for an
  `asset_detail` entry too) and `title` (what a search result calls the record), filled for
  the entries there are; sealed text leaves the index (disclosure descriptions, asset
  descriptions, NDA purposes: the entries keep titles, names and numbers only); the record
  kinds new to search get their entries (files by name, data-sharing requests by partner,
  submitted risk reviews by level and author);
- `project_risk_levels`: each reviewed project's latest approved review (level, validity),
  filled from the reviews, indexed by level for the `risk_level` filter.

Downgrade drops the new table and columns and the new kinds' entries (the texts taken out of
the index stay out: they are sealed).
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0012"
branch_labels = None
depends_on = None

LEVEL = sa.Enum(
    "low", "medium", "high", "critical", name="level", native_enum=False, create_constraint=True
)

#: what a user needs on a project to know a file of a record exists (as the kinds declared it)
FILE_ACTION = (
    "CASE a.record_type WHEN 'asset' THEN 'asset.view' WHEN 'disclosure' THEN 'disclosure.read'"
    " WHEN 'nda' THEN 'nda.view' WHEN 'session' THEN 'session.view_advice'"
    " WHEN 'review' THEN 'review.view_answers' WHEN 'transfer' THEN 'transfer.view'"
    " ELSE 'project.view' END"
)

_FILL = [
    "UPDATE search_entries SET kind = CASE record_type WHEN 'asset_detail' THEN 'asset'"
    " ELSE record_type END",
    "UPDATE search_entries SET title = COALESCE((SELECT p.title FROM projects p"
    " WHERE p.id = search_entries.record_id), '') WHERE record_type = 'project'",
    "UPDATE search_entries SET title = COALESCE((SELECT a.title FROM ip_assets a"
    " WHERE a.id = search_entries.record_id), '') WHERE record_type IN ('asset', 'asset_detail')",
    # sealed text out: a disclosure by its title, an asset's detail by its numbers only
    "UPDATE search_entries SET title = COALESCE((SELECT d.title FROM disclosures d"
    " WHERE d.id = search_entries.record_id), ''), text = COALESCE((SELECT d.title"
    " FROM disclosures d WHERE d.id = search_entries.record_id), '')"
    " WHERE record_type = 'disclosure'",
    "UPDATE search_entries SET text = COALESCE((SELECT TRIM(COALESCE(a.application_no, '')"
    " || ' ' || COALESCE(a.registration_no, '') || ' ' || COALESCE(a.originality_cert_no, ''))"
    " FROM ip_assets a WHERE a.id = search_entries.record_id), '')"
    " WHERE record_type = 'asset_detail'",
    "UPDATE search_entries SET title = COALESCE((SELECT o.name FROM ndas n JOIN organizations o"
    " ON o.id = n.partner_id WHERE n.id = search_entries.record_id), ''),"
    " text = COALESCE((SELECT 'NDA ' || o.name || ' ' || COALESCE(n.governing_law, '')"
    " FROM ndas n JOIN organizations o ON o.id = n.partner_id"
    " WHERE n.id = search_entries.record_id), '') WHERE record_type = 'nda'",
    # the kinds new to search
    "INSERT INTO search_entries (record_type, record_id, project_id, action, text, kind, title)"
    f" SELECT 'attachment', a.id, a.project_id, {FILE_ACTION}, a.filename, 'attachment',"
    " a.filename FROM attachments a WHERE a.current_version > 0",
    "INSERT INTO search_entries (record_type, record_id, project_id, action, text, kind, title)"
    " SELECT 'transfer', t.id, t.project_id, 'transfer.view', o.name, 'transfer', o.name"
    " FROM transfer_requests t JOIN organizations o ON o.id = t.partner_id",
    "INSERT INTO search_entries (record_type, record_id, project_id, action, text, kind, title)"
    " SELECT 'risk_review', r.id, r.project_id, 'review.view_result',"
    " COALESCE(r.level, '') || ' ' || u.name, 'risk_review', ''"
    " FROM risk_reviews r JOIN users u ON u.id = r.author_id WHERE r.status <> 'draft'",
    # each project's latest approved review
    "INSERT INTO project_risk_levels (project_id, review_id, level, valid_until)"
    " SELECT project_id, id, level, valid_until FROM (SELECT project_id, id, level, valid_until,"
    " row_number() OVER (PARTITION BY project_id ORDER BY decided_at DESC, id DESC) AS rank"
    " FROM risk_reviews WHERE status = 'approved') ranked WHERE rank = 1",
]


def upgrade():
    # plain ADD COLUMN (no table copy on SQLite: the full-text triggers stay)
    op.add_column(
        "search_entries", sa.Column("kind", sa.String(32), nullable=False, server_default="")
    )
    op.add_column(
        "search_entries", sa.Column("title", sa.String(300), nullable=False, server_default="")
    )
    op.create_table(
        "project_risk_levels",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("level", LEVEL, nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_risk_levels_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["risk_reviews.id"],
            name=op.f("fk_project_risk_levels_review_id_risk_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_project_risk_levels")),
    )
    op.create_index(
        "ix_project_risk_levels_level",
        "project_risk_levels",
        ["level", "valid_until", "project_id"],
    )
    for statement in _FILL:
        op.execute(statement)


def downgrade():
    op.drop_index("ix_project_risk_levels_level", table_name="project_risk_levels")
    op.drop_table("project_risk_levels")
    op.execute(
        "DELETE FROM search_entries WHERE record_type IN ('attachment', 'transfer', 'risk_review')"
    )
    # plain DROP COLUMN (SQLite 3.35+): no table copy, the full-text triggers stay
    op.drop_column("search_entries", "title")
    op.drop_column("search_entries", "kind")
