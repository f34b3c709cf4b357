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


def score_answers(
    answers: dict[str, str], has_nct: bool, cat: dict[str, Any] | None = None
) -> Result:
    """Score validated answers (docs/product.md, "Risk reviews")."""
    factors = factors_by_code(cat)
    points = dict.fromkeys(GROUPS, 0)
    maxima = dict.fromkeys(GROUPS, 0)
    for code, factor in factors.items():
        scores = {c["code"]: int(c["score"]) for c in factor["choices"]}
        points[factor["group"]] += scores[answers[code]]
        maxima[factor["group"]] += max(scores.values())
    likelihood = scale(points["likelihood"], maxima["likelihood"])
    answered_impact = scale(points["impact"], maxima["impact"])
    impact = 5 if has_nct else answered_impact
    score = likelihood * impact
    return Result(
        likelihood, impact, score, level_of(score), answered_impact, impact != answered_impact
    )


def drivers(answers: dict[str, str], locale: str) -> list[dict[str, Any]]:
    """The answers that drove the result: every answer scored 2 or 3, highest first."""
    found = []
    for code, factor in factors_by_code().items():
        choice = next((c for c in factor["choices"] if c["code"] == answers.get(code)), None)
        if choice is not None and choice["score"] >= 2:
            found.append(
                {
                    "factor": code,
                    "group": factor["group"],
                    "label": label(factor["label"], locale),
                    "choice": label(choice["label"], locale),
                    "score": choice["score"],
                }
            )
    return sorted(found, key=lambda d: -d["score"])
