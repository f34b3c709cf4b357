"""A family's derived deadlines, kept in step with its filings (the filing rules, as rows).

`tracker.cases.assets.filing_rules.derive_family` (pure, rules as data) computes them from
every filing of the asset at once (a PCT filing's national phases depend on its siblings);
`sync_family(asset)` writes them as `FilingDeadlineRow`s, so the deadline list, dashboards,
digest and calendar read them with every other deadline in one SQL statement. As for an
asset's own derived deadlines (`tracker.cases.assets.derived`): a key whose date stays keeps
its `done` mark, a moved date is a new deadline (not done), a rule that no longer applies goes.

The asset's single-date deadlines give way to its filings': once an asset has a filing, its
own derived rows are removed, and a done mark on one of them carries over to the filing
deadline of the same kind and date (nothing a lawyer ticked off comes back as open).
"""

from __future__ import annotations

import datetime as dt

from tracker import clock
from tracker.cases.assets import docketing
from tracker.cases.assets.derived import FAMILY_SYNC, reconcile
from tracker.cases.assets.filing_rules import (
    FilingDeadline,
    FilingEventFacts,
    FilingFacts,
    derive_family,
)
from tracker.cases.assets.models import IpAsset
from tracker.cases.filings.models import Filing, FilingDeadlineRow
from tracker.db import db

#: the whole schedule from the family's earliest date (terms are 20 years; 30 leaves room)
WHOLE_SCHEDULE_DAYS = 366 * 30


def facts(filing: Filing) -> FilingFacts:
    """What the rules read of a filing (plain values)."""
    return FilingFacts(
        id=filing.id,
        office=filing.office,
        route=filing.route,
        parent_id=filing.parent_id,
        status=filing.status,
        filed_on=filing.filed_on,
        priority_on=filing.priority_on,
        published_on=filing.published_on,
        examination_requested_on=filing.examination_requested_on,
        allowed_on=filing.allowed_on,
        registered_on=filing.registered_on,
        events=tuple(FilingEventFacts(e.id, e.kind, e.on, e.due_on) for e in filing.events),
    )


def _since(filings: list[Filing]) -> dt.date:
    """The family's earliest date: the schedule is kept whole from there (not from today, so
    the rows do not depend on the day they were computed)."""
    dates = [d for f in filings for d in (f.priority_on, f.filed_on) if d is not None]
    return min(dates, default=clock.today())


def computed(asset: IpAsset) -> list[FilingDeadline]:
    """What the rules derive for the asset's filings now (the whole schedule)."""
    filings = list(asset.filings)
    if not filings:
        return []
    return derive_family(
        asset.kind,
        asset.jurisdictions or [],
        [facts(f) for f in filings],
        since=_since(filings),
        horizon_days=WHOLE_SCHEDULE_DAYS,
    )


def sync_family(asset: IpAsset) -> set[int]:
    """Rewrite the derived deadlines of every filing of the asset; the ids of the filings
    whose deadlines changed. Needs the filings flushed (they have ids)."""
    wanted: dict[int, dict[str, FilingDeadline]] = {f.id: {} for f in asset.filings}
    for d in computed(asset):
        if d.filing_id in wanted:
            wanted[d.filing_id][d.key] = d
    carried = _legacy_done(asset)
    changed: set[int] = set()
    for filing in asset.filings:
        if _sync_filing(filing, wanted[filing.id], carried):
            changed.add(filing.id)
    version = docketing.catalogue()["version"]
    if asset.docketed_with != version:
        asset.docketed_with = version
    return changed


def _legacy_done(asset: IpAsset) -> set[tuple[str, dt.date]]:
    """The asset's own derived deadlines are superseded by its filings': removed, their done
    marks returned as (kind, due date) to carry over."""
    with db.session.no_autoflush:
        old = list(asset.derived_deadlines)
    if not old or not asset.filings:
        return set()
    done = {(row.kind, row.due_on) for row in old if row.done}
    asset.derived_deadlines = []
    return done


#: what a filing's deadline row copies of what the rules derive (besides key and date)
_FIELDS = ("kind", "grace_until", "rule", "office", "year", "closed")


def _sync_filing(
    filing: Filing, wanted: dict[str, FilingDeadline], carried: set[tuple[str, dt.date]]
) -> bool:
    def new(d: FilingDeadline) -> FilingDeadlineRow:
        done = (d.kind, d.due_on) in carried
        values = {name: getattr(d, name) for name in _FIELDS}
        return FilingDeadlineRow(
            key=d.key, due_on=d.due_on, done=done, done_at=clock.now() if done else None, **values
        )

    return reconcile(filing, "deadlines", wanted, new, _FIELDS)


def _family_changed(asset: IpAsset) -> bool:
    return bool(sync_family(asset))


# an asset with filings re-derives its family (`tracker.cases.assets.derived.sync`)
if _family_changed not in FAMILY_SYNC:
    FAMILY_SYNC.append(_family_changed)
