"""The per-filing rules engine (filing_rules.derive_family) against the worked examples of the
sources cited in docketing_rules.json, and the family case of issue 18."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from flask_babel import force_locale

from tracker.cases.assets import docketing
from tracker.cases.assets.filing_rules import (
    FILING_KINDS,
    KIND_LABELS,
    FilingDeadline,
    FilingEventFacts,
    FilingFacts,
    derive_family,
    office_action_period_known,
)

D = dt.date
FAR = D(1990, 1, 1)
WIDE = 366 * 60


def filing(
    id: int,
    office: str,
    route: str = "first",
    parent_id: int | None = None,
    status: str = "pending",
    *,
    filed: dt.date | None = None,
    priority: dt.date | None = None,
    examined: dt.date | None = None,
    allowed: dt.date | None = None,
    registered: dt.date | None = None,
    events: tuple[FilingEventFacts, ...] = (),
) -> FilingFacts:
    return FilingFacts(
        id, office, route, parent_id, status, filed, priority, None, examined, allowed,
        registered, events,
    )  # fmt: skip


def event(
    id: int | None, kind: str, on: dt.date, due_on: dt.date | None = None
) -> FilingEventFacts:
    return FilingEventFacts(id, kind, on, due_on)


def derive(kind: str, offices: list[str], *filings: FilingFacts, **kw: Any) -> list[FilingDeadline]:
    kw.setdefault("since", FAR)
    kw.setdefault("horizon_days", WIDE)
    return derive_family(kind, offices, list(filings), **kw)


def only(items: list[FilingDeadline], key: str, filing_id: int | None = None) -> FilingDeadline:
    (found,) = [d for d in items if d.key == key and filing_id in (None, d.filing_id)]
    return found


def dates(items: list[FilingDeadline], kind: str) -> list[tuple[str, dt.date, dt.date | None]]:
    return [(d.key, d.due_on, d.grace_until) for d in items if d.kind == kind]


# -- the family case of the issue ---------------------------------------------------------


def family() -> list[FilingFacts]:
    return [
        filing(1, "KR", filed=D(2024, 3, 31), registered=D(2026, 5, 12), status="registered"),
        filing(2, "WO", "pct", 1, filed=D(2025, 3, 28), priority=D(2024, 3, 31)),
        filing(
            3,
            "US",
            "national_phase",
            2,
            "registered",
            filed=D(2027, 9, 1),
            registered=D(2028, 6, 13),
        ),  # fmt: skip
        filing(4, "EP", "national_phase", 2, filed=D(2026, 10, 20)),
    ]


def test_issue_family_each_office_counts_from_its_own_filing():
    items = derive("patent", ["KR", "WO", "US", "EP"], *family())
    us = only(items, "annuity:US:1")
    assert (us.filing_id, us.office, us.due_on, us.grace_until) == (
        3, "US", D(2031, 12, 13), D(2032, 6, 13),
    )  # fmt: skip
    ep = only(items, "annuity:EP:3")
    assert (ep.filing_id, ep.office, ep.due_on, ep.grace_until) == (
        4, "EP", D(2027, 3, 31), D(2027, 9, 30),
    )  # fmt: skip
    kr = only(items, "annuity:KR:4")
    assert (kr.filing_id, kr.office, kr.due_on, kr.grace_until) == (
        1, "KR", D(2029, 5, 12), D(2029, 11, 12),
    )  # fmt: skip
    assert kr.rule == "annuity.kr@2026.2" and us.rule == "maintenance.us@2026.2"
    # the national phases entered from the PCT are done; KR is covered by the first filing
    phases = {d.office: d.closed for d in items if d.kind == "ip_national_phase"}
    assert phases == {"US": True, "EP": True, "KR": True}
    # the asset-level engine counts all of them from the KR dates: the bug this fixes
    old = docketing.derive(
        "patent", D(2024, 3, 31), D(2024, 3, 31), D(2026, 5, 12), ["KR", "WO", "US", "EP"], FAR,
        horizon_days=WIDE,
    )  # fmt: skip
    assert {d.key: d.due_on for d in old}["annuity:US:1"] == D(2029, 11, 12)


def test_every_item_belongs_to_one_filing_with_unique_keys_sorted_soonest_first():
    items = derive("patent", ["KR", "WO", "US", "EP", "CN"], *family())
    pairs = [(d.filing_id, d.key) for d in items]
    assert len(pairs) == len(set(pairs))
    assert [d.due_on for d in items] == sorted(d.due_on for d in items)
    assert {d.kind for d in items} <= set(FILING_KINDS)
    cn = only(items, "national_phase:CN")
    assert (cn.filing_id, cn.closed) == (2, False)


# -- national phase -----------------------------------------------------------------------


def test_national_phase_per_the_wipo_table_vn_id_31_cn_30_with_32_as_late_limit():
    pct = filing(1, "WO", "pct", priority=D(2021, 7, 31), filed=D(2022, 7, 29))
    items = derive("patent", ["WO", "VN", "ID", "CN", "US", "BR"], pct)
    phase = {d.office: (d.due_on, d.grace_until) for d in items if d.kind == "ip_national_phase"}
    assert phase == {
        "VN": (D(2024, 2, 29), None),
        "ID": (D(2024, 2, 29), None),
        "CN": (D(2024, 1, 31), D(2024, 3, 31)),
        "US": (D(2024, 1, 31), None),
        "BR": (D(2024, 1, 31), None),  # not in the table: PCT Article 22(1), 30 months
    }
    assert not any(d.closed for d in items)


def test_national_phase_entered_from_the_pct_is_done_and_a_pct_alone_reminds_at_30_months():
    pct = filing(1, "WO", "pct", filed=D(2024, 3, 15))
    entered = filing(2, "EP", "national_phase", 1, filed=D(2026, 9, 1))
    items = derive("patent", ["WO", "EP", "JP"], pct, entered)
    assert {d.office: d.closed for d in items if d.kind == "ip_national_phase"} == {
        "EP": True,
        "JP": False,
    }
    alone = derive("patent", ["WO"], pct)
    assert dates(alone, "ip_national_phase") == [("national_phase:*", D(2026, 9, 15), None)]


def test_a_national_phase_counts_from_the_international_filing_date_and_euro_pct_defers():
    # EPO Guidelines A-X 5.2.4 / Euro-PCT Guide: a 3rd-year fee before 31 months waits for them
    pct = filing(1, "WO", "pct", filed=D(2016, 1, 10))
    ep = filing(2, "EP", "national_phase", 1, filed=D(2018, 7, 1))
    items = derive("patent", ["WO", "EP"], pct, ep)
    assert only(items, "annuity:EP:3").due_on == D(2018, 8, 10)  # not 31.01.2018
    assert only(items, "annuity:EP:4").due_on == D(2019, 1, 31)  # from 10.01.2016, not 01.07.2018


# -- grace: each office's own late-payment end ------------------------------------------


def test_uspto_grace_ends_on_the_4th_8th_12th_anniversary_of_the_grant():
    # 37 CFR 1.362(e): the grace period ends on the same day of the month the patent was granted
    us = filing(1, "US", filed=D(2016, 3, 1), registered=D(2019, 8, 31))
    assert dates(derive("patent", ["US"], us), "ip_annuity") == [
        ("annuity:US:1", D(2023, 2, 28), D(2023, 8, 31)),
        ("annuity:US:2", D(2027, 2, 28), D(2027, 8, 31)),
        ("annuity:US:3", D(2031, 2, 28), D(2031, 8, 31)),
    ]


def test_epo_grace_runs_month_end_to_month_end():
    # Guidelines A-X 5.2.4 Example A: filed 15.11.2016, 3rd year due 30.11.2018; Rule 51(2)
    ep = filing(1, "EP", filed=D(2016, 11, 15))
    items = derive("patent", ["EP"], ep, since=D(2018, 1, 1), horizon_days=700)
    assert dates(items, "ip_annuity") == [
        ("annuity:EP:3", D(2018, 11, 30), D(2019, 5, 31)),
        ("annuity:EP:4", D(2019, 11, 30), D(2020, 5, 31)),
    ]
    # J 4/91: due 28 February (a month end) -> the grace ends on 31 August, not 28 August
    feb = filing(1, "EP", filed=D(2016, 2, 10))
    assert only(derive("patent", ["EP"], feb), "annuity:EP:3").grace_until == D(2018, 8, 31)


def test_kipo_jpo_cnipa_six_months_after_the_due_date():
    # KIPO FAQ: registered 19.04.2007, 4th-year fee 19.04.2010; Patent Act Art. 81: 6 months
    kr = filing(1, "KR", filed=D(2005, 2, 1), registered=D(2007, 4, 19))
    assert only(derive("patent", ["KR"], kr), "annuity:KR:4").grace_until == D(2010, 10, 19)
    jp = filing(1, "JP", filed=D(2018, 5, 1), registered=D(2021, 3, 31))
    assert only(derive("patent", ["JP"], jp), "annuity:JP:4").grace_until == D(2024, 9, 30)
    cn = filing(1, "CN", filed=D(2020, 6, 1), registered=D(2023, 3, 15))
    fee = only(derive("patent", ["CN"], cn), "annuity:CN:4")
    assert (fee.due_on, fee.grace_until) == (D(2023, 6, 1), D(2023, 12, 1))


def test_an_unknown_grace_in_the_data_fails_loudly():
    cat = json.loads(docketing.RULES_PATH.read_text(encoding="utf-8"))
    for rule in cat["rules"]:
        if rule["id"] == "annuity.kr":
            rule["grace"] = "lunar"
    kr = filing(1, "KR", filed=D(2020, 1, 1), registered=D(2021, 1, 1))
    with pytest.raises(ValueError, match="lunar"):
        derive("patent", ["KR"], kr, rules=cat)


# -- office actions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("office", "due", "grace"),
    [
        ("KR", D(2026, 3, 10), None),  # Enforcement Rule Art. 16(1): two months
        ("US", D(2026, 4, 10), D(2026, 7, 10)),  # 3 months, extendable to 6 (35 USC 133)
        ("EP", D(2026, 5, 10), None),  # Art. 94(3) communication, 4 months when none named
        ("JP", D(2026, 3, 11), None),  # 60 days (domestic applicant)
        ("CN", D(2026, 5, 10), None),  # first notification: 4 months
    ],
)
def test_office_action_periods_per_office(office, due, grace):
    f = filing(1, office, filed=D(2024, 1, 1), events=(event(7, "office_action", D(2026, 1, 10)),))
    item = only(derive("patent", [office], f), "office_action:7")
    assert (item.kind, item.due_on, item.grace_until, item.office) == (
        "ip_office_action", due, grace, office,
    )  # fmt: skip
    assert item.rule == f"office_action.{office.lower()}@2026.2"


def test_cn_later_notifications_two_months_and_a_named_due_date_wins():
    f = filing(1, "CN", filed=D(2024, 1, 1), events=(
        event(1, "office_action", D(2026, 1, 10)),
        event(2, "office_action", D(2026, 8, 1)),
        event(3, "office_action", D(2027, 1, 5), due_on=D(2027, 2, 20)),
    ))  # fmt: skip
    assert dates(derive("patent", ["CN"], f), "ip_office_action") == [
        ("office_action:1", D(2026, 5, 10), None),
        ("office_action:2", D(2026, 10, 1), None),
        ("office_action:3", D(2027, 2, 20), None),
    ]


def test_a_response_closes_the_earliest_open_office_action_before_it():
    f = filing(1, "KR", filed=D(2024, 1, 1), events=(
        event(1, "office_action", D(2026, 1, 10)),
        event(2, "office_action", D(2026, 6, 1)),
        event(3, "response_filed", D(2026, 3, 1)),
        event(4, "response_filed", D(2025, 12, 1)),  # before any action: closes nothing
    ))  # fmt: skip
    items = derive("patent", ["KR"], f)
    assert {d.key: d.closed for d in items if d.kind == "ip_office_action"} == {
        "office_action:1": True,
        "office_action:2": False,
    }


def test_an_office_without_a_period_needs_the_due_date_the_action_names():
    assert office_action_period_known("kr", "patent") and not office_action_period_known(
        "DE", "patent"
    )
    bare = filing(1, "DE", filed=D(2024, 1, 1), events=(event(5, "office_action", D(2026, 1, 10)),))
    assert dates(derive("patent", ["DE"], bare), "ip_office_action") == []
    named = filing(1, "DE", filed=D(2024, 1, 1), events=(
        event(5, "office_action", D(2026, 1, 10), due_on=D(2026, 5, 10)),
    ))  # fmt: skip
    item = only(derive("patent", ["DE"], named), "office_action:5")
    assert (item.due_on, item.rule) == (D(2026, 5, 10), "office_action.named@2026.2")


# -- requests for examination -------------------------------------------------------------


def test_examination_kr_and_jp_three_years_from_filing_or_the_international_filing_date():
    kr = filing(1, "KR", filed=D(2023, 2, 28))
    assert dates(derive("patent", ["KR"], kr), "ip_examination") == [
        ("examination", D(2026, 2, 28), None)
    ]
    pct = filing(1, "WO", "pct", filed=D(2023, 5, 31), priority=D(2022, 6, 2))
    kr_phase = filing(2, "KR", "national_phase", 1, filed=D(2025, 1, 2))
    jp_phase = filing(3, "JP", "national_phase", 1, filed=D(2024, 12, 20))
    items = derive("patent", ["WO", "KR", "JP"], pct, kr_phase, jp_phase)
    assert only(items, "examination", 2).due_on == D(2026, 5, 31)
    assert only(items, "examination", 3).due_on == D(2026, 5, 31)
    # JP utility models are not examined; KR ones are
    assert [d.key for d in derive("utility_model", ["JP"], filing(1, "JP", filed=D(2024, 1, 1)))
            if d.kind == "ip_examination"] == []  # fmt: skip
    assert only(derive("utility_model", ["KR"], filing(1, "KR", filed=D(2024, 1, 1))),
                "examination").due_on == D(2027, 1, 1)  # fmt: skip


def test_examination_cn_three_years_from_the_family_priority():
    first = filing(1, "KR", filed=D(2023, 4, 30))
    cn = filing(2, "CN", "paris", 1, filed=D(2024, 4, 29))
    item = only(derive("patent", ["KR", "CN"], first, cn), "examination", 2)
    assert item.due_on == D(2026, 4, 30)


def test_examination_ep_six_months_after_the_search_report_and_closed_by_the_request():
    ep = filing(1, "EP", filed=D(2024, 1, 1), events=(event(1, "search_report", D(2025, 7, 31)),))
    assert dates(derive("patent", ["EP"], ep), "ip_examination") == [
        ("examination", D(2026, 1, 31), None)
    ]
    assert (
        dates(derive("patent", ["EP"], filing(1, "EP", filed=D(2024, 1, 1))), "ip_examination")
        == []
    )
    done = filing(1, "KR", filed=D(2023, 2, 28), examined=D(2024, 1, 5))
    assert only(derive("patent", ["KR"], done), "examination").closed
    by_event = filing(
        1, "JP", filed=D(2023, 2, 28), events=(event(9, "examination_requested", D(2024, 1, 5)),)
    )
    assert only(derive("patent", ["JP"], by_event), "examination").closed
    assert not only(
        derive("patent", ["KR"], filing(1, "KR", filed=D(2023, 2, 28))), "examination"
    ).closed


# -- fees after allowance -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("office", "due", "grace", "rule"),
    [
        ("KR", D(2026, 6, 30), D(2026, 12, 30), "registration_fee.kr"),  # Art. 79(3), 81(1)
        ("JP", D(2026, 4, 30), None, "registration_fee.jp"),  # Art. 108(1): 30 days
        ("US", D(2026, 6, 30), None, "issue_fee.us"),  # 37 CFR 1.311: 3 months
        ("EP", D(2026, 7, 31), None, "grant_fee.ep"),  # Rule 71(3): 4 months
    ],
)
def test_fees_after_allowance(office, due, grace, rule):
    f = filing(1, office, "first", None, "allowed", filed=D(2023, 1, 1), allowed=D(2026, 3, 31))
    item = only(derive("patent", [office], f), "registration_fee")
    assert (item.due_on, item.grace_until, item.rule, item.closed) == (
        due, grace, f"{rule}@2026.2", False,
    )  # fmt: skip
    registered = filing(1, office, filed=D(2023, 1, 1), allowed=D(2026, 3, 31), events=(
        event(2, "registration", D(2026, 5, 2)),
    ))  # fmt: skip
    assert only(derive("patent", [office], registered), "registration_fee").closed


def test_an_allowance_event_starts_the_fee_and_its_named_due_date_wins():
    f = filing(1, "KR", filed=D(2023, 1, 1), events=(event(1, "allowance", D(2026, 2, 10)),))
    assert only(derive("patent", ["KR"], f), "registration_fee").due_on == D(2026, 5, 10)
    named = filing(
        1, "US", filed=D(2023, 1, 1), events=(event(1, "allowance", D(2026, 2, 10), D(2026, 5, 1)),)
    )
    assert only(derive("patent", ["US"], named), "registration_fee").due_on == D(2026, 5, 1)


# -- trademark and design maintenance -----------------------------------------------------


def test_kr_trademark_renewal_every_ten_years_with_six_months_grace():
    tm = filing(1, "KR", filed=D(2014, 3, 3), registered=D(2015, 6, 30), status="registered")
    items = derive("trademark", ["KR"], tm, since=D(2024, 1, 1), horizon_days=3650)
    assert dates(items, "ip_renewal") == [("renewal:KR:10", D(2025, 6, 30), D(2025, 12, 30))]
    # past the first renewal: the next one, beyond the window, is always there
    items = derive("trademark", ["KR"], tm, since=D(2026, 1, 1), horizon_days=30)
    assert dates(items, "ip_renewal") == [("renewal:KR:20", D(2035, 6, 30), D(2035, 12, 30))]
    assert items[-1].rule == "renewal.kr.trademark@2026.2"


def test_us_trademark_declaration_of_use_in_the_sixth_year_and_ten_year_renewals():
    tm = filing(1, "US", filed=D(2018, 1, 1), registered=D(2019, 8, 31))
    items = derive("trademark", ["US"], tm, since=D(2019, 9, 1), horizon_days=3650)
    assert dates(items, "ip_renewal") == [
        ("declaration:US:6", D(2025, 8, 31), D(2026, 2, 28)),
        ("renewal:US:10", D(2029, 8, 31), D(2030, 2, 28)),
    ]


def test_euipo_counts_from_filing_jp_cn_madrid_from_registration():
    cases = [
        ("EM", D(2016, 4, 1), D(2016, 9, 15), "renewal:EM:10", D(2026, 4, 1), D(2026, 10, 1)),
        ("JP", D(2016, 4, 1), D(2016, 9, 15), "renewal:JP:10", D(2026, 9, 15), D(2027, 3, 15)),
        ("CN", D(2016, 4, 1), D(2017, 2, 14), "renewal:CN:10", D(2027, 2, 14), D(2027, 8, 14)),
        ("WIPO", D(2016, 4, 1), D(2016, 4, 1), "renewal:WIPO:10", D(2026, 4, 1), D(2026, 10, 1)),
    ]
    for office, filed, registered, key, due, grace in cases:
        tm = filing(1, office, filed=filed, registered=registered)
        item = only(derive("trademark", [office], tm), key)
        assert (item.due_on, item.grace_until) == (due, grace), office


def test_hague_five_year_renewals_up_to_twenty_five_years():
    design = filing(1, "WIPO", filed=D(2020, 1, 10), registered=D(2020, 1, 10))
    keys = [d.key for d in derive("design", ["WIPO"], design) if d.kind == "ip_renewal"]
    assert keys == ["renewal:WIPO:5", "renewal:WIPO:10", "renewal:WIPO:15", "renewal:WIPO:20"]
    # a trademark at WIPO is a Madrid registration: ten years
    mark = derive("trademark", ["WIPO"], design)
    assert [d.key for d in mark if d.kind == "ip_renewal"][:2] == [
        "renewal:WIPO:10",
        "renewal:WIPO:20",
    ]


def test_kr_design_annual_fees_from_year_four_to_twenty_years_from_filing():
    design = filing(1, "KR", filed=D(2020, 5, 1), registered=D(2021, 2, 3))
    fees = [(d.year, d.due_on, d.grace_until) for d in derive("design", ["KR"], design)
            if d.kind == "ip_annuity"]  # fmt: skip
    assert fees[0] == (4, D(2024, 2, 3), D(2024, 8, 3))
    assert fees[-1][1] < D(2040, 5, 1) and fees[-1][0] == 20


# -- validation ---------------------------------------------------------------------------


def test_ep_grant_asks_a_validation_in_each_epc_state_of_the_asset():
    ep = filing(1, "EP", filed=D(2020, 1, 1), registered=D(2025, 4, 30))
    de = filing(2, "DE", "validation", 1, filed=D(2025, 6, 1))
    items = derive("patent", ["EP", "DE", "FR", "US"], ep, de)
    assert {d.office: (d.due_on, d.closed) for d in items if d.kind == "ip_validation"} == {
        "DE": (D(2025, 7, 30), True),
        "FR": (D(2025, 7, 30), False),
    }


# -- what closes, what derives nothing, the window -----------------------------------------


def test_a_fee_payment_closes_the_open_fee_due_nearest_to_it():
    kr = filing(1, "KR", filed=D(2015, 1, 1), registered=D(2017, 3, 2), events=(
        event(1, "fee_paid", D(2020, 6, 1)),  # late for year 4 (2020-03-02): closes it
        event(2, "fee_paid", D(2021, 2, 1)),  # early for year 5 (2021-03-02)
    ))  # fmt: skip
    items = derive("patent", ["KR"], kr)
    closed = {d.year for d in items if d.kind == "ip_annuity" and d.closed}
    assert closed == {4, 5}
    # the same payment twice closes two fees, never one twice
    twice = filing(1, "KR", filed=D(2015, 1, 1), registered=D(2017, 3, 2), events=(
        event(1, "fee_paid", D(2020, 3, 1)), event(2, "fee_paid", D(2020, 3, 1)),
    ))  # fmt: skip
    fees = [d for d in derive("patent", ["KR"], twice) if d.kind == "ip_annuity"]
    assert {d.year for d in fees if d.closed} == {4, 5}


@pytest.mark.parametrize("status", ["refused", "withdrawn", "lapsed", "expired"])
def test_a_dead_filing_derives_nothing(status):
    kr = filing(1, "KR", "first", None, status, filed=D(2020, 1, 1), registered=D(2022, 1, 1),
                events=(event(1, "office_action", D(2021, 1, 1)),))  # fmt: skip
    assert derive("patent", ["KR"], kr) == []
    alive = filing(1, "KR", filed=D(2020, 1, 1), registered=D(2022, 1, 1))
    assert derive("patent", ["KR"], alive) != []


def test_the_window_keeps_fees_still_payable_late_and_always_the_next_one():
    kr = filing(1, "KR", filed=D(2010, 1, 1), registered=D(2012, 1, 10))
    # on 2020-03-01 year 9 (2020-01-10) is overdue but payable until 2020-07-10: kept
    items = derive("patent", ["KR"], kr, since=D(2020, 3, 1), horizon_days=0)
    assert [d.year for d in items if d.kind == "ip_annuity"] == [9, 10]
    items = derive("patent", ["KR"], kr, since=D(2020, 8, 1), horizon_days=400)
    assert [d.year for d in items if d.kind == "ip_annuity"] == [10]
    items = derive("patent", ["KR"], kr, since=D(2020, 8, 1), horizon_days=800)
    assert [d.year for d in items if d.kind == "ip_annuity"] == [10, 11]


def test_a_first_filing_priority_period_closes_once_a_pct_or_every_office_has_a_filing():
    kr = filing(1, "KR", filed=D(2025, 3, 10))
    items = derive("patent", ["KR", "US"], kr)
    assert [(d.key, d.due_on, d.closed) for d in items if d.kind == "ip_priority"] == [
        ("priority", D(2026, 3, 10), False)
    ]
    us = filing(2, "US", "paris", 1, filed=D(2026, 3, 1))
    assert only(derive("patent", ["KR", "US"], kr, us), "priority").closed
    # a design: six months (Paris 4C(1))
    assert only(derive("design", ["KR"], kr), "priority").due_on == D(2025, 9, 10)


def test_every_filing_rule_cites_a_source_and_is_found_by_its_id():
    cat = docketing.catalogue()
    assert cat["version"] == "2026.2"
    ids = [r["id"] for r in [*cat["rules"], *cat["filing_rules"]]]
    assert len(ids) == len(set(ids))
    assert {r["deadline"] for r in cat["filing_rules"]} <= set(FILING_KINDS)
    for rule in cat["filing_rules"]:
        assert rule["label"]["en"] and rule["label"]["ko"], rule["id"]
        assert rule["sources"], rule["id"]
        for source in rule["sources"]:
            assert source["url"].startswith("https://") and source["section"], rule["id"]
        assert docketing.rule_by_id(f"{rule['id']}@2026.2") is rule
    assert set(KIND_LABELS) == set(FILING_KINDS)


def test_every_new_kind_reads_in_korean_and_english(app):
    with app.test_request_context():
        with force_locale("ko"):
            korean = {kind: str(label) for kind, label in KIND_LABELS.items()}
        with force_locale("en"):
            english = {kind: str(label) for kind, label in KIND_LABELS.items()}
    assert korean["ip_examination"] == "심사청구"
    assert korean["ip_renewal"] == "상표·디자인 갱신"
    for kind in FILING_KINDS:
        assert korean[kind] != english[kind], kind
