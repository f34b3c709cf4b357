"""The searchable text of the case file's records (see tracker.cases.search)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Model


class SearchEntry(Model):
    """One searchable text of a record (see tracker.cases.search).

    The full-text index itself lives beside this table and is created by the migration per
    database: a generated `tsvector` column with a GIN index on PostgreSQL, an FTS5 table kept
    in step by triggers on SQLite. Privileged notes are never indexed.
    """

    __tablename__ = "search_entries"
    __table_args__ = (sa.UniqueConstraint("record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. "project", "asset", "nda", "disclosure", "session"
    record_type: Mapped[str] = mapped_column(sa.String(32))
    record_id: Mapped[int]
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    #: the policy action a user needs on the project to see this text
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
