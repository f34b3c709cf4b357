"""The gadget: a record of a project with a due date. Mapped on its own metadata, so the
app's schema (and the migrations test that compares it with the models) never sees it; the
test creates its table inside its rolled-back transaction."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class ThrowawayBase(DeclarativeBase):
    pass


class Gadget(ThrowawayBase):
    __tablename__ = "throwaway_gadgets"
    #: the object type of its audit events (its resource name)
    __audit_type__ = "gadget"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.Integer)
    title: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[dt.date] = mapped_column(sa.Date)
    done: Mapped[bool] = mapped_column(sa.Boolean, default=False)
