"""The checker, rule by rule: the golden plan passes, and each rule it enforces fails when one
cell of the golden plan (or of its scenario) is broken."""

from __future__ import annotations

from typing import Any

import pytest

from models import Bloc, Category, InputError, Plan, PlanRow
from solver.check import check, evaluate


def broken(plan: Plan, pid: str, **cells: Any) -> Plan:
    """The plan with some cells of one person's row changed (column names as in plan.csv)."""
    rows = []
    for r in plan.records():
        if r["id"] == pid:
            r.update({("from" if k == "from_" else k): v for k, v in cells.items()})
        rows.append(PlanRow.model_validate(r))
    return Plan(rows=tuple(rows))


def with_config(s, **cfg):
    return s.model_copy(update={"config": s.config.model_copy(update=cfg)})


def with_person(s, table: str, pid: str, **fields):
    rows = tuple(x.model_copy(update=fields) if x.id == pid else x for x in getattr(s, table))
    return s.model_copy(update={table: rows})


def violations(s, rs, plan) -> list[str]:
    rep = evaluate(s, rs, plan)
    assert not rep.ok
    return rep.violations


def test_golden_plan_passes_with_its_levels(golden):
    s, rs, plan = golden
    rep = evaluate(s, rs, plan)
    assert rep.ok, rep.violations
    assert rep.levels == {
        "specialty_shortage": 0,
        "quota_shortage": 1,
        "disruption": 193,
        "changes": 2,  # P2 moves, S1 is seconded: two people away from the as-merged situation
    }
    assert rep.counts["moves"] == 1 and rep.counts["secondees_used"] == 1


# (person, cells to change, a violation it must cause) — one row per rule the checker enforces
CELL_RULES = [
    ("S2", {"id": "S1"}, "S1 appears 2 times in the plan"),
    ("P5", {"id": "P9"}, "official P5 is missing from the plan"),
    ("S2", {"id": "S9"}, "secondee candidate S2 is missing from the plan"),
    ("P5", {"id": "P9"}, "P9 is in the plan but not in the scenario"),
    ("P1", {"status": "seconded"}, "P1: status 'seconded' is not an official's status"),
    ("P1", {"from_": "00002"}, "P1: from 00002 but works at 00001"),
    ("P5", {"status": "unplaced"}, "P5: intention retire but status unplaced"),
    ("P6", {"status": "unplaced"}, "P6: scope mismatch (status unplaced)"),
    ("P4", {"status": "unplaced"}, "P4: status unplaced but a destination 00002"),
    ("P2", {"to": "99999"}, "P2: destination '99999' is not a unit"),
    ("P2", {"status": "stays"}, "P2: status stays with from 00001 and to 00003"),
    (
        "P4",
        {"to": "00001", "status": "moves", "km": 31},
        "P4: moved to 00001 but is not movable",
    ),
    (
        "P3",
        {"to": "00002", "status": "moves", "km": 31},
        "P3: moved 31 km, more than its limit of 30 km",
    ),
    ("P2", {"km": 30}, "P2: km 30 but the distance is 62"),
    ("P2", {"fills": "office"}, "P2: fills 'office', not one of its specialties"),
    ("S1", {"status": "stays"}, "S1: status 'stays' is not a secondee's status"),
    (
        "S2",
        {"status": "seconded", "to": "00003", "km": 62, "fills": "accounting"},
        "S2: seconded but not available for secondment",
    ),
    ("S1", {"to": "99999"}, "S1: destination '99999' is not a unit"),
    ("S1", {"km": 61}, "S1: km 61 but the distance is 31"),
    ("S1", {"fills": "office"}, "S1: fills 'office', not its specialty accounting"),
    (
        "P2",
        {"to": "00001", "km": 0, "status": "stays"},
        "commune 00001, government bloc: 3 officials placed, above its quota 2",
    ),
]


@pytest.mark.parametrize(("pid", "cells", "message"), CELL_RULES)
def test_each_broken_cell_is_caught(golden, pid, cells, message):
    s, rs, plan = golden
    assert message in violations(s, rs, broken(plan, pid, **cells))


def test_pinned_official_unplaced(golden):
    s, rs, plan = golden
    s = with_person(s, "officials", "P1", pinned=True)
    bad = broken(plan, "P1", status="unplaced", to="", km=0, fills="")
    assert "P1: pinned but unplaced" in violations(s, rs, bad)


def test_pinned_official_moved(golden):
    s, rs, plan = golden
    s = with_person(s, "officials", "P2", pinned=True)
    assert "P2: moved to 00003 but is pinned" in violations(s, rs, plan)


def test_secondee_beyond_max_km(golden):
    s, rs, plan = golden
    s = with_person(s, "secondees", "S1", max_km=30)
    assert "S1: seconded 31 km from base, more than its max_km 30" in violations(s, rs, plan)


def test_secondee_budget(golden):
    s, rs, plan = golden
    s = with_config(s, secondee_budget=0)
    assert "1 secondees used, more than the budget of 0" in violations(s, rs, plan)


def test_max_moves(golden):
    s, rs, plan = golden
    s = with_config(s, max_moves=0)
    assert "1 officials moved, more than max_moves 0" in violations(s, rs, plan)


def test_province_total(golden):
    s, rs, plan = golden
    s = with_config(s, province_total={Bloc.government: 3})
    assert "government bloc: 4 officials placed, above the province total 3" in violations(
        s, rs, plan
    )


def test_bloc_without_a_rule(golden):
    s, rs, plan = golden
    s = with_config(s, blocs=[Bloc.government, Bloc.party])
    with pytest.raises(InputError, match="rule set golden-rules gives quotas for"):
        evaluate(s, rs, plan)


def test_a_secondee_at_a_full_commune_is_extra_unless_the_rule_set_counts_it(golden):
    s, rs, plan = golden
    extra = broken(plan, "S1", to="00001", km=0)
    rep = evaluate(s, rs, extra)
    assert rep.ok, rep.violations  # outside the quota: the commune's officials are within it
    assert rep.levels["quota_shortage"] == 2  # Xã Ba is now short of both places
    in_quota = rs.model_copy(
        update={"secondees": rs.secondees.model_copy(update={"in_quota": True})}
    )
    assert (
        "commune 00001, government bloc: 2 officials and 1 secondees placed, above its quota 2 "
        "(rule set golden-rules counts secondees in the quota)"
    ) in violations(s, in_quota, extra)


def test_an_official_outside_the_quota_is_kept_where_they_work(golden):
    s, rs, plan = golden
    s = with_person(s, "officials", "P3", category=Category.part_time)
    assert "P3: category part_time holds no quota place, but status stays" in violations(
        s, rs, plan
    )
    kept = broken(plan, "P3", status="outside_quota", fills="", to="00002", km=0)
    assert "P3: kept outside the quota, but to '00002' (works at 00001)" in violations(s, rs, kept)
    kept = broken(plan, "P3", status="outside_quota", fills="", to="00001", km=0)
    assert evaluate(s, rs, kept).ok


def test_reported_levels_must_match(golden):
    s, rs, plan = golden
    good = {"objective": {"specialty_shortage": 0, "quota_shortage": 1, "disruption": 193}}
    assert check(s, rs, plan, good).ok
    bad = {"objective": {**good["objective"], "disruption": 192}}
    rep = check(s, rs, plan, bad)
    assert rep.violations == ["metrics.json reports disruption = 192, the plan gives 193"]
    assert len(check(s, rs, plan, {}).violations) == 4  # a metrics.json without levels
