"""Filing rules: the deadlines each office's rules derive from an IP family's filings (pure).

`derive_family(...)` takes plain values (no database): the asset's kind, its jurisdictions and
the facts of each filing of the family (dates, status, events), and returns `FilingDeadline`s.
Every date is counted from ONE filing's own dates under its own office's rule (a US patent's
maintenance fees from the US grant, an EP application's renewals from its own filing date), with

- a national phase's filing date being the international filing date (its PCT parent's), and
- a priority date being the filing's own claim, else the family's earliest priority (the
  filing date of a `first` filing, or the earliest `priority_on` of the family).

The rules are data (`docketing_rules.json`: the asset rules' priority, PCT, national-phase and
annuity entries, and the `filing_rules`); the month arithmetic and the annuity schedules are the
ones of `docketing.py`, imported. What closes a deadline (it is still returned, `closed=True`):

- the act itself: a request for examination (`examination_requested_on` or the event; an
  allowance or a registration implies it), a registration (closes the fee after allowance), a
  PCT filing (the PCT deadline), a national phase entered from the PCT or a live filing of the
  family already in that office (its national phase), a validation filing (its validation);
- a `response_filed` event closes the earliest open office action received on or before it;
- a `fee_paid` event closes ONE open fee of its filing (annuity, renewal or fee after
  allowance): the one whose due date is nearest the payment date, the earlier one on a tie;
  payments are taken in date order, so two payments close two fees.

A refused, withdrawn, lapsed or expired filing derives nothing. Repeating schedules (annuities,
renewals) are cut to those still actionable on `since` (due, or their late limit, on or after
it) and due within `horizon_days` of it, plus always the next one; one-off deadlines are all
returned. Keys are stable within the filing (`"annuity:US:1"`, `"office_action:17"`,
`"national_phase:EP"`), so a "done" mark survives a change of the dates they come from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from tracker.cases.assets import docketing
from tracker.cases.assets.docketing import add_months, end_of_month

ROUTES = ("first", "paris", "pct", "national_phase", "validation", "divisional")
STATUSES = ("pending", "allowed", "registered", "refused", "withdrawn", "lapsed", "expired")
#: a filing in one of these derives nothing more
DEAD = frozenset({"refused", "withdrawn", "lapsed", "expired"})
EVENT_KINDS = (
    "office_action",
    "response_filed",
    "search_report",
    "examination_requested",
    "allowance",
    "registration",
    "refusal",
    "fee_paid",
    "publication",
)
FILING_KINDS = (
    "ip_priority",
    "ip_pct",
    "ip_national_phase",
    "ip_annuity",
    "ip_examination",
    "ip_office_action",
    "ip_registration_fee",
    "ip_renewal",
    "ip_validation",
)
#: what a person reads for each kind (Korean in the cases' translations_rules catalogue)
KIND_LABELS = {
    "ip_priority": _l("Priority deadline"),
    "ip_pct": _l("PCT filing"),
    "ip_national_phase": _l("National phase entry"),
    "ip_annuity": _l("Annuity"),
    "ip_examination": _l("Request for examination"),
    "ip_office_action": _l("Response to an office action"),
    "ip_registration_fee": _l("Fee after allowance"),
    "ip_renewal": _l("Trademark or design renewal"),
    "ip_validation": _l("Validation after a European grant"),
}
#: the fees a `fee_paid` event may close
FEE_KINDS = frozenset({"ip_annuity", "ip_registration_fee", "ip_renewal"})
#: schedules cut to the window (every other deadline is a one-off, always returned)
REPEATING = frozenset({"ip_annuity", "ip_renewal"})


@dataclass(frozen=True)
class FilingEventFacts:
    id: int | None
    kind: str
    on: date
    due_on: date | None = None


@dataclass(frozen=True)
class FilingFacts:
    id: int
    office: str
    route: str
    parent_id: int | None
    status: str
    filed_on: date | None
    priority_on: date | None
    published_on: date | None
    examination_requested_on: date | None
    allowed_on: date | None
    registered_on: date | None
    events: tuple[FilingEventFacts, ...] = ()


@dataclass(frozen=True)
class FilingDeadline:
    kind: str
    due_on: date
    grace_until: date | None
    rule: str
    #: stable within the filing across recomputations: where a "done" mark is stored
    key: str
    filing_id: int
    office: str
    year: int | None = None
    closed: bool = False


def derive_family(
    asset_kind: str,
    jurisdictions: Sequence[str],
    filings: Sequence[FilingFacts],
    *,
    since: date,
    horizon_days: int,
    rules: dict[str, Any] | None = None,
) -> list[FilingDeadline]:
    """Every deadline the rules derive for this family's filings, soonest first."""
    family = _Family(asset_kind, jurisdictions, filings, rules or docketing.catalogue())
    limit = since + dt.timedelta(days=horizon_days)
    out: list[FilingDeadline] = []
    for filing in filings:
        if filing.status in DEAD:
            continue
        found = _close_fees(list(family.deadlines(filing, limit)), filing.events)
        out.extend(_window(found, since, limit))
    return sorted(out, key=lambda d: (d.due_on, d.filing_id, d.key))


def office_action_period_known(
    office: str, asset_kind: str, rules: dict[str, Any] | None = None
) -> bool:
    """Whether the rules give an office action of this office a period (else the event needs
    its `due_on`, or nothing is derived)."""
    cat = rules or docketing.catalogue()
    return any(
        r["deadline"] == "ip_office_action"
        and r["office"] == office.upper()
        and asset_kind in r["asset_kinds"]
        for r in cat["filing_rules"]
    )


def _norm(office: str) -> str:
    return str(office).strip().upper()


class _Family:
    """The family's facts the rules read across filings (parents, earliest priority, offices)."""

    def __init__(
        self,
        asset_kind: str,
        jurisdictions: Sequence[str],
        filings: Sequence[FilingFacts],
        cat: dict[str, Any],
    ) -> None:
        self.kind = asset_kind
        self.cat = cat
        self.version = cat["version"]
        self.pct = set(cat.get("pct_offices", ["PCT", "WO"]))
        self.offices = tuple(dict.fromkeys(_norm(j) for j in jurisdictions if j))
        self.filings = list(filings)
        self.by_id = {f.id: f for f in filings}
        starts = [f.priority_on for f in filings if f.priority_on]
        starts += [f.filed_on for f in filings if f.route == "first" and f.filed_on]
        self.earliest_priority = min(starts) if starts else None

    # -- a filing's own dates ------------------------------------------------------------
    def is_pct(self, f: FilingFacts) -> bool:
        return f.route == "pct" or _norm(f.office) in self.pct

    def filed_on(self, f: FilingFacts) -> date | None:
        """A national phase counts from the international filing date (its PCT parent's)."""
        parent = self.by_id.get(f.parent_id) if f.parent_id is not None else None
        if f.route == "national_phase" and parent and self.is_pct(parent) and parent.filed_on:
            return parent.filed_on
        return f.filed_on

    def priority_on(self, f: FilingFacts) -> date | None:
        filed = self.filed_on(f)
        if f.priority_on:
            return f.priority_on
        if f.route == "first":
            return filed
        early = self.earliest_priority
        if early and (filed is None or early <= filed):
            return early
        return filed

    def live_in(self, office: str, *, but: FilingFacts) -> bool:
        return any(
            g is not but and _norm(g.office) == office and g.status not in DEAD
            for g in self.filings
        )

    def rule_id(self, rule: dict[str, Any]) -> str:
        return f"{rule['id']}@{self.version}"

    def rules_for(self, deadline: str, office: str) -> list[dict[str, Any]]:
        every = [*self.cat["rules"], *self.cat.get("filing_rules", [])]
        return [
            r
            for r in every
            if r["deadline"] == deadline
            and self.kind in r["asset_kinds"]
            and r.get("office", office) == office
        ]

    # -- the deadlines -------------------------------------------------------------------
    def deadlines(self, f: FilingFacts, limit: date) -> Iterator[FilingDeadline]:
        office = _norm(f.office)
        yield from self._priority(f, office)
        yield from self._national_phase(f)
        yield from self._annuities(f, office)
        yield from self._examination(f, office)
        yield from self._office_actions(f, office)
        yield from self._fee_after_allowance(f, office)
        yield from self._renewals(f, office, limit)
        yield from self._validations(f, office)

    def _priority(self, f: FilingFacts, office: str) -> Iterator[FilingDeadline]:
        """A first filing's priority period (and the PCT application claiming it): closed once
        a PCT filing exists, or (priority) once every other office of the asset has a filing."""
        if f.route != "first":
            return
        start = self.priority_on(f)
        if start is None:
            return
        has_pct = any(self.is_pct(g) for g in self.filings)
        others = [o for o in self.offices if o not in self.pct and o != office]
        covered = has_pct or (bool(others) and all(self.live_in(o, but=f) for o in others))
        for rule in self.rules_for("ip_priority", office):
            due = add_months(start, rule["months"])
            yield FilingDeadline(
                "ip_priority",
                due,
                None,
                self.rule_id(rule),
                "priority",
                f.id,
                office,
                closed=covered,
            )
        if self.pct & set(self.offices):
            for rule in self.rules_for("ip_pct", office):
                due = add_months(start, rule["months"])
                yield FilingDeadline(
                    "ip_pct", due, None, self.rule_id(rule), "pct", f.id, "WO", closed=has_pct
                )

    def _national_phase(self, f: FilingFacts) -> Iterator[FilingDeadline]:
        """A PCT filing: one deadline per office of the asset (from the WIPO table); closed when
        a filing entered from this PCT, or a live filing of the family, is in that office."""
        if not self.is_pct(f):
            return
        start = self.priority_on(f)
        if start is None:
            return
        dates = docketing.AssetDates(
            self.kind, start, self.filed_on(f), None, ("WO", *self.offices)
        )
        for rule in self.rules_for("ip_national_phase", _norm(f.office)):
            late: dict[str, int] = rule.get("grace_months_by_office", {})
            for d in docketing.apply_rule(rule, self.rule_id(rule), dates, self.pct):
                target = d.office or "*"
                entered = any(
                    _norm(g.office) == target
                    and g.route == "national_phase"
                    and g.parent_id in (f.id, None)
                    for g in self.filings
                )
                covered = entered or self.live_in(target, but=f)
                grace = add_months(start, late[target]) if target in late else None
                yield FilingDeadline(
                    d.kind, d.due_on, grace, d.rule, d.key, f.id, target, closed=covered
                )

    def _annuities(self, f: FilingFacts, office: str) -> Iterator[FilingDeadline]:
        """The office's annual, maintenance or renewal fees for patents and KR designs, from
        this filing's own filing and registration dates (the schedules of docketing.py)."""
        offices = (office, "WO") if f.route == "national_phase" else (office,)
        dates = docketing.AssetDates(
            self.kind, self.priority_on(f), self.filed_on(f), _registered(f), offices
        )
        for rule in self.rules_for("ip_annuity", office):
            for d in docketing.apply_rule(rule, self.rule_id(rule), dates, self.pct):
                grace = _grace(rule, d.due_on, registered=dates.registered_on, ordinal=d.year)
                yield FilingDeadline(d.kind, d.due_on, grace, d.rule, d.key, f.id, office, d.year)

    def _examination(self, f: FilingFacts, office: str) -> Iterator[FilingDeadline]:
        closed = bool(
            f.examination_requested_on
            or _events(f, "examination_requested")
            or f.allowed_on
            or f.registered_on
            or _events(f, "allowance", "registration")
        )
        for rule in self.rules_for("ip_examination", office):
            source = rule["from"]
            named: date | None = None
            start: date | None
            if source.startswith("event:"):
                found = _events(f, source.partition(":")[2])
                start, named = (found[0].on, found[0].due_on) if found else (None, None)
            else:
                start = self.priority_on(f) if "priority_on" in source else self.filed_on(f)
            if start is None:
                continue
            due = named or _period(rule, start)
            yield FilingDeadline(
                "ip_examination",
                due,
                None,
                self.rule_id(rule),
                "examination",
                f.id,
                office,
                closed=closed,
            )

    def _office_actions(self, f: FilingFacts, office: str) -> Iterator[FilingDeadline]:
        """One deadline per office action: its own due date, else the office's period (CN: a
        shorter one after the first); a response closes the earliest open one received on or
        before it. An office without a period needs the event's due date (else nothing)."""
        own = next(
            (r for r in self.rules_for("ip_office_action", office) if r["office"] == office), None
        )
        named = next(
            (r for r in self.rules_for("ip_office_action", "*") if r["office"] == "*"), None
        )
        found: list[tuple[date, FilingDeadline]] = []
        for n, event in enumerate(_events(f, "office_action"), start=1):
            rule = own or named
            if rule is None or (own is None and event.due_on is None):
                continue
            if event.due_on:
                due = event.due_on
            elif n > 1 and "later_months" in rule:
                due = add_months(event.on, rule["later_months"])
            else:
                due = _period(rule, event.on)
            grace = None
            if rule.get("grace") == "months_after_event":
                late = add_months(event.on, rule["grace_months"])
                grace = late if late > due else None
            ref = str(event.id) if event.id is not None else f"{event.on.isoformat()}:{n}"
            item = FilingDeadline(
                "ip_office_action",
                due,
                grace,
                self.rule_id(rule),
                f"office_action:{ref}",
                f.id,
                office,
            )
            found.append((event.on, item))
        for response in _events(f, "response_filed"):
            open_ = [i for i, (on, d) in enumerate(found) if not d.closed and on <= response.on]
            if open_:
                on, d = found[open_[0]]
                found[open_[0]] = (on, replace(d, closed=True))
        for _on, d in found:
            yield d

    def _fee_after_allowance(self, f: FilingFacts, office: str) -> Iterator[FilingDeadline]:
        """The grant or registration fee after an allowance (the latest allowance event, else
        `allowed_on`; the event's own due date wins); closed by the registration."""
        allowances = _events(f, "allowance")
        start = allowances[-1].on if allowances else f.allowed_on
        if start is None:
            return
        named = allowances[-1].due_on if allowances else None
        for rule in self.rules_for("ip_registration_fee", office):
            due = named or _period(rule, start)
            yield FilingDeadline(
                "ip_registration_fee",
                due,
                _grace(rule, due),
                self.rule_id(rule),
                "registration_fee",
                f.id,
                office,
                closed=_registered(f) is not None,
            )

    def _renewals(self, f: FilingFacts, office: str, limit: date) -> Iterator[FilingDeadline]:
        """Trademark and design renewals (and the US declaration of use) every N years from the
        registration (EUIPO: from filing), up to the window's end and the next one after it."""
        for rule in self.rules_for("ip_renewal", office):
            start = self.filed_on(f) if rule["from"] == "filed_on" else _registered(f)
            if start is None:
                continue
            if "at_years" in rule:
                years: Iterator[int] = iter((rule["at_years"],))
                prefix = "declaration"
            else:
                years = _every(rule["every_years"], rule.get("term_years"))
                prefix = "renewal"
            for year in years:
                due = add_months(start, 12 * year)
                yield FilingDeadline(
                    "ip_renewal",
                    due,
                    _grace(rule, due),
                    self.rule_id(rule),
                    f"{prefix}:{office}:{year}",
                    f.id,
                    office,
                    year,
                )
                if due > limit:
                    break

    def _validations(self, f: FilingFacts, office: str) -> Iterator[FilingDeadline]:
        """An EP grant: a validation in each EPC state of the asset; closed by a validation
        filing (or any live filing) of the family in that state."""
        registered = _registered(f)
        if registered is None:
            return
        states = set(self.cat.get("epc_states", []))
        for rule in self.rules_for("ip_validation", office):
            due = _period(rule, registered)
            for state in (o for o in self.offices if o in states):
                yield FilingDeadline(
                    "ip_validation",
                    due,
                    None,
                    self.rule_id(rule),
                    f"validation:{state}",
                    f.id,
                    state,
                    closed=self.live_in(state, but=f),
                )


def _events(f: FilingFacts, *kinds: str) -> list[FilingEventFacts]:
    """The filing's events of these kinds, oldest first (ties by id)."""
    found = [e for e in f.events if e.kind in kinds]
    return sorted(found, key=lambda e: (e.on, e.id if e.id is not None else 0))


def _registered(f: FilingFacts) -> date | None:
    if f.registered_on:
        return f.registered_on
    found = _events(f, "registration")
    return found[0].on if found else None


def _period(rule: dict[str, Any], start: date) -> date:
    """`start` plus the rule's `months` (the month arithmetic of docketing.py) or `days`."""
    if "months" in rule:
        return add_months(start, rule["months"])
    return start + dt.timedelta(days=rule["days"])


def _grace(
    rule: dict[str, Any], due: date, *, registered: date | None = None, ordinal: int | None = None
) -> date | None:
    """The last day a fee can still be paid late, by its office's rule (None: no late payment)."""
    how = rule.get("grace", "none")
    if how == "none":
        return None
    if how == "months_after_due":
        return add_months(due, rule["grace_months"])
    if how == "month_end_to_month_end":  # EPC Rule 51(2) read with J 4/91
        late = add_months(due, rule["grace_months"])
        return end_of_month(late) if due == end_of_month(due) else late
    if how == "after_grant":  # US: to the 4th, 8th, 12th anniversary of the grant
        if registered is None or ordinal is None:
            return None
        return add_months(registered, rule["grace_after_grant_months"][ordinal - 1])
    raise ValueError(f"unknown grace {how!r} in rule {rule['id']}")


def _every(step: int, term: int | None) -> Iterator[int]:
    """step, 2*step, ... while a renewal still extends the term (unbounded when no term)."""
    year = step
    while term is None or year < term:
        yield year
        year += step


def _close_fees(
    found: list[FilingDeadline], events: Sequence[FilingEventFacts]
) -> list[FilingDeadline]:
    """Each payment, in date order, closes the open fee of the filing due nearest to it."""
    payments = sorted(e.on for e in events if e.kind == "fee_paid")
    for paid in payments:
        open_ = [i for i, d in enumerate(found) if d.kind in FEE_KINDS and not d.closed]
        if not open_:
            break
        i = min(open_, key=lambda i: (abs((found[i].due_on - paid).days), found[i].due_on))
        found[i] = replace(found[i], closed=True)
    return found


def _window(found: list[FilingDeadline], since: date, limit: date) -> list[FilingDeadline]:
    """One-off deadlines all; of each repeating schedule those still actionable on `since`
    (due, or late-payable, on or after it) and due by `limit`, plus always the next one."""
    kept: list[FilingDeadline] = []
    nexts: dict[str, FilingDeadline] = {}
    for d in sorted(found, key=lambda d: d.due_on):
        if d.kind not in REPEATING:
            kept.append(d)
            continue
        if (d.grace_until or d.due_on) >= since and d.due_on <= limit:
            kept.append(d)
        if d.due_on > since and d.rule not in nexts:
            nexts[d.rule] = d
    kept.extend(d for d in nexts.values() if d not in kept)
    return kept
