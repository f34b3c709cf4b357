"""The trail made readable: who acted (name, role), on what (type, id, a label the reader may
see, a link to the record), for the API, the audit page, its exports and every record's
history.

A page of events costs a fixed number of statements whatever it holds: the COUNT, the page
(events with their actor joined and their object type and id translated, `tracker.audit.types`)
and one UNION of the labels of every object on the page.

Labels follow the matrix: a label is shown only when the reader's role may see that field of
the record and the record's project lies in the reader's scope (admins and auditors read the
whole trail and see asset titles; disclosure titles only those who may read disclosures, so
auditors but not admins; file names as `FILE_VISIBILITY` says). Never privileged text: a
session is labelled by its date, a review by its level.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from tracker import policy
from tracker.attachments.models import Attachment
from tracker.audit import service, types
from tracker.audit.models import AuditEvent
from tracker.auth.models import Organization, User, Zone
from tracker.cases import labels
from tracker.cases.assets.models import IpAsset
from tracker.cases.disclosures.models import Disclosure
from tracker.cases.ndas.models import Nda
from tracker.cases.projects.models import Project
from tracker.cases.reviews.models import RiskReview
from tracker.cases.sessions.models import AdvisorySession
from tracker.db import db
from tracker.transfers.models import TransferRequest

#: what each object type is called on the page
TYPE_NAMES: dict[str, Any] = {
    "project": _l("Project"),
    "asset": _l("IP asset"),
    "disclosure": _l("Disclosure"),
    "nda": _l("NDA"),
    "session": _l("Advisory session"),
    "follow_up": _l("Follow-up"),
    "risk_review": _l("Risk review"),
    "transfer": _l("Data-sharing request"),
    "attachment": _l("File"),
    "user": _l("User"),
    "api_token": _l("API token"),
    "zone": _l("Zone"),
    "organization": _l("Organisation"),
    "export": _l("Export"),
}


@dataclass(frozen=True)
class Source:
    """Where the label of one object type comes from, who may see it and where it links."""

    model: Any
    #: the label column (any type; shown as text)
    label: Any
    #: the policy action the reader needs to see the label; None: whoever reads the audit
    action: str | None
    #: the record's page, from (id, project id)
    link: Callable[[int, int | None], str] | None = None
    #: a join the label needs (target, on clause)
    join: tuple[Any, Any] | None = None
    #: a second column: a file's record type (whose matrix row says who may see its name)
    extra: Any = None
    #: the action the reader needs for the link (the record page's own check)
    link_action: str | None = None


def _zone_name() -> Any:
    return Zone.name_ko if str(get_locale()) == "ko" else Zone.name_en


def _page(endpoint: str, key: str) -> Callable[[int, int | None], str]:
    """A link to the record's own page."""

    def link(ident: int, _project: int | None) -> str:
        values: dict[str, Any] = {key: ident}
        return url_for(endpoint, **values)

    return link


def _project_page(endpoint: str) -> Callable[[int, int | None], str]:
    """A link to the project page that lists the record (files)."""
    return lambda _ident, project: url_for(endpoint, project_id=project)


def _sources() -> dict[str, Source]:
    partner = Organization.name
    # fmt: off
    return {
        "project": Source(Project, Project.code, "project.view",
                          _page("projects.project_detail", "project_id")),
        "asset": Source(IpAsset, IpAsset.title, "asset.view",
                        _page("assets.asset_detail", "asset_id")),
        "disclosure": Source(Disclosure, Disclosure.title, "disclosure.read",
                             _page("disclosures.disclosure_detail", "disclosure_id")),
        "nda": Source(Nda, partner, "nda.view", _page("ndas.nda_detail", "nda_id"),
                      join=(Organization, Organization.id == Nda.partner_id)),
        "session": Source(AdvisorySession, AdvisorySession.held_on, "project.view",
                          _page("sessions.session_detail", "session_id")),
        "risk_review": Source(RiskReview, RiskReview.level, "review.view_result",
                              _page("reviews.review_detail", "review_id")),
        "transfer": Source(TransferRequest, partner, "transfer.view",
                           _page("transfers.transfer_detail", "transfer_id"),
                           join=(Organization, Organization.id == TransferRequest.partner_id)),
        "attachment": Source(Attachment, Attachment.filename, "project.view",
                             _project_page("attachments.project_attachments"),
                             extra=Attachment.record_type),
        "user": Source(User, User.name, None, _page("admin.user_edit", "user_id"),
                       link_action="accounts.manage"),
        "zone": Source(Zone, _zone_name(), None),
        "organization": Source(Organization, Organization.name, None,
                               _page("admin.organization_edit", "organization_id"),
                               link_action="accounts.manage"),
    }
    # fmt: on


@dataclass
class Event:
    """One event as readers see it."""

    id: int
    seq: int
    at: dt.datetime
    actor_id: int | None
    action: str
    object_type: str | None
    object_id: int | None
    ip: str | None
    detail: dict[str, Any]
    mac: str
    actor: dict[str, Any] | None
    object: dict[str, Any] | None = None
    #: the record's page, when the reader may see its label
    link: str | None = None
    type_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def event_columns(stmt: sa.Select[Any]) -> sa.Select[Any]:
    """`events_query(...)` with the actor joined and the object translated, for one page."""
    return stmt.add_columns(
        types.effective_type().label("type"),
        types.effective_id().label("oid"),
        User.name,
        User.role,
    ).outerjoin(User, User.id == AuditEvent.actor_id)


def page(
    reader: User,
    filters: service.AuditFilters,
    args: dict[str, Any],
    only_actor: int | None,
    extra: Iterable[Any] = (),
) -> dict[str, Any]:
    """One page of readable events: a COUNT, the page, one query of labels. `extra`: more
    conditions on the events (the page's actor-name search)."""
    stmt = service.events_query(filters, only_actor).where(*extra)
    total = db.session.execute(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    ).scalar_one()
    per_page = args["per_page"]
    rows = db.session.execute(
        event_columns(stmt).limit(per_page).offset((args["page"] - 1) * per_page)
    ).all()
    return {
        "items": readable(reader, rows),
        "total": total,
        "page": args["page"],
        "per_page": per_page,
    }


def every(
    reader: User,
    filters: service.AuditFilters,
    only_actor: int | None,
    extra: Iterable[Any] = (),
) -> list[Event]:
    """Every event matching the filters (an export): the same two queries, unpaged."""
    stmt = service.events_query(filters, only_actor).where(*extra)
    return readable(reader, db.session.execute(event_columns(stmt)).all())


def object_label(reader: User, object_type: str, object_id: int) -> dict[str, Any]:
    """The label and link of one record, as the reader may see them (a history's heading)."""
    sources = _sources()
    name = str(TYPE_NAMES.get(object_type, object_type))
    found = {}
    if object_type in sources:
        found = _labels(reader, sources, {object_type: {object_id}})
    label, link = found.get((object_type, object_id), (f"{name} #{object_id}", None))
    return {"label": label, "link": link, "type_name": name}


def readable(reader: User, rows: Iterable[Any]) -> list[Event]:
    events = []
    for row in rows:
        e: AuditEvent = row[0]
        actor = None
        if e.actor_id is not None:
            actor = {"id": e.actor_id, "name": row.name, "role": row.role}
        events.append(
            Event(
                e.id,
                e.seq,
                e.at,
                e.actor_id,
                e.action,
                row.type,
                row.oid,
                e.ip,
                e.detail or {},
                e.mac,
                actor,
            )
        )
    _label(reader, events)
    return events


#: detail keys naming another record: shown by its label (in the same query)
DETAIL_REFERENCES = {
    "project_id": "project",
    "asset_id": "asset",
    "asset_ids": "asset",
    "attachment_id": "attachment",
    "session_id": "session",
    "partner_id": "organization",
    "zone_id": "zone",
}


def _references(detail: dict[str, Any]) -> Iterable[tuple[str, str, int]]:
    """(key, type, id) of every record the detail names by id."""
    for key, kind in DETAIL_REFERENCES.items():
        value = detail.get(key)
        for ident in value if isinstance(value, list) else [value]:
            if isinstance(ident, int) and not isinstance(ident, bool):
                yield key, kind, ident


def _label(reader: User, events: list[Event]) -> None:
    """Fill `object` (and `link`) of every event, and the labels of the records its detail
    names (`extra["named"]`), with one query for the whole page."""
    sources = _sources()
    wanted: dict[str, set[int]] = {}
    for e in events:
        if e.object_type in sources and e.object_id is not None:
            wanted.setdefault(e.object_type, set()).add(e.object_id)
        for _key, kind, ident in _references(e.detail):
            wanted.setdefault(kind, set()).add(ident)
    found = _labels(reader, sources, wanted) if wanted else {}
    for e in events:
        named: dict[str, list[str]] = {}
        for key, kind, ident in _references(e.detail):
            text = found.get((kind, ident), (None, None))[0]
            named.setdefault(key, []).append(f"{text} (#{ident})" if text else f"#{ident}")
        e.extra["named"] = {k: ", ".join(v) for k, v in named.items()}
    for e in events:
        e.type_name = str(TYPE_NAMES.get(e.object_type or "", e.object_type or ""))
        label, link = found.get((e.object_type or "", e.object_id or 0), (None, None))
        if label is None:
            label = _fallback(e)
        e.link = link
        e.object = (
            {"type": e.object_type, "id": e.object_id, "label": label}
            if e.object_type is not None
            else None
        )


def _fallback(e: Event) -> str:
    if e.object_type == types.EXPORT:
        return f"{e.type_name}: {e.detail.get('list', '')}".rstrip(": ")
    if e.object_id is None:
        return e.type_name
    return f"{e.type_name} #{e.object_id}"


def _visible(reader: User, source: Source) -> bool:
    return source.action is None or policy.may(reader, source.action)


def _labels(
    reader: User, sources: dict[str, Source], wanted: dict[str, set[int]]
) -> dict[tuple[str, int], tuple[str, str | None]]:
    scope = sa.select(Project.id).where(policy.visible_projects(reader))
    parts = []
    for name, ids in sorted(wanted.items()):
        source = sources[name]
        if not _visible(reader, source):
            continue
        model = source.model
        project_id = model.project_id if hasattr(model, "project_id") else model.id
        if model is not Project and not hasattr(model, "project_id"):
            project_id = sa.null()
        select = sa.select(
            sa.literal(name).label("type"),
            model.id.label("id"),
            sa.cast(source.label, sa.String).label("label"),
            sa.cast(project_id, sa.Integer).label("project_id"),
            sa.cast(source.extra if source.extra is not None else sa.null(), sa.String).label(
                "extra"
            ),
        ).where(model.id.in_(sorted(ids)))
        if source.join is not None:
            select = select.join(*source.join)
        if model is Project or hasattr(model, "project_id"):
            select = select.where(project_id.in_(scope))
        if hasattr(model, "seen_by"):  # another user's draft: its event, but no label or link
            select = select.where(model.seen_by(reader.id))
        parts.append(select)
    if not parts:
        return {}
    union = parts[0] if len(parts) == 1 else sa.union_all(*parts)
    found = {}
    for row in db.session.execute(union):
        if row.type == "attachment" and not _file_visible(reader, row.extra):
            continue
        source = sources[row.type]
        label = _format(row.type, row.label, row.id)
        link = None
        if source.link and (source.link_action is None or policy.may(reader, source.link_action)):
            link = source.link(row.id, row.project_id)
        found[(row.type, row.id)] = (label, link)
    return found


def _file_visible(reader: User, record_type: str | None) -> bool:
    action = policy.FILE_VISIBILITY.get(record_type, "project.view")
    return policy.may(reader, action)


def _format(kind: str, label: str | None, ident: int) -> str:
    name = str(TYPE_NAMES[kind])
    if kind == "risk_review":
        return f"{name} #{ident} · {labels.label(label)}"
    if kind in ("session", "nda", "transfer"):
        return f"{name} #{ident} · {label}"
    return label or f"{name} #{ident}"
