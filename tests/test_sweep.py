"""Secondee-budget sweeps: exact levels per budget and the marginal gain of each step."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import commune, official, scenario, secondee
from click.testing import CliRunner

from solver.cli import EXIT_USAGE, main
from solver.io.rules import parse_rule_set
from solver.sweep import parse_budgets, secondee_budgets

RULES = parse_rule_set(
    """name: s
title: sweep rules
sources: {t: {document: T}}
blocs:
  government:
    base: {positions: 1, source: t}
    specialty_template:
      - {specialty: accounting, minimum: 1, weight: 2, source: t}
""",
    "s.yaml",
)


def test_each_secondee_fills_one_gap_until_the_pool_runs_out():
    communes = [commune(f"0000{i}", lat=21.0 + 0.1 * i) for i in range(1, 4)]
    s = scenario(
        communes,
        officials=[official("P1", "90001", specialty="office", can_relocate=False)],
        secondees=[secondee("S1", "00001"), secondee("S2", "00001")],
    )
    df = pd.DataFrame(secondee_budgets(s, RULES, [0, 1, 2, 3])).set_index("budget")
    assert list(df["status"]) == ["OPTIMAL"] * 4
    assert list(df["secondees_used"]) == [0, 1, 2, 2]
    # three accounting needs at weight 2; 00001's one position is taken by P1 (office)
    assert list(df["specialty_shortage"]) == [6.0, 4.0, 2.0, 2.0]
    assert list(df["specialty_shortage_gain"])[1:] == [2.0, 2.0, 0.0]


@pytest.mark.parametrize(
    ("text", "values"), [("0,52,97", [0, 52, 97]), ("3-5,1", [1, 3, 4, 5]), ("2,2", [2])]
)
def test_parse_budgets(text, values):
    assert parse_budgets(text) == values


def test_bad_budget_is_a_usage_error():
    r = CliRunner().invoke(main, ["sweep", "--budgets", "5-2"])
    assert r.exit_code == EXIT_USAGE
    assert "expected LOW-HIGH with 0 ≤ LOW ≤ HIGH" in r.output


def test_sweep_csv_on_the_bundled_scenario():
    r = CliRunner().invoke(main, ["sweep", "--budgets", "0,52", "--format", "csv"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].startswith("budget,status,secondees_used,specialty_shortage")
    zero, full = lines[1].split(","), lines[2].split(",")
    assert zero[1] == full[1] == "OPTIMAL"
    assert float(full[3]) <= float(zero[3])
