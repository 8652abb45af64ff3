"""The general engine: the same network as an integer program, plus side constraints the
network cannot express (`max_moves`: a limit on the officials moved), solved with OR-Tools'
MIP wrapper (SCIP), lexicographically by staged solves:

    for each level in order: minimize it; then keep it at the value reached (≤) and go on.

Each stage is warm-started with a hint: the flow engine's optimum (which ignores the side
constraints). Every stage reports its value, its bound and its time; with a time limit a stage
may end FEASIBLE with a gap > 0, and the next stages keep the value reached.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from ortools.linear_solver import pywraplp

from models import LEVELS, SolveStatus
from solver.engines import flow as flow_engine
from solver.engines.base import Result
from solver.problem import Problem

BACKEND = "SCIP"


def solve(
    p: Problem,
    order: Sequence[str] | None = None,
    time_limit: float = 60.0,
    hint: bool = True,
    warm: np.ndarray | None = None,
) -> Result:
    """`warm`: flows to start from (the flow engine's optimum, when the caller has it);
    otherwise, with `hint`, the flow engine is run here for one."""
    order = list(order or LEVELS)
    t_start = time.perf_counter()
    net = p.network
    seconds: dict[str, float] = {}
    if hint and warm is None:
        fr = flow_engine.solve(p, order)
        seconds["warm_start"] = time.perf_counter() - t_start
        if fr.status == SolveStatus.INFEASIBLE:
            return Result("general", SolveStatus.INFEASIBLE, seconds=seconds, method="staged")
        warm = fr.flows
    solver = pywraplp.Solver.CreateSolver(BACKEND)
    if solver is None:  # pragma: no cover - bundled with ortools
        return Result("general", SolveStatus.ERROR, message=f"{BACKEND} is not available")
    solver.SetNumThreads(1)  # deterministic
    bound_flow = sum(s for s in net.supply if s > 0)
    names = net.names
    x = [
        solver.IntVar(0, float(min(c, bound_flow)), f"flow[{names[t]} -> {names[h]}]")
        for c, t, h in zip(net.cap, net.tail, net.head, strict=True)
    ]
    out_arcs: dict[int, list[int]] = defaultdict(list)
    in_arcs: dict[int, list[int]] = defaultdict(list)
    for a, (t, h) in enumerate(zip(net.tail, net.head, strict=True)):
        out_arcs[t].append(a)
        in_arcs[h].append(a)
    for v, name in enumerate(net.names):
        ct = solver.Constraint(float(net.supply[v]), float(net.supply[v]), f"balance[{name}]")
        for a in out_arcs[v]:
            ct.SetCoefficient(x[a], 1)
        for a in in_arcs[v]:
            ct.SetCoefficient(x[a], -1)
    if p.max_moves is not None:
        ct = solver.Constraint(0, float(p.max_moves), "max_moves")
        for a in p.move_arcs:
            ct.SetCoefficient(x[a], 1)
    if warm is not None:
        solver.SetHint(x, [float(v) for v in warm])
    levels: dict[str, float] = {}
    bounds: dict[str, float] = {}
    status = SolveStatus.OPTIMAL
    values = None
    for lv in order:
        remaining = time_limit - (time.perf_counter() - t_start)
        if remaining <= 0:
            return _error(levels, bounds, seconds, f"time limit reached before stage {lv}")
        solver.SetTimeLimit(int(remaining * 1000))
        cost = net.costs[lv]
        obj = solver.Objective()
        obj.Clear()
        for a, c in enumerate(cost):
            if c:
                obj.SetCoefficient(x[a], float(c))
        obj.SetMinimization()
        t0 = time.perf_counter()
        code = solver.Solve()
        seconds[lv] = time.perf_counter() - t0
        if code == pywraplp.Solver.INFEASIBLE:
            return Result("general", SolveStatus.INFEASIBLE, seconds=seconds, method="staged")
        if code not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return _error(levels, bounds, seconds, f"{BACKEND} status {code} at stage {lv}")
        value = round(obj.Value())
        bound = obj.BestBound()
        if code != pywraplp.Solver.OPTIMAL:
            status = SolveStatus.FEASIBLE
        scale = net.scale[lv]
        levels[lv] = (net.offsets[lv] + value) / scale
        bounds[lv] = (net.offsets[lv] + min(float(value), bound)) / scale
        values = np.array([round(v.solution_value()) for v in x], dtype=np.int64)
        keep = solver.Constraint(-solver.infinity(), float(value), f"keep[{lv}]")
        for a, c in enumerate(cost):
            if c:
                keep.SetCoefficient(x[a], float(c))
        solver.SetHint(x, [float(v) for v in values])
    assert values is not None
    levels = net.level_values(values)
    return Result("general", status, levels, bounds, seconds, values, method="staged")


def _error(
    levels: dict[str, float], bounds: dict[str, float], seconds: dict[str, float], message: str
) -> Result:
    return Result(
        "general", SolveStatus.ERROR, levels, bounds, seconds, message=message, method="staged"
    )
