"""A validator that knows nothing of the engines.

From the scenario, its rule set and a plan (plan.csv rows), it recomputes every hard rule and
every objective level: each person appears exactly once with a consistent status; pinned and
non-relocatable officials stay; max_km, quotas, the province total, the secondee budget and
max_moves hold; km figures are right; and the three levels match what metrics.json reports.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from models import Bloc, Scenario
from models.rules import RuleSet
from solver import quotas as quota_engine
from solver.geo import distance_table

STATUSES_OFFICIAL = {"stays", "moves", "unplaced", "leaves", "out_of_scope"}
STATUSES_SECONDEE = {"seconded", "not_selected"}


@dataclass
class CheckReport:
    violations: list[str] = field(default_factory=list)
    levels: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.violations


def evaluate(scenario: Scenario, rule_set: RuleSet, plan: pd.DataFrame) -> CheckReport:
    rep = CheckReport()
    bad = rep.violations
    cfg = scenario.config
    blocs = {b.value for b in cfg.blocs}
    q = quota_engine.compute(scenario, rule_set, quota_engine.planned_blocs(scenario, rule_set))
    needs = quota_engine.needs(scenario, rule_set, q)
    quota = {(r["commune"], r["bloc"]): int(r["quota"]) for r in q.to_dict("records")}
    km = distance_table(scenario)
    succ = {o.code: o.successor for o in scenario.old_units}
    codes = {c.code for c in scenario.communes}
    rows = plan.fillna("").to_dict("records")

    ids = Counter(str(r["id"]) for r in rows)
    for pid, n in sorted(ids.items()):
        if n > 1:
            bad.append(f"{pid} appears {n} times in the plan")
    off = {p.id: p for p in scenario.officials}
    sec = {x.id: x for x in scenario.secondees}
    for pid in sorted(set(off) - set(ids)):
        bad.append(f"official {pid} is missing from the plan")
    for pid in sorted(set(sec) - set(ids)):
        bad.append(f"secondee candidate {pid} is missing from the plan")
    for pid in sorted(set(ids) - set(off) - set(sec)):
        bad.append(f"{pid} is in the plan but not in the scenario")

    placed: dict[tuple[str, str], int] = defaultdict(int)
    fills: dict[tuple[str, str, str], int] = defaultdict(int)
    placed_bloc: dict[str, int] = defaultdict(int)
    disruption = 0
    moves = 0
    used = 0
    status_count: Counter[str] = Counter()
    for r in rows:
        pid, status, to = str(r["id"]), str(r["status"]), str(r["to"])
        status_count[f"{r['kind']}:{status}"] += 1
        if pid in off:
            p = off[pid]
            cur = p.current or succ[p.origin]
            if status not in STATUSES_OFFICIAL:
                bad.append(f"{pid}: status {status!r} is not an official's status")
                continue
            if str(r["from"]) != cur:
                bad.append(f"{pid}: from {r['from']} but works at {cur}")
            leaving = p.intention.value != "stay"
            unavailable = p.available_until is not None and p.available_until < cfg.as_of
            outside = p.bloc.value not in blocs or unavailable or p.category not in cfg.categories
            if leaving != (status == "leaves"):
                bad.append(f"{pid}: intention {p.intention.value} but status {status}")
                continue
            if not leaving and outside != (status == "out_of_scope"):
                bad.append(f"{pid}: scope mismatch (status {status})")
                continue
            if status in ("leaves", "out_of_scope", "unplaced"):
                if to:
                    bad.append(f"{pid}: status {status} but a destination {to}")
                if p.pinned and status == "unplaced":
                    bad.append(f"{pid}: pinned but unplaced")
                continue
            if to not in codes:
                bad.append(f"{pid}: destination {to!r} is not a unit")
                continue
            if (status == "stays") != (to == cur):
                bad.append(f"{pid}: status {status} with from {cur} and to {to}")
            if to != cur and (p.pinned or not p.can_relocate):
                bad.append(f"{pid}: moved to {to} but is {'pinned' if p.pinned else 'not movable'}")
            d = km[(cur, to)]
            if p.max_km is not None and to != cur and d > p.max_km:
                bad.append(f"{pid}: moved {d} km, more than its max_km {p.max_km:g}")
            if int(r["km"]) != d:
                bad.append(f"{pid}: km {r['km']} but the distance is {d}")
            f = str(r["fills"])
            if f not in (p.specialty, *p.specialties):
                bad.append(f"{pid}: fills {f!r}, not one of its specialties")
            b = p.bloc.value
            placed[(to, b)] += 1
            placed_bloc[b] += 1
            fills[(to, b, f)] += 1
            if to != cur:
                moves += 1
                disruption += d
        elif pid in sec:
            x = sec[pid]
            if status not in STATUSES_SECONDEE:
                bad.append(f"{pid}: status {status!r} is not a secondee's status")
                continue
            if status == "not_selected":
                continue
            used += 1
            if not x.available or not (x.start <= cfg.as_of <= x.end):
                bad.append(f"{pid}: seconded but not available on {cfg.as_of}")
            if to not in codes:
                bad.append(f"{pid}: destination {to!r} is not a unit")
                continue
            d = km[(x.base, to)]
            if x.max_km is not None and d > x.max_km:
                bad.append(f"{pid}: seconded {d} km from base, more than its max_km {x.max_km:g}")
            if int(r["km"]) != d:
                bad.append(f"{pid}: km {r['km']} but the distance is {d}")
            if str(r["fills"]) != x.specialty:
                bad.append(f"{pid}: fills {r['fills']!r}, not its specialty {x.specialty}")
            b = cfg.secondee_bloc.value
            placed[(to, b)] += 1
            fills[(to, b, x.specialty)] += 1
            disruption += d + cfg.secondee_cost

    if used > cfg.secondee_budget:
        bad.append(f"{used} secondees used, more than the budget of {cfg.secondee_budget}")
    if cfg.max_moves is not None and moves > cfg.max_moves:
        bad.append(f"{moves} officials moved, more than max_moves {cfg.max_moves}")
    quota_short = 0
    for b in sorted(blocs):
        for c in sorted(codes):
            qv = quota.get((c, b))
            if qv is None:
                bad.append(f"rule set {rule_set.name} gives no quota for bloc {b}")
                break
            if placed[(c, b)] > qv:
                bad.append(f"commune {c}, {b} bloc: {placed[(c, b)]} placed, above its quota {qv}")
            quota_short += max(0, qv - placed[(c, b)])
        if Bloc(b) not in rule_set.blocs:
            continue
        total, _ = quota_engine.province_total(rule_set.blocs[Bloc(b)], Bloc(b), scenario)
        if total is not None and placed_bloc[b] > total:
            bad.append(
                f"{b} bloc: {placed_bloc[b]} officials placed, above the province total {total}"
            )
    spec_short = 0.0
    for r in needs.to_dict("records"):
        if r["bloc"] in blocs:
            key = (r["commune"], r["bloc"], r["specialty"])
            spec_short += float(r["weight"]) * max(0, int(r["need"]) - fills[key])
    rep.levels = {
        "specialty_shortage": round(spec_short, 9),
        "quota_shortage": quota_short,
        "disruption": disruption,
    }
    rep.counts = dict(sorted(status_count.items())) | {"moves": moves, "secondees_used": used}
    return rep


def check(
    scenario: Scenario, rule_set: RuleSet, plan: pd.DataFrame, metrics: dict[str, Any] | None = None
) -> CheckReport:
    """evaluate(), plus a comparison with the levels metrics.json reports."""
    rep = evaluate(scenario, rule_set, plan)
    if metrics is not None:
        for lv, v in rep.levels.items():
            got = metrics.get("objective", {}).get(lv)
            if got is None or not math.isclose(float(got), float(v), abs_tol=1e-6):
                rep.violations.append(f"metrics.json reports {lv} = {got}, the plan gives {v}")
    return rep
