"""The `staffing` entry point: imports the command only after it can answer a Ctrl-C.

Importing the solvers takes most of a second; an interrupt during it must end like one during
the run (a sentence and exit code 130), not with a traceback of the import machinery (which
may even wrap the interrupt in another error). So the interrupt is held while importing and
answered right after."""

from __future__ import annotations

import contextlib
import os
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
    code: object = 0
    try:
        main()
    except SystemExit as e:
        code = e.code
    finally:  # the command has ended and said so: an interrupt now would only garble the exit
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    # End here, with the command's own code: an interrupt the command already answered (its
    # sentence and code 130) must not turn, during the interpreter's shutdown, into a death by
    # SIGINT (seen about once in 60 interrupted solves).
    if code is not None and not isinstance(code, int):
        sys.stderr.write(f"{code}\n")
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(code or 0)
