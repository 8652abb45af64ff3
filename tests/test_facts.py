"""The bundled scenario reproduces the facts the province reported (facts.yaml), and the
facts check fails when a fact is broken."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from solver import facts
from solver.cli import main
from solver.io import load_scenario
from solver.io.rules import load_rule_set
from solver.paths import bundled_scenario


def measured(folder: Path) -> dict[str, facts.Measured]:
    s = load_scenario(folder)
    rs = load_rule_set(s.config.rule_set, folder)
    return {m.fact.id: m for m in facts.measure(s, rs, facts.load(folder / facts.FILE))}


def test_the_bundled_scenario_reproduces_every_fact():
    got = measured(bundled_scenario())
    failing = {k: (m.value, m.fact.expected.text()) for k, m in got.items() if not m.holds}
    assert failing == {}
    assert got["xa_dung_norm"].value == 59 and got["xa_dung_in_post"].value == 49
    assert got["budgets_differ"].value == 3


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    folder = tmp_path / "dien-bien"
    shutil.copytree(bundled_scenario(), folder)
    return folder


def _drop_officials(folder: Path, unit: str, n: int) -> None:
    """Remove n cadres or civil servants serving at `unit` from officials.csv."""
    path = folder / "officials.csv"
    text = path.read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    cols = list(rows[0])
    gone = 0
    kept = []
    for r in rows:
        here = (r["current"] or "") == unit or (
            not r["current"] and r["origin"] in _olds(folder, unit)
        )
        if gone < n and here and r["category"] in ("cadre", "civil_servant"):
            gone += 1
            continue
        kept.append(r)
    assert gone == n
    out = io.StringIO()
    w = csv.DictWriter(out, cols, lineterminator="\n")
    w.writeheader()
    w.writerows(kept)
    path.write_text(out.getvalue(), "utf-8")


def _olds(folder: Path, unit: str) -> set[str]:
    rows = csv.DictReader(io.StringIO((folder / "old_units.csv").read_text("utf-8")))
    return {r["code"] for r in rows if r["successor"] == unit}


def test_a_broken_fact_is_caught_and_named(copy: Path):
    _drop_officials(copy, "03208", 5)  # Xa Dung: 44 in post, short 15 (still 10-16)
    y = copy / "scenario.yaml"
    y.write_text(y.read_text("utf-8").replace("secondee_budget: 52", "secondee_budget: 40"))
    got = measured(copy)
    broken = sorted(k for k, m in got.items() if not m.holds)
    assert broken == ["cadres_civil_servants", "secondee_budget", "xa_dung_in_post"]
    assert got["xa_dung_in_post"].value == 44
    assert got["xa_dung_short"].holds and got["xa_dung_short"].value == 15


def test_facts_command_exits_3_when_a_fact_fails_and_0_when_all_hold(copy: Path):
    ok = CliRunner().invoke(main, ["facts", str(bundled_scenario()), "--format", "csv"])
    assert ok.exit_code == 0, ok.output
    assert "xa_dung_norm" in ok.output and ",NO" not in ok.output
    _drop_officials(copy, "03370", 6)  # Pu Nhi: short 13 → 19
    r = CliRunner().invoke(main, ["facts", str(copy), "--format", "csv"])
    assert r.exit_code == 3
    row = next(line for line in r.output.splitlines() if line.startswith("pu_nhi_short"))
    assert row.endswith(",10–16,19,NO")


def test_a_malformed_facts_file_is_a_clear_error(copy: Path):
    (copy / "facts.yaml").write_text(
        'province: "11"\nfacts:\n  - {id: x, fact: f, source: s, measure: {kind: height}, '
        "expected: {min: 1}}\n",
        "utf-8",
    )
    r = CliRunner().invoke(main, ["facts", str(copy)])
    assert r.exit_code == 1
    assert "facts.yaml, key facts.0.measure" in r.output
    assert "Traceback" not in r.output


def test_a_scenario_without_a_facts_file_is_bad_input_named(copy: Path):
    (copy / "facts.yaml").unlink()
    r = CliRunner().invoke(main, ["facts", str(copy)])
    assert r.exit_code == 1, r.output
    assert f"a facts file (YAML) at {copy / 'facts.yaml'}: there is none" in r.output
    assert "Traceback" not in r.output


def test_facts_hold_in_vietnamese():
    r = CliRunner().invoke(main, ["facts", "--lang", "vi", "--format", "csv"])
    assert r.exit_code == 0, r.output
    holds = [line.rsplit(",", 1)[1] for line in r.stdout.splitlines()[1:]]
    assert holds and set(holds) == {"đúng"}
