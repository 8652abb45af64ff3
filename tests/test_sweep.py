"""Secondee-budget sweeps: exact levels per budget and the marginal gain of each step."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from builders import commune, official, scenario, secondee
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
    assert "'5-2': expected a value, LOW-HIGH (whole numbers) or LOW:HIGH:STEP" in r.output


def test_sweep_csv_on_the_bundled_scenario():
    r = CliRunner().invoke(main, ["sweep", "--budgets", "0,52", "--format", "csv"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0].startswith("budget,status,secondees_used,specialty_shortage")
    zero, full = lines[1].split(","), lines[2].split(",")
    assert zero[1] == full[1] == "OPTIMAL"
    assert float(full[3]) <= float(zero[3])


def test_a_budget_sweep_never_gets_worse_and_says_where_it_flattens(tmp_path):
    chart = tmp_path / "curve.svg"
    r = CliRunner().invoke(
        main,
        [
            "sweep",
            "--param",
            "secondee_budget=0:120:20",
            "--format",
            "csv",
            "-j",
            "2",
            "--chart",
            str(chart),
        ],
    )
    assert r.exit_code == 0, r.output
    df = pd.read_csv(io.StringIO(r.stdout))
    assert list(df["secondee_budget"]) == [0, 20, 40, 60, 80, 100, 120]
    keys = [tuple(row) for row in df[["specialty_shortage", "quota_shortage", "disruption"]].values]
    assert all(b <= a for a, b in zip(keys[:1] + keys, keys, strict=False))  # lexicographic
    flat = list(df["flat_from_here"])
    first = flat.index(True)
    assert all(flat[first:]) and not any(flat[:first])
    assert keys[first] == keys[-1] and (first == 0 or keys[first - 1] != keys[first])
    assert df["secondees_used"].iloc[-1] < 120  # the pool ran out: why it flattens
    svg = chart.read_text("utf-8")
    assert svg.startswith("<svg") and svg.count("<polyline") == 2


def test_any_numeric_option_can_be_swept():
    r = CliRunner().invoke(main, ["sweep", "--param", "max_km=20:60:20", "--format", "csv"])
    assert r.exit_code == 0, r.output
    df = pd.read_csv(io.StringIO(r.stdout))
    assert list(df["max_km"]) == [20.0, 40.0, 60.0]
    assert list(df["specialty_shortage"]) == sorted(df["specialty_shortage"], reverse=True)
    bad = CliRunner().invoke(main, ["sweep", "--param", "max_kms=1:2:1"])
    assert bad.exit_code == EXIT_USAGE and "did you mean 'max_km'" in bad.output


def test_marginal_values_agree_with_a_resolve_with_one_more_secondee():
    from solver import run
    from solver.io import load_scenario
    from solver.io.rules import load_rule_set
    from solver.paths import bundled_scenario
    from solver.sweep import _with_one_more, marginal_specialties

    s = load_scenario(bundled_scenario())
    rs = load_rule_set(s.config.rule_set)
    specs = ["accounting", "land_administration", "office"]
    rows = {r["specialty"]: r for r in marginal_specialties(s, rs, specs, jobs=2)}
    base = run.solve(s, rs).metrics["objective"]
    bases = sorted({q.base for q in s.secondees}, key=[q.base for q in s.secondees].count)
    for sp in specs:
        o = run.solve(_with_one_more(s, sp, bases[-1]), rs)
        got = o.metrics["objective"]
        assert (
            rows[sp]["specialty_shortage_gain"]
            == base["specialty_shortage"] - got["specialty_shortage"]
        )
        assert rows[sp]["quota_shortage_gain"] == base["quota_shortage"] - got["quota_shortage"]
        assert rows[sp]["goes_to"] == o.plan.by_id()[f"one-more-{sp}"].to
    assert rows["accounting"]["specialty_shortage_gain"] > 0  # accountants are missing


@pytest.mark.parametrize("in_quota", [False, True])
def test_a_budget_sweep_on_one_network_equals_solving_each_budget_afresh(in_quota):
    """The sweep builds the network once (only supplies and capacities change per budget) and
    stops solving where the budget stops binding; its rows are those of fresh solves, and the
    rows it did not solve name the budget whose optimum they carry."""
    from solver import engines
    from solver.problem import prepare
    from solver.sweep import LEVEL_NAMES, SAME_AS

    rules = RULES.model_copy(
        update={"secondees": RULES.secondees.model_copy(update={"in_quota": in_quota})}
    )
    communes = [commune(f"0000{i}", lat=21.0 + 0.1 * i) for i in range(1, 5)]
    offs = [official(f"P{i}", f"9000{i % 4 + 1}", specialty="office") for i in range(6)]
    secs = [secondee(f"S{i}", f"0000{i % 4 + 1}") for i in range(4)]
    s = scenario(communes, officials=offs, secondees=secs)
    budgets = list(range(0, 8))
    rows = secondee_budgets(s, rules, budgets)
    filled = [r for r in rows if r.get(SAME_AS) is not None]
    assert filled, "the budget stops binding within the sweep"
    for r in rows:
        b = r["budget"]
        fresh_s = s.model_copy(
            update={"config": s.config.model_copy(update={"secondee_budget": b})}
        )
        p = prepare(fresh_s, rules)
        fresh = engines.solve(p, "flow")
        assert r["status"] == fresh.status
        assert [r[lv] for lv in LEVEL_NAMES] == [fresh.levels[lv] for lv in LEVEL_NAMES], b
        assert r["secondees_used"] == p.secondees_used(fresh.flows)
    first = filled[0][SAME_AS]
    assert all(r[SAME_AS] == first for r in filled) and first < filled[0]["budget"]
    # split over workers (each from its own first budget): the same rows
    for jobs in (2, 3):
        assert secondee_budgets(s, rules, budgets, jobs=jobs) == rows, jobs


def test_a_budget_sweep_with_decided_secondees():
    """Decided secondees take places of the budget: budgets from their number up sweep on one
    network like any other (rows as fresh solves); a budget below it is the input error a
    fresh solve gives, not a crash."""
    from models import Decision, DecisionKind, InputError
    from solver import engines
    from solver.problem import prepare
    from solver.sweep import LEVEL_NAMES

    communes = [commune(f"0000{i}", lat=21.0 + 0.1 * i) for i in range(1, 4)]
    s = scenario(
        communes,
        officials=[official("P1", "90001", specialty="office", can_relocate=False)],
        secondees=[secondee(f"S{i}", f"0000{i % 3 + 1}") for i in range(3)],
    )
    s = s.model_copy(
        update={"decisions": (Decision(id="S1", decision=DecisionKind.second, commune="00002"),)}
    )
    rows = secondee_budgets(s, RULES, [1, 2, 3, 4])
    for r in rows:
        b = r["budget"]
        sb = s.model_copy(update={"config": s.config.model_copy(update={"secondee_budget": b})})
        fresh = engines.solve(prepare(sb, RULES), "flow")
        assert [r[lv] for lv in LEVEL_NAMES] == [fresh.levels[lv] for lv in LEVEL_NAMES]
    with pytest.raises(InputError, match="the secondee budget is 0"):
        secondee_budgets(s, RULES, [0, 1])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    homes=st.lists(st.integers(1, 3), min_size=2, max_size=9),
    specialties=st.lists(st.sampled_from(["office", "accounting"]), min_size=9, max_size=9),
)
def test_random_budget_sweeps_equal_fresh_solves(homes, specialties):
    """On random provinces with secondees as extra help: every row of a budget sweep (which
    starts each budget's price search from the previous one's) equals a fresh solve of that
    budget, the secondees used included."""
    from solver import engines
    from solver.problem import prepare
    from solver.sweep import LEVEL_NAMES

    communes = [commune(f"0000{i}", lat=21.0 + 0.1 * i) for i in range(1, 4)]
    offs = [official(f"P{i}", f"9000{h}", specialty=specialties[i]) for i, h in enumerate(homes)]
    secs = [secondee(f"S{i}", f"0000{i % 3 + 1}", specialty=specialties[i]) for i in range(5)]
    s = scenario(communes, officials=offs, secondees=secs)
    for r in secondee_budgets(s, RULES, list(range(0, 6))):
        b = r["budget"]
        sb = s.model_copy(update={"config": s.config.model_copy(update={"secondee_budget": b})})
        p = prepare(sb, RULES)
        fresh = engines.solve(p, "flow")
        assert r["status"] == fresh.status
        assert [r[lv] for lv in LEVEL_NAMES] == [fresh.levels[lv] for lv in LEVEL_NAMES], b
        assert r["secondees_used"] == p.secondees_used(fresh.flows), b


def test_a_vietnamese_sweep_table_is_labelled_and_its_csv_keeps_the_codes():
    from click.testing import CliRunner

    from solver.cli import main

    run = CliRunner().invoke
    r = run(main, ["sweep", "--lang", "vi", "--budgets", "0,97", "--format", "markdown"])
    assert r.exit_code == 0, r.output
    assert "chỉ tiêu biệt phái" in r.stdout and "TỐI ƯU" in r.stdout
    assert "OPTIMAL" not in r.stdout and "secondees_used" not in r.stdout
    r = run(main, ["sweep", "--lang", "vi", "--budgets", "0,97", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("budget,status,") and ",OPTIMAL," in r.stdout
