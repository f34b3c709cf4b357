"""Two gunicorn instances on one PostgreSQL database, one Redis and one S3-compatible server
(moto, on loopback): the checks of `bench/cluster.py` (docs/performance.md).

A token and a session made on one instance work on the other; a file uploaded through one
downloads byte-identical through the other; sign-in failures split across both lock the account
at five; a decision raced on both has one winner; the audit chain stays linear.

Needs the PostgreSQL server on 127.0.0.1:5432 and Redis (TRACKER_TEST_REDIS_URL, a db the tests
own: it is flushed), both always there in CI. The database it creates and drops is
TRACKER_TEST_CLUSTER_DATABASE, or a name of its own.
"""

from __future__ import annotations

import os

import pytest

from bench.cluster import cluster, run_checks

SERVER = os.environ.get(
    "TRACKER_TEST_POSTGRES_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432"
)
REDIS = os.environ.get("TRACKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
DATABASE = os.environ.get("TRACKER_TEST_CLUSTER_DATABASE", f"tracker_cluster_{os.getpid()}")


# real_commits: the cluster's own app seeds its database through `db.session`, which must not be
# the rolled-back test session of tests/conftest.py
@pytest.mark.real_commits
def test_two_instances_share_sessions_files_throttle_decisions_and_the_chain() -> None:
    with cluster(SERVER, REDIS, DATABASE, transfers=3, workers=1) as (a, b, env, seeded):
        results = run_checks(a, b, env, seeded, file_mib=1)
    assert [name for name, ok, _ in results if not ok] == []
    assert [name for name, _, _ in results] == [
        "token from A works on B",
        "session cookie from A works on B",
        "upload via A, download via B",
        "upload via B, download via A",
        "the blobs are in the shared S3 store",
        "sign-in throttle counts across A and B",
        "a raced decision has one winner",
        "audit chain linear",
    ]
