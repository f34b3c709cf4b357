"""The filings of an IP asset: record, edit, delete them, record their events, mark their
derived deadlines done. Lawyers in scope write them (`filing.edit`); whoever may read the asset
in full reads them (`filing.view`). Every write is audited against the filing (object type
`filing`) and re-derives the family's deadlines in the same transaction.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.audit.service import record
from tracker.auth.countries import iso_countries
from tracker.cases import search
from tracker.cases.assets import derived as asset_derived
from tracker.cases.assets.filing_rules import (
    EVENT_KINDS,
    ROUTES,
    STATUSES,
    office_action_period_known,
)
from tracker.cases.assets.models import IpAsset
from tracker.cases.filings import derived
from tracker.cases.filings.models import (
    PARENT_OFFICE,
    PARENT_ROUTE,
    Filing,
    FilingDeadlineRow,
    FilingEvent,
)
from tracker.cases.projects.service import Errors, dates_in_order
from tracker.db import db
from tracker.errors import StateConflict, check_version

#: offices besides the ISO 3166 countries: the EPO, the PCT (WIPO as receiving office for the
#: international phase), the EUIPO and WIPO's Madrid and Hague registrations
EXTRA_OFFICES = frozenset({"EP", "WO", "EM", "WIPO"})

#: a filing's dates, in the order of the office's file
FILING_DATES = (
    "filed_on",
    "priority_on",
    "published_on",
    "examination_requested_on",
    "allowed_on",
    "registered_on",
)
FILING_FIELDS = (
    "office",
    "route",
    "parent_id",
    "application_no",
    "registration_no",
    *FILING_DATES,
    "status",
)
#: the filing's date an event states, filled in when the filing has none yet
EVENT_DATES = {
    "publication": "published_on",
    "examination_requested": "examination_requested_on",
    "allowance": "allowed_on",
    "registration": "registered_on",
}
#: the status an event moves a pending (or allowed) filing to
EVENT_STATUS = {"allowance": "allowed", "registration": "registered", "refusal": "refused"}


def offices() -> frozenset[str]:
    """Every office a filing may name."""
    return iso_countries() | EXTRA_OFFICES


def _descendants(asset: IpAsset, filing: Filing) -> set[int]:
    """The ids of the filings below `filing` in its family (a parent may not be one)."""
    below: set[int] = set()
    frontier = {filing.id}
    family = list(asset.filings)
    while frontier:
        frontier = {f.id for f in family if f.parent_id in frontier and f.id not in below}
        below |= frontier
    return below


def _check_parent(asset: IpAsset, filing: Filing, values: dict[str, Any], e: Errors) -> None:
    route = values["route"]
    parent_id = values.get("parent_id")
    if route in PARENT_OFFICE or route == "divisional":
        if parent_id is None:
            e.add("parent_id", _("This route needs the filing it comes from."))
            return
    if parent_id is None:
        return
    if route == "first":
        e.add("parent_id", _("A first filing claims no priority: it has no parent."))
        return
    parent = next((f for f in asset.filings if f.id == parent_id), None)
    if parent is None or parent is filing:
        e.add("parent_id", _("Not another filing of this asset."))
        return
    if filing.id is not None and parent.id in _descendants(asset, filing):
        e.add("parent_id", _("A filing cannot come from one of its own descendants."))
        return
    office = PARENT_OFFICE.get(route)
    wanted_route = PARENT_ROUTE.get(route)
    if wanted_route is not None and parent.route != wanted_route:
        e.add("parent_id", _("A national phase enters from the PCT filing."))
    elif office is not None and parent.office != office:
        e.add("parent_id", _("A validation validates the EP filing."))


def _apply(asset: IpAsset, filing: Filing, values: dict[str, Any]) -> list[str]:
    """Check the values merged over the filing's (a new one: none) and set the changed
    fields; their names."""
    merged = {n: values.get(n, getattr(filing, n)) for n in FILING_FIELDS}
    if filing.id is None and merged["status"] is None:
        merged["status"] = "pending"
    e = Errors()
    if merged["filed_on"] is None:
        e.add("filed_on", _("The filing date is required."))
    if merged["office"] is not None:
        merged["office"] = str(merged["office"]).strip().upper()
    if merged["office"] not in offices():
        e.add("office", _("An ISO 3166 country code, or EP, WO, EM or WIPO."))
    if merged["route"] not in ROUTES:
        e.add("route", _("Not one of the allowed values."))
    if merged["status"] not in STATUSES:
        e.add("status", _("Not one of the allowed values."))
    if merged["route"] == "pct" and merged["office"] not in (None, "WO"):
        e.add("office", _("A PCT international application is filed as WO."))
    if merged["route"] in ROUTES:
        _check_parent(asset, filing, merged, e)
    dates_in_order(merged["priority_on"], merged["filed_on"], "priority_on", e)
    for later in ("published_on", "examination_requested_on", "allowed_on", "registered_on"):
        dates_in_order(merged["filed_on"], merged[later], later, e)
    dates_in_order(merged["allowed_on"], merged["registered_on"], "registered_on", e)
    e.raise_if_any()
    changed = [n for n in FILING_FIELDS if getattr(filing, n) != merged[n]]
    for name in changed:
        setattr(filing, name, merged[name])
    return changed


def _rederive(asset: IpAsset) -> set[int]:
    db.session.flush()
    return derived.sync_family(asset)


def create_filing(asset: IpAsset, values: dict[str, Any]) -> Filing:
    """Record a filing of `asset`. InvalidInput (422): unknown office, a parent against the
    route's rule, dates out of order. Audited; the family's deadlines follow at once."""
    filing = Filing()
    with db.session.no_autoflush:
        _apply(asset, filing, values)
    filing.asset = asset
    db.session.add(filing)
    _rederive(asset)
    search.index(filing)
    record(
        "filing.created",
        filing,
        detail={"asset_id": asset.id, "project_id": asset.project_id, "office": filing.office},
    )
    return filing


def update_filing(filing: Filing, changes: dict[str, Any]) -> Filing:
    """Edit a filing; `changes["version"]` must be the stored version (else 409, unchanged).
    `deadlines` (`[{"key", "done"}]`) marks derived deadlines done. Audited with the changed
    fields; the version steps once."""
    check_version(filing, changes.get("version"))
    values = {k: v for k, v in changes.items() if k in FILING_FIELDS}
    with db.session.no_autoflush:
        changed = _apply(filing.asset, filing, values)
    stamped = bool(changed)
    if stamped:
        filing.updated_at = clock.now()
    if _rederive(filing.asset) & {filing.id}:
        changed.append("deadlines")
    marks = {str(m["key"]): bool(m.get("done", False)) for m in changes.get("deadlines") or []}
    if mark_done(filing, marks) and "deadlines" not in changed:
        changed.append("deadlines")
    return _finish(filing, changed, "filing.updated", stamped)


def _finish(filing: Filing, changed: list[str], action: str, stamped: bool) -> Filing:
    """Stamp the filing unless `stamped` already (only what hangs off it changed: its version
    still moves on, once), flush, audit `action` with the changed fields. Nothing when
    nothing changed."""
    if not changed:
        return filing
    if not stamped:
        filing.updated_at = clock.now()
    db.session.flush()
    search.index(filing)
    record(action, filing, detail={"project_id": filing.project_id, "fields": changed})
    return filing


def mark_done(filing: Filing, marks: dict[str, bool]) -> list[str]:
    """Set `done` of the filing's derived deadlines by key; the keys whose mark changed. An
    unknown key is invalid input (422): a derived deadline is marked, never made by hand."""
    with db.session.no_autoflush:
        rows = {row.key: row for row in filing.deadlines}
    return asset_derived.set_marks(
        rows, marks, lambda key: _("No derived deadline %(key)s on this filing.", key=key)
    )


def delete_filing(filing: Filing, version: int | None = None) -> None:
    """Remove a filing with its events and deadlines. StateConflict (409) for a stale
    `version` (when given) and while another filing comes from it. Audited; the asset's own
    dates derive again once it has no filing."""
    check_version(filing, version, required=False)
    asset = filing.asset
    if any(f.parent_id == filing.id for f in asset.filings):
        raise StateConflict(_("Other filings come from this one: remove or move them first."))
    record(
        "filing.deleted",
        filing,
        detail={"asset_id": asset.id, "project_id": asset.project_id, "office": filing.office},
    )
    search.unindex_record("filing", filing.id)
    asset.filings.remove(filing)  # an orphan: deleted with its events and deadlines
    db.session.flush()
    if asset.filings:
        derived.sync_family(asset)
    else:
        asset_derived.sync(asset)
    db.session.flush()


def record_event(filing: Filing, values: dict[str, Any], actor_id: int | None) -> FilingEvent:
    """Record what happened at the office. An event that states a date the filing lacks fills
    it in (a registration its `registered_on`), an allowance, registration or refusal moves a
    pending filing on; the deadlines that follow are derived at once. Audited on the filing."""
    e = Errors()
    if values.get("kind") not in EVENT_KINDS:
        e.add("kind", _("Not one of the allowed values."))
    if values.get("on") is None:
        e.add("on", _("The date is required."))
    dates_in_order(values.get("on"), values.get("due_on"), "due_on", e)
    if (
        values.get("kind") == "office_action"
        and values.get("due_on") is None
        and not office_action_period_known(filing.office, filing.asset.kind)
    ):
        # no rule gives this office's actions a period: without the date nothing is docketed
        e.add("due_on", _("This office has no usual period: give the date the action names."))
    e.raise_if_any()
    event = FilingEvent(
        kind=values["kind"],
        on=values["on"],
        due_on=values.get("due_on"),
        note=values.get("note") or None,
        created_by_id=actor_id,
    )
    filing.events.append(event)
    changed = ["events"]
    field = EVENT_DATES.get(event.kind)
    if field is not None and getattr(filing, field) is None:
        setattr(filing, field, event.on)
        changed.append(field)
    status = EVENT_STATUS.get(event.kind)
    if status is not None and filing.status in ("pending", "allowed") and filing.status != status:
        filing.status = status
        changed.append("status")
    filing.updated_at = clock.now()
    _rederive(filing.asset)
    _finish(filing, changed, "filing.updated", True)
    record(
        "filing.event_recorded",
        filing,
        detail={"event_id": event.id, "kind": event.kind, "project_id": filing.project_id},
    )
    return event


def filing_query(asset: IpAsset) -> sa.Select[Filing]:
    """The asset's filings, in filing order, with their deadlines and events alongside."""
    return (
        sa.select(Filing)
        .where(Filing.asset_id == asset.id)
        .options(selectinload(Filing.deadlines), selectinload(Filing.events))
        .order_by(Filing.filed_on, Filing.id)
    )


def event_query(filing: Filing) -> sa.Select[FilingEvent]:
    return (
        sa.select(FilingEvent)
        .where(FilingEvent.filing_id == filing.id)
        .order_by(FilingEvent.on, FilingEvent.id)
    )


def deadline_items(filing: Filing) -> list[dict[str, Any]]:
    """The filing's derived deadlines as its responses list them."""
    return [_item(row) for row in filing.deadlines]


def _item(row: FilingDeadlineRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "kind": row.kind,
        "due_on": row.due_on,
        "grace_until": row.grace_until,
        "office": row.office,
        "year": row.year,
        "rule": row.rule,
        "done": row.done or row.closed,
        "closed": row.closed,
        "derived": True,
    }


def family_tree(filings: list[Filing]) -> list[tuple[Filing, int]]:
    """The filings in family order: each parent followed by what comes from it, with its depth
    (a filing whose parent is gone, or in a loop, starts a branch of its own)."""
    ordered = sorted(filings, key=lambda f: (f.filed_on is None, f.filed_on, f.id))
    ids = {f.id for f in ordered}
    children: dict[int | None, list[Filing]] = {}
    for f in ordered:
        children.setdefault(f.parent_id if f.parent_id in ids else None, []).append(f)
    out: list[tuple[Filing, int]] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for f in children.get(parent, []):
            if f.id not in seen:
                seen.add(f.id)
                out.append((f, depth))
                walk(f.id, depth + 1)

    walk(None, 0)
    for f in ordered:  # a loop has no root: still shown
        if f.id not in seen:
            seen.add(f.id)
            out.append((f, 0))
            walk(f.id, 1)
    return out


#: the asset's single dates, as its page names them
SINGLE_DATES = ("priority_on", "filed_on", "application_no", "registered_on", "registration_no")


def dates_to_split(asset: IpAsset, family: list[Filing]) -> dict[str, Any]:
    """The single filing dates of an asset without filings (`family`, loaded), to split per
    office (empty when it has filings or no such dates)."""
    if family:
        return {}
    return {n: getattr(asset, n) for n in SINGLE_DATES if getattr(asset, n)}
