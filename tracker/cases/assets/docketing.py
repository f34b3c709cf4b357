"""Docketing: the IP deadlines that follow by rule from an asset's dates (a pure engine).

The rules are data (`docketing_rules.json`, versioned, each rule citing its sources); this module
only does the date arithmetic. `derive(...)` takes plain values (no database) and returns
`Derived` deadlines, each with

- `kind`: one of the API's `ip_priority`, `ip_pct`, `ip_national_phase`, `ip_annuity`;
- `rule`: the rule id with the catalogue version (`"paris.priority.patent@2026.2"`);
- `key`: stable across recomputation and rule versions (`"priority"`, `"national_phase:EP"`,
  `"annuity:KR:4"`), so a "done" mark stored against `(asset_id, key)` survives a change of
  the dates it comes from.

Never silently dropped: a rule whose inputs are missing yields nothing (the asset shows no
derived date for it), a rule that applies always yields its date(s). Annuity schedules are
finite (bounded by the term); `derive` returns every past fee of the schedule on or after
`since`, every fee due within `horizon_days`, and at least the next upcoming one.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import has_app_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

RULES_PATH = Path(__file__).with_name("docketing_rules.json")
DERIVED_KINDS = ("ip_priority", "ip_pct", "ip_national_phase", "ip_annuity")


@functools.cache
def catalogue() -> dict[str, Any]:
    """The docketing rules (a versioned data file), loaded once."""
    with RULES_PATH.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus `months`, on the last day of the target month when it is shorter (PCT 80.2)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def end_of_month(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def patent_year(start: dt.date, day: dt.date) -> int:
    """The 1-based year counted from `start` that contains `day` (year 1: start .. start+1y-1d)."""
    years = day.year - start.year
    if add_months(start, 12 * years) > day:
        years -= 1
    return years + 1


@dataclass(frozen=True)
class Derived:
    kind: str
    due_on: dt.date
    #: the rule id with the catalogue version, e.g. "annuity.kr@2026.2"
    rule: str
    #: stable within the asset across recomputations: where a "done" mark is stored
    key: str
    #: the office the deadline belongs to (None for the priority period)
    office: str | None = None
    #: the fee year for annuities, 1-based
    year: int | None = None


@dataclass(frozen=True)
class AssetDates:
    kind: str
    priority_on: dt.date | None
    filed_on: dt.date | None
    registered_on: dt.date | None
    offices: tuple[str, ...]

    @property
    def priority_base(self) -> dt.date | None:
        """The earliest priority date, or the filing date of a first filing."""
        return self.priority_on or self.filed_on


def derive(
    kind: str,
    priority_on: dt.date | None,
    filed_on: dt.date | None,
    registered_on: dt.date | None,
    jurisdictions: Iterable[str],
    today: dt.date,
    *,
    horizon_days: int = 730,
    since: dt.date | None = None,
    rules: dict[str, Any] | None = None,
) -> list[Derived]:
    """Every deadline the rules derive for these dates, soonest first.

    Annuities: past ones on or after `since` (all when None), those due up to `horizon_days`
    after `today`, and always the next one after `today` if the schedule has one.
    """
    cat = rules or catalogue()
    offices = tuple(dict.fromkeys(str(j).strip().upper() for j in jurisdictions if j))
    dates = AssetDates(kind, priority_on, filed_on, registered_on, offices)
    version = cat["version"]
    pct = set(cat.get("pct_offices", ["PCT"]))
    out: list[Derived] = []
    for rule in cat["rules"]:
        if kind not in rule["asset_kinds"]:
            continue
        rule_id = f"{rule['id']}@{version}"
        found = list(apply_rule(rule, rule_id, dates, pct))
        if rule["deadline"] == "ip_annuity":
            found = _window(found, today, horizon_days, since)
        out.extend(found)
    return sorted(out, key=lambda d: (d.due_on, d.key))


def apply_rule(
    rule: dict[str, Any], rule_id: str, d: AssetDates, pct: set[str]
) -> Iterator[Derived]:
    """What one rule of `rules` derives from these dates (also used per filing by filing_rules)."""
    deadline = rule["deadline"]
    if deadline == "ip_priority":
        if d.priority_base:
            yield Derived(
                deadline, add_months(d.priority_base, rule["months"]), rule_id, "priority"
            )
    elif deadline == "ip_pct":
        if d.priority_base and pct & set(d.offices):
            yield Derived(deadline, add_months(d.priority_base, rule["months"]), rule_id, "pct")
    elif deadline == "ip_national_phase":
        yield from _national_phase(rule, rule_id, d, pct)
    elif deadline == "ip_annuity":
        if rule["office"] in d.offices:
            yield from _annuities(rule, rule_id, d, pct)
    else:
        raise ValueError(f"unknown deadline kind {deadline!r} in rule {rule['id']}")


def _national_phase(
    rule: dict[str, Any], rule_id: str, d: AssetDates, pct: set[str]
) -> Iterator[Derived]:
    if not d.priority_base or not pct & set(d.offices):
        return
    offices = [o for o in d.offices if o not in pct]
    table: dict[str, int] = rule["months_by_office"]
    if not offices:
        due = add_months(d.priority_base, rule["months_default"])
        yield Derived("ip_national_phase", due, rule_id, "national_phase:*")
    for office in offices:
        months = table.get(office, rule["months_default"])
        due = add_months(d.priority_base, months)
        yield Derived("ip_national_phase", due, rule_id, f"national_phase:{office}", office)


def _annuities(
    rule: dict[str, Any], rule_id: str, d: AssetDates, pct: set[str]
) -> Iterator[Derived]:
    office: str = rule["office"]
    term_end = add_months(d.filed_on, 12 * rule["term_years"][d.kind]) if d.filed_on else None
    schedule = rule["schedule"]
    fees: Iterator[tuple[int, dt.date]]
    if schedule == "yearly_from_registration":
        fees = _yearly_from_registration(rule, d)
    elif schedule == "fixed_after_grant":
        fees = _fixed_after_grant(rule, d)
    elif schedule == "yearly_from_filing_month_end":
        fees = _yearly_month_end(rule, d, pct)
    elif schedule == "yearly_from_filing_after_grant_year":
        fees = _yearly_after_grant_year(rule, d)
    else:
        raise ValueError(f"unknown schedule {schedule!r} in rule {rule['id']}")
    for year, due in fees:
        if term_end is not None and due >= term_end:
            return
        yield Derived("ip_annuity", due, rule_id, f"annuity:{office}:{year}", office, year)


def _yearly_from_registration(rule: dict[str, Any], d: AssetDates) -> Iterator[tuple[int, dt.date]]:
    """KR, JP: the fee for year n (n >= first_year) on the registration's (n-1)th anniversary."""
    if not d.registered_on:
        return
    for year in range(rule["first_year"], rule["term_years"][d.kind] + 1):
        yield year, add_months(d.registered_on, 12 * (year - 1))


def _fixed_after_grant(rule: dict[str, Any], d: AssetDates) -> Iterator[tuple[int, dt.date]]:
    """US: 3.5, 7.5 and 11.5 years after grant; the key's year is the fee's ordinal (1-3)."""
    if not d.registered_on:
        return
    for ordinal, months in enumerate(rule["after_grant_months"], start=1):
        yield ordinal, add_months(d.registered_on, months)


def _yearly_month_end(
    rule: dict[str, Any], d: AssetDates, pct: set[str]
) -> Iterator[tuple[int, dt.date]]:
    """EP: year n from 3, at the end of the month of the filing date's (n-1)th anniversary, up
    to the year in which grant is mentioned; a Euro-PCT third-year fee waits for 31 months."""
    if not d.filed_on:
        return
    last_year = rule["term_years"][d.kind]
    if d.registered_on:
        last_year = min(last_year, patent_year(d.filed_on, d.registered_on))
    deferred_to = None
    if pct & set(d.offices) and d.priority_base:
        deferred_to = add_months(d.priority_base, rule["euro_pct_deferral_months"])
    for year in range(rule["first_year"], last_year + 1):
        due = end_of_month(add_months(d.filed_on, 12 * (year - 1)))
        if year == rule["first_year"] and deferred_to and due < deferred_to:
            due = deferred_to
        yield year, due


def _yearly_after_grant_year(rule: dict[str, Any], d: AssetDates) -> Iterator[tuple[int, dt.date]]:
    """CN: years counted from filing; each year after the year of grant is due as it begins."""
    if not d.filed_on or not d.registered_on:
        return
    grant_year = patent_year(d.filed_on, d.registered_on)
    for year in range(grant_year + 1, rule["term_years"][d.kind] + 1):
        yield year, add_months(d.filed_on, 12 * (year - 1))


def _window(
    fees: list[Derived], today: dt.date, horizon_days: int, since: dt.date | None
) -> list[Derived]:
    horizon = today + dt.timedelta(days=horizon_days)
    kept = [f for f in fees if (since is None or f.due_on >= since) and f.due_on <= horizon]
    upcoming = [f for f in fees if f.due_on > today]
    if upcoming and upcoming[0] not in kept:
        kept.append(upcoming[0])
    return kept


def rule_by_id(rule: str, rules: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The catalogue entry for a versioned rule id (None for an unknown id or old version), of
    the asset rules or the filing rules."""
    cat = rules or catalogue()
    name, _, version = rule.partition("@")
    if version != cat["version"]:
        return None
    every = [*cat["rules"], *cat.get("filing_rules", [])]
    return next((r for r in every if r["id"] == name), None)


def rule_label(rule: str | None) -> str:
    """What a person reads for a rule id: its label in the reader's language ("파리협약 우선권
    주장 기간(특허·실용신안)"); a rule of an older catalogue by the same rule's label, never
    the id."""
    if not rule:
        return ""
    name = rule.partition("@")[0]
    cat = catalogue()
    every = [*cat["rules"], *cat.get("filing_rules", [])]
    found = next((r for r in every if r["id"] == name), None)
    if found is None:
        return str(_l("a docketing rule no longer in use"))
    locale = str(get_locale() or "en") if has_app_context() else "en"
    labels: dict[str, str] = found["label"]
    return labels.get(locale) or labels["en"]
