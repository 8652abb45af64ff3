"""One solve, end to end: scenario → problem → engine → plan → check → outcome.

Reading the inputs and writing the outputs are io's; printing is the CLI's (through report).
"""

from __future__ import annotations

import platform
import time
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from models import Baseline, Plan, Scenario, SolveStatus
from models.problems import Msg
from models.rules import RuleSet
from solver import check as checker
from solver import engines, i18n
from solver.engines.base import Result
from solver.io.reader import input_hashes, input_hashes_of
from solver.plan import Counts, build_plan, communes_table
from solver.problem import Problem, explain_infeasible, prepare


@dataclass
class Outcome:
    scenario: Scenario
    rule_set: RuleSet
    result: Result
    problem: Problem | None
    plan: Plan | None
    communes: list[dict[str, Any]] | None
    metrics: dict[str, Any]
    explanation: list[str | Msg]  # why there is no plan, or the checker's complaints
    before: Result | None = None  # the as-merged situation on the same problem

    @property
    def infeasible(self) -> bool:
        return self.result.status == SolveStatus.INFEASIBLE


def solve(
    scenario: Scenario,
    rule_set: RuleSet,
    engine: str = "flow",
    time_limit: float | None = None,
    baseline: Baseline | None = None,
) -> Outcome:
    """Solve one scenario (with `baseline`: as few changes from that plan as the levels before
    `changes` allow). Raises InputError for inputs that cannot be modelled; an infeasible
    scenario is an Outcome whose explanation says why."""
    clock = Clock()
    p = prepare(scenario, rule_set, baseline=baseline)
    clock.lap("prepare")
    # the time limit covers the whole solve: building the problem is part of it
    limit = scenario.config.time_limit if time_limit is None else time_limit
    r = engines.solve(p, engine, max(0.0, limit - clock.elapsed))
    clock.lap("engine", r.seconds)
    if not r.ok:
        expl: list[str | Msg] = [
            *(explain_infeasible(p) if r.status == SolveStatus.INFEASIBLE else [r.message])
        ]
        m = metrics(p, engine, r, None, clock.timings)
        return Outcome(scenario, rule_set, r, p, None, None, m, expl)
    plan = build_plan(p, r)
    clock.lap("plan")
    rep = checker.evaluate(scenario, rule_set, plan, baseline)
    clock.lap("check")
    before, before_plan = as_merged(p, r if engine == "as-merged" else None)
    clock.lap("as_merged")
    timings = clock.timings
    m = metrics(p, engine, r, rep, timings, before, before_plan)
    table = communes_table(p, plan, before_plan)
    return Outcome(scenario, rule_set, r, p, plan, table, m, rep.violations, before)


class Clock:
    """Seconds per stage of a solve, wall clock and this process's CPU time: `read` (the
    scenario and rule set, when the caller times it), `prepare`
    (quotas, classes, the network), `engine` (with its own stages: the flow, the Lagrangian
    search, each LP or integer-programme build and stage), `plan` (people from the flows),
    `check` (the independent recount), `as_merged` (the situation before the plan)."""

    def __init__(self) -> None:
        self.t = self.start = time.perf_counter()
        self.c = time.process_time()
        self.timings: dict[str, Any] = {}

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def lap(self, name: str, parts: dict[str, float] | None = None) -> None:
        t, c = time.perf_counter(), time.process_time()
        self.timings[name] = {"wall": round(t - self.t, 4), "cpu": round(c - self.c, 4)}
        if parts:
            self.timings[name]["stages"] = {k: round(v, 4) for k, v in parts.items()}
        self.t, self.c = t, c


def as_merged(p: Problem, r: Result | None = None) -> tuple[Result, Counts | None]:
    """The as-merged situation on the problem (nobody moves, no secondee) and its counts per
    unit and bloc; `r` when it is already solved."""
    b = r if r is not None else engines.solve(p, "as-merged")
    return b, (Counts.of_flows(p, b.flows) if b.ok and b.flows is not None else None)


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("commune-staffing", "ortools", "pandas", "pydantic", "numpy"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:  # pragma: no cover
            out[pkg] = "unknown"
    return out


def metrics(
    p: Problem,
    engine: str,
    r: Result,
    rep: checker.CheckReport | None,
    timings: dict[str, Any],
    before: Result | None = None,
    before_plan: Counts | None = None,
) -> dict[str, Any]:
    """What metrics.json holds: status, each level (as the checker recomputes it), the
    engine's own values, bound and gap per level, the as-merged situation's levels (before the
    plan), counts, input hashes, versions, timings."""
    s = p.scenario
    order = list(p.order)
    out: dict[str, Any] = {
        "scenario": s.config.name,
        "province": s.config.province,
        "rule_set": p.rule_set.name,
        "engine": r.engine,
        "engine_requested": engine,
        "method": r.method,
        "status": r.status,
        "objective_order": order,
        "objective": {lv: (rep.levels[lv] if rep else r.levels.get(lv)) for lv in order},
        "engine_objective": {lv: r.levels.get(lv) for lv in order},
        "bound": {lv: r.bounds.get(lv) for lv in order},
        "gap": {lv: r.gap.get(lv) for lv in order} if r.levels else {},
        "message": r.message,
        "lang": i18n.current(),
        "counts": (rep.counts if rep else {})
        | {
            "officials": len(s.officials),
            "secondee_candidates": len(s.secondees),
            "classes": len(p.classes),
            "arcs": len(p.network.tail),
            "secondee_budget": s.config.secondee_budget,
        },
        "baseline": p.baseline.source if p.baseline is not None else None,
        "inputs": (input_hashes(s.folder) if s.folder else {}) | input_hashes_of(s.extends),
        "extends": list(s.extends),
        "input_notes": list(s.notes),
        "versions": _versions(),
        "timings": timings,
    }
    if before is not None and before_plan is not None:
        placed, surplus = before_plan.placed_officials, before_plan.surplus
        out["before"] = {
            "what": "as merged: every official planned in a quota place at the successor of "
            "their old unit, nobody moves, no secondee",
            "objective": {lv: before.levels.get(lv) for lv in order},
            "counts": {
                "in_post": placed + surplus,
                "within_quota": placed,  # nobody moves: everyone placed stays
                "surplus": surplus,
            },
        }
    return out


__all__ = ["Clock", "Outcome", "metrics", "solve"]
