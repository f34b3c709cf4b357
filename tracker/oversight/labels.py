"""The labels and links of the records an audit page names, as the reader may see them.

Record kinds say how a row is named (`RecordKind.label`, `tracker.records`); accounts, zones
and organisations are named here. A label is shown only when the reader's role may see that
field of the record and the record's project lies in the reader's scope (admins and auditors
read the whole trail and see asset titles; disclosure titles only those who may read
disclosures, so auditors but not admins; file names as the record kinds' files say). Never
privileged text: a session is labelled by its date, a review by its date and level. Every
label of a page is read in one UNION; a link is `tracker.ui.record_link`'s (the one rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from tracker import policy, records
from tracker.auth.models import Organization, User, Zone
from tracker.cases.projects.models import Project
from tracker.db import db
from tracker.ui import record_link

#: what the object types that are not record kinds are called on the page
OTHER_TYPES: dict[str, Any] = {
    "user": _l("User"),
    "api_token": _l("API token"),
    "zone": _l("Zone"),
    "organization": _l("Organisation"),
    "export": _l("Export"),
}

#: (type, id) -> (label, link)
Found = dict[tuple[str, int], tuple[str, str | None]]


def type_names() -> dict[str, Any]:
    """What each object type is called on the page (the record kinds' names first)."""
    return {**{k.type: k.name for k in records.kinds()}, **OTHER_TYPES}


def type_name(object_type: str) -> str:
    return str(type_names().get(object_type, object_type))


@dataclass(frozen=True)
class _Other:
    """The label of an object that is not a record kind (an account, a zone, an organisation)."""

    model: Any
    column: Any
    endpoint: str | None = None
    arg: str = ""


def _others() -> dict[str, _Other]:
    zone_name = Zone.name_ko if str(get_locale()) == "ko" else Zone.name_en
    return {
        "user": _Other(User, User.name, "admin.user_edit", "user_id"),
        "zone": _Other(Zone, zone_name),
        "organization": _Other(
            Organization, Organization.name, "admin.organization_edit", "organization_id"
        ),
    }


def known(object_type: str) -> bool:
    """Whether objects of that type can be labelled."""
    found = records.find(object_type)
    return (found is not None and found.label is not None) or object_type in _others()


def _record_part(reader: User, kind: records.RecordKind, ids: set[int]) -> sa.Select[Any] | None:
    label = kind.label
    if label is None or not (label.action is None or policy.may(reader, label.action)):
        return None
    model = kind.model
    in_project = model is Project or hasattr(model, "project_id")
    project_id = (model.id if model is Project else model.project_id) if in_project else sa.null()
    select = _columns(kind.type, model, label.columns(), project_id, label.extra)
    select = select.where(model.id.in_(sorted(ids)))
    if label.join is not None:
        select = select.join(*label.join)
    if in_project:
        select = select.where(
            project_id.in_(sa.select(Project.id).where(policy.visible_projects(reader)))
        )
    if hasattr(model, "seen_by"):  # another user's draft: its event, but no label or link
        select = select.where(model.seen_by(reader.id))
    return select


def _columns(
    name: str, model: Any, parts: tuple[Any, ...], project_id: Any, extra: Any
) -> sa.Select[Any]:
    padded = (*parts, *(sa.null(),) * (records.LABEL_PARTS - len(parts)))
    return sa.select(
        sa.literal(name).label("type"),
        model.id.label("id"),
        *(sa.cast(p, sa.String).label(f"label{i}") for i, p in enumerate(padded)),
        sa.cast(project_id, sa.Integer).label("project_id"),
        sa.cast(extra if extra is not None else sa.null(), sa.String).label("extra"),
    )


def _part(reader: User, name: str, ids: set[int]) -> sa.Select[Any] | None:
    kind = records.find(name)
    if kind is not None:
        return _record_part(reader, kind, ids)
    other = _others().get(name)
    if other is None:
        return None
    return _columns(name, other.model, (other.column,), sa.null(), None).where(
        other.model.id.in_(sorted(ids))
    )


def labels(reader: User, wanted: dict[str, set[int]]) -> Found:
    """The label and link of every wanted (type, id) the reader may see, in one statement."""
    parts = [
        p for name, ids in sorted(wanted.items()) if (p := _part(reader, name, ids)) is not None
    ]
    if not parts:
        return {}
    union = parts[0] if len(parts) == 1 else sa.union_all(*parts)
    found: Found = {}
    for row in db.session.execute(union):
        if row.type == "attachment" and not _file_visible(reader, row.extra):
            continue
        values = [getattr(row, f"label{i}") for i in range(records.LABEL_PARTS)]
        found[(row.type, row.id)] = (_format(row.type, values), _link(reader, row))
    return found


def _link(reader: User, row: Any) -> str | None:
    if records.find(row.type) is not None:
        return record_link(reader, row.type, row.id, row.project_id)
    other = _others()[row.type]
    if other.endpoint is None or not policy.may(reader, "accounts.manage"):
        return None
    return url_for(other.endpoint, **{other.arg: row.id})


def _file_visible(reader: User, record_type: str | None) -> bool:
    action = records.file_visibility().get(record_type, "project.view")
    return policy.may(reader, action)


def _format(type_: str, values: list[Any]) -> str:
    """The record's name (its kind's `Label.name`), else the kind's name."""
    kind = records.find(type_)
    if kind is not None and kind.label is not None:
        text = kind.label.name(values)
    else:
        text = "" if values[0] is None else str(values[0])
    return text or type_name(type_)
