"""The docketing engine against worked examples from the sources cited in docketing_rules.json."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tracker.cases.assets import docketing
from tracker.cases.assets.docketing import add_months, derive

D = dt.date
FAR = D(2000, 1, 1)


def by_key(items: list[docketing.Derived]) -> dict[str, dt.date]:
    return {i.key: i.due_on for i in items}


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2024, 2, 29), 12, D(2025, 2, 28)),  # leap day, no 29 February next year
        (D(2023, 8, 31), 6, D(2024, 2, 29)),  # month end into a leap February
        (D(2023, 8, 31), 18, D(2025, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2024, 1, 15), 12, D(2025, 1, 15)),  # Paris 4C(2): the same day a year later
        (D(2021, 7, 31), 31, D(2024, 2, 29)),
        (D(2024, 12, 31), 2, D(2025, 2, 28)),
        (D(2024, 11, 30), 3, D(2025, 2, 28)),
    ],
)
def test_months_end_on_the_same_day_or_the_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_paris_priority_twelve_months_for_patents_and_utility_models():
    for kind in ("patent", "utility_model"):
        items = derive(kind, D(2024, 2, 29), D(2024, 5, 2), None, ["KR"], D(2024, 6, 1))
        (priority,) = [i for i in items if i.kind == "ip_priority"]
        assert priority.due_on == D(2025, 2, 28)
        assert priority.rule == "paris.priority.patent@2026.2"
        assert priority.key == "priority"


def test_paris_priority_six_months_for_designs_and_trademarks():
    for kind in ("design", "trademark"):
        items = derive(kind, D(2023, 8, 31), None, None, [], D(2023, 9, 1))
        assert [(i.kind, i.due_on, i.rule) for i in items] == [
            ("ip_priority", D(2024, 2, 29), "paris.priority.design@2026.2")
        ]


def test_a_first_filing_starts_the_priority_period_itself():
    items = derive("patent", None, D(2025, 3, 10), None, ["KR"], D(2025, 3, 11))
    assert by_key(items) == {"priority": D(2026, 3, 10)}


def test_changing_priority_on_moves_every_date_derived_from_it_and_keeps_the_keys():
    offices = ["PCT", "KR", "EP", "US"]
    before = derive("patent", D(2024, 1, 10), D(2024, 6, 1), None, offices, D(2024, 6, 2))
    after = derive("patent", D(2023, 11, 30), D(2024, 6, 1), None, offices, D(2024, 6, 2))
    assert by_key(before) == {
        "priority": D(2025, 1, 10),
        "pct": D(2025, 1, 10),
        "national_phase:KR": D(2026, 8, 10),
        "national_phase:EP": D(2026, 8, 10),
        "national_phase:US": D(2026, 7, 10),
        "annuity:EP:3": D(2026, 8, 10),  # Euro-PCT: 30.06.2026 deferred to the 31 months
    }
    assert by_key(after) == {
        "priority": D(2024, 11, 30),
        "pct": D(2024, 11, 30),
        "national_phase:KR": D(2026, 6, 30),
        "national_phase:EP": D(2026, 6, 30),
        "national_phase:US": D(2026, 5, 30),
        "annuity:EP:3": D(2026, 6, 30),
    }


def test_pct_national_phase_follows_wipo_table_at_month_ends():
    # priority 31 July 2021: 30 months end 31 January 2024, 31 months on 29 February 2024
    items = derive(
        "patent",
        D(2021, 7, 31),
        D(2022, 7, 29),
        None,
        ["WO", "KR", "US", "JP", "CN", "EP"],
        D(2022, 8, 1),
    )
    phase = {i.office: i.due_on for i in items if i.kind == "ip_national_phase"}
    assert phase == {
        "KR": D(2024, 2, 29),
        "EP": D(2024, 2, 29),
        "US": D(2024, 1, 31),
        "JP": D(2024, 1, 31),
        "CN": D(2024, 1, 31),
    }
    assert {i.rule for i in items if i.kind == "ip_national_phase"} == {"pct.national_phase@2026.2"}


def test_pct_without_a_named_office_still_yields_the_thirty_month_limit():
    items = derive("patent", D(2024, 3, 15), D(2025, 3, 14), None, ["PCT"], D(2025, 3, 20))
    assert by_key(items)["national_phase:*"] == D(2026, 9, 15)


def test_epo_guidelines_example_a_renewal_fees_at_month_end():
    # Guidelines A-X, 5.2.4, Example A: filed 15.11.2016; 3rd year due 30.11.2018, 4th 30.11.2019
    items = derive("patent", None, D(2016, 11, 15), None, ["EP"], D(2018, 1, 1), horizon_days=700)
    fees = {i.year: i.due_on for i in items if i.kind == "ip_annuity"}
    assert fees == {3: D(2018, 11, 30), 4: D(2019, 11, 30)}
    assert {i.key for i in items if i.kind == "ip_annuity"} == {"annuity:EP:3", "annuity:EP:4"}


def test_epo_guidelines_example_b_euro_pct_thirty_one_months_and_third_year():
    # Example B: priority 15.07.2016, filed 14.07.2017: 31 months expire 15.02.2019,
    # third-year fee due 31.07.2019 (after the 31 months, so not deferred), fourth 31.07.2020
    items = derive(
        "patent",
        D(2016, 7, 15),
        D(2017, 7, 14),
        None,
        ["PCT", "EP"],
        D(2018, 12, 1),
        horizon_days=700,
    )
    keys = by_key(items)
    assert keys["national_phase:EP"] == D(2019, 2, 15)
    assert keys["annuity:EP:3"] == D(2019, 7, 31)
    assert keys["annuity:EP:4"] == D(2020, 7, 31)


def test_euro_pct_third_year_fee_falling_due_earlier_waits_for_thirty_one_months():
    items = derive("patent", None, D(2016, 1, 10), None, ["PCT", "EP"], D(2017, 1, 1))
    keys = by_key(items)
    assert keys["national_phase:EP"] == D(2018, 8, 10)
    assert keys["annuity:EP:3"] == D(2018, 8, 10)  # not 31.01.2018


def test_epo_renewal_fees_stop_with_the_year_of_grant():
    # grant mentioned 10.05.2020 falls in patent year 4 (15.11.2019 - 14.11.2020)
    items = derive(
        "patent", None, D(2016, 11, 15), D(2020, 5, 10), ["EP"], D(2016, 12, 1), horizon_days=3650
    )
    assert [i.year for i in items if i.kind == "ip_annuity"] == [3, 4]


def test_kipo_faq_fourth_year_fee_on_the_registration_anniversary():
    # KIPO FAQ: registered 19 April 2007 -> 4th-year fee 19 April 2010, 5th 19 April 2011
    items = derive("patent", None, D(2005, 2, 1), D(2007, 4, 19), ["KR"], D(2009, 6, 1))
    fees = [(i.year, i.due_on) for i in items if i.kind == "ip_annuity"]
    assert fees == [(4, D(2010, 4, 19)), (5, D(2011, 4, 19))]
    assert all(i.rule == "annuity.kr@2026.2" for i in items if i.kind == "ip_annuity")


def test_kr_annuities_end_with_the_term_from_filing_and_past_ones_stay_derivable():
    items = derive("patent", None, D(2000, 1, 1), D(2002, 1, 1), ["KR"], D(2030, 1, 1))
    fees = [(i.year, i.due_on) for i in items if i.kind == "ip_annuity"]
    # 20 years from filing end on 1 January 2020: the last fee is year 18 (1 January 2019)
    assert fees == [(y, D(2002 + y - 1, 1, 1)) for y in range(4, 19)]


def test_annuity_window_past_within_since_horizon_and_always_the_next_one():
    args = ("patent", None, D(2000, 1, 1), D(2002, 1, 1), ["KR"], D(2010, 6, 1))
    years = [i.year for i in derive(*args) if i.kind == "ip_annuity"]
    assert years == [4, 5, 6, 7, 8, 9, 10, 11]  # all past, and two within two years
    years = [i.year for i in derive(*args, since=D(2009, 1, 1)) if i.kind == "ip_annuity"]
    assert years == [8, 9, 10, 11]
    window = derive(*args, since=D(2010, 6, 1), horizon_days=0)
    years = [i.year for i in window if i.kind == "ip_annuity"]
    assert years == [10]  # nothing within the window: still the next one


def test_uspto_maintenance_fees_three_and_a_half_seven_and_a_half_eleven_and_a_half_years():
    items = derive("patent", None, D(2016, 3, 1), D(2019, 8, 31), ["US"], FAR, horizon_days=99999)
    fees = [(i.key, i.due_on) for i in items if i.kind == "ip_annuity"]
    assert fees == [
        ("annuity:US:1", D(2023, 2, 28)),  # 31 August + 3.5 years: no 31 February
        ("annuity:US:2", D(2027, 2, 28)),
        ("annuity:US:3", D(2031, 2, 28)),
    ]
    assert docketing.rule_by_id("maintenance.us@2026.2")["grace_months"] == 6


def test_us_maintenance_fee_after_the_term_is_not_derived_and_designs_have_none():
    items = derive("patent", None, D(2000, 1, 1), D(2010, 1, 5), ["US"], FAR, horizon_days=99999)
    assert [i.due_on for i in items if i.kind == "ip_annuity"] == [D(2013, 7, 5), D(2017, 7, 5)]
    design = derive("design", None, D(2020, 1, 1), D(2021, 1, 5), ["US"], FAR)
    assert [i.kind for i in design] == ["ip_priority"]


def test_jpo_annual_fees_from_year_four_after_registration():
    items = derive("patent", None, D(2018, 5, 1), D(2021, 3, 31), ["JP"], D(2021, 4, 1))
    fees = [(i.year, i.due_on) for i in items if i.kind == "ip_annuity"]
    assert fees == [(4, D(2024, 3, 31))]  # the next one, beyond two years
    leap = derive("utility_model", None, D(2019, 1, 1), D(2020, 2, 29), ["JP"], D(2020, 3, 1))
    assert [i.due_on for i in leap if i.kind == "ip_annuity"] == [D(2023, 2, 28)]


def test_cnipa_annual_fees_after_the_year_of_grant_on_filing_anniversaries():
    # filed 1 June 2020, granted 15 March 2023: the grant falls in patent year 3 (paid with the
    # registration); year 4 is due 1 June 2023, year 5 on 1 June 2024
    items = derive("patent", None, D(2020, 6, 1), D(2023, 3, 15), ["CN"], D(2023, 3, 20))
    fees = [(i.key, i.due_on) for i in items if i.kind == "ip_annuity"]
    assert fees == [("annuity:CN:4", D(2023, 6, 1)), ("annuity:CN:5", D(2024, 6, 1))]
    # a leap-day filing: its anniversaries fall on 28 February
    items = derive("utility_model", None, D(2024, 2, 29), D(2025, 1, 10), ["CN"], D(2025, 1, 11))
    assert by_key(items)["annuity:CN:2"] == D(2025, 2, 28)
    # a utility model lasts 10 years: the last fee is year 10
    full = derive("utility_model", None, D(2024, 2, 29), D(2025, 1, 10), ["CN"], D(2040, 1, 1))
    assert max(i.year or 0 for i in full) == 10


def test_missing_inputs_yield_nothing_for_that_rule_only():
    # no dates at all: nothing can be derived
    assert derive("patent", None, None, None, ["PCT", "KR", "US"], D(2025, 1, 1)) == []
    # filed but not registered: priority, PCT and national phase, no annuities yet
    items = derive("patent", None, D(2025, 1, 2), None, ["PCT", "KR", "US"], D(2025, 1, 3))
    assert {i.kind for i in items} == {"ip_priority", "ip_pct", "ip_national_phase"}
    # CN needs the filing date to count its years
    assert derive("patent", None, None, D(2025, 1, 2), ["CN"], D(2025, 1, 3)) == []
    # kinds without registrations derive nothing
    for kind in ("trade_secret", "know_how", "software", "data"):
        assert derive(kind, D(2025, 1, 1), D(2025, 1, 1), D(2025, 6, 1), ["KR"], FAR) == []


def test_keys_are_unique_and_items_sorted_soonest_first():
    items = derive(
        "patent",
        D(2015, 1, 31),
        D(2016, 1, 29),
        D(2019, 5, 20),
        ["PCT", "KR", "US", "EP", "JP", "CN"],
        D(2020, 1, 1),
    )
    keys = [i.key for i in items]
    assert len(keys) == len(set(keys))
    assert [i.due_on for i in items] == sorted(i.due_on for i in items)
    assert {i.kind for i in items} == set(docketing.DERIVED_KINDS)


def test_every_rule_cites_a_source_with_url_and_section():
    cat = docketing.catalogue()
    assert cat["version"] == "2026.2"
    for rule in cat["rules"]:
        assert rule["label"]["en"] and rule["label"]["ko"]
        assert rule["sources"], rule["id"]
        for source in rule["sources"]:
            assert source["url"].startswith("https://") and source["section"]
    assert docketing.rule_by_id("paris.priority.patent@2025.9") is None


def test_an_unknown_schedule_in_the_data_fails_loudly():
    cat = json.loads(docketing.RULES_PATH.read_text(encoding="utf-8"))
    for rule in cat["rules"]:
        if rule["id"] == "annuity.kr":
            rule["schedule"] = "lunar"
    with pytest.raises(ValueError, match="lunar"):
        derive("patent", None, D(2020, 1, 1), D(2021, 1, 1), ["KR"], FAR, rules=cat)
