"""NDAs as a record kind (`tracker.records`): labelled by their partner's name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.auth.models import Organization
from tracker.cases.ndas.models import Nda
from tracker.cases.projects.models import Project
from tracker.records import DeadlineSource, Files, Label, Page, RecordKind, SearchText
from tracker.records.deadlines import row


def _expiry(visible: sa.ColumnElement[bool], _today: dt.date) -> sa.Select[Any]:
    """An active NDA's end."""
    return (
        sa.select(
            *row(
                "nda_expiry",
                Nda.expires_on,
                Organization.name,
                Nda.project_id,
                "nda",
                Nda.id,
                sa.false(),
            )
        )
        .join(Organization, Organization.id == Nda.partner_id)
        .join(Project, Project.id == Nda.project_id)
        .where(visible, Nda.status == "active")
    )


def _search(nda: Nda) -> Iterable[SearchText]:
    yield SearchText(
        "nda", "nda.view", f"NDA {nda.partner.name} {nda.governing_law or ''} {nda.purpose or ''}"
    )


KIND = RecordKind(
    type="nda",
    model=Nda,
    name=_l("NDA"),
    label=Label(
        Organization.name,
        "nda.view",
        join=(Organization, Organization.id == Nda.partner_id),
        numbered=True,
    ),
    page=Page("ndas.nda_detail", "nda_id"),
    api="api_ndas.get_nda",
    view_action="nda.view",
    files=Files("nda", "nda.view"),
    deadlines=(DeadlineSource("nda.view", _expiry),),
    deadline_kinds={"nda_expiry": _l("NDA expiry")},
    search=_search,
)
