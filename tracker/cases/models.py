"""The searchable text of the case file's records (see tracker.cases.search)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Model


class SearchEntry(Model):
    """One searchable text of a record (see tracker.cases.search).

        The full-text index itself lives beside this table and is created by the migration per
        database: a generated `tsvector` column with a GIN index on PostgreSQL, an FTS5 table kept
        in step by triggers on SQLite. Sealed text (privileged notes, disclosure and trade-secret
    descriptions, review conditions) is never indexed.
    """

    __tablename__ = "search_entries"
    __table_args__ = (
        sa.UniqueConstraint("record_type", "record_id"),
        # an asset's own entries by the asset, with what a common word's walk tests of them
        # (`search.assets_matching(walk=True)`, migration 0035)
        sa.Index(
            "ix_search_entries_asset_record",
            "record_id",
            "record_type",
            "action",
            "kind",
            postgresql_where=sa.text("kind = 'asset'"),
            sqlite_where=sa.text("kind = 'asset'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the entry's type, e.g. "project", "asset", "asset_detail" (one record may have several)
    record_type: Mapped[str] = mapped_column(sa.String(32))
    #: the record's kind (its audit object type: "asset" for "asset_detail" too)
    kind: Mapped[str] = mapped_column(sa.String(32), server_default="")
    #: what a search result calls the record (its title, a partner's or a file's name)
    title: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    record_id: Mapped[int]
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    #: the policy action a user needs on the project to see this text
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    #: the words of `text` that name the record (title, code, numbers): a hit among them ranks
    #: first (on SQLite an FTS5 table `search_entries_fts_heading` indexes them)
    heading: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    #: the record whose page shows this one (a filing's asset), for a kind found on its
    #: parent's page
    parent_id: Mapped[int | None]
