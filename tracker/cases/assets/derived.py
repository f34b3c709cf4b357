"""An asset's derived deadlines, kept in step with the dates they come from.

The docketing engine (`tracker.cases.assets.docketing`, rules as data) computes them; this module
writes them as rows (`DerivedDeadline`) whenever an asset is saved, so `/deadlines`, the
dashboards, the digest and the calendar read them with the other deadlines in one SQL query.

- A deadline whose key stays and whose date stays keeps its `done` mark.
- A deadline whose date moved is a new deadline: its `done` mark is cleared, so a moved date is
  never hidden by an old mark.
- A deadline whose rule no longer applies (the dates or jurisdictions changed) goes; one whose
  rule applies is never deleted, whatever the caller sends.

The whole schedule is kept (annuities to the end of the term: at most a few dozen rows), so no
deadline falls out of a window computed on some other day.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker import clock
from tracker.cases.assets import docketing
from tracker.cases.assets.models import DerivedDeadline, IpAsset
from tracker.db import db
from tracker.errors import InvalidInput

#: far enough to keep the whole fee schedule (patent terms are 20 years; 30 leaves room)
WHOLE_SCHEDULE_DAYS = 366 * 30


def computed(asset: IpAsset) -> list[docketing.Derived]:
    """What the rules derive for the asset's dates now (the whole schedule); nothing for an
    asset with filings (each filing derives from its own dates: tracker/cases/filings)."""
    if asset.filings:
        return []
    return docketing.derive(
        asset.kind,
        asset.priority_on,
        asset.filed_on,
        asset.registered_on,
        asset.jurisdictions or [],
        clock.today(),
        horizon_days=WHOLE_SCHEDULE_DAYS,
    )


#: re-derives the deadlines of an asset with filings (its family): set by the filings package,
#: which builds on assets (`tracker.cases.filings.derived`), as NEXT_DUE_OWNERS is
FAMILY_SYNC: list[Callable[[IpAsset], bool]] = []


def reconcile(
    owner: Any, rows: str, wanted: Mapping[str, Any], make: Callable[[Any], Any], fields: tuple
) -> bool:
    """Bring `owner`'s derived deadline rows (the collection named `rows`) in step with
    `wanted` (key -> what the rules derive), by key; True when any changed. A key no longer
    wanted goes; a new one is `make(derived)`; a moved date clears the done mark; the other
    `fields` are copied. Loading the rows never flushes the caller's pending changes. The one
    rule for an asset's own deadlines and a filing's."""
    with db.session.no_autoflush:
        collection = getattr(owner, rows)
        have = {row.key: row for row in collection}
    changed = False
    for key, old in have.items():
        if key not in wanted:
            collection.remove(old)
            changed = True
    for key, d in wanted.items():
        row = have.get(key)
        if row is None:
            collection.append(make(d))
            changed = True
            continue
        if row.due_on != d.due_on:
            row.due_on, row.done, row.done_at = d.due_on, False, None
            changed = True
        fresh = tuple(getattr(d, f) for f in fields)
        if tuple(getattr(row, f) for f in fields) != fresh:
            for name, value in zip(fields, fresh, strict=True):
                setattr(row, name, value)
            changed = True
    return changed


def sync(asset: IpAsset) -> bool:
    """Rewrite the asset's derived deadlines from its dates; True when any changed. Loading
    them must not flush the caller's pending changes (one UPDATE, one version step). An asset
    with filings re-derives its family instead (its jurisdictions name the national phases)."""
    with db.session.no_autoflush:
        has_filings = bool(asset.filings)
    if has_filings:
        if not FAMILY_SYNC:
            raise RuntimeError("the filings package registered no family sync")
        before = asset.docketed_with
        return any([hook(asset) for hook in FAMILY_SYNC]) or before != asset.docketed_with
    changed = reconcile(
        asset,
        "derived_deadlines",
        {d.key: d for d in computed(asset)},
        lambda d: DerivedDeadline(key=d.key, kind=d.kind, due_on=d.due_on, rule=d.rule, done=False),
        ("rule", "kind"),
    )
    version = docketing.catalogue()["version"]
    if asset.docketed_with != version:
        asset.docketed_with = version
        changed = True
    return changed


def mark_done(asset: IpAsset, marks: dict[str, bool]) -> list[str]:
    """Set `done` of derived deadlines by key; the keys whose mark changed. An unknown key is
    invalid input (422): a derived deadline is marked, never created or deleted by hand."""
    with db.session.no_autoflush:
        rows = {row.key: row for row in asset.derived_deadlines}
    return set_marks(
        rows, marks, lambda key: _("No derived deadline %(key)s on this asset.", key=key)
    )


def set_marks(
    rows: dict[str, Any], marks: dict[str, bool], unknown: Callable[[str], str]
) -> list[str]:
    """Set `done` (and `done_at`) of the derived deadline rows named by `marks`; the keys whose
    mark changed. InvalidInput (422) naming the first key no row has (`unknown(key)`): the
    same rule for an asset's rows and a filing's."""
    missing = sorted(k for k in marks if k not in rows)
    if missing:
        raise InvalidInput({"deadlines": [unknown(missing[0])]})
    changed = []
    for key, done in marks.items():
        row = rows[key]
        if row.done != done:
            row.done, row.done_at = done, clock.now() if done else None
            changed.append(key)
    return changed


def rederive_stale() -> int:
    """Re-derive every asset docketed with another catalogue version (or never): after a
    migration or a change of the rules file. Returns how many assets were rewritten."""
    version = docketing.catalogue()["version"]
    stale = db.session.execute(
        sa.select(IpAsset).where(
            sa.or_(IpAsset.docketed_with.is_(None), IpAsset.docketed_with != version)
        )
    ).scalars()
    count = 0
    for asset in stale:
        sync(asset)
        count += 1
    db.session.flush()
    return count


def split_marks(deadlines: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, bool]]:
    """An asset body's `deadlines`: the hand-entered ones, and the done marks of derived ones
    (entries carrying their `key`, as the asset's responses list them)."""
    entered = [d for d in deadlines if not d.get("key")]
    marks = {str(d["key"]): bool(d.get("done", False)) for d in deadlines if d.get("key")}
    return entered, marks
