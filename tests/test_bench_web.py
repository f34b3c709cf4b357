"""The web bench's baseline: health driven before every endpoint, pooled (no timing here)."""

import pytest

from bench.web import Endpoint, Outcome, in_rounds, ratios, sample


def test_the_baseline_pools_every_health_burst():
    baseline = Outcome("health (baseline)")
    sample(baseline, Outcome("health", times=[0.010] * 5, statuses={200: 5}, elapsed=1.0))
    sample(baseline, Outcome("health", times=[0.020] * 5, statuses={200: 5}, elapsed=2.0))
    sample(baseline, Outcome("health", times=[0.020] * 5, statuses={200: 5}, elapsed=2.0))
    assert baseline.bursts == [0.010, 0.020, 0.020]
    assert len(baseline.times) == 15 and baseline.statuses == {200: 15}
    assert baseline.elapsed == 5.0
    row = Outcome("projects", times=[0.060] * 3)
    # the pooled p50 (20 ms), not the first burst's (10 ms)
    assert ratios([baseline, row]) == {"health (baseline)": 1.0, "projects": 3.0}


def test_rounds_spread_each_endpoint_over_the_run_and_pool_its_requests():
    health = Endpoint("health (baseline)", "/api/v1/health", "-")
    rows = [Endpoint("projects", "/p"), Endpoint("search", "/s"), Endpoint("gone", "/g")]
    calls: list[tuple[str, int]] = []
    # health answers in 10 ms in the first round and 20 ms after: a machine that got busier
    health_times = iter([0.010] * 3 + [0.020] * 10)

    def run(ep: Endpoint, count: int, seconds: float) -> Outcome:
        calls.append((ep.name, count))
        if ep.name == "gone":
            return Outcome(ep.name, missing=True)
        if ep is health:
            t = next(health_times)
            return Outcome(ep.name, times=[t] * count, statuses={200: count}, elapsed=1.0)
        t = 0.030 if ep.name == "projects" else 0.050
        return Outcome(ep.name, times=[t] * count, statuses={200: count}, elapsed=1.0)

    baseline, projects, search, gone = in_rounds(health, rows, run, 2, 100, 8.0)
    # each round goes over every endpoint in turn, a health burst before each; the missing
    # endpoint is asked once and skipped after; each takes half of the 100 requests per round
    assert [name for name, _ in calls] == [
        "health (baseline)", "projects", "health (baseline)", "search",
        "health (baseline)", "gone",
        "health (baseline)", "projects", "health (baseline)", "search",
        "health (baseline)",
    ]  # fmt: skip
    assert ("projects", 50) in calls and ("health (baseline)", 20) in calls
    assert len(projects.times) == 100 and projects.statuses == {200: 100}
    assert gone.missing and not gone.times
    # per round: the row's p50 ÷ the health burst just before it
    assert projects.round_ratios == [3.0, 1.5]
    assert search.round_ratios == [5.0, 2.5]
    assert len(baseline.bursts) == 6
    # the headline ratio divides the pooled p50s: 50 ms ÷ 15 ms (half the health requests
    # were 10 ms, half 20 ms)
    assert ratios([baseline, projects, search])["search"] == pytest.approx(0.050 / 0.015)
