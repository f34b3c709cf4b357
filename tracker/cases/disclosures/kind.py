"""Invention disclosures as a record kind (`tracker.records`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.auth.models import User
from tracker.cases.disclosures.models import Disclosure
from tracker.cases.disclosures.service import awaiting_decision
from tracker.records import Files, Label, Page, RecordKind, Rows, SearchText, Waiting, queue_total
from tracker.records.pages import ProjectId, waiting_row


def _to_decide(user: User, _today: dt.date) -> Rows:
    return awaiting_decision(user).with_only_columns(
        sa.literal_column("'disclosure'").label("type"),
        Disclosure.id,
        Disclosure.project_id,
        Disclosure.title,
        Disclosure.created_at.label("since"),
        queue_total(),
    )


def _submitted(project_id: ProjectId) -> sa.Select[Any]:
    d = Disclosure
    return waiting_row("disclosure", d.id, d.title, d.status, d.created_at).where(
        d.project_id == project_id, d.status.in_(("submitted",))
    )


def _search(disclosure: Disclosure) -> Iterable[SearchText]:
    # the title only: the description is sealed at rest
    yield SearchText("disclosure", "disclosure.read", disclosure.title, disclosure.title)


KIND = RecordKind(
    type="disclosure",
    model=Disclosure,
    name=_l("Disclosure"),
    label=Label(Disclosure.title, "disclosure.read"),
    page=Page("disclosures.disclosure_detail", "disclosure_id"),
    api="api_disclosures.get_disclosure",
    view_action="disclosure.read",
    files=Files("disclosure", "disclosure.read"),
    queues={"disclosures_to_decide": _to_decide},
    search=_search,
    waiting=Waiting("disclosure.read", _submitted),
)
