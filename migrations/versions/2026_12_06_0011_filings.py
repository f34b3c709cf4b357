"""Filings of an IP asset (its family), their events and their derived deadlines

Revision ID: 0011
Revises: 0018
Create Date: 2026-12-06

Upgrade creates `filings`, `filing_events` and `filing_deadlines`, then turns an asset's single
filing into one filing where that is unambiguous: exactly one jurisdiction, a filing date, and
no priority claimed from an earlier date (a `first` filing at that office, or the `pct`
filing for WO), with the asset's numbers, registration date and status. Such an asset is
marked for re-docketing (`docketed_with` emptied): the next `deadlines rederive` or `notify`
derives its filing's deadlines and carries the done marks over. Every other asset keeps its
dates and its derived deadlines; its page lists them as "dates to split per office".

Downgrade drops the three tables (the assets' own dates were never changed) and marks the
assets that had filings for re-docketing from their own dates.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0018"
branch_labels = None
depends_on = None

ROUTES = ("first", "paris", "pct", "national_phase", "validation", "divisional")
STATUSES = ("pending", "allowed", "registered", "refused", "withdrawn", "lapsed", "expired")
EVENT_KINDS = (
    "office_action",
    "response_filed",
    "search_report",
    "examination_requested",
    "allowance",
    "registration",
    "refusal",
    "fee_paid",
    "publication",
)
FILING_KINDS = (
    "ip_priority",
    "ip_pct",
    "ip_national_phase",
    "ip_annuity",
    "ip_examination",
    "ip_office_action",
    "ip_registration_fee",
    "ip_renewal",
    "ip_validation",
)


def _enum(values, name):
    return sa.Enum(
        *values,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(v) for v in values),
    )


def _dates():
    return [
        sa.Column(name, sa.Date(), nullable=True)
        for name in (
            "filed_on",
            "priority_on",
            "published_on",
            "examination_requested_on",
            "allowed_on",
            "registered_on",
        )
    ]


def upgrade():
    op.create_table(
        "filings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("office", sa.String(length=4), nullable=False),
        sa.Column("route", _enum(ROUTES, "route"), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("application_no", sa.String(length=100), nullable=True),
        sa.Column("registration_no", sa.String(length=100), nullable=True),
        *_dates(),
        sa.Column("status", _enum(STATUSES, "status"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["ip_assets.id"],
            ondelete="CASCADE",
            name=op.f("fk_filings_asset_id_ip_assets"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["filings.id"], name=op.f("fk_filings_parent_id_filings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filings")),
    )
    op.create_index("ix_filings_asset_id_filed_on", "filings", ["asset_id", "filed_on", "id"])
    op.create_index(op.f("ix_filings_office"), "filings", ["office"])
    op.create_index(op.f("ix_filings_parent_id"), "filings", ["parent_id"])
    op.create_index(op.f("ix_filings_application_no"), "filings", ["application_no"])
    op.create_table(
        "filing_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum(EVENT_KINDS, "kind"), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["filing_id"],
            ["filings.id"],
            ondelete="CASCADE",
            name=op.f("fk_filing_events_filing_id_filings"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_filing_events_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filing_events")),
    )
    op.create_index(op.f("ix_filing_events_filing_id"), "filing_events", ["filing_id"])
    op.create_table(
        "filing_deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("kind", _enum(FILING_KINDS, "kind"), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("grace_until", sa.Date(), nullable=True),
        sa.Column("rule", sa.String(length=80), nullable=False),
        sa.Column("office", sa.String(length=4), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["filing_id"],
            ["filings.id"],
            ondelete="CASCADE",
            name=op.f("fk_filing_deadlines_filing_id_filings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filing_deadlines")),
        sa.UniqueConstraint("filing_id", "key", name=op.f("uq_filing_deadlines_filing_id_key")),
    )
    op.create_index(op.f("ix_filing_deadlines_filing_id"), "filing_deadlines", ["filing_id"])
    op.create_index(op.f("ix_filing_deadlines_due_on"), "filing_deadlines", ["due_on"])
    _single_filings()


def _single_filings():
    """One filing for each asset whose single filing is unambiguous (see the docstring)."""
    bind = op.get_bind()
    assets = sa.table(
        "ip_assets",
        sa.column("id", sa.Integer),
        sa.column("jurisdictions", sa.JSON),
        sa.column("application_no", sa.String),
        sa.column("registration_no", sa.String),
        sa.column("filed_on", sa.Date),
        sa.column("priority_on", sa.Date),
        sa.column("registered_on", sa.Date),
        sa.column("docketed_with", sa.String),
    )
    filings = sa.table(
        "filings",
        *(sa.column(n) for n in ("asset_id", "office", "route", "application_no")),
        *(sa.column(n) for n in ("registration_no", "filed_on", "priority_on", "registered_on")),
        *(sa.column(n) for n in ("status", "version", "created_at", "updated_at")),
    )
    now = sa.func.current_timestamp()
    rows = bind.execute(sa.select(assets).where(assets.c.filed_on.is_not(None))).all()
    for asset in rows:
        codes = asset.jurisdictions
        if isinstance(codes, str):
            codes = json.loads(codes)
        codes = list(dict.fromkeys(str(c).strip().upper() for c in codes or [] if c))
        claims_earlier = asset.priority_on is not None and asset.priority_on != asset.filed_on
        if len(codes) != 1 or claims_earlier:
            continue
        office = codes[0]
        bind.execute(
            filings.insert().values(
                asset_id=asset.id,
                office=office,
                route="pct" if office == "WO" else "first",
                application_no=asset.application_no,
                registration_no=asset.registration_no,
                filed_on=asset.filed_on,
                priority_on=None,
                registered_on=asset.registered_on,
                status="registered" if asset.registered_on else "pending",
                version=1,
                created_at=now,
                updated_at=now,
            )
        )
        bind.execute(assets.update().where(assets.c.id == asset.id).values(docketed_with=None))


def downgrade():
    assets = sa.table("ip_assets", sa.column("id"), sa.column("docketed_with"))
    filings = sa.table("filings", sa.column("asset_id"))
    op.execute(
        assets.update()
        .where(assets.c.id.in_(sa.select(filings.c.asset_id)))
        .values(docketed_with=None)
    )
    op.drop_index(op.f("ix_filing_deadlines_due_on"), table_name="filing_deadlines")
    op.drop_index(op.f("ix_filing_deadlines_filing_id"), table_name="filing_deadlines")
    op.drop_table("filing_deadlines")
    op.drop_index(op.f("ix_filing_events_filing_id"), table_name="filing_events")
    op.drop_table("filing_events")
    op.drop_index(op.f("ix_filings_application_no"), table_name="filings")
    op.drop_index(op.f("ix_filings_parent_id"), table_name="filings")
    op.drop_index(op.f("ix_filings_office"), table_name="filings")
    op.drop_index("ix_filings_asset_id_filed_on", table_name="filings")
    op.drop_table("filings")
