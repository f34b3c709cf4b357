"""An asset's national core technology status may be "unknown"; accepted disclosures no
longer lend their description to the asset

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

Upgrade widens the CHECK constraint of ip_assets.nct_status by "unknown" and removes from
every asset made from an accepted disclosure the description copied from it (admins may read
assets but not disclosures), also from the asset's search text. Downgrade narrows the
constraint again (an "unknown" status becomes "pending", the nearest status the gate also
fails on); the removed copies are not put back (they are still on the disclosures).
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OLD = ("not_nct", "pending", "nct_funded", "nct_private")
NEW = (*OLD, "unknown")


def _nct_status(values):
    return sa.Enum(*values, name="nct_status", native_enum=False, create_constraint=True)


def _remove_copied_descriptions():
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT a.id, a.application_no, a.registration_no, a.originality_cert_no "
            "FROM ip_assets a JOIN disclosures d ON d.asset_id = a.id "
            "WHERE a.description = d.description"
        )
    ).all()
    for asset_id, application_no, registration_no, cert_no in rows:
        conn.execute(
            sa.text("UPDATE ip_assets SET description = NULL WHERE id = :id"), {"id": asset_id}
        )
        # the asset's searchable detail text, as tracker/cases/assets/service.py writes it
        numbers = " ".join(n for n in (application_no, registration_no) if n)
        conn.execute(
            sa.text(
                "UPDATE search_entries SET text = :text "
                "WHERE record_type = 'asset_detail' AND record_id = :id"
            ),
            {"text": f"{numbers}  {cert_no or ''}", "id": asset_id},
        )


def upgrade():
    with op.batch_alter_table("ip_assets", schema=None) as batch_op:
        batch_op.alter_column(
            "nct_status",
            existing_type=_nct_status(OLD),
            type_=_nct_status(NEW),
            existing_nullable=False,
        )
    _remove_copied_descriptions()


def downgrade():
    op.execute("UPDATE ip_assets SET nct_status = 'pending' WHERE nct_status = 'unknown'")
    with op.batch_alter_table("ip_assets", schema=None) as batch_op:
        batch_op.alter_column(
            "nct_status",
            existing_type=_nct_status(NEW),
            type_=_nct_status(OLD),
            existing_nullable=False,
        )
