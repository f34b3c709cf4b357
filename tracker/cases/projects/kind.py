"""Projects as a record kind (`tracker.records`): the case file every other record sits in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.auth.models import Organization
from tracker.cases.projects.models import Project
from tracker.db import db
from tracker.records import DeadlineSource, Label, Page, RecordKind, SearchText
from tracker.records.deadlines import due_by, row


def end_dates(
    visible: sa.ColumnElement[bool], _today: dt.date, until: dt.date | None
) -> sa.Select[Any]:
    """Each project's end date; done once the project is closed."""
    closed = sa.case((Project.status == "closed", sa.true()), else_=sa.false())
    return sa.select(
        *row(
            "project_end",
            Project.end_date,
            Project.title,
            Project.id,
            "project",
            Project.id,
            closed,
        )
    ).where(visible, due_by(Project.end_date, until))


def _search(project: Project) -> Iterable[SearchText]:
    """The project's searchable summary: code, title, lead company and partners."""
    company = db.session.get(Organization, project.company_id)
    names = [company.name if company else "", *(p.name for p in project.partners)]
    text = " ".join([project.code, project.title, *names])
    heading = f"{project.code} {project.title}"
    yield SearchText("project", "project.view", text, project.title, heading)


def _named(code: str | None, title: str | None) -> str:
    """ "DCX-01 · Solid-state cathode": its code, then its title."""
    return " · ".join(p for p in (code or "", title or "") if p)


KIND = RecordKind(
    type="project",
    model=Project,
    name=_l("Project"),
    label=Label((Project.code, Project.title), "project.view", text=_named),
    page=Page("projects.project_detail", "project_id"),
    api="api_projects.get_project",
    view_action="project.view",
    deadlines=(DeadlineSource("project.view", end_dates),),
    deadline_kinds={"project_end": _l("Project end")},
    search=_search,
    references={"project_id": "project"},
    # its own events are the project's activity already
    activity=False,
)
