"""What a database holds, read through one connection: row counts, revision, blob names."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app


@dataclass
class Snapshot:
    """What the dumped database holds: counts per table, the revision, ready blob names."""

    row_counts: dict[str, int] = field(default_factory=dict)
    revision: str | None = None
    blob_names: set[str] = field(default_factory=set)


def database_url() -> sa.engine.URL:
    return sa.engine.make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def read_snapshot(conn: sa.Connection) -> Snapshot:
    """Row counts of every table, the alembic revision and the ready blobs, as `conn` sees."""
    snap = Snapshot()
    names = sorted(sa.inspect(conn).get_table_names())
    for name in names:
        table = sa.table(name)
        count = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        snap.row_counts[name] = int(count)
    if "alembic_version" in names:
        snap.revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    if "attachment_versions" in names:
        rows = conn.execute(sa.text("SELECT blob_name FROM attachment_versions"))
        snap.blob_names = {str(r[0]) for r in rows if r[0]}
    return snap


def holds_data(conn: sa.Connection) -> bool:
    """Whether a database has rows beyond a fresh `db upgrade` (the genesis head) in any of
    the application's tables (SQLite's full-text shadow tables have rows from the start)."""
    from tracker.db import db

    for name in sa.inspect(conn).get_table_names():
        if name not in db.metadata.tables:
            continue
        if name == "audit_head":
            seq = conn.execute(sa.text("SELECT max(seq) FROM audit_head")).scalar()
            if seq:
                return True
            continue
        if conn.execute(sa.select(sa.literal(1)).select_from(sa.table(name)).limit(1)).first():
            return True
    return False
