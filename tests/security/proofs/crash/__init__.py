"""The crash-safety proof (issue 11, proof 5): a real gunicorn killed with SIGKILL at random
moments of a mixed workload and at each step of an upload, a disclosure acceptance and a gate
decision; after each kill the server restarts, the sweeper runs and the checks of `checks.py`
hold. `tests/security/proofs/test_crash_safety.py` runs it and prints the figure."""
