"""A child process for the kill trials: publishes versions of a folder as fast as it can.

    python publisher.py TARGET FIRST_VERSION [COUNT]

Version k is ten files of 200 kB, each line saying k; a complete folder has all ten with the
same k. The parent kills this process at random moments and checks what is left.
"""

from __future__ import annotations

import sys
from pathlib import Path

from solver.io.owned import check_target, publish

FILES = 10
LINES = 20_000


def version(k: int) -> dict[str, str]:
    return {f"part{i}.txt": f"{k}\n" * LINES for i in range(FILES)}


def main() -> None:
    target, first = Path(sys.argv[1]), int(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
    print("ready", flush=True)
    for k in range(first, first + count):
        publish(check_target(target, "plan"), version(k))


if __name__ == "__main__":
    main()
