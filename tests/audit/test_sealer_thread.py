"""The process's sealer thread: one per process however many writers wake it at once, and a
failed pass is tried again (a database that blinked) instead of waiting for the next write.
The database part of a pass is covered by test_sealing.py; here a pass only counts."""

from __future__ import annotations

import threading
import time

from tracker.audit import sealer
from tracker.db import db


class Counting(sealer.Sealer):
    def __init__(self, app, fail: int = 0) -> None:  # type: ignore[no-untyped-def]
        super().__init__(app, db.engine)
        self.passes, self.fail = 0, fail
        self.threads: set[int] = set()

    def _pass(self) -> None:
        self.threads.add(threading.get_ident())
        self.passes += 1
        time.sleep(0.01)
        if self.passes <= self.fail:
            raise RuntimeError("the database blinked")


def test_writers_waking_at_once_start_one_thread(app, monkeypatch):
    monkeypatch.setattr(sealer, "RETRY_SECONDS", 0)
    counting = Counting(app)
    go = threading.Barrier(16)

    def writer() -> None:
        go.wait()
        counting.wake()

    writers = [threading.Thread(target=writer) for _ in range(16)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    assert counting.settle(10)
    assert len(counting.threads) == 1  # one sealer thread did every pass
    assert 1 <= counting.passes <= 16  # wakes during a pass fold into one more pass


def test_a_failed_pass_is_tried_again(app, monkeypatch):
    monkeypatch.setattr(sealer, "RETRY_SECONDS", 0)
    counting = Counting(app, fail=2)
    counting.wake()
    assert counting.settle(10)
    assert counting.passes == 3  # two failures, then the pass that sealed
