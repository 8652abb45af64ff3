"""Plan folders are owned, replaced atomically, never clobbered; a failed run touches nothing.

Each test looks at the whole neighbourhood of the output: the plan folder, its `.previous`,
the folder around it (nothing else created, nothing left behind) and the user's own files.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from builders import GOLDEN
from click.testing import CliRunner

from solver.cli import EXIT_FILES, EXIT_INFEASIBLE, EXIT_INTERRUPTED, EXIT_OUTPUT, main
from solver.io import owned
from solver.io.owned import MARKER, OutputRefused, check_target, marker_kind, publish

PLAN_FILES = {MARKER, "plan.csv", "communes.csv", "metrics.json"}


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative name → bytes), metrics.json without its timings."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            data = p.read_bytes()
            if p.name == "metrics.json":
                m = json.loads(data)
                m.pop("timings", None)
                data = json.dumps(m, sort_keys=True).encode()
            out[str(p.relative_to(folder))] = data
    return out


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs" / "tiny"
    shutil.copytree(GOLDEN / "tiny", folder, ignore=shutil.ignore_patterns("expected"))
    return folder


@pytest.fixture
def tiny0(tiny: Path) -> Path:
    """The same scenario with no secondee: another plan, to tell old from new."""
    other = tiny.with_name("tiny0")
    shutil.copytree(tiny, other)
    y = other / "scenario.yaml"
    y.write_text(y.read_text("utf-8").replace("secondee_budget: 1", "secondee_budget: 0"), "utf-8")
    return other


def solved(scenario: Path, out: Path) -> dict[str, bytes]:
    r = cli("solve", str(scenario), "-o", str(out))
    assert r.exit_code == 0, r.output
    return tree(out)


def test_new_folder_is_marked_and_readable_by_the_group(tiny, tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "plans" / "p"
        solved(tiny, out)
    finally:
        os.umask(old)
    assert {p.name for p in out.iterdir()} == PLAN_FILES
    assert marker_kind(out) == "plan"
    mode = stat.S_IMODE(out.stat().st_mode)
    assert mode & 0o050 == 0o050, oct(mode)  # not 0700
    assert sorted(p.name for p in out.parent.iterdir()) == ["p"]  # nothing else beside it


def test_rerun_replaces_and_keeps_the_previous_plan(tiny, tiny0, tmp_path):
    out = tmp_path / "plans" / "p"
    first = solved(tiny, out)
    second = solved(tiny0, out)
    assert first != second
    assert tree(out.with_name("p.previous")) == first
    third = solved(tiny, out)
    assert third == first
    assert tree(out.with_name("p.previous")) == second  # only one previous, the last one
    assert sorted(p.name for p in out.parent.iterdir()) == ["p", "p.previous"]


def test_a_folder_of_notes_is_refused_and_left_alone(tiny, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "mine.txt").write_text("my notes", "utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    r = cli("solve", str(tiny), "-o", str(notes))
    assert r.exit_code == EXIT_OUTPUT
    assert "did not write (mine.txt)" in r.output
    assert "Traceback" not in r.output
    assert tree(notes) == {"mine.txt": b"my notes"}
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_an_existing_file_is_refused(tiny, tmp_path):
    f = tmp_path / "report.txt"
    f.write_text("keep me", "utf-8")
    r = cli("solve", str(tiny), "-o", str(f))
    assert r.exit_code == EXIT_OUTPUT
    assert "is an existing file" in r.output
    assert f.read_text("utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inputs", "report.txt"]


@pytest.mark.parametrize("where", ["scenario", "parent", "grandparent"])
def test_input_folders_and_their_parents_are_refused(tiny, where):
    out = {"scenario": tiny, "parent": tiny.parent, "grandparent": tiny.parent.parent}[where]
    before = tree(out)
    r = cli("solve", str(tiny), "-o", str(out))
    assert r.exit_code == EXIT_OUTPUT, r.output
    assert "holds the input" in r.output
    assert tree(out) == before


def test_another_scenario_folder_is_refused(tiny, tiny0):
    before = tree(tiny0)
    r = cli("solve", str(tiny), "-o", str(tiny0))
    assert r.exit_code == EXIT_OUTPUT
    assert "is a scenario folder" in r.output
    assert tree(tiny0) == before


def test_the_home_folder_is_refused(tiny, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for out in (home, tmp_path):
        r = cli("solve", str(tiny), "-o", str(out))
        assert r.exit_code == EXIT_OUTPUT
        assert "home folder" in r.output
    assert list(home.iterdir()) == []


def test_a_symbolic_link_is_refused(tiny, tmp_path):
    real = tmp_path / "real"
    solved(tiny, real)
    link = tmp_path / "link"
    link.symlink_to(real)
    r = cli("solve", str(tiny), "-o", str(link))
    assert r.exit_code == EXIT_OUTPUT
    assert "symbolic link" in r.output
    assert link.is_symlink()


def test_an_empty_folder_and_a_plan_folder_of_an_older_version_are_replaced(tiny, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    solved(tiny, empty)
    assert not empty.with_name("empty.previous").exists()  # nothing worth keeping
    legacy = tmp_path / "legacy"
    shutil.copytree(empty, legacy)
    (legacy / MARKER).unlink()
    assert marker_kind(legacy) == "legacy-plan"
    solved(tiny, legacy)
    assert marker_kind(legacy) == "plan"


def test_a_foreign_previous_folder_is_refused(tiny, tmp_path):
    out = tmp_path / "p"
    solved(tiny, out)
    prev = tmp_path / "p.previous"
    prev.mkdir()
    (prev / "mine.txt").write_text("x", "utf-8")
    before = tree(out)
    r = cli("solve", str(tiny), "-o", str(out))
    assert r.exit_code == EXIT_OUTPUT
    assert tree(out) == before and tree(prev) == {"mine.txt": b"x"}


@pytest.fixture
def infeasible(tiny: Path) -> Path:
    """Sixty more officials pinned to one commune, beyond its quota: no plan can hold them."""
    bad = tiny.with_name("bad")
    shutil.copytree(tiny, bad)
    offs = bad / "officials.csv"
    lines = offs.read_text("utf-8").splitlines()
    header = lines[0].split(",")
    rows = []
    for i in range(60):
        cells = dict(zip(header, lines[1].split(","), strict=True))
        cells.update(id=f"X{i}", pinned="true", intention="stay")
        rows.append(",".join(cells[c] for c in header))
    offs.write_text("\n".join([*lines, *rows]) + "\n", "utf-8")
    return bad


def test_an_infeasible_rerun_leaves_the_good_plan(tiny, infeasible, tmp_path):
    out = tmp_path / "p"
    good = solved(tiny, out)
    r = cli("solve", str(infeasible), "-o", str(out))
    assert r.exit_code == EXIT_INFEASIBLE, r.output
    assert f"the plan in {out}/ is unchanged" in r.output
    assert tree(out) == good
    assert not out.with_name("p.previous").exists()


def test_an_infeasible_first_run_writes_nothing(infeasible, tmp_path):
    out = tmp_path / "p"
    r = cli("solve", str(infeasible), "-o", str(out))
    assert r.exit_code == EXIT_INFEASIBLE
    assert f"nothing was written to {out}/" in r.output
    assert not out.exists()


def test_disk_full_keeps_the_old_plan_and_leaves_nothing(tiny, tiny0, tmp_path, monkeypatch):
    out = tmp_path / "p"
    good = solved(tiny, out)
    real_write = owned.Staging.write
    calls = []

    def full(self, name, text):
        calls.append(name)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(self.path / name))
        real_write(self, name, text)

    monkeypatch.setattr(owned.Staging, "write", full)
    r = cli("solve", str(tiny0), "-o", str(out))
    assert r.exit_code == EXIT_FILES
    assert "the disk is full" in r.output and "Traceback" not in r.output
    assert tree(out) == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inputs", "p"]


def test_permission_denied_is_one_paragraph(tiny, tmp_path, monkeypatch):
    def denied(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "ro"))

    monkeypatch.setattr(owned.os, "mkdir", denied)
    r = cli("solve", str(tiny), "-o", str(tmp_path / "ro" / "p"))
    assert r.exit_code == EXIT_FILES
    assert "permission denied" in r.output and "Traceback" not in r.output


def test_ctrl_c_during_the_solve(tiny, tiny0, tmp_path, monkeypatch):
    from solver import run

    out = tmp_path / "p"
    good = solved(tiny, out)

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(run, "solve", interrupted)
    r = cli("solve", str(tiny0), "-o", str(out))
    assert r.exit_code == EXIT_INTERRUPTED
    assert "interrupted" in r.output and "Traceback" not in r.output
    assert tree(out) == good


def test_the_fallback_without_an_atomic_exchange(tiny, tiny0, tmp_path, monkeypatch):
    monkeypatch.setattr(owned, "_EXCHANGE", None)
    out = tmp_path / "p"
    first = solved(tiny, out)
    second = solved(tiny0, out)
    assert tree(out.with_name("p.previous")) == first
    assert solved(tiny, out) == first
    assert tree(out.with_name("p.previous")) == second


def test_stale_staging_folders_are_removed_live_ones_kept(tmp_path):
    target = check_target(tmp_path / "p", "plan")
    publish(target, {"a.txt": "1"})
    stale = tmp_path / ".p.new-deadbeef"
    stale.mkdir()
    (stale / "a.txt").write_text("half", "utf-8")
    live = owned.Staging(target)  # holds its lock
    publish(target, {"a.txt": "2"})
    assert not stale.exists()
    assert live.path.exists()
    live.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p", "p.previous"]


def test_check_target_kinds(tmp_path):
    plans = tmp_path / "all"
    publish(check_target(plans, "plans"), {"metrics.json": "{}"})
    with pytest.raises(OutputRefused, match="holds a plans written by this tool, not a plan"):
        check_target(plans, "plan")


def test_several_provinces_rerun_with_a_broken_province(two_provinces, tmp_path):
    root = two_provinces
    out = tmp_path / "plans"
    r = cli("solve", str(root), "-o", str(out), "--jobs", "2")
    assert r.exit_code == 0, r.output
    first = tree(out)
    assert marker_kind(out) == "plans"
    broken = root / "lai-chau-2025" / "communes.csv"
    broken.write_text(broken.read_text("utf-8").replace(",commune,", ",hamlet,", 1), "utf-8")
    r = cli("solve", str(root), "-o", str(out), "--jobs", "2")
    assert r.exit_code == 1
    assert tree(out.with_name("plans.previous")) == first
    assert not (out / "lai-chau-2025" / "plan.csv").exists()  # no old plan shown as current
    status = json.loads((out / "lai-chau-2025" / "metrics.json").read_text("utf-8"))["status"]
    assert status == "INPUT_ERROR"
    summary = json.loads((out / "metrics.json").read_text("utf-8"))["provinces"]
    assert [p["status"] for p in summary] == ["OPTIMAL", "INPUT_ERROR"]
    assert "Lai Châu" not in (out / "plan.csv").read_text("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans", "plans.previous", "vn"]


def test_the_entry_point_knows_the_interrupt_code():
    from solver import entry

    assert entry.INTERRUPTED == EXIT_INTERRUPTED


def test_generate_replaces_only_its_own_scenario_folders(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "mine.txt").write_text("x", "utf-8")
    r = cli("generate", "-p", "12", "-o", str(notes))
    assert r.exit_code == EXIT_OUTPUT
    assert tree(notes) == {"mine.txt": b"x"}
    out = tmp_path / "db"
    for _ in range(2):
        r = cli("generate", "-p", "12", "-o", str(out))
        assert r.exit_code == 0, r.output
    assert marker_kind(out) == "scenario"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db", "notes"]  # no .previous
    r = cli("solve", str(out), "-o", str(out))
    assert r.exit_code == EXIT_OUTPUT


def test_ctrl_c_wrapped_in_another_error_is_still_an_interrupt(tiny0, tmp_path, monkeypatch):
    """An interrupt during a lazy import can arrive wrapped (dataclasses turn it into a
    RuntimeError); it ends like any Ctrl-C. Another error with no interrupt behind it is not
    taken for one."""
    from solver import run

    def wrapped(*a, **k):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as e:
            raise RuntimeError("Error calling __set_name__") from e

    monkeypatch.setattr(run, "solve", wrapped)
    r = cli("solve", str(tiny0), "-o", str(tmp_path / "p"))
    assert r.exit_code == EXIT_INTERRUPTED and "interrupted" in r.output

    def broken(*a, **k):
        raise RuntimeError("a bug")

    monkeypatch.setattr(run, "solve", broken)
    r = cli("solve", str(tiny0), "-o", str(tmp_path / "p"))
    assert r.exit_code not in (0, EXIT_INTERRUPTED) and isinstance(r.exception, RuntimeError)
