"""`staffing compare`: the three secondment options of the bundled province, side by side."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from solver.cli import main
from solver.paths import data_root

WHATIFS = data_root() / "what-if" / "dien-bien-2025"
OPTIONS = ("no-secondment", "52-secondees", "97-secondees")


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))


@pytest.fixture(scope="module")
def solved(tmp_path_factory) -> dict[str, Path]:
    """Each option's own `staffing solve`."""
    root = tmp_path_factory.mktemp("solved")
    out = {}
    for o in OPTIONS:
        out[o] = root / o
        r = cli("solve", str(WHATIFS / f"{o}.yaml"), "-o", str(out[o]))
        assert r.exit_code == 0, r.output
    return out


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("cmp") / "options"
    r = cli("compare", *(str(WHATIFS / f"{o}.yaml") for o in OPTIONS), "-j", "2", "-o", str(out))
    assert r.exit_code == 0, r.output
    return out, r.output


def test_each_column_is_that_scenarios_own_solve(solved, compared):
    out, text = compared
    summary = {r["measure"]: r for r in read_csv(out / "summary.csv")}
    for o in OPTIONS:
        label = f"dien-bien-2025-{o}"
        m = json.loads((solved[o] / "metrics.json").read_text("utf-8"))
        for lv, v in m["objective"].items():
            assert float(summary[lv][label]) == v, (o, lv)
        plan = read_csv(solved[o] / "plan.csv")
        assert int(summary["secondees used"][label]) == m["counts"]["secondees_used"]
        assert int(summary["officials moved"][label]) == sum(r["status"] == "moves" for r in plan)
        assert int(summary["officials unplaced"][label]) == sum(
            r["status"] == "unplaced" for r in plan
        )
        communes = read_csv(solved[o] / "communes.csv")
        short = {r["commune"] for r in communes if int(r["shortage"]) > 0}
        assert int(summary["communes still short"][label]) == len(short)
        gap = sum(int(r["accounting_gap"]) for r in communes)
        assert int(summary["specialty gap: accounting"][label]) == gap
    assert "Side by side" in text and "People whose outcome differs" in text


def test_the_differences_are_exactly_the_people_and_communes_that_differ(solved, compared):
    out, _ = compared
    plans = {
        o: {r["id"]: (r["status"], r["to"]) for r in read_csv(solved[o] / "plan.csv")}
        for o in OPTIONS
    }
    differ = {pid for pid in plans[OPTIONS[0]] if len({plans[o][pid] for o in OPTIONS}) > 1}
    assert {r["id"] for r in read_csv(out / "people.csv")} == differ
    per = {
        o: {(r["commune"], r["bloc"]): r["shortage"] for r in read_csv(solved[o] / "communes.csv")}
        for o in OPTIONS
    }
    shortage_differs = {k for k in per[OPTIONS[0]] if len({per[o][k] for o in OPTIONS}) > 1}
    rows = {(r["commune"], r["bloc"]) for r in read_csv(out / "communes.csv")}
    assert shortage_differs <= rows


def test_plan_folders_compare_like_the_scenarios_that_made_them(solved, compared, tmp_path):
    out, _ = compared
    again = tmp_path / "again"
    r = cli("compare", *(str(solved[o]) for o in OPTIONS), "-o", str(again))
    assert r.exit_code == 0, r.output
    for name in ("summary.csv", "communes.csv", "people.csv", "compare.md"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


def test_formats(solved):
    args = [str(solved[o]) for o in OPTIONS[:2]]
    r = cli("compare", *args, "--format", "json")
    doc = json.loads(r.stdout)
    assert [s["label"] for s in doc["sides"]] == [f"dien-bien-2025-{o}" for o in OPTIONS[:2]]
    assert {"summary", "communes_that_differ", "people_whose_outcome_differs"} <= set(doc)
    r = cli("compare", *args, "--format", "markdown")
    assert "| measure | dien-bien-2025-no-secondment | dien-bien-2025-52-secondees |" in r.output
    r = cli("compare", *args, "--format", "csv")
    assert r.stdout.splitlines()[0] == (
        "measure,dien-bien-2025-no-secondment,dien-bien-2025-52-secondees"
    )


def test_a_vietnamese_comparison_labels_statuses(solved):
    args = [str(solved[o]) for o in OPTIONS[:2]]
    r = cli("compare", "--lang", "vi", *args)
    assert r.exit_code == 0, r.output
    assert "TỐI ƯU" in r.stdout and "OPTIMAL" not in r.stdout
    assert "ở lại →" in r.stdout or "điều động →" in r.stdout
    for english in (" stays", " moves", " unplaced", " official ", "more rows"):
        assert english not in r.stdout
