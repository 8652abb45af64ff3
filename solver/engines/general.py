"""The general engine: the same network as a linear program, plus side constraints the
network cannot express (`max_moves`: a limit on the officials moved; the officials' quota
where secondees are extra, see solver/problem.py), solved lexicographically by staged solves:

    for each level in order: minimize it; then keep it at the value reached (≤) and go on.

Two passes, the first usually enough:

1. Linear programming (GLOP), every stage. The side constraints are few and the matrix is a
   network matrix apart from them, so the optimum found is almost always integral. When the
   rounded solution is exactly feasible (checked in integers: balances, capacities, side
   constraints) and reaches every stage's LP value, it is a proven lexicographic optimum: each
   stage's LP value is a bound no integer plan can beat.
2. Otherwise, integer programming (SCIP, one thread for determinism), warm-started with a hint
   (the flow engine's optimum, which ignores the side constraints). With a time limit a stage
   may end FEASIBLE with a gap > 0, and the next stages keep the value reached.

Every stage reports its value, its bound and its time.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from ortools.linear_solver import linear_solver_pb2, pywraplp

from models import LEVELS, SolveStatus
from solver import i18n
from solver.engines import flow as flow_engine
from solver.engines.base import Result
from solver.i18n import _
from solver.problem import Problem

BACKEND = "SCIP"
LP_BACKEND = "GLOP"
TOLERANCE = 1e-6
NO_BOUND = 1e15  # a bound this large is a solver's infinity (SCIP and GLOP use 1e20)


def solve(
    p: Problem,
    order: Sequence[str] | None = None,
    time_limit: float = 60.0,
    hint: bool = True,
    warm: np.ndarray | None = None,
    lp_first: bool = True,
) -> Result:
    """`warm`: flows to start from (the flow engine's optimum, when the caller has it);
    otherwise, with `hint`, the flow engine is run here for one. Without `max_moves`, `warm`
    must be the relaxation's optimum: the network's parts no side constraint touches keep it
    (`_settled`). `lp_first=False` skips the LP pass (the staged integer program alone: the
    reference the tests compare with)."""
    order = list(order or LEVELS)
    t_start = time.perf_counter()
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    fixed = _settled(p, warm)
    lp = _Model(p, LP_BACKEND, integer=False, fixed=fixed) if lp_first else None
    if lp is not None:
        seconds["lp.build"] = time.perf_counter() - t0
    if lp is not None and lp.solver is not None:
        r = lp.staged(order, time_limit, seconds, "lp.")
        if r is not None and r.status == SolveStatus.INFEASIBLE:
            return r
        if r is not None and r.flows is not None and _exact(p, r.flows, r.levels, order):
            r.levels = p.network.level_values(r.flows)
            r.bounds = dict(r.levels)
            r.method = "staged LP, integral"
            return r
    if hint and warm is None:
        t0 = time.perf_counter()
        fr = flow_engine.solve(p, order)
        seconds["warm start (flow)"] = time.perf_counter() - t0
        if fr.status == SolveStatus.INFEASIBLE:
            return Result("general", SolveStatus.INFEASIBLE, seconds=seconds, method="staged")
        warm = fr.flows
    t0 = time.perf_counter()
    mip = _Model(p, BACKEND, integer=True, fixed=fixed)
    seconds["mip.build"] = time.perf_counter() - t0
    if mip.solver is None:  # pragma: no cover - bundled with ortools
        return Result(
            "general",
            SolveStatus.ERROR,
            message=_("{backend} is not available").format(backend=BACKEND),
        )
    if warm is not None:
        mip.solver.SetHint(mip.x, [float(v) for v in warm])
    remaining = time_limit - (time.perf_counter() - t_start)
    r = mip.staged(order, remaining, seconds, "mip.")
    assert r is not None
    return r


class _Model:
    """The network's balances and capacities, and the side constraints, in one solver."""

    def __init__(
        self,
        p: Problem,
        backend: str,
        integer: bool,
        fixed: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.p = p
        self.backend = backend
        # arcs the solver may change (None: all), and the flows of the others
        self.free = None if fixed is None else ~fixed[0]
        self.fixed = None if fixed is None else fixed[1]
        self.solver = pywraplp.Solver.CreateSolver(backend)
        if self.solver is None:  # pragma: no cover
            return
        solver = self.solver
        if integer:
            solver.SetNumThreads(1)  # deterministic
        err = solver.LoadModelFromProto(_model_proto(p, integer, fixed))
        assert not err, err
        self.x = solver.variables()

    def values(self) -> np.ndarray:
        """The last solve's arc flows, rounded to integers (read in one call)."""
        assert self.solver is not None
        resp = linear_solver_pb2.MPSolutionResponse()
        self.solver.FillSolutionResponseProto(resp)
        return np.rint(np.asarray(resp.variable_value, dtype=np.float64)).astype(np.int64)

    def staged(
        self, order: list[str], time_limit: float, seconds: dict[str, float], prefix: str
    ) -> Result | None:
        """Minimize each level in turn, keeping the earlier ones. None: the LP pass gave up
        (a status other than optimal or infeasible)."""
        solver, x, net = self.solver, self.x, self.p.network
        assert solver is not None
        t_start = time.perf_counter()
        integer = self.backend == BACKEND
        levels: dict[str, float] = {}
        bounds: dict[str, float | None] = {}
        status = SolveStatus.OPTIMAL
        values = None
        for stage in _stages(self.p, order):
            lv = "+".join(name for name, _w in stage)
            remaining = time_limit - (time.perf_counter() - t_start)
            if remaining <= 0:
                if not integer:
                    return None
                return self._stopped(values, bounds, seconds, lv)
            solver.SetTimeLimit(int(remaining * 1000))
            cost = np.zeros(len(net.tail), dtype=np.int64)
            for name, w in stage:
                cost += np.int64(w) * net.arrays()[name]
            # the settled arcs' part of the objective is a constant: left out of the solver
            const = 0
            if self.free is None or self.fixed is None:
                nz = np.flatnonzero(cost)
            else:
                nz = np.flatnonzero(cost * self.free)
                const = int(cost[~self.free] @ self.fixed[~self.free])
            obj = solver.Objective()
            obj.Clear()
            for a in nz:
                obj.SetCoefficient(x[a], float(cost[a]))
            obj.SetMinimization()
            t0 = time.perf_counter()
            code = solver.Solve()
            seconds[prefix + lv] = time.perf_counter() - t0
            if code == pywraplp.Solver.INFEASIBLE:
                return Result("general", SolveStatus.INFEASIBLE, seconds=seconds, method="staged")
            if not integer and code != pywraplp.Solver.OPTIMAL:
                return None
            if code == pywraplp.Solver.NOT_SOLVED and integer:  # stopped by the time limit
                return self._stopped(values, bounds, seconds, lv)
            if code not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
                return _error(
                    levels,
                    bounds,
                    seconds,
                    _("{backend} status {code} at stage {level}").format(
                        backend=self.backend, code=code, level=i18n.label("level", lv)
                    ),
                )
            raw = obj.Value()
            value = round(raw)  # the solver's part (the keep row below is over it too)
            if not integer and abs(raw - value) > max(TOLERANCE, 1e-9 * abs(raw)):
                return None  # a fractional optimum: the integer pass decides
            bound: float | None = obj.BestBound() if integer else raw
            if bound is not None and not abs(bound) < NO_BOUND:
                bound = None  # the solver's infinity: it has no bound yet
            if bound is not None:
                bound += const
            if code != pywraplp.Solver.OPTIMAL:
                status = SolveStatus.FEASIBLE
            values = self.values()
            got = net.level_values(values)
            for name, _w in stage:
                levels[name] = got[name]
                # a merged tie-break stage: the bound is the combined one, so each level's
                # bound is its value when the stage is optimal (else no better than the value)
                if len(stage) > 1 and code == pywraplp.Solver.OPTIMAL:
                    bounds[name] = got[name]
                elif len(stage) > 1 or bound is None:
                    bounds[name] = None
                else:
                    full = float(value + const)
                    bounds[name] = (net.offsets[name] + min(full, bound)) / net.scale[name]
            keep = solver.Constraint(-solver.infinity(), float(value), f"keep[{lv}]")
            for a in nz:
                keep.SetCoefficient(x[a], float(cost[a]))
            if integer:
                solver.SetHint(x, [float(v) for v in values])
        assert values is not None
        if integer:
            levels = net.level_values(values)
        method = "staged" if integer else "staged LP"
        return Result("general", status, levels, bounds, seconds, values, method=method)

    def _stopped(
        self,
        values: np.ndarray | None,
        bounds: dict[str, float | None],
        seconds: dict[str, float],
        lv: str,
    ) -> Result:
        """The time limit ended stage `lv`: the plan of the stages before it, FEASIBLE, the
        levels from `lv` on without a bound; ERROR when no stage had found a plan yet."""
        if values is None:
            return _error(
                {},
                bounds,
                seconds,
                _("the time limit ended before stage {level} found a plan").format(
                    level=i18n.label("level", lv)
                ),
            )
        levels = self.p.network.level_values(values)
        out = {name: bounds.get(name) for name in levels}
        return Result(
            "general",
            SolveStatus.FEASIBLE,
            levels,
            out,
            seconds,
            values,
            message=_(
                "the time limit ended stage {level}: its level and the later ones are not "
                "optimized and have no bound"
            ).format(level=i18n.label("level", lv)),
            method="staged",
        )


def _settled(p: Problem, warm: np.ndarray | None) -> tuple[np.ndarray, np.ndarray] | None:
    """The arcs whose flow the flow engine's optimum `warm` already settles: those of the
    network's separate parts (the blocs) that no side constraint touches. The objective is a
    sum over the parts, so the relaxation's optimum restricted to such a part is that part's
    optimum; only the rest is left to the solver. None: nothing to settle (no optimum given,
    or `max_moves`, which spans every part)."""
    if warm is None or p.max_moves is not None or not p.official_caps:
        return None
    net = p.network
    label = net.components()
    tails = net.arrays()["tail"]
    side = np.unique(
        label[
            tails[np.concatenate([np.asarray(a, dtype=np.int64) for a in p.official_caps.values()])]
        ]
    )
    mask = ~np.isin(label[tails], side)
    return (mask, warm) if mask.any() else None


def _model_proto(
    p: Problem, integer: bool, fixed: tuple[np.ndarray, np.ndarray] | None = None
) -> linear_solver_pb2.MPModelProto:
    """The network's balances and capacities and the side constraints as one model, built
    in bulk (a protocol buffer the solver loads in one call): a variable per arc, a balance
    row per node, then `max_moves` and the officials' quotas. `fixed`: (arcs, flows) whose
    bounds are that flow (`_settled`)."""
    net = p.network
    arr = net.arrays()
    m = linear_solver_pb2.MPModelProto()
    bound = sum(s for s in net.supply if s > 0)
    upper = np.minimum(arr["cap"], bound).astype(np.float64)
    lower = np.zeros(len(upper))
    if fixed is not None:
        mask, flows = fixed
        lower[mask] = upper[mask] = flows[mask]
    for lo, up in zip(lower.tolist(), upper.tolist(), strict=True):
        m.variable.add(lower_bound=lo, upper_bound=up, is_integer=integer)
    tail, head = arr["tail"], arr["head"]
    nodes = np.arange(len(net.names) + 1)
    by_tail, by_head = np.argsort(tail, kind="stable"), np.argsort(head, kind="stable")
    st = np.searchsorted(tail[by_tail], nodes).tolist()
    sh = np.searchsorted(head[by_head], nodes).tolist()
    out_arcs, in_arcs = by_tail.tolist(), by_head.tolist()
    for v, supply in enumerate(net.supply):
        outs, ins = out_arcs[st[v] : st[v + 1]], in_arcs[sh[v] : sh[v + 1]]
        m.constraint.add(
            lower_bound=float(supply),
            upper_bound=float(supply),
            var_index=outs + ins,
            coefficient=[1.0] * len(outs) + [-1.0] * len(ins),
        )
    if p.max_moves is not None:
        m.constraint.add(
            lower_bound=0.0,
            upper_bound=float(p.max_moves),
            var_index=list(p.move_arcs),
            coefficient=[1.0] * len(p.move_arcs),
            name="max_moves",
        )
    for (c, b), arcs in sorted(p.official_caps.items()):
        m.constraint.add(
            lower_bound=0.0,
            upper_bound=float(p.quota(c, b)),
            var_index=list(arcs),
            coefficient=[1.0] * len(arcs),
            name=f"officials[{c},{b}]",
        )
    return m


def _stages(p: Problem, order: list[str]) -> list[list[tuple[str, int]]]:
    """The staged solves: one level each, except a trailing `changes` (the tie-break), which
    shares the stage of the level before it with weights that keep the order exact (one unit
    of that level outweighs every possible change; both are integers)."""
    stages = [[(lv, 1)] for lv in order]
    if len(order) >= 2 and order[-1] == "changes":
        rng = flow_engine.ranges(p)["changes"]
        prev = order[-2]
        stages[-2:] = [[(prev, rng + 1), ("changes", 1)]]
    return stages


def _exact(p: Problem, flows: np.ndarray, levels: dict[str, float], order: list[str]) -> bool:
    """Is a rounded LP solution an exactly feasible plan reaching every stage's value?"""
    net = p.network
    if not net.is_flow(flows):
        return False
    if p.max_moves is not None and p.moves(flows) > p.max_moves:
        return False
    if p.over_quota(flows):
        return False
    got = net.level_values(flows)
    return all(abs(got[lv] - levels[lv]) <= TOLERANCE for lv in order)


def _error(
    levels: dict[str, float],
    bounds: dict[str, float | None],
    seconds: dict[str, float],
    message: str,
) -> Result:
    return Result(
        "general", SolveStatus.ERROR, levels, bounds, seconds, message=message, method="staged"
    )
