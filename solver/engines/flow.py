"""The exact default engine: one min-cost flow with provably ordered level weights.

Lexicographic exactness by weights. Every level value is an integer in [0, R_level] (R: the
level's range, `ranges()`), so with the levels in order L1 … Lm and

    M_m = 1,   M_i = 1 + Σ_{j>i} M_j · R_j,

lowering L_i by one unit gains M_i, more than any change of all lower levels together can
cost (at most Σ_{j>i} M_j · R_j). Minimizing Σ M_i · L_i is therefore lexicographic. The network
is totally unimodular, so OR-Tools' SimpleMinCostFlow returns an integral optimum; its status
OPTIMAL is a proof, and the gap is 0. tests/test_engines.py checks this against staged solves.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from ortools.graph.python import min_cost_flow as min_cost_flow_module

from models import LEVELS, SolveStatus
from solver.engines.base import Result
from solver.i18n import _
from solver.problem import PLACE_COMMUNE, PLACE_SLOT, SEC_COMMUNE, SEC_SLOT, Problem

# SimpleMinCostFlow scales costs by the number of nodes internally; keep well inside int64.
COST_LIMIT = 1 << 62


def ranges(p: Problem) -> dict[str, int]:
    """Upper bound of each level's integer value over all plans (shortages are ≥ 0)."""
    net = p.network
    moving, costliest, people = net.memo("range parts", lambda: _range_parts(p))
    return {
        "specialty_shortage": net.offsets["specialty_shortage"],
        "quota_shortage": net.offsets["quota_shortage"],
        "disruption": moving + p.budget * costliest,
        "changes": net.offsets["changes"] + people,  # each person changes at most once
    }


def _range_parts(p: Problem) -> tuple[int, int, int]:
    """What the ranges take from the arcs and classes (not the budget): the officials'
    longest moves summed, the costliest secondee placement, the people."""
    arr = p.network.arrays()
    km_cost, kinds, owner = arr["disruption"], arr["kind"], arr["owner"]
    moving = 0
    place = (kinds == PLACE_SLOT) | (kinds == PLACE_COMMUNE)
    if place.any() and p.classes:
        longest = np.zeros(len(p.classes), dtype=np.int64)  # each class's costliest placement
        np.maximum.at(longest, owner[place], km_cost[place])
        sizes = np.array([len(k.members) for k in p.classes], dtype=np.int64)
        moving = int(sizes @ longest)
    sec = (kinds == SEC_SLOT) | (kinds == SEC_COMMUNE)
    costliest = int(km_cost[sec].max()) if sec.any() else 0
    people = sum(len(k.members) for k in p.classes) + sum(
        len(q.members) for q in p.secondee_classes
    )
    return moving, costliest, people


def multipliers(order: Sequence[str], rng: dict[str, int]) -> dict[str, int]:
    m: dict[str, int] = {}
    below = 0
    for lv in reversed(order):
        m[lv] = below + 1
        below += m[lv] * rng[lv]
    return m


def weighted_costs(p: Problem, order: Sequence[str]) -> tuple[np.ndarray, dict[str, int]]:
    """The one cost vector Σ M_i · L_i of the arcs, and the multipliers M."""
    arr = p.network.arrays()
    mult = multipliers(order, ranges(p))
    cost = np.zeros_like(arr["tail"], dtype=np.int64)
    for lv in LEVELS:
        cost += np.int64(mult[lv]) * arr[lv]
    return cost, mult


def width(p: Problem, order: Sequence[str]) -> int:
    """How much Σ M_i · L_i can differ between two plans: Σ M_i · R_i."""
    rng = ranges(p)
    mult = multipliers(order, rng)
    return sum(mult[lv] * rng[lv] for lv in order)


def fits(p: Problem, biggest: int) -> bool:
    """Whether arc costs up to `biggest` in size stay in the solver's exact integer range
    (it scales costs by the number of nodes)."""
    return biggest * (len(p.network.names) + 1) < COST_LIMIT


def overflows(p: Problem, cost: np.ndarray) -> int | None:
    """The largest |cost| when it could leave the solver's exact integer range, else None."""
    biggest = int(np.abs(cost).max()) if len(cost) else 0
    return None if fits(p, biggest) else biggest


def min_cost_flow(arr: dict[str, np.ndarray], cost: np.ndarray) -> tuple[int, np.ndarray | None]:
    """One SimpleMinCostFlow solve of a network given as arrays (tail, head, cap per arc,
    supply per node) with these arc costs: (status, flows)."""
    smcf = min_cost_flow_module.SimpleMinCostFlow()
    if len(cost):
        smcf.add_arcs_with_capacity_and_unit_cost(arr["tail"], arr["head"], arr["cap"], cost)
    supply = arr["supply"]
    smcf.set_nodes_supplies(np.arange(len(supply), dtype=np.int32), supply)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        return status, None
    flows = smcf.flows(np.arange(len(cost), dtype=np.int64)) if len(cost) else np.zeros(0)
    return status, np.asarray(flows, dtype=np.int64)


def solve(p: Problem, order: Sequence[str] | None = None) -> Result:
    order = list(order or LEVELS)
    t0 = time.perf_counter()
    net = p.network
    arr = net.arrays()
    cost, _multipliers = weighted_costs(p, order)
    biggest = overflows(p, cost)
    if biggest is not None:
        return Result(
            "flow",
            SolveStatus.ERROR,
            message=_(
                "level weights too large for exact integer costs ({biggest} × {nodes} "
                "nodes); use --engine general (staged solves)"
            ).format(biggest=biggest, nodes=len(net.names)),
            method="weights",
        )
    status, flows = min_cost_flow(arr, cost)
    seconds = {"flow": time.perf_counter() - t0}  # costs, solver build and solve
    S = min_cost_flow_module.SimpleMinCostFlow
    if status in (S.INFEASIBLE, S.UNBALANCED):
        return Result("flow", SolveStatus.INFEASIBLE, seconds=seconds, method="weights")
    if flows is None:
        return Result(
            "flow",
            SolveStatus.ERROR,
            seconds=seconds,
            message=_("min-cost flow status {status}").format(status=status),
            method="weights",
        )
    levels = net.level_values(flows)
    return Result(
        "flow", SolveStatus.OPTIMAL, levels, dict(levels), seconds, flows, method="weights"
    )
