"""The `staffing` entry point: imports the command only after it can answer a Ctrl-C.

Importing the solvers takes most of a second; an interrupt during it must end like one during
the run (a sentence and exit code 130), not with a traceback of the import machinery (which
may even wrap the interrupt in another error). So the interrupt is held while importing and
answered right after."""

from __future__ import annotations

import signal
import sys
from types import FrameType

INTERRUPTED = 130  # solver.cli.EXIT_INTERRUPTED, repeated here so that nothing is imported


def run() -> None:
    pending: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        pending.append(signum)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        from solver.cli import main
    finally:
        signal.signal(signal.SIGINT, previous)
    if pending:
        sys.stderr.write("interrupted while starting: nothing was written.\n")
        sys.exit(INTERRUPTED)
    try:
        main()
    finally:  # the command has ended and said so: an interrupt now would only garble the exit
        signal.signal(signal.SIGINT, signal.SIG_IGN)
