"""The gadget's descriptor: what the deadlines, the trail, search and exports need to know."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from tests.records.throwaway.models import Gadget
from tracker.cases.projects.models import Project
from tracker.records import DeadlineSource, Label, Page, RecordKind, SearchText
from tracker.records.deadlines import row


def _due(visible: sa.ColumnElement[bool], _today: dt.date, _until: Any) -> sa.Select[Any]:
    g = Gadget
    return (
        sa.select(*row("gadget_due", g.due_on, g.title, g.project_id, "gadget", g.id, g.done))
        .join(Project, Project.id == g.project_id)
        .where(visible)
    )


def _search(gadget: Gadget) -> Iterable[SearchText]:
    yield SearchText("gadget", "project.view", gadget.title)


KIND = RecordKind(
    type="gadget",
    model=Gadget,
    name="Gadget",
    label=Label(Gadget.title, "project.view"),
    page=Page("projects.project_detail", "project_id", by="project"),
    view_action="project.view",
    deadlines=(DeadlineSource("project.view", _due),),
    deadline_kinds={"gadget_due": "Gadget due"},
    search=_search,
    columns={"gadget": "Gadget name"},
    references={"gadget_id": "gadget"},
)
