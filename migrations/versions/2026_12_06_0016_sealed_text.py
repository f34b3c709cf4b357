"""Sensitive text sealed at rest: privileged notes, disclosure and asset descriptions, review
conditions

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06

Upgrade creates `project_keys` (a data key per project, wrapped by the key file's active KEK)
and seals every existing value of the four columns in place (AES-256-GCM, the table, column
and row id as associated data: `tracker.sealing`). It needs the key file: the key ring is read
before anything changes, so without it (production: TRACKER_KEY_FILE missing or unreadable)
the upgrade stops with the key file's error and the database is untouched; development
writes a new key file as the application does. The descriptions leave the search index
(disclosures are found by title, assets by title and numbers).

Downgrade unseals every value back into plain text (the key file is needed again), puts the
descriptions back into the search index and drops `project_keys`.

Old plain text may linger in the database's free pages and in older backups: run VACUUM
(SQLite) or VACUUM FULL (PostgreSQL) after upgrading, take a new backup and destroy the older
ones (docs/deployment.md).
"""

import secrets

import sqlalchemy as sa
from alembic import op
from flask import current_app

from tracker import keys
from tracker.sealing import open_value, seal_value, unwrap_key, wrap_key

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

#: (table, column) of every sealed column
SEALED = (
    ("advisory_sessions", "privileged_notes"),
    ("disclosures", "description"),
    ("ip_assets", "description"),
    ("risk_reviews", "conditions"),
)


def _ring():
    """The key ring, read before anything changes (raises the key file's error)."""
    return keys.require(current_app)


def _project_keys():
    return sa.table(
        "project_keys",
        sa.column("project_id", sa.Integer),
        sa.column("kek_id", sa.String),
        sa.column("wrapped_key", sa.LargeBinary),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )


def _rows(conn, table, column):
    return conn.execute(
        sa.text(f"SELECT id, project_id, {column} FROM {table} WHERE {column} IS NOT NULL")  # noqa: S608
    ).all()


def _set(conn, table, column, row_id, value):
    conn.execute(
        sa.text(f"UPDATE {table} SET {column} = :v WHERE id = :id"),  # noqa: S608
        {"v": value, "id": row_id},
    )


def _search_text(conn, with_descriptions):
    """The disclosure and asset_detail search texts as the release on each side makes them."""
    for row_id, title, description in conn.execute(
        sa.text("SELECT id, title, description FROM disclosures")
    ).all():
        text = f"{title}\n{description}" if with_descriptions else title
        conn.execute(
            sa.text(
                "UPDATE search_entries SET text = :t "
                "WHERE record_type = 'disclosure' AND record_id = :id"
            ),
            {"t": text, "id": row_id},
        )
    assets = conn.execute(
        sa.text(
            "SELECT id, application_no, registration_no, description, originality_cert_no "
            "FROM ip_assets"
        )
    ).all()
    for row_id, application_no, registration_no, description, cert in assets:
        numbers = " ".join(n for n in (application_no, registration_no) if n)
        middle = f" {description or ''}" if with_descriptions else ""
        conn.execute(
            sa.text(
                "UPDATE search_entries SET text = :t "
                "WHERE record_type = 'asset_detail' AND record_id = :id"
            ),
            {"t": f"{numbers}{middle} {cert or ''}", "id": row_id},
        )


def upgrade():
    ring = _ring()
    op.create_table(
        "project_keys",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kek_id", sa.String(length=64), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_keys_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_project_keys")),
    )
    with op.batch_alter_table("project_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_keys_kek_id"), ["kek_id"], unique=False)
    conn = op.get_bind()
    _search_text(conn, with_descriptions=False)
    deks = {}
    now = sa.func.now() if conn.dialect.name == "postgresql" else sa.func.current_timestamp()
    for table, column in SEALED:
        for row_id, project_id, value in _rows(conn, table, column):
            if project_id not in deks:
                deks[project_id] = secrets.token_bytes(32)
                kek_id, wrapped = wrap_key(ring, project_id, deks[project_id])
                conn.execute(
                    _project_keys()
                    .insert()
                    .values(
                        project_id=project_id, kek_id=kek_id, wrapped_key=wrapped, created_at=now
                    )
                )
            _set(
                conn,
                table,
                column,
                row_id,
                seal_value(deks[project_id], table, column, row_id, value),
            )


def downgrade():
    ring = _ring()
    conn = op.get_bind()
    deks = {
        project_id: unwrap_key(ring, project_id, wrapped)
        for project_id, wrapped in conn.execute(
            sa.text("SELECT project_id, wrapped_key FROM project_keys")
        ).all()
    }
    for table, column in SEALED:
        for row_id, project_id, value in _rows(conn, table, column):
            _set(
                conn,
                table,
                column,
                row_id,
                open_value(deks[project_id], table, column, row_id, value),
            )
    _search_text(conn, with_descriptions=True)
    with op.batch_alter_table("project_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_keys_kek_id"))
    op.drop_table("project_keys")
