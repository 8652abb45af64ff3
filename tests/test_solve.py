"""The optimizer on tiny hand-built scenarios with known optima, and its guarantees."""

from __future__ import annotations

import pytest
from builders import commune, official, scenario, secondee

from models import LEVELS, Category
from solver import run
from solver.check import check
from solver.io.rules import parse_rule_set

# Two positions per commune, one accountant needed (weight 2); no cap, no province total.
RULES = """name: tiny
title: tiny rules
sources:
  t: {document: Test rules}
blocs:
  government:
    base: {positions: 2, source: t}
    specialty_template:
      - {specialty: accounting, minimum: 1, weight: 2, source: t}
"""
TINY = parse_rule_set(RULES, "tiny.yaml")
KM = {("00001", "00002"): 40, ("00001", "00003"): 90, ("00002", "00003"): 60}


def three(officials, **kw):
    communes = [commune("00001"), commune("00002"), commune("00003")]
    return scenario(communes, officials=officials, distances=kw.pop("distances", KM), **kw)


def solve(s, engine="flow", rules=TINY):
    o = run.solve(s, rules, engine)
    if o.plan is not None:
        rep = check(s, rules, o.plan, o.metrics)
        assert rep.ok, rep.violations
    return o


def status(o, pid):
    row = o.plan.to_frame().set_index("id").loc[pid]
    return row["status"], row["to"], row["reason"]


def levels(o):
    return tuple(o.metrics["objective"][k] for k in LEVELS if k != "changes")


def test_specialty_gap_filled_by_a_move():
    offs = [
        official("A1", "90001", specialty="accounting"),
        official("A2", "90001", specialty="accounting"),
        official("B1", "90002", specialty="office"),
    ]
    o = solve(three(offs))
    assert o.result.status == "OPTIMAL"
    assert status(o, "A2")[:2] == ("moves", "00002")
    assert status(o, "A2")[2] == "moves 40 km to fill accounting at Xã 00002"
    # 00003 has nobody: its accountant need (weight 2) and its 2 positions stay short
    assert levels(o) == (2.0, 3, 40)


def test_move_refused_by_max_km():
    offs = [
        official("A1", "90001", specialty="accounting", max_km=30),
        official("A2", "90001", specialty="accounting", max_km=39),
        official("B1", "90002", specialty="office"),
    ]
    o = solve(three(offs))
    assert status(o, "A2")[0] == "stays"  # 40 km > 39: nobody can fill 00002
    assert levels(o) == (4.0, 3, 0)


def test_pinned_official_stays_even_where_a_move_would_help():
    offs = [
        official("A1", "90001", specialty="accounting", pinned=True),
        official("B1", "90002", specialty="office"),
    ]
    o = solve(three(offs))
    assert status(o, "A1")[:2] == ("stays", "00001")
    assert levels(o) == (4.0, 4, 0)


def test_province_total_binds():
    offs = [official(f"P{i}", "90001") for i in range(4)]
    s = three(offs, province_total={"government": 3})
    o = solve(s)
    placed = o.plan.to_frame()["status"].isin(["stays", "moves"]).sum()
    assert placed == 3
    assert levels(o)[1] == 6 - 3
    unplaced = o.plan.to_frame()[o.plan.to_frame()["status"] == "unplaced"]
    assert len(unplaced) == 1
    assert "province total of 3" in unplaced["reason"].iloc[0]


def test_secondee_budget_binds():
    offs = [official("B1", "90002", specialty="office", can_relocate=False)]
    secs = [secondee("S1", "00002"), secondee("S2", "00002"), secondee("S3", "00002")]
    s = three(offs, secondees=secs, secondee_budget=2)
    o = solve(s)
    st = o.plan.to_frame().set_index("id")["status"]
    assert (st[["S1", "S2", "S3"]] == "seconded").sum() == 2
    # three accountant gaps, two secondees: the cheapest gaps from base 00002 are 00002 itself
    # (0 km) and 00001 (40 km); 00003 (60 km) stays short
    assert levels(o)[0] == 2.0
    plan = o.plan.to_frame()
    assert sorted(plan[plan.status == "seconded"]["to"]) == ["00001", "00002"]
    assert levels(o)[2] == (0 + 100) + (40 + 100)
    left = plan.set_index("id").loc[plan[plan.status == "not_selected"]["id"].iloc[0]]
    assert left["reason"] == "not selected: the budget of 2 is used"


def test_infeasible_pinned_set_is_explained():
    offs = [official(f"P{i}", "90001", pinned=True) for i in range(3)]
    o = run.solve(three(offs), TINY)
    assert o.infeasible
    assert o.explanation == [
        "commune 00001 (Xã 00001), government bloc: 3 pinned officials exceed its quota of 2 "
        "(rule set tiny: terms give 2 → 2)"
    ]


def test_retirees_leave_and_others_are_out_of_scope_or_outside_the_quota():
    import datetime as dt

    offs = [
        official("R1", "90001", intention="retire"),
        official("Q1", "90001", intention="resign"),
        official("T1", "90001", category="part_time"),
        official("U1", "90001", available_until=dt.date(2025, 9, 1)),
        official("K1", "90001", bloc="party"),
    ]
    o = solve(three(offs, categories=["cadre", "civil_servant"]))
    assert status(o, "R1") == ("leaves", "", "leaves: retires")
    assert status(o, "Q1") == ("leaves", "", "leaves: resigns")
    assert status(o, "T1") == (
        "outside_quota",
        "00001",
        "outside the quota: part time holds no quota place under scenario.yaml categories; "
        "kept where they work",
    )
    assert status(o, "U1") == ("out_of_scope", "", "out of scope: available until 2025-09-01")
    assert status(o, "K1")[0] == "out_of_scope"
    assert levels(o) == (6.0, 6, 0)


def test_lexicographic_weights_buy_one_unit_of_shortage_at_any_distance():
    far = {("00001", "00002"): 5000, ("00001", "00003"): 5000, ("00002", "00003"): 10}
    offs = [
        official("A1", "90001", specialty="accounting"),
        official("A2", "90001", specialty="accounting"),
    ]
    o = solve(three(offs, distances=far))
    assert status(o, "A2")[:2] == ("moves", "00002") or status(o, "A2")[:2] == ("moves", "00003")
    assert levels(o)[0] == 2.0  # one need left, at weight 2


def test_quota_before_disruption():
    offs = [official(f"P{i}", "90001") for i in range(4)]
    o = solve(three(offs))
    # 2 stay, 2 move to the nearest commune (40 km) rather than staying unplaced
    assert levels(o) == (6.0, 2, 80)


def test_order_can_be_changed():
    offs = [official(f"P{i}", "90001") for i in range(4)]
    o = solve(three(offs, objective=["disruption", "quota_shortage", "specialty_shortage"]))
    assert levels(o) == (6.0, 4, 0)  # nobody moves when distance comes first


@pytest.mark.parametrize("engine", ["flow", "general", "greedy"])
def test_every_engine_passes_the_checker(engine):
    offs = [
        official("A1", "90001", specialty="accounting"),
        official("A2", "90001", specialty="accounting"),
        official("A3", "90001", specialty="office", leader=True),
        official("B1", "90002", specialty="office", specialties=["accounting"]),
    ]
    o = solve(three(offs, secondees=[secondee("S1", "00001")], secondee_budget=1), engine)
    assert o.result.ok


def test_multi_specialty_official_fills_either_need():
    offs = [
        official("B1", "90002", specialty="office", specialties=["accounting"], can_relocate=False)
    ]
    o = solve(three(offs))
    assert o.plan.to_frame().set_index("id").loc["B1", "fills"] == "accounting"
    g = solve(three(offs), "general")
    assert levels(g) == levels(o)


def test_max_moves_side_constraint():
    offs = [official(f"P{i}", "90001") for i in range(6)]
    s = three(offs, max_moves=1)
    o = solve(s)  # the flow engine holds max_moves by a price per move (Lagrangian)
    assert (o.result.engine, o.result.method) == ("flow", "Lagrangian")
    assert levels(solve(s, "general")) == levels(o)
    assert (o.plan.to_frame()["status"] == "moves").sum() == 1
    assert levels(o) == (6.0, 3, 40)


def test_only_the_rule_sets_quota_holders_take_quota_places_by_default():
    import datetime as dt

    offs = [
        official("T1", "90001", category="part_time", available_until=dt.date(2026, 5, 31)),
        official("E1", "90001", category="public_employee"),
        official("C1", "90001", category="cadre"),
    ]
    o = solve(three(offs))
    assert status(o, "T1") == (
        "outside_quota",
        "00001",
        "outside the quota: part time holds no quota place under rule set tiny; kept where "
        "they work, serves until 2026-05-31",
    )
    assert status(o, "E1")[:2] == ("outside_quota", "00001")
    assert status(o, "C1")[0] == "stays"
    wide = solve(three(offs, categories=list(Category)))  # widened explicitly
    assert set(wide.plan.to_frame()["status"]) <= {"stays", "moves"}
