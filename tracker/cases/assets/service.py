"""IP assets of a project: their owners, jurisdictions, deadlines and regulatory status.

Lawyers write them (`asset.edit`); everyone in scope sees them, operators only the title, kind,
sensitivity and regulatory status (`asset.view_full` decides, see tracker/api/assets.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from tracker import policy
from tracker.audit.service import record
from tracker.auth.countries import iso_countries
from tracker.auth.models import User
from tracker.cases import search
from tracker.cases.assets import derived
from tracker.cases.assets.models import (
    ASSET_KINDS,
    DEADLINE_KINDS,
    NCT_STATUSES,
    SENSITIVITIES,
    STRATEGIC_ITEM,
    AssetDeadline,
    AssetOwner,
    IpAsset,
)
from tracker.cases.editing import finish_update
from tracker.cases.projects.models import Project
from tracker.cases.projects.service import Errors, check_version, dates_in_order, organizations
from tracker.db import db
from tracker.web import sorting

#: regional and international filings besides the ISO 3166 countries
EXTRA_JURISDICTIONS = frozenset({"EP", "WO"})
#: the longest jurisdictions text of the asset page (codes, comma-separated)
JURISDICTIONS_TEXT_MAX = 400

ASSET_FIELDS = (
    "title",
    "kind",
    "sensitivity",
    "description",
    "jurisdictions",
    "application_no",
    "filed_on",
    "registration_no",
    "registered_on",
    "priority_on",
    "nct_status",
    "nct_ref",
    "nct_filed_on",
    "strategic_item",
    "export_licence_ref",
    "export_licence_until",
    "originality_cert_no",
    "confidentiality_marked",
)
_CHOICES = {
    "kind": ASSET_KINDS,
    "sensitivity": SENSITIVITIES,
    "nct_status": NCT_STATUSES,
    "strategic_item": STRATEGIC_ITEM,
}


def _jurisdictions(codes: list[str], errors: Errors) -> list[str]:
    valid = iso_countries() | EXTRA_JURISDICTIONS
    cleaned = list(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))
    for code in cleaned:
        if code not in valid:
            errors.add(
                "jurisdictions", _("%(code)s is not an ISO 3166 country code, EP or WO.", code=code)
            )
    return cleaned


def _owners(owners: list[dict[str, Any]], errors: Errors) -> list[AssetOwner]:
    ids = [o["organization_id"] for o in owners]
    if len(set(ids)) != len(ids):
        errors.add("owners", _("Each organisation may own a share only once."))
    found = {org.id for org in organizations(ids, None, "owners", errors)}
    total = Decimal(0)
    result = []
    for owner in owners:
        share = Decimal(str(owner["share_pct"]))
        if not Decimal(0) < share <= Decimal(100):
            errors.add("owners", _("A share is more than 0 and at most 100 percent."))
        elif share.as_tuple().exponent < -2:  # type: ignore[operator]
            # the column keeps two places: a finer share would be rounded on the way in (so
            # the shares checked here are not the ones stored) and read back as a change
            errors.add("owners", _("At most two decimal places."))
        total += share
        if owner["organization_id"] in found:
            result.append(AssetOwner(organization_id=owner["organization_id"], share_pct=share))
    if total > 100:
        errors.add("owners", _("The shares add up to more than 100 percent."))
    return result


def _deadlines(deadlines: list[dict[str, Any]], errors: Errors) -> list[AssetDeadline]:
    result = []
    for item in deadlines:
        if item.get("kind") not in DEADLINE_KINDS:
            errors.add("deadlines", _("Unknown deadline kind."))
            continue
        result.append(
            AssetDeadline(
                kind=item["kind"],
                due_on=item["due_on"],
                note=item.get("note") or None,
                done=bool(item.get("done", False)),
            )
        )
    return result


def _apply(asset: IpAsset, values: dict[str, Any]) -> list[str]:
    errors = Errors()
    for name, choices in _CHOICES.items():
        if name in values and values[name] not in choices:
            errors.add(name, _("Not one of the allowed values."))
    if "jurisdictions" in values:
        values["jurisdictions"] = _jurisdictions(values["jurisdictions"], errors)
    owners = _owners(values["owners"], errors) if "owners" in values else None
    marks: dict[str, bool] = {}
    deadlines = None
    if "deadlines" in values:
        entered, marks = derived.split_marks(values["deadlines"])
        deadlines = _deadlines(entered, errors)
    dates_in_order(
        values.get("priority_on", asset.priority_on),
        values.get("filed_on", asset.filed_on),
        "priority_on",
        errors,
    )
    dates_in_order(
        values.get("filed_on", asset.filed_on),
        values.get("registered_on", asset.registered_on),
        "registered_on",
        errors,
    )
    until = values.get("export_licence_until", asset.export_licence_until)
    if until is not None and not values.get("export_licence_ref", asset.export_licence_ref):
        errors.add("export_licence_ref", _("A licence date needs the licence reference."))
    errors.raise_if_any()

    changed = [n for n in ASSET_FIELDS if n in values and getattr(asset, n) != values[n]]
    for name in changed:
        setattr(asset, name, values[name])
    if owners is not None and _owner_key(asset.owners) != _owner_key(owners):
        asset.owners = owners
        changed.append("owners")
    if deadlines is not None and _deadline_key(asset.deadlines) != _deadline_key(deadlines):
        asset.deadlines = deadlines
        changed.append("deadlines")
    if derived.sync(asset):
        changed.append("derived_deadlines")
    if derived.mark_done(asset, marks) and "derived_deadlines" not in changed:
        changed.append("derived_deadlines")
    return changed


def _owner_key(owners: list[AssetOwner]) -> list[tuple[int, Decimal]]:
    return sorted((o.organization_id, Decimal(o.share_pct)) for o in owners)


def _deadline_key(deadlines: list[AssetDeadline]) -> list[tuple[Any, ...]]:
    return sorted((d.kind, d.due_on, d.note or "", d.done) for d in deadlines)


def create_asset(project: Project, values: dict[str, Any]) -> IpAsset:
    """Record an IP asset of `project`. Raises InvalidInput (422): unknown owners, shares over
    100, unknown jurisdictions, dates out of order. Audited."""
    asset = IpAsset(
        project=project,
        nct_status=values.get("nct_status", "not_nct"),
        strategic_item=values.get("strategic_item", "no"),
        jurisdictions=[],
    )
    _apply(asset, values)
    db.session.add(asset)
    db.session.flush()
    search.index(asset)
    record("asset.created", asset, detail={"project_id": project.id})
    return asset


def update_asset(asset: IpAsset, changes: dict[str, Any]) -> IpAsset:
    """Edit an asset; `changes["version"]` must be the stored version (else 409, unchanged).
    `owners` and `deadlines`, when given, replace the lists. Audited with the changed fields."""
    check_version(asset, changes.get("version"))
    values = {k: v for k, v in changes.items() if k in (*ASSET_FIELDS, "owners", "deadlines")}
    changed = _apply(asset, values)
    return finish_update(
        asset, changed, "asset.updated", search.index, {"project_id": asset.project_id}
    )


def set_derived_done(asset: IpAsset, key: str, done: bool) -> IpAsset:
    """Mark the derived deadline `key` done (or not). InvalidInput (422) for an unknown key.
    Audited when it changes."""
    changed = ["derived_deadlines"] if derived.mark_done(asset, {key: done}) else []
    return finish_update(asset, changed, "asset.updated", None, {"project_id": asset.project_id})


#: the sortable columns of a project's assets (`sort`), each backed by a `(project_id, column)`
#: index
SORTS: dict[str, Any] = {
    "title": IpAsset.title,
    "kind": IpAsset.kind,
    "sensitivity": IpAsset.sensitivity,
    "nct_status": IpAsset.nct_status,
    "next_due_on": IpAsset.next_due_on,
}
#: the sorts that read a field only `asset.view_full` shows (operators see no deadline, so no
#: order by one either)
FULL_SORTS = frozenset({"next_due_on"})


def sorts_for(user: User, project: Project) -> tuple[str, ...]:
    """The columns of `SORTS` that `user` may sort `project`'s assets by."""
    full = policy.can(user, "asset.view_full", project)
    return tuple(name for name in SORTS if full or name not in FULL_SORTS)


def asset_query(project: Project, sort: str = "") -> sa.Select[IpAsset]:
    """The project's assets, newest last or in the order of `sort` (a value of
    `sorting.choices(SORTS)`, as `sorts_for` allows the reader; empty: newest last), with owners
    and deadlines loaded alongside."""
    stmt = (
        sa.select(IpAsset)
        .where(IpAsset.project_id == project.id)
        .options(
            selectinload(IpAsset.owners),
            selectinload(IpAsset.deadlines),
            selectinload(IpAsset.derived_deadlines),
        )
    )
    if not sort:
        return stmt.order_by(IpAsset.id)
    return sorting.ordered(stmt, sort, SORTS, IpAsset.id)


#: an asset's own name for the kind of a derived deadline (`ip_annuity` is an `annuity`)
_ASSET_KIND = {f"ip_{k}": k for k in DEADLINE_KINDS}


def deadline_items(asset: IpAsset) -> list[dict[str, Any]]:
    """The asset's deadlines as its responses list them: hand-entered, then derived."""
    entered = [
        {
            "id": d.id,
            "kind": d.kind,
            "due_on": d.due_on,
            "note": d.note,
            "done": d.done,
            "derived": False,
            "rule": None,
            "key": None,
        }
        for d in asset.deadlines
    ]
    by_rule = [
        {
            "id": None,
            "kind": _ASSET_KIND[d.kind],
            "due_on": d.due_on,
            "note": None,
            "done": d.done,
            "derived": True,
            "rule": d.rule,
            "key": d.key,
        }
        for d in asset.derived_deadlines
    ]
    return entered + by_rule
