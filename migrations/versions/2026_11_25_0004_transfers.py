"""Data-sharing requests (the gate)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

Attachments are referenced by plain integer ids with their (sealed) sha256 copied at filing,
so the ledger does not depend on the attachments table and outlives a deleted, swept file.
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('transfer_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('channel', sa.Enum('secure_platform', 'encrypted_email', 'email', 'physical_media', 'on_site', 'oral', name='channel', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('blocked', 'pending_review', 'approved', 'denied', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('checks', sa.JSON(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('decision_checks', sa.JSON(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_transfer_requests_decided_by_id_users')),
    sa.ForeignKeyConstraint(['partner_id'], ['organizations.id'], name=op.f('fk_transfer_requests_partner_id_organizations')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_transfer_requests_project_id_projects')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_transfer_requests_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_requests'))
    )
    with op.batch_alter_table('transfer_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_requests_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_requests_decided_at'), ['decided_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_requests_decided_by_id'), ['decided_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_requests_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_requests_planned_on'), ['planned_on'], unique=False)
        batch_op.create_index('ix_transfer_requests_project_created', ['project_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_requests_requested_by_id'), ['requested_by_id'], unique=False)
        batch_op.create_index('ix_transfer_requests_status_planned', ['status', 'planned_on'], unique=False)

    op.create_table('transfer_assets',
    sa.Column('transfer_id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['ip_assets.id'], name=op.f('fk_transfer_assets_asset_id_ip_assets')),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfer_requests.id'], name=op.f('fk_transfer_assets_transfer_id_transfer_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('transfer_id', 'asset_id', name=op.f('pk_transfer_assets'))
    )
    with op.batch_alter_table('transfer_assets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_assets_asset_id'), ['asset_id'], unique=False)

    op.create_table('transfer_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transfer_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('attachment_version', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('sha256_sealed', sa.LargeBinary(length=64), nullable=False),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfer_requests.id'], name=op.f('fk_transfer_files_transfer_id_transfer_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_files'))
    )
    with op.batch_alter_table('transfer_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_files_attachment_id'), ['attachment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_files_transfer_id'), ['transfer_id'], unique=False)



def downgrade():
    with op.batch_alter_table('transfer_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfer_files_transfer_id'))
        batch_op.drop_index(batch_op.f('ix_transfer_files_attachment_id'))

    op.drop_table('transfer_files')
    with op.batch_alter_table('transfer_assets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfer_assets_asset_id'))

    op.drop_table('transfer_assets')
    with op.batch_alter_table('transfer_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_transfer_requests_status_planned')
        batch_op.drop_index(batch_op.f('ix_transfer_requests_requested_by_id'))
        batch_op.drop_index('ix_transfer_requests_project_created')
        batch_op.drop_index(batch_op.f('ix_transfer_requests_planned_on'))
        batch_op.drop_index(batch_op.f('ix_transfer_requests_partner_id'))
        batch_op.drop_index(batch_op.f('ix_transfer_requests_decided_by_id'))
        batch_op.drop_index(batch_op.f('ix_transfer_requests_decided_at'))
        batch_op.drop_index(batch_op.f('ix_transfer_requests_created_at'))

    op.drop_table('transfer_requests')
