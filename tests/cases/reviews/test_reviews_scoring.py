"""The scoring rule of docs/product.md ("Risk reviews"), edge cases included."""

import pytest

from tests.support import answers
from tracker.cases.reviews import service as risk
from tracker.errors import InvalidInput


def test_catalogue_is_versioned_with_both_groups():
    cat = risk.catalogue()
    assert cat["version"] == "2026.1"
    groups = {f["group"] for f in cat["factors"]}
    assert groups == {"impact", "likelihood"}
    for factor in cat["factors"]:
        assert {c["score"] for c in factor["choices"]} == {0, 1, 2, 3}
        assert factor["label"]["en"] and factor["label"]["ko"]
        assert all(c["label"]["en"] and c["label"]["ko"] for c in factor["choices"])


def test_all_lowest_is_low():
    result = risk.score_answers(answers(0), has_nct=False)
    assert (result.likelihood, result.impact, result.score, result.level) == (1, 1, 1, "low")


def test_all_highest_is_critical():
    result = risk.score_answers(answers(-1), has_nct=False)
    assert (result.likelihood, result.impact, result.score, result.level) == (5, 5, 25, "critical")


def test_nct_forces_impact_5():
    result = risk.score_answers(answers(0), has_nct=True)
    assert (result.likelihood, result.impact, result.score, result.level) == (1, 5, 5, "medium")
    assert result.nct_forced and result.answered_impact == 1


@pytest.mark.parametrize(
    ("points", "maximum", "expected"),
    [
        (0, 9, 1),
        (1, 9, 1),  # 0.44 → 0
        (2, 9, 2),  # 0.89 → 1
        (9, 9, 5),
        (3, 18, 2),  # 0.67 → 1
        (1, 8, 2),  # exactly 0.5: half up gives 1 (banker's rounding would give 0)
        (3, 8, 3),  # 1.5 → 2
        (5, 8, 4),  # 2.5 → 3 (banker's: 2)
        (3, 24, 2),  # 0.5 → 1
    ],
)
def test_scale_rounds_half_up(points, maximum, expected):
    assert risk.scale(points, maximum) == expected


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (1, "low"),
        (4, "low"),
        (5, "medium"),
        (9, "medium"),
        (10, "high"),
        (16, "high"),
        (17, "critical"),
        (25, "critical"),
    ],
)
def test_level_bounds(score, level):
    assert risk.level_of(score) == level


def test_half_up_on_a_catalogue_with_an_exact_half():
    """Eight factors of max 3 (24 points): 3 points give 4 × 3 / 24 = 0.5 exactly."""
    cat = {
        "version": "t",
        "factors": [
            {
                "code": f"{group}{i}",
                "group": group,
                "label": {"en": "x"},
                "choices": [{"code": str(s), "score": s, "label": {"en": "x"}} for s in range(4)],
            }
            for group in ("impact", "likelihood")
            for i in range(8)
        ],
    }
    chosen = {f["code"]: "0" for f in cat["factors"]}
    chosen["impact0"] = "3"
    chosen["likelihood0"] = "2"
    chosen["likelihood1"] = "3"  # 5 points: 4 × 5 / 24 = 0.83 → 1
    result = risk.score_answers(risk.validate_answers(chosen, cat), False, cat)
    assert (result.impact, result.likelihood) == (2, 2)


def test_a_middle_case():
    chosen = answers(
        0,
        asset_sensitivity="trade_secret",
        economic_value="high",
        partner_access="source_or_raw",
        nda_coverage="none",
        transfer_channel="plain_email",
    )
    # impact: 3 + 2 + 0 = 5 of 9 → 1 + round(2.22) = 3; likelihood: 3 + 3 + 2 = 8 of 18 → 1 + 2
    result = risk.score_answers(chosen, has_nct=False)
    assert (result.impact, result.likelihood, result.score, result.level) == (3, 3, 9, "medium")


@pytest.mark.parametrize(
    ("given", "key", "message"),
    [
        ({**answers(0), "moon_phase": "full"}, "answers.moon_phase", "Unknown factor."),
        ({**answers(0), "nda_coverage": "handshake"}, "answers.nda_coverage", "Unknown choice."),
        (
            {k: v for k, v in answers(0).items() if k != "prior_incidents"},
            "answers.prior_incidents",
            "Answer this factor.",
        ),
    ],
)
def test_bad_answers(given, key, message):
    with pytest.raises(InvalidInput) as caught:
        risk.validate_answers(given)
    assert caught.value.errors[key] == [message]


def test_answers_must_be_a_mapping():
    with pytest.raises(InvalidInput):
        risk.validate_answers(["asset_sensitivity"])


def _answer_sets() -> list[dict[str, str]]:
    """Every factor at every choice, the others at their lowest or highest."""
    return [
        answers(base, **{factor["code"]: choice["code"]})
        for base in (0, -1)
        for factor in risk.catalogue()["factors"]
        for choice in factor["choices"]
    ]


def _scored_by_lookup(chosen: dict[str, str]) -> tuple[int, int]:
    """(likelihood, impact) looked up answer by answer in the catalogue, without the tables
    `score_answers` reads."""
    points = {"impact": 0, "likelihood": 0}
    maxima = {"impact": 0, "likelihood": 0}
    for factor in risk.catalogue()["factors"]:
        scores = {c["code"]: int(c["score"]) for c in factor["choices"]}
        points[factor["group"]] += scores[chosen[factor["code"]]]
        maxima[factor["group"]] += max(scores.values())
    return (
        risk.scale(points["likelihood"], maxima["likelihood"]),
        risk.scale(points["impact"], maxima["impact"]),
    )


def _drivers_by_lookup(chosen: dict[str, str], locale: str) -> list[dict]:
    found = []
    for factor in risk.catalogue()["factors"]:
        choice = next(
            (c for c in factor["choices"] if c["code"] == chosen.get(factor["code"])), None
        )
        if choice is not None and choice["score"] >= 2:
            found.append(
                {
                    "factor": factor["code"],
                    "group": factor["group"],
                    "label": risk.label(factor["label"], locale),
                    "choice": risk.label(choice["label"], locale),
                    "score": choice["score"],
                }
            )
    return sorted(found, key=lambda d: -d["score"])


def test_the_tables_score_as_the_catalogue_answer_by_answer():
    """`score_answers` and `stored_result` read tables built once per catalogue version: they
    give what looking every answer up in the catalogue gives, for every choice."""
    for chosen in _answer_sets():
        likelihood, impact = _scored_by_lookup(chosen)
        plain = risk.score_answers(chosen, has_nct=False)
        assert (plain.likelihood, plain.impact, plain.nct_forced) == (likelihood, impact, False)
        forced = risk.score_answers(chosen, has_nct=True)
        assert (forced.impact, forced.answered_impact) == (5, impact)
        assert forced.nct_forced is (impact != 5)
        version = risk.current_version()
        stored = risk.stored_result(likelihood, 5, 5 * likelihood, None, chosen, version)
        assert stored.answered_impact == impact and stored.nct_forced is (impact != 5)
        older = risk.stored_result(likelihood, 5, 5 * likelihood, None, chosen, "1")
        assert older.answered_impact == 5 and older.nct_forced is False
        for result, given in ((stored, version), (older, "1")):
            assert (
                risk.nct_forced(likelihood, 5, 5 * likelihood, chosen, given) is result.nct_forced
            )


@pytest.mark.parametrize("locale", ["en", "ko", "fr"])
def test_the_tables_name_the_drivers_as_the_catalogue(locale):
    partial = {
        risk.catalogue()["factors"][0]["code"]: risk.catalogue()["factors"][0]["choices"][-1][
            "code"
        ]
    }
    for chosen in [*_answer_sets(), partial, {}]:
        assert risk.drivers(chosen, locale) == _drivers_by_lookup(chosen, locale), chosen


def test_drivers_are_copies():
    """A caller changing a driver changes neither the tables nor the next call's."""
    chosen = answers(-1)
    risk.drivers(chosen, "en")[0]["label"] = "changed"
    assert risk.drivers(chosen, "en") == _drivers_by_lookup(chosen, "en")


def test_no_draft_result():
    assert risk.stored_result(None, None, None, None, {}, risk.current_version()) is None
    assert risk.nct_forced(None, None, None, {}, risk.current_version()) is None
