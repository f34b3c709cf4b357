"""The web bench's baseline: health driven before every endpoint, pooled (no timing here)."""

from bench.web import Outcome, ratios, sample


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
