"""The suite's clock: every test runs at a known instant, and `TRACKER_TEST_CLOCK_SHIFT_DAYS`
moves that instant ahead (`make test-ahead`: 400 days) to prove no test holds a date that
will pass.

The instant is the next 03:00 UTC (noon in Seoul, the same calendar day in both) at or after
the real time, plus the shift: never behind the real time, so a file written now is never
"newer" than the clock (the temporary-file sweeps compare file times with `time.time()`).
The clock then ticks, so timeouts and polling loops work; `time-machine` moves `datetime`,
`date.today()` and `time.time()` for the app and the tests alike (not `time.monotonic()`). The
controller picks the instant once and passes it to the pytest-xdist workers and to every server
a test starts (`command`), as an offset from the real time, so all of them read the same clock.

A test that needs the real clock says so with `@pytest.mark.real_clock`; one that needs
another instant travels there itself (`time_machine.travel(..., tick=False)` nests).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

import time_machine

from tracker import clock

#: days to move the suite's instant ahead (`make test-ahead` sets 400)
SHIFT_VAR = "TRACKER_TEST_CLOCK_SHIFT_DAYS"
#: seconds between the suite's clock and the real clock, set by the controller
OFFSET_VAR = "TRACKER_TEST_CLOCK_OFFSET"
#: the hour of the day (UTC) the suite runs at: noon in Seoul, the same date in UTC and KST
HOUR_UTC = 3

_traveller: time_machine.travel | None = None


def _instant(real: dt.datetime, shift_days: int) -> dt.datetime:
    start = real.replace(hour=HOUR_UTC, minute=0, second=0, microsecond=0)
    if start < real:
        start += dt.timedelta(days=1)
    return start + dt.timedelta(days=shift_days)


def offset() -> float:
    """The suite's offset from the real clock in seconds, chosen once per run."""
    if OFFSET_VAR not in os.environ:
        real = dt.datetime.now(dt.UTC)
        shift = int(os.environ.get(SHIFT_VAR) or 0)
        os.environ[OFFSET_VAR] = repr((_instant(real, shift) - real).total_seconds())
    return float(os.environ[OFFSET_VAR])


def instant() -> dt.datetime:
    """The suite's time now, whether or not this process travels yet."""
    hatch = time_machine.escape_hatch
    real = hatch.time.time() if hatch.is_travelling() else time.time()
    return dt.datetime.fromtimestamp(real + offset(), dt.UTC)


def today() -> dt.date:
    """The suite's date in Korea (`tracker.clock.today` under the suite's clock)."""
    return clock.local_date(instant())


def start() -> dt.datetime:
    """Move this process's clock to the suite's (idempotent); returns the instant now."""
    global _traveller
    if _traveller is None:
        _traveller = time_machine.travel(instant(), tick=True)
        _traveller.start()
    return dt.datetime.now(dt.UTC)


def stop() -> None:
    global _traveller
    if _traveller is not None:
        _traveller.stop()
        _traveller = None


def shift_days() -> int:
    return int(os.environ.get(SHIFT_VAR) or 0)


def command(name: str, *args: str) -> list[str]:
    """The command line that runs the console script `name` of this environment (gunicorn,
    flask, ...) under the suite's clock."""
    script = Path(sys.executable).parent / name
    return [sys.executable, "-m", "tests.clockrun", str(script), *args]
