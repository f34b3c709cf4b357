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

from collections.abc import Callable
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


def sync(asset: IpAsset) -> bool:
    """Rewrite the asset's derived deadlines from its dates; True when any changed. Loading
    them must not flush the caller's pending changes (one UPDATE, one version step). An asset
    with filings re-derives its family instead (its jurisdictions name the national phases)."""
    with db.session.no_autoflush:
        has_filings = bool(asset.filings)
    if has_filings:
        from tracker.cases.filings import derived as family  # the filings build on assets

        before = asset.docketed_with
        return bool(family.sync_family(asset)) or before != asset.docketed_with
    wanted = {d.key: d for d in computed(asset)}
    with db.session.no_autoflush:
        have = {row.key: row for row in asset.derived_deadlines}
    changed = False
    for key, old in have.items():
        if key not in wanted:
            asset.derived_deadlines.remove(old)
            changed = True
    for key, d in wanted.items():
        found = have.get(key)
        if found is None:
            asset.derived_deadlines.append(
                DerivedDeadline(key=key, kind=d.kind, due_on=d.due_on, rule=d.rule, done=False)
            )
            changed = True
            continue
        row = found
        if row.due_on != d.due_on:
            row.due_on, row.done, row.done_at = d.due_on, False, None
            changed = True
        if row.rule != d.rule or row.kind != d.kind:
            row.rule, row.kind = d.rule, d.kind
            changed = True
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
