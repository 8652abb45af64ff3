"""Real signals to real child processes: a plan folder is never missing, mixed or half-written.

Marked slow (about a minute); CI runs it with the rest of the suite.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from builders import GOLDEN

from solver.io.owned import MARKER, STAGING, check_target, publish

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
HELPER = Path(__file__).parent / "helpers" / "publisher.py"
sys.path.insert(0, str(HELPER.parent))
from publisher import FILES, LINES, version  # noqa: E402


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HELPER.parent)])}


def complete(folder: Path) -> int:
    """The version a folder holds; fails unless it is whole and of one version."""
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([MARKER, *(f"part{i}.txt" for i in range(FILES))]), names
    ks = set()
    for i in range(FILES):
        text = (folder / f"part{i}.txt").read_text("utf-8")
        lines = text.splitlines()
        assert len(lines) == LINES and len(set(lines)) == 1, f"part{i}.txt is half-written"
        ks.add(int(lines[0]))
    assert len(ks) == 1, f"mixed versions {ks}"
    return ks.pop()


def _state(target: Path) -> tuple[int, int | None, bool]:
    prev = target.with_name(target.name + ".previous")
    stale = any(p.name.startswith(f".{target.name}{STAGING}") for p in target.parent.iterdir())
    return complete(target), complete(prev) if prev.exists() else None, stale


def test_random_kills_of_a_publishing_process(tmp_path):
    """50 trials: SIGKILL, SIGINT or SIGTERM at a random moment of a stream of publishes."""
    target = tmp_path / "p"
    publish(check_target(target, "plan"), version(0))
    rng = random.Random(2025)
    versions, stale_seen = set(), 0
    signals = [signal.SIGKILL, signal.SIGKILL, signal.SIGINT, signal.SIGTERM]
    for trial in range(50):
        first = 1000 * (trial + 1)
        proc = subprocess.Popen(
            [sys.executable, str(HELPER), str(target), str(first)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_env(),
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signals[trial % len(signals)])
        proc.wait(timeout=30)
        proc.stdout.close()
        k, prev, stale = _state(target)
        versions.add(k)
        stale_seen += stale
        assert k == 0 or first <= k < first + 1000 or k < first  # an old or a new version
        if prev is not None:
            assert prev < k or (k == 0 and prev == 0)
        assert {p.name for p in tmp_path.iterdir() if not p.name.startswith(".")} <= {
            "p",
            "p.previous",
        }
    assert len(versions) > 20  # the kills landed after many different numbers of publishes
    assert stale_seen > 0  # and some in the middle of a write, which left a staging folder
    publish(check_target(target, "plan"), version(1))  # the next run cleans up after them
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p", "p.previous"]
    assert complete(target) == 1


def test_two_concurrent_writers(tmp_path):
    target = tmp_path / "p"
    procs = [
        subprocess.Popen(
            [sys.executable, str(HELPER), str(target), str(first)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env(),
        )
        for first in (1, 100_001)
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == b"ready"
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        time.sleep(0.1)
        for p in procs:
            assert p.poll() is None, p.stderr.read().decode() if p.stderr else ""
    for p in procs:
        p.kill()
        p.communicate()
    k, prev, _ = _state(target)
    assert k > 0 and prev is not None and prev != k


def _solve(scenario: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "solver", "solve", str(scenario), "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
    )


def _plan(folder: Path) -> tuple[bytes, bytes, str]:
    m = json.loads((folder / "metrics.json").read_text("utf-8"))
    return (
        (folder / "plan.csv").read_bytes(),
        (folder / "communes.csv").read_bytes(),
        m["status"],
    )


@pytest.fixture
def two_plans(tmp_path):
    """The golden tiny scenario with budgets 1 and 0 and a plan folder of each."""
    a = tmp_path / "a"
    shutil.copytree(GOLDEN / "tiny", a, ignore=shutil.ignore_patterns("expected"))
    b = tmp_path / "b"
    shutil.copytree(a, b)
    y = b / "scenario.yaml"
    y.write_text(y.read_text("utf-8").replace("secondee_budget: 1", "secondee_budget: 0"), "utf-8")
    plans = {}
    seconds = []
    for s in (a, b):
        t0 = time.monotonic()
        p = _solve(s, tmp_path / f"ref-{s.name}")
        p.communicate()
        seconds.append(time.monotonic() - t0)
        assert p.returncode == 0
        plans[s.name] = _plan(tmp_path / f"ref-{s.name}")
    assert plans["a"] != plans["b"]
    return a, b, plans, max(seconds)


def test_kills_and_interrupts_of_the_solve_command(two_plans, tmp_path):
    """50 solves into a folder holding a plan, each killed (SIGKILL) or interrupted (SIGINT) at
    a random moment from start-up to well past its end (so that some finish first, however
    the machine's speed varies between the reference solves and the trials)."""
    a, b, plans, seconds = two_plans
    out = tmp_path / "out"
    first = _solve(a, out)
    first.communicate()
    assert first.returncode == 0
    rng = random.Random(7)
    codes = set()
    for trial in range(50):
        proc = _solve(b if trial % 2 == 0 else a, out)
        time.sleep(rng.uniform(0.05, 1.6) * seconds)  # a third of them after the end
        sig = signal.SIGINT if trial % 3 else signal.SIGKILL
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        codes.add(proc.returncode)
        assert proc.returncode in (0, 130, -signal.SIGKILL), err.decode()
        assert b"Traceback" not in err
        if proc.returncode == 130:
            assert b"interrupted" in err
        assert _plan(out) in plans.values()
        prev = out.with_name("out.previous")
        if prev.exists():
            assert _plan(prev) in plans.values()
    assert 130 in codes and -signal.SIGKILL in codes  # some came before the end
    assert 0 in codes  # and some after it


def test_two_concurrent_solves_into_one_folder(two_plans, tmp_path):
    a, b, plans, _ = two_plans
    out = tmp_path / "out"
    procs = [_solve(a, out), _solve(b, out)]
    for p in procs:
        p.communicate(timeout=60)
    assert [p.returncode for p in procs] == [0, 0]
    assert _plan(out) in plans.values()
    assert _plan(out.with_name("out.previous")) in plans.values()
    assert _plan(out) != _plan(out.with_name("out.previous"))


def test_a_real_write_failure_keeps_the_old_plan(two_plans, tmp_path):
    """The child may write at most 700 bytes per file (RLIMIT_FSIZE): plan.csv does not fit, the
    write fails for real (EFBIG, as on a full disk), and the old plan stays."""
    import resource

    a, b, plans, _ = two_plans
    out = tmp_path / "out"
    first = _solve(a, out)
    first.communicate()
    assert first.returncode == 0

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write beyond the limit fails
        resource.setrlimit(resource.RLIMIT_FSIZE, (700, 700))

    proc = subprocess.Popen(
        [sys.executable, "-B", "-m", "solver", "solve", str(b), "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
        preexec_fn=small_files,
    )
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 5, err.decode()
    assert b"file system error" in err and b"Traceback" not in err
    assert _plan(out) == plans["a"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith((".out", "out"))) == [
        "out"
    ]
