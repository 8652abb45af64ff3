"""Golden scenarios: a folder with its expected plan, and one with its expected error text."""

from __future__ import annotations

from builders import GOLDEN
from click.testing import CliRunner

from solver.cli import main


def test_tiny_golden_plan(tmp_path):
    out = tmp_path / "plan"
    r = CliRunner().invoke(main, ["solve", str(GOLDEN / "tiny"), "-o", str(out)])
    assert r.exit_code == 0, r.output
    for name in ("plan.csv", "communes.csv"):
        assert (out / name).read_bytes() == (GOLDEN / "tiny" / "expected" / name).read_bytes()
    assert "quota_shortage                3 →          1" in r.output
    assert "disruption                    0 →        193" in r.output
    assert CliRunner().invoke(main, ["check", str(GOLDEN / "tiny"), str(out)]).exit_code == 0


def test_broken_golden_errors():
    folder = GOLDEN / "broken"
    r = CliRunner().invoke(main, ["validate", str(folder)])
    assert r.exit_code == 1
    expected = (folder / "expected_errors.txt").read_text("utf-8").splitlines()
    got = r.output.splitlines()
    assert got[0] == f"{folder}: 6 problems found"
    assert got[1:] == expected[1:]
