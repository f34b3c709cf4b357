"""Case files: projects and their records

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('budget_krw', sa.BigInteger(), nullable=True),
    sa.Column('security_level', sa.Enum('general', 'security', 'sensitive', name='security_level', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('security_level_set_by_id', sa.Integer(), nullable=True),
    sa.Column('security_level_set_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.Enum('active', 'closed', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['organizations.id'], name=op.f('fk_projects_company_id_organizations')),
    sa.ForeignKeyConstraint(['security_level_set_by_id'], ['users.id'], name=op.f('fk_projects_security_level_set_by_id_users')),
    sa.ForeignKeyConstraint(['zone_id'], ['zones.id'], name=op.f('fk_projects_zone_id_zones')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    sa.UniqueConstraint('code', name=op.f('uq_projects_code'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projects_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_zone_id'), ['zone_id'], unique=False)

    op.create_table('advisory_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('attendees', sa.JSON(), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('advice', sa.Text(), nullable=False),
    sa.Column('privileged_notes', sa.Text(), nullable=False),
    sa.Column('lawyer_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lawyer_id'], ['users.id'], name=op.f('fk_advisory_sessions_lawyer_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_advisory_sessions_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_advisory_sessions'))
    )
    with op.batch_alter_table('advisory_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_advisory_sessions_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_advisory_sessions_project_held', ['project_id', 'held_on'], unique=False)

    op.create_table('ip_assets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.Enum('patent', 'utility_model', 'design', 'trademark', 'trade_secret', 'know_how', 'software', 'data', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('sensitivity', sa.Enum('public', 'confidential', 'trade_secret', name='sensitivity', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('jurisdictions', sa.JSON(), nullable=False),
    sa.Column('application_no', sa.String(length=100), nullable=True),
    sa.Column('filed_on', sa.Date(), nullable=True),
    sa.Column('registration_no', sa.String(length=100), nullable=True),
    sa.Column('registered_on', sa.Date(), nullable=True),
    sa.Column('nct_status', sa.Enum('not_nct', 'pending', 'nct_funded', 'nct_private', name='nct_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('nct_ref', sa.String(length=100), nullable=True),
    sa.Column('strategic_item', sa.Enum('no', 'yes', 'unknown', name='strategic_item', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('export_licence_ref', sa.String(length=100), nullable=True),
    sa.Column('export_licence_until', sa.Date(), nullable=True),
    sa.Column('originality_cert_no', sa.String(length=100), nullable=True),
    sa.Column('confidentiality_marked', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_ip_assets_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ip_assets'))
    )
    with op.batch_alter_table('ip_assets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ip_assets_project_id'), ['project_id'], unique=False)

    op.create_table('ndas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('governing_law', sa.String(length=100), nullable=True),
    sa.Column('purpose', sa.Text(), nullable=True),
    sa.Column('return_or_destroy', sa.Boolean(), nullable=False),
    sa.Column('audit_rights', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'active', 'expired', 'terminated', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_ndas_created_by_id_users')),
    sa.ForeignKeyConstraint(['partner_id'], ['organizations.id'], name=op.f('fk_ndas_partner_id_organizations')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_ndas_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ndas'))
    )
    with op.batch_alter_table('ndas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ndas_expires_on'), ['expires_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_ndas_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ndas_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_ndas_status_expires_on', ['status', 'expires_on'], unique=False)

    op.create_table('project_lawyers',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_lawyers_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_project_lawyers_user_id_users')),
    sa.PrimaryKeyConstraint('project_id', 'user_id', name=op.f('pk_project_lawyers'))
    )
    with op.batch_alter_table('project_lawyers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_lawyers_user_id'), ['user_id'], unique=False)

    op.create_table('project_partners',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_project_partners_organization_id_organizations')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_partners_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'organization_id', name=op.f('pk_project_partners'))
    )
    with op.batch_alter_table('project_partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_partners_organization_id'), ['organization_id'], unique=False)

    op.create_table('risk_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('catalogue_version', sa.String(length=20), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('likelihood', sa.Integer(), nullable=False),
    sa.Column('impact', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('low', 'medium', 'high', 'critical', name='level', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'submitted', 'approved', 'rejected', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('conditions', sa.Text(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_risk_reviews_author_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_risk_reviews_project_id_projects')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_risk_reviews_reviewer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_reviews'))
    )
    with op.batch_alter_table('risk_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_risk_reviews_current', ['project_id', 'status', 'valid_until'], unique=False)
        batch_op.create_index('ix_risk_reviews_project_created', ['project_id', 'created_at'], unique=False)

    op.create_table('asset_deadlines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('priority', 'pct', 'national_phase', 'annuity', 'other', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['ip_assets.id'], name=op.f('fk_asset_deadlines_asset_id_ip_assets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_deadlines'))
    )
    with op.batch_alter_table('asset_deadlines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_deadlines_asset_id'), ['asset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_asset_deadlines_due_on'), ['due_on'], unique=False)

    op.create_table('asset_owners',
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('share_pct', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['ip_assets.id'], name=op.f('fk_asset_owners_asset_id_ip_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_asset_owners_organization_id_organizations')),
    sa.PrimaryKeyConstraint('asset_id', 'organization_id', name=op.f('pk_asset_owners'))
    )
    op.create_table('disclosures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('conceived_on', sa.Date(), nullable=False),
    sa.Column('disclosed_externally', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'accepted', 'rejected', 'needs_info', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_note', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('asset_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['ip_assets.id'], name=op.f('fk_disclosures_asset_id_ip_assets')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['users.id'], name=op.f('fk_disclosures_filed_by_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_disclosures_project_id_projects')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_disclosures_reviewer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosures'))
    )
    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosures_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disclosures_status'), ['status'], unique=False)

    op.create_table('follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['advisory_sessions.id'], name=op.f('fk_follow_ups_session_id_advisory_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups'))
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_ups_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_ups_session_id'), ['session_id'], unique=False)

    op.create_table('nda_assets',
    sa.Column('nda_id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['ip_assets.id'], name=op.f('fk_nda_assets_asset_id_ip_assets')),
    sa.ForeignKeyConstraint(['nda_id'], ['ndas.id'], name=op.f('fk_nda_assets_nda_id_ndas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('nda_id', 'asset_id', name=op.f('pk_nda_assets'))
    )
    with op.batch_alter_table('nda_assets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nda_assets_asset_id'), ['asset_id'], unique=False)

    op.create_table('inventors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('disclosure_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('share_pct', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('nationality', sa.String(length=2), nullable=True),
    sa.Column('employer', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['disclosure_id'], ['disclosures.id'], name=op.f('fk_inventors_disclosure_id_disclosures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventors'))
    )
    with op.batch_alter_table('inventors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inventors_disclosure_id'), ['disclosure_id'], unique=False)

    # --- search (tracker/cases/search.py) ---
    op.create_table('search_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_type', sa.String(length=32), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_search_entries_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entries')),
    sa.UniqueConstraint('record_type', 'record_id', name=op.f('uq_search_entries_record_type_record_id'))
    )
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_entries_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_entries_project_id'), ['project_id'], unique=False)
    _create_fulltext_index()



def downgrade():
    _drop_fulltext_index()
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_entries_project_id'))
        batch_op.drop_index(batch_op.f('ix_search_entries_action'))

    op.drop_table('search_entries')
    with op.batch_alter_table('inventors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inventors_disclosure_id'))

    op.drop_table('inventors')
    with op.batch_alter_table('nda_assets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nda_assets_asset_id'))

    op.drop_table('nda_assets')
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_ups_session_id'))
        batch_op.drop_index(batch_op.f('ix_follow_ups_due_on'))

    op.drop_table('follow_ups')
    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosures_status'))
        batch_op.drop_index(batch_op.f('ix_disclosures_project_id'))

    op.drop_table('disclosures')
    op.drop_table('asset_owners')
    with op.batch_alter_table('asset_deadlines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_deadlines_due_on'))
        batch_op.drop_index(batch_op.f('ix_asset_deadlines_asset_id'))

    op.drop_table('asset_deadlines')
    with op.batch_alter_table('risk_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_risk_reviews_project_created')
        batch_op.drop_index('ix_risk_reviews_current')

    op.drop_table('risk_reviews')
    with op.batch_alter_table('project_partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_partners_organization_id'))

    op.drop_table('project_partners')
    with op.batch_alter_table('project_lawyers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_lawyers_user_id'))

    op.drop_table('project_lawyers')
    with op.batch_alter_table('ndas', schema=None) as batch_op:
        batch_op.drop_index('ix_ndas_status_expires_on')
        batch_op.drop_index(batch_op.f('ix_ndas_project_id'))
        batch_op.drop_index(batch_op.f('ix_ndas_partner_id'))
        batch_op.drop_index(batch_op.f('ix_ndas_expires_on'))

    op.drop_table('ndas')
    with op.batch_alter_table('ip_assets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ip_assets_project_id'))

    op.drop_table('ip_assets')
    with op.batch_alter_table('advisory_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_advisory_sessions_project_held')
        batch_op.drop_index(batch_op.f('ix_advisory_sessions_project_id'))

    op.drop_table('advisory_sessions')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projects_zone_id'))
        batch_op.drop_index(batch_op.f('ix_projects_status'))
        batch_op.drop_index(batch_op.f('ix_projects_created_at'))
        batch_op.drop_index(batch_op.f('ix_projects_company_id'))

    op.drop_table('projects')


# The full-text index of search_entries is not in the models (it differs per database); the
# Alembic comparison skips it (objects whose names contain "fts", see tracker/cases/search.py).
_SQLITE_FTS = [
    "CREATE VIRTUAL TABLE search_entries_fts USING fts5("
    "text, content='search_entries', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_entries_fts_ai AFTER INSERT ON search_entries BEGIN "
    "INSERT INTO search_entries_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER search_entries_fts_ad AFTER DELETE ON search_entries BEGIN "
    "INSERT INTO search_entries_fts(search_entries_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER search_entries_fts_au AFTER UPDATE ON search_entries BEGIN "
    "INSERT INTO search_entries_fts(search_entries_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); "
    "INSERT INTO search_entries_fts(rowid, text) VALUES (new.id, new.text); END",
]


def _create_fulltext_index():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "ALTER TABLE search_entries ADD COLUMN fts_document tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, text)) STORED"
        )
        op.execute(
            "CREATE INDEX ix_search_entries_fts_document ON search_entries "
            "USING gin (fts_document)"
        )
    elif dialect == "sqlite":
        for statement in _SQLITE_FTS:
            op.execute(statement)


def _drop_fulltext_index():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX ix_search_entries_fts_document")
        op.execute("ALTER TABLE search_entries DROP COLUMN fts_document")
    elif dialect == "sqlite":
        for trigger in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER search_entries_fts_{trigger}")
        op.execute("DROP TABLE search_entries_fts")
