"""NDAs as a record kind (`tracker.records`): labelled by their partner's name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker import policy
from tracker.auth.models import Organization, User
from tracker.cases.ndas.models import Nda
from tracker.cases.projects.models import Project
from tracker.i18n import format_day
from tracker.records import (
    DeadlineSource,
    Files,
    Label,
    Page,
    RecordKind,
    Rows,
    SearchText,
    Section,
)
from tracker.records.deadlines import row

#: the operator's start page lists the NDAs that end within this many days
EXPIRING_NDA_DAYS = 90


def _expiry(visible: sa.ColumnElement[bool], _today: dt.date, _until: Any) -> sa.Select[Any]:
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
        # the project first: SQLite then checks the scope before it reads the partner
        .join(Project, Project.id == Nda.project_id)
        .join(Organization, Organization.id == Nda.partner_id)
        .where(visible, Nda.status == "active")
    )


def _expiring(user: User, today: dt.date) -> Rows:
    """Active NDAs in scope that expire within 90 days, soonest first (an operator's from the
    zone's index: the NDAs' copy of their project's zone picks the rows, the scope on the
    project still decides)."""
    zone = policy.scope_zone(user)
    stmt = (
        sa.select(Nda.id, Nda.project_id, Nda.expires_on, Project.code, Organization.name)
        .join(Project, Project.id == Nda.project_id)
        .join(Organization, Organization.id == Nda.partner_id)
        .where(
            policy.visible_projects(user),
            Nda.status == "active",
            Nda.expires_on >= today,
            Nda.expires_on <= today + dt.timedelta(days=EXPIRING_NDA_DAYS),
        )
        .order_by(Nda.expires_on, Nda.id)
    )
    return stmt if zone is None else stmt.where(Nda.zone_id == zone)


def _search(nda: Nda) -> Iterable[SearchText]:
    # names and codes: the partner and the governing law
    text = f"NDA {nda.partner.name} {nda.governing_law or ''}"
    yield SearchText("nda", "nda.view", text, nda.partner.name)


def _named(partner: str | None, starts: str | None, ends: str | None) -> str:
    """ "Acme GmbH · 2026. 1. 1. – 2027. 12. 31." (the partner, when it runs)."""
    runs = f"{format_day(starts)} – {format_day(ends)}" if starts and ends else ""
    return " · ".join(p for p in (partner or "", runs) if p)


KIND = RecordKind(
    type="nda",
    model=Nda,
    name=_l("NDA"),
    label=Label(
        (Organization.name, Nda.effective_on, Nda.expires_on),
        "nda.view",
        join=(Organization, Organization.id == Nda.partner_id),
        text=_named,
    ),
    page=Page("ndas.nda_detail", "nda_id"),
    api="api_ndas.get_nda",
    view_action="nda.view",
    files=Files("nda", "nda.view"),
    deadlines=(DeadlineSource("nda.view", _expiry, zone_copy=Nda.zone_id),),
    deadline_kinds={"nda_expiry": _l("NDA expiry")},
    search=_search,
    # shown on the start pages that list it (`dashboard.expiring_ndas`)
    sections={"expiring_ndas": Section(None, _expiring)},
)
