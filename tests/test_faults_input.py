"""Fault injection on the inputs, generated from the bundled scenario.

Each case damages a copy of the bundled Điện Biên folder the way real files get damaged
(encodings, locales, workbook quirks, YAML hazards, near-miss names, tampered plans) and runs
the real command into an output folder that holds a good plan. Each asserts the exit code, the
message (located, one paragraph, no traceback), that the good plan is intact and that nothing
else around it was created or changed.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from solver.cli import EXIT_INPUT, main
from solver.io import load_scenario
from solver.paths import bundled_scenario


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture
def good_plan(bundled_plan: Path) -> Path:
    return bundled_plan


@pytest.fixture
def place(tmp_path, good_plan):
    """A copy of the bundled scenario and a copy of its good plan, side by side."""
    sc = tmp_path / "dien-bien"
    shutil.copytree(bundled_scenario(), sc)
    out = tmp_path / "plan"
    shutil.copytree(good_plan, out)
    return sc, out


def edit(sc: Path, name: str, fn: Callable[[str], str]) -> None:
    p = sc / name
    p.write_text(fn(p.read_text("utf-8-sig")), "utf-8", newline="")


def _sub(pattern: str, repl: str, count: int = 1) -> Callable[[str], str]:
    def f(text: str) -> str:
        new, n = re.subn(pattern, repl, text, count=count, flags=re.M)
        assert n, f"pattern {pattern!r} not found: the case is stale"
        return new

    return f


def _append(line: str) -> Callable[[str], str]:
    return lambda text: text + line


def _semicolons_with_decimal_commas(text: str) -> str:
    lines = text.splitlines()
    out = []
    for line in lines:
        cells = line.split(",")
        out.append(";".join(re.sub(r"^(\d+)\.(\d+)$", r"\1,\2", c) for c in cells))
    return "\n".join(out) + "\n"


BAD_INPUTS: list[tuple[str, Callable[[Path], None], str]] = [
    (
        "thousands dot in a whole number",
        lambda sc: edit(sc, "communes.csv", _sub(r",46723,", ",46.723,")),
        "communes.csv, row 2, column population: found '46.723', expected a whole number "
        "without thousands separators, e.g. 46723",
    ),
    (
        "thousands comma in a whole number (quoted)",
        lambda sc: edit(sc, "communes.csv", _sub(r",46723,", ',"46,723",')),
        "column population: found '46,723', expected a whole number without thousands",
    ),
    (
        "decimal comma in a comma-separated file",
        lambda sc: edit(sc, "communes.csv", _sub(r",56\.75,", ',"56,75",')),
        "column area_km2: found '56,75', expected a number with a decimal point",
    ),
    (
        "a huge number",
        lambda sc: edit(sc, "communes.csv", _sub(r",46723,", ",467230000000000000000000,")),
        "expected a whole number of at most 1,000,000,000",
    ),
    (
        "an impossible date in a table",
        lambda sc: edit(sc, "secondees.csv", _sub(r",2026-04-20$", ",2026-02-30")),
        "secondees.csv, row 2, column end: found '2026-02-30', expected a date as YYYY-MM-DD",
    ),
    (
        "a date outside the plausible window",
        lambda sc: edit(sc, "secondees.csv", _sub(r",2026-04-20$", ",2206-04-20")),
        "column end: found '2206-04-20', expected a date between 2000-01-01 and 2099-12-31",
    ),
    (
        "an impossible date in scenario.yaml",
        lambda sc: edit(sc, "scenario.yaml", _sub(r"^as_of: .*$", "as_of: 2025-02-30")),
        "scenario.yaml, line 8: expected a date that exists",
    ),
    (
        "a key given twice in scenario.yaml",
        lambda sc: edit(sc, "scenario.yaml", _append("secondee_budget: 97\n")),
        "expected each key once: 'secondee_budget' is also on line",
    ),
    (
        "a YAML alias bomb",
        lambda sc: edit(
            sc,
            "scenario.yaml",
            _append(
                "a: &a [x, x, x, x, x, x, x, x, x]\n"
                + "".join(
                    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n"
                    for p, n in zip("abcdefgh", "bcdefghi", strict=True)
                )
            ),
        ),
        "expected at most 20 aliases (*name)",
    ),
    (
        "an unclosed quote in YAML",
        lambda sc: edit(sc, "scenario.yaml", _sub(r"^name: (.*)$", r'name: "\1')),
        "scenario.yaml, line",
    ),
    (
        "an unclosed quote in a CSV file",
        lambda sc: edit(sc, "officials.csv", _sub(r"^(11-00005,)", r'\1"')),
        "officials.csv, line 6: expected a closing quote: the quote opened on line 6",
    ),
    (
        "a column given twice",
        lambda sc: edit(sc, "secondees.csv", _sub(r"^id,name,", "id,name,name,")),
        "secondees.csv, row 1, column name: expected each column once (also column 2)",
    ),
    (
        "a legacy encoding",
        lambda sc: (sc / "communes.csv").write_bytes(
            (sc / "communes.csv").read_text("utf-8").encode("cp1258", errors="replace")
        ),
        "communes.csv, row 2: found",
    ),
    (
        "UTF-16 (Excel's Unicode Text)",
        lambda sc: (sc / "secondees.csv").write_bytes(
            (sc / "secondees.csv").read_text("utf-8").encode("utf-16")
        ),
        "secondees.csv: expected UTF-8 text; this file is UTF-16",
    ),
    (
        "an optional table under a near-miss name",
        lambda sc: (sc / "secondees.csv").rename(sc / "Secondees.csv"),
        "secondees.csv: expected this file in",
    ),
    (
        "a required table under a copy's name",
        lambda sc: (sc / "officials.csv").rename(sc / "officials (1).csv"),
        "found 'officials (1).csv' (the tool reads only the exact name",
    ),
    (
        "scenario.yml",
        lambda sc: (sc / "scenario.yaml").rename(sc / "scenario.yml"),
        "found 'scenario.yml'",
    ),
    (
        "a distance table that disagrees with itself",
        lambda sc: (sc / "distances.csv").write_text(
            "from,to,km\n03127,03130,40\n03130,03127,55\n", "utf-8"
        ),
        "distances.csv, row 3, column km: found 55.0, expected one row per pair of units: "
        "row 2 gives the reverse 03127→03130 as 40 km",
    ),
    (
        "a distance pair given twice",
        lambda sc: (sc / "distances.csv").write_text(
            "from,to,km\n03127,03130,40\n03127,03130,40\n", "utf-8"
        ),
        "expected one row per pair of units: row 2 gives the same pair",
    ),
]


@pytest.mark.parametrize("case", BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_refused_clearly_and_touches_nothing(case, place, tmp_path):
    _name, damage, message = case
    sc, out = place
    damage(sc)
    before = snapshot(tmp_path)
    r = cli("solve", str(sc), "-o", str(out))
    assert r.exit_code == EXIT_INPUT, r.output
    assert message in r.output, r.output
    assert "Traceback" not in r.output
    assert snapshot(tmp_path) == before  # the good plan, the inputs, nothing new


def test_vietnamese_locale_csv_reads_like_the_original(place):
    sc, _out = place
    original = load_scenario(sc)
    edit(sc, "communes.csv", _semicolons_with_decimal_commas)
    r = cli("validate", str(sc))
    assert r.exit_code == 0, r.output
    assert "communes.csv: cells are separated by semicolons" in r.output
    assert load_scenario(sc).communes == original.communes


def test_trailing_empty_columns_are_ignored(place):
    sc, _out = place
    original = load_scenario(sc)
    edit(sc, "officials.csv", lambda t: "\n".join(x + ",," for x in t.splitlines()) + "\n")
    assert load_scenario(sc).officials == original.officials


def test_an_unnamed_column_with_values_is_an_error(place):
    sc, _out = place
    edit(sc, "secondees.csv", lambda t: "\n".join(x + ",?" for x in t.splitlines()) + "\n")
    lines = (sc / "secondees.csv").read_text("utf-8").splitlines()
    lines[0] = lines[0][:-2] + ","
    (sc / "secondees.csv").write_text("\n".join(lines) + "\n", "utf-8")
    r = cli("validate", str(sc))
    assert r.exit_code == EXIT_INPUT
    assert "secondees.csv, row 1, column 10: expected a column name (this column has values)" in (
        r.output
    )


def _workbook(sc: Path, tmp_path: Path) -> Path:
    from builders import folder_to_workbook

    return folder_to_workbook(sc, tmp_path / "dien-bien.xlsx")


def test_merged_cells_in_a_workbook(place, tmp_path):
    sc, out = place
    book = _workbook(sc, tmp_path)
    wb = openpyxl.load_workbook(book)
    wb["officials"].merge_cells("C3:C5")
    wb.save(book)
    before = snapshot(out)
    r = cli("solve", str(book), "-o", str(out))
    assert r.exit_code == EXIT_INPUT
    assert "dien-bien.xlsx, sheet officials, row 3, column category: found 'C3:C5', expected " in (
        r.output
    )
    assert "unmerge them" in r.output
    assert snapshot(out) == before


def test_formulas_without_saved_values_in_a_workbook(place, tmp_path):
    sc, _out = place
    book = _workbook(sc, tmp_path)
    wb = openpyxl.load_workbook(book)
    wb["communes"]["E2"] = "=40000+6723"  # openpyxl saves no result: it reads as empty
    wb.save(book)
    r = cli("validate", str(book))
    assert r.exit_code == EXIT_INPUT
    assert "sheet communes, row 2, column population: expected a value: this cell holds a " in (
        r.output
    )


def test_a_province_folder_under_a_near_miss_name_is_not_skipped(two_provinces, tmp_path):
    root = two_provinces
    (root / "lai-chau-2025" / "scenario.yaml").rename(root / "lai-chau-2025" / "Scenario.yaml")
    (root / "notes").mkdir()
    (root / "notes" / "read-me.txt").write_text("not a province", "utf-8")
    r = cli("solve", str(root), "-o", str(tmp_path / "plans"))
    assert r.exit_code == EXIT_INPUT
    assert "found 'Scenario.yaml'" in r.output
    summary = json.loads((tmp_path / "plans" / "metrics.json").read_text("utf-8"))["provinces"]
    assert [p["province_folder"] for p in summary] == ["dien-bien-2025", "lai-chau-2025"]


# --- tampered plans ---------------------------------------------------------------------------


def _tampered(good_plan: Path, tmp_path: Path, fn: Callable[[Path], None]) -> Path:
    bad = tmp_path / "tampered"
    shutil.copytree(good_plan, bad)
    fn(bad)
    return bad


def _excel_resave(plan: Path) -> None:
    import csv

    p = plan / "plan.csv"
    rows = list(csv.reader(p.read_text("utf-8-sig").splitlines()))
    for r in rows[1:]:
        for i in (6, 7):
            r[i] = r[i].lstrip("0")
    with p.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


TAMPERED: list[tuple[str, Callable[[Path], None], str]] = [
    (
        "re-saved by Excel (leading zeros lost)",
        _excel_resave,
        "lost their leading zeros, so the file was re-saved by Excel",
    ),
    (
        "truncated metrics.json",
        lambda p: (p / "metrics.json").write_bytes((p / "metrics.json").read_bytes()[:200]),
        "metrics.json: expected a readable JSON file",
    ),
    (
        "metrics.json of another shape",
        lambda p: (p / "metrics.json").write_text('{"objective": [1, 2]}', "utf-8"),
        "metrics.json, key objective: found [1, 2], expected a mapping of level to number",
    ),
    (
        "a foreign CSV as plan.csv",
        lambda p: (p / "plan.csv").write_text("a,b\n1,2\n", "utf-8"),
        "plan.csv, row 1: found 'a, b', expected a plan written by this tool",
    ),
    (
        "no plan.csv",
        lambda p: (p / "plan.csv").unlink(),
        "plan.csv: expected this file in",
    ),
]


@pytest.mark.parametrize("case", TAMPERED, ids=[c[0] for c in TAMPERED])
def test_tampered_plans_get_one_clear_message(case, good_plan, tmp_path):
    _name, tamper, message = case
    bad = _tampered(good_plan, tmp_path, tamper)
    r = cli("check", str(bundled_scenario()), str(bad))
    assert r.exit_code == EXIT_INPUT
    assert message in r.output, r.output
    assert "Traceback" not in r.output
    assert len(r.output.splitlines()) <= 3  # one problem, not thousands of violations


def test_a_rule_set_with_a_key_given_twice(tmp_path):
    from solver.paths import data_root

    text = (data_root() / "rules" / "dien-bien-draft-2025.yaml").read_text("utf-8")
    first = next(x for x in text.splitlines() if x and not x.startswith(("#", " ")))
    bad = tmp_path / "rules.yaml"
    bad.write_text(text + first + "\n", "utf-8")
    r = cli("quota", "--rules", str(bad))
    assert r.exit_code == EXIT_INPUT
    assert f"rules.yaml, line {len(text.splitlines()) + 1}: expected each key once" in r.output
