"""The blob digest of a new attachment version covers the chunks' GCM tags, not every byte;
the portfolio lists' indexes

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-06

Upgrade adds `attachment_versions.blob_digest_scheme`: every existing version keeps its
digest and is marked scheme 1 (sha256 of every byte of the blob); versions stored from now on
are scheme 2 (sha256 of the header, each chunk's tag and the length: docs/attachment-format.md
§4). Nothing is re-read on upgrade. Downgrade recomputes the whole-blob sha256 of every scheme 2
version from the blob store (the older release knows only scheme 1), then drops the column; a
blob it cannot read keeps its digest, and the older release's `attachments verify` names it.

Also the portfolio lists (`GET /api/v1/assets`, `GET /api/v1/risk-reviews`): an index for
each of their filters and sorts, and `ip_assets.next_due_on` (the earliest deadline not yet
done, entered or derived; filled here, kept in step by the application on every write).
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0010"
branch_labels = None
depends_on = None

VERSIONS = sa.table(
    "attachment_versions",
    sa.column("id", sa.Integer),
    sa.column("blob_name", sa.String),
    sa.column("ciphertext_sha256", sa.String),
    sa.column("blob_digest_scheme", sa.SmallInteger),
)


ASSETS = sa.table("ip_assets", sa.column("id", sa.Integer), sa.column("next_due_on", sa.Date))
DEADLINE_TABLES = [
    sa.table(
        name,
        sa.column("asset_id", sa.Integer),
        sa.column("due_on", sa.Date),
        sa.column("done", sa.Boolean),
    )
    for name in ("asset_deadlines", "asset_derived_deadlines")
]

INDEXES = [
    ("ix_ip_assets_next_due", "ip_assets", ["next_due_on", "id"]),
    ("ix_ip_assets_title", "ip_assets", ["title", "id"]),
    ("ix_ip_assets_kind", "ip_assets", ["kind", "title"]),
    ("ix_ip_assets_sensitivity", "ip_assets", ["sensitivity"]),
    ("ix_ip_assets_nct_status", "ip_assets", ["nct_status"]),
    ("ix_risk_reviews_created", "risk_reviews", ["created_at"]),
    ("ix_risk_reviews_level", "risk_reviews", ["level"]),
    ("ix_risk_reviews_status_valid", "risk_reviews", ["status", "valid_until"]),
    ("ix_risk_reviews_score", "risk_reviews", ["score"]),
]


def _earliest_open() -> sa.ColumnElement:
    """Per asset row: the earlier of its earliest open entered and derived deadline."""
    entered, derived = (
        sa.select(sa.func.min(t.c.due_on))
        .where(t.c.asset_id == ASSETS.c.id, t.c.done == sa.false())
        .scalar_subquery()
        for t in DEADLINE_TABLES
    )
    return sa.case(
        (entered.is_(None), derived),
        (derived.is_(None), entered),
        (entered <= derived, entered),
        else_=derived,
    )


def upgrade():
    with op.batch_alter_table("ip_assets") as batch:
        batch.add_column(sa.Column("next_due_on", sa.Date(), nullable=True))
    op.execute(sa.update(ASSETS).values(next_due_on=_earliest_open()))
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    with op.batch_alter_table("attachment_versions") as batch:
        batch.add_column(
            sa.Column(
                "blob_digest_scheme", sa.SmallInteger(), nullable=False, server_default=sa.text("1")
            )
        )


def downgrade():
    from tracker.attachments.storage import blob_store

    conn = op.get_bind()
    rows = conn.execute(
        sa.select(VERSIONS.c.id, VERSIONS.c.blob_name).where(VERSIONS.c.blob_digest_scheme == 2)
    ).all()
    store = blob_store() if rows else None
    for row in rows:
        digest = hashlib.sha256()
        try:
            with store.open(row.blob_name) as fh:
                for piece in iter(lambda fh=fh: fh.read(1 << 20), b""):
                    digest.update(piece)
        except OSError:
            continue
        conn.execute(
            sa.update(VERSIONS)
            .where(VERSIONS.c.id == row.id)
            .values(ciphertext_sha256=digest.hexdigest())
        )
    # indexes first, then the columns in place (SQLite 3.35+ drops a column itself; a batch
    # copy of ip_assets would fail on the rows that point at it)
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
    op.execute("ALTER TABLE attachment_versions DROP COLUMN blob_digest_scheme")
    op.execute("ALTER TABLE ip_assets DROP COLUMN next_due_on")
