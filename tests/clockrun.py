"""Run a program under the suite's clock (`tests.clock`): `python -m tests.clockrun SCRIPT
ARGS...` for a console script of this environment, `python -m tests.clockrun -m MODULE ARGS...`
for a module. The servers and commands a test starts read the same time as the test."""

from __future__ import annotations

import runpy
import sys

from tests import clock


def main(argv: list[str]) -> None:
    clock.start()
    if argv[0] == "-m":
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = argv
        runpy.run_path(argv[0], run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
