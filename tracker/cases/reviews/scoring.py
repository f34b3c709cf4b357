"""The risk factor catalogue (data, versioned) and the scoring it defines (DESIGN section 5)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from tracker.errors import InvalidInput

CATALOGUE_PATH = Path(__file__).with_name("risk_factors.json")


GROUPS = ("impact", "likelihood")


SENSITIVITY_RANK = {"public": 0, "confidential": 1, "trade_secret": 2}


LEVEL_BOUNDS = ((4, "low"), (9, "medium"), (16, "high"), (25, "critical"))


@functools.cache
def catalogue() -> dict[str, Any]:
    """The factor catalogue (a versioned data file), loaded once."""
    with CATALOGUE_PATH.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def factors_by_code(cat: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    return {f["code"]: f for f in (cat or catalogue())["factors"]}


def label(labels: dict[str, str], locale: str) -> str:
    return labels.get(locale) or labels["en"]


def scale(points: int, max_points: int) -> int:
    """`1 + round(4 × points / max_points)`, rounded half up, in exact integer arithmetic."""
    # floor(4p/m + 1/2) == floor((8p + m) / 2m)
    return 1 + (8 * points + max_points) // (2 * max_points)


def level_of(score: int) -> str:
    for bound, name in LEVEL_BOUNDS:
        if score <= bound:
            return name
    raise ValueError(f"score {score} out of range")


@dataclass(frozen=True)
class Result:
    likelihood: int
    impact: int
    score: int
    level: str
    #: impact from the answers alone, before national core technology forced it to 5
    answered_impact: int
    nct_forced: bool


def validate_answers(
    answers: Any, cat: dict[str, Any] | None = None, *, partial: bool = False
) -> dict[str, str]:
    """Every factor answered with one of its choices, nothing else; 422 otherwise.
    `partial` (a draft): factors may be left out."""
    if not isinstance(answers, dict):
        raise InvalidInput({"answers": [_("Answer every factor.")]})
    factors = factors_by_code(cat)
    errors: dict[str, list[str]] = {}
    for code, choice in answers.items():
        factor = factors.get(code)
        if factor is None:
            errors[f"answers.{code}"] = [_("Unknown factor.")]
        elif choice not in {c["code"] for c in factor["choices"]}:
            errors[f"answers.{code}"] = [_("Unknown choice.")]
    for code in factors:
        if code not in answers and not partial:
            errors[f"answers.{code}"] = [_("Answer this factor.")]
    if errors:
        raise InvalidInput(errors)
    return {code: str(answers[code]) for code in factors if code in answers}


def complete(answers: dict[str, str], cat: dict[str, Any] | None = None) -> bool:
    """Whether validated answers answer every factor (and can be scored)."""
    return set(answers) == set(factors_by_code(cat))


@functools.cache
def current_version() -> str:
    """The version of the catalogue in use (loaded once): a review scored with another cannot
    be re-scored."""
    return str(catalogue()["version"])


@dataclass(frozen=True)
class Tables:
    """What the scoring reads of one catalogue, built once per catalogue version (the current
    one: `tables()`) so that scoring a row looks nothing up."""

    #: each factor's points by choice, factors in catalogue order
    points: dict[str, dict[str, int]]
    #: each group's factors, in catalogue order
    groups: dict[str, tuple[str, ...]]
    #: each group's highest total
    maxima: dict[str, int]


def _tables_of(cat: dict[str, Any]) -> Tables:
    points: dict[str, dict[str, int]] = {}
    groups: dict[str, list[str]] = {group: [] for group in GROUPS}
    maxima = dict.fromkeys(GROUPS, 0)
    for code, factor in factors_by_code(cat).items():
        points[code] = {c["code"]: int(c["score"]) for c in factor["choices"]}
        maxima[factor["group"]] += max(points[code].values())
        groups[factor["group"]].append(code)
    return Tables(points, {group: tuple(codes) for group, codes in groups.items()}, maxima)


@functools.cache
def _current_tables(version: str) -> Tables:
    return _tables_of(catalogue())


def tables(cat: dict[str, Any] | None = None) -> Tables:
    """The tables of `cat` (default: the current catalogue, built once)."""
    return _tables_of(cat) if cat else _current_tables(current_version())


def group_scale(answers: dict[str, str], group: str, cat: dict[str, Any] | None = None) -> int:
    """One group's 1–5 value of validated answers (every factor of the group answered)."""
    t = tables(cat)
    points = t.points
    return scale(sum(points[code][answers[code]] for code in t.groups[group]), t.maxima[group])


def score_answers(
    answers: dict[str, str], has_nct: bool, cat: dict[str, Any] | None = None
) -> Result:
    """Score validated answers (docs/product.md, "Risk reviews")."""
    likelihood = group_scale(answers, "likelihood", cat)
    answered_impact = group_scale(answers, "impact", cat)
    impact = 5 if has_nct else answered_impact
    score = likelihood * impact
    return Result(
        likelihood, impact, score, level_of(score), answered_impact, impact != answered_impact
    )


def answered_impact(impact: int, answers: dict[str, str], catalogue_version: str) -> int:
    """The impact a stored review's answers give before national core technology: scored
    again from the tables for answers to the current catalogue; an older catalogue's
    cannot be, and keep their stored impact (never counted as forced)."""
    version = current_version()
    if catalogue_version != version:
        return impact
    t = _current_tables(version)
    points = t.points
    return scale(
        sum(points[code][answers[code]] for code in t.groups["impact"]), t.maxima["impact"]
    )


def stored_result(
    likelihood: int | None,
    impact: int | None,
    score: int | None,
    level: str | None,
    answers: dict[str, str],
    catalogue_version: str,
) -> Result | None:
    """A review's stored result, with whether national core technology forced the impact
    (the stored impact is not the one its answers give, `answered_impact`); None for a
    draft that does not answer every factor yet."""
    if likelihood is None or impact is None or score is None:
        return None
    answered = answered_impact(impact, answers, catalogue_version)
    return Result(likelihood, impact, score, level or level_of(score), answered, impact != answered)


def nct_forced(
    likelihood: int | None,
    impact: int | None,
    score: int | None,
    answers: dict[str, str],
    catalogue_version: str,
) -> bool | None:
    """`stored_result(...).nct_forced`, without building the result (a list's rows)."""
    if likelihood is None or impact is None or score is None:
        return None
    return impact != answered_impact(impact, answers, catalogue_version)


@functools.lru_cache(maxsize=32)
def _driver_choices(version: str, locale: str) -> tuple[tuple[str, dict[str, Any]], ...]:
    """What `drivers` writes for each answer that drives a result (scored 2 or 3), by factor in
    catalogue order and choice, of the catalogue `version` (the current one) in `locale`:
    looked up once, not per answer."""
    return tuple(
        (
            code,
            {
                c["code"]: {
                    "factor": code,
                    "group": f["group"],
                    "label": label(f["label"], locale),
                    "choice": label(c["label"], locale),
                    "score": c["score"],
                }
                for c in f["choices"]
                if c["score"] >= 2
            },
        )
        for code, f in factors_by_code().items()
    )


def drivers(answers: dict[str, str], locale: str) -> list[dict[str, Any]]:
    """The answers that drove the result: every answer scored 2 or 3, highest first."""
    found = [
        dict(by_choice[answers[code]])
        for code, by_choice in _driver_choices(current_version(), locale)
        if code in answers and answers[code] in by_choice
    ]
    return sorted(found, key=lambda d: -d["score"])
