"""Filings as a record kind (`tracker.records`): label, page (on the asset's page), deadlines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.cases.assets.filing_rules import KIND_LABELS
from tracker.cases.assets.models import IpAsset
from tracker.cases.filings.labels import office_name
from tracker.cases.filings.models import Filing, FilingDeadlineRow
from tracker.cases.projects.models import Project
from tracker.i18n import in_every_language
from tracker.records import DeadlineSource, Label, Page, RecordKind, SearchText
from tracker.records.deadlines import row


def _derived(visible: sa.ColumnElement[bool], _today: dt.date, _until: Any) -> sa.Select[Any]:
    """The filing rules' deadlines; a deadline closed by an event (a response filed, a fee
    paid) counts as done."""
    d = FilingDeadlineRow
    return (
        sa.select(
            *row(
                d.kind,
                d.due_on,
                IpAsset.title,
                IpAsset.project_id,
                "filing",
                d.filing_id,
                sa.or_(d.done, d.closed),
                derived=True,
                rule=d.rule,
                key=d.key,
                parent_id=Filing.asset_id,
                office=d.office,
                filing_id=d.filing_id,
                grace_until=d.grace_until,
            )
        )
        .join(Filing, Filing.id == d.filing_id)
        .join(IpAsset, IpAsset.id == Filing.asset_id)
        .join(Project, Project.id == IpAsset.project_id)
        .where(visible)
    )


def search_text(office: str, application_no: str | None, registration_no: str | None) -> str:
    """What finds a filing: its numbers (as the office writes them), then its office's name
    in both languages (never the office's code)."""
    numbers = " ".join(n for n in (application_no, registration_no) if n)
    return f"{numbers} {in_every_language(lambda: office_name(office))}".strip()


def _search(filing: Filing) -> Iterable[SearchText]:
    """A filing is found by its numbers and its office's name, and lands on its asset's page;
    its numbers name it (its title: a hit there ranks first)."""
    numbers = " ".join(n for n in (filing.application_no, filing.registration_no) if n)
    text = search_text(filing.office, filing.application_no, filing.registration_no)
    yield SearchText("filing", "filing.view", text, numbers, parent=filing.asset_id)


def _named(office: str | None, number: str | None) -> str:
    """ "대한민국 10-2024-0041234": the office's name, then the number (none before filing)."""
    return f"{office_name(office)} {number or ''}".strip()


KIND = RecordKind(
    type="filing",
    model=Filing,
    name=_l("Filing"),
    label=Label((Filing.office, Filing.application_no), "filing.view", text=_named),
    page=Page("assets.asset_detail", "asset_id", by="parent", anchor="filing-"),
    api="api_filings.get_filing",
    view_action="filing.view",
    deadlines=(DeadlineSource("filing.view", _derived),),
    deadline_kinds=KIND_LABELS,
    search=_search,
)
