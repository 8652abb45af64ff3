"""`max_moves` on the min-cost flow, exactly: a Lagrangian search over a price per move.

The flow engine minimizes one integer cost C(x) = Σ M_i · L_i(x) (solver/engines/flow.py), and
`max_moves` K adds one linear side constraint, moves(x) ≤ K, that no network holds. Pricing
every move at μ ≥ 0 gives a min-cost flow again,

    L(μ) = min_x C(x) + μ · moves(x)        (x over the flows of the same network),

and any flow x* attaining L(μ) with moves(x*) = K is optimal under the constraint: for every
flow x with moves(x) ≤ K, C(x) ≥ C(x) + μ·(moves(x) − K) ≥ L(μ) − μK = C(x*). The search:

1. μ = 0: the plain optimum. If it moves at most K officials, it is the answer.
2. A price high enough to bring the moves within K: from the costliest arc up, ×16 each
   time. Above W, the whole range of C, moves are minimized first: more than K moves there
   means no plan keeps `max_moves` (the general engine explains it).
3. Newton's method on the concave, piecewise linear L: with a flow `lo` (moves > K) and a flow
   `hi` (moves < K), solve at the price where their lines cross, μ = (C_hi − C_lo)/(m_lo −
   m_hi), in integers (costs scaled by the denominator). A flow strictly below both lines
   replaces `lo` or `hi`; one with exactly K moves is the answer; when none is below, μ is
   the breakpoint and both `lo` and `hi` attain L(μ).
4. At the breakpoint, lo − hi is a circulation; its conformal cycles each have reduced cost 0
   at μ (both ends are optimal), and hi plus any part of any of them is a flow attaining L(μ).
   Each cycle changes the moves by a whole number; choosing how much of each to add so that the
   moves reach exactly K gives the answer.

Everything is in integers, so "attains L(μ)" is exact and the answer is proven. When step 4
cannot land on K (the cycles' steps skip it), or the scaled costs would leave the solver's
integer range, or the time runs out, the search says so and hands its best plan within K to
the general engine as a warm start (its staged solves bound each level on its own).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from solver.engines import flow
from solver.problem import Problem


@dataclass
class Search:
    """What the search found: `flows` with exactly `max_moves` moves (or fewer, at price 0)
    when `proven`; else the best flow within `max_moves` (`flows`, possibly None) and why."""

    proven: bool
    flows: np.ndarray | None
    price: tuple[int, int]  # μ = price[0] / price[1]
    solves: int
    why: str = ""

    def price_in(self, p: Problem, order: Sequence[str]) -> str:
        """The price per move in the units of the first level of the objective it is worth
        at least a hundredth of (e.g. "0.33 specialty_shortage": one move is worth a third of
        a point of weighted specialty shortage at the optimum)."""
        num, den = self.price
        mult = flow.multipliers(order, flow.ranges(p))
        for lv in order:
            value = num / (den * mult[lv] * p.network.scale[lv])
            if value >= 0.01 or lv == order[-1]:
                return f"{value:.2g} {lv}"
        return "0"  # pragma: no cover - the loop returns at the last level


def search(p: Problem, order: Sequence[str], deadline: float) -> Search:
    """Find a proven optimum of the flow network under `moves ≤ max_moves`."""
    k = p.max_moves
    assert k is not None
    cost, _ = flow.weighted_costs(p, order)
    arr = p.network.arrays()
    move = np.zeros(len(cost), dtype=np.int64)
    move[np.asarray(p.move_arcs, dtype=np.int64)] = 1
    biggest = int(np.abs(cost).max()) if len(cost) else 0
    solves = 0

    def at(num: int, den: int) -> tuple[np.ndarray, int, int] | None:
        nonlocal solves
        if not flow.fits(p, biggest * den + num):
            return None  # checked in Python integers, before int64 could wrap
        solves += 1
        _status, x = flow.min_cost_flow(p, arr, cost * den + move * num)
        if x is None:
            return None
        return x, int(cost @ x), int(move @ x)

    got = at(0, 1)
    if got is None:
        return Search(False, None, (0, 1), solves, "the plain flow has no optimum")
    x_lo, c_lo, m_lo = got
    if m_lo <= k:
        return Search(True, x_lo, (0, 1), solves)
    # a price high enough to keep within K: from the costliest arc up, ×16 each time (a
    # price above the whole range of C would minimize the moves first, but seldom fits the
    # solver's integer range on a large province)
    width = flow.width(p, order)
    price = max(1, biggest)
    while True:
        got = at(price, 1)
        if got is None:
            return Search(False, None, (price, 1), solves, "the scaled costs overflow")
        x_hi, c_hi, m_hi = got
        if m_hi == k:
            return Search(True, x_hi, (price, 1), solves)
        if m_hi < k:
            break
        if price > width:
            return Search(False, None, (price, 1), solves, "no plan moves so few officials")
        x_lo, c_lo, m_lo = x_hi, c_hi, m_hi
        price *= 16
    while True:
        num, den = c_hi - c_lo, m_lo - m_hi
        g = math.gcd(num, den)
        num, den = num // g, den // g
        if time.perf_counter() > deadline:
            return Search(False, x_hi, (num, den), solves, "the time limit")
        got = at(num, den)
        if got is None:
            return Search(False, x_hi, (num, den), solves, "the scaled costs overflow")
        x, c, m = got
        line = den * c_lo + num * m_lo
        value = den * c + num * m
        if m == k:
            return Search(True, x, (num, den), solves)
        if value < line:
            if m > k:
                x_lo, c_lo, m_lo = x, c, m
            else:
                x_hi, c_hi, m_hi = x, c, m
            continue
        walked = _walk(p, x_hi, x_lo, move, k - m_hi)
        if walked is not None and _attains(p, walked, cost, move, k, num, den, value):
            return Search(True, walked, (num, den), solves)
        return Search(
            False,
            x_hi,
            (num, den),
            solves,
            "the cycles between the two flows at the breakpoint skip the limit",
        )


def _attains(
    p: Problem,
    x: np.ndarray,
    cost: np.ndarray,
    move: np.ndarray,
    k: int,
    num: int,
    den: int,
    minimum: int,
) -> bool:
    """Is x a flow of the network (capacities, balances) with exactly k moves that attains
    the minimum at the price num/den? Checked in integers, so the proof does not rest on the
    cycle bookkeeping."""
    arr = p.network.arrays()
    if (x < 0).any() or (x > arr["cap"]).any() or int(move @ x) != k:
        return False
    balance = np.zeros(len(p.network.names), dtype=np.int64)
    np.add.at(balance, arr["tail"], x)
    np.subtract.at(balance, arr["head"], x)
    return bool(np.array_equal(balance, arr["supply"])) and (
        den * int(cost @ x) + num * k == minimum
    )


def _walk(
    p: Problem, hi: np.ndarray, lo: np.ndarray, move: np.ndarray, want: int
) -> np.ndarray | None:
    """hi plus parts of the conformal cycles of lo − hi, adding exactly `want` moves."""
    arr = p.network.arrays()
    d = lo - hi
    arcs = np.flatnonzero(d)
    out: dict[int, list[list[int]]] = {}  # node -> [arc, to, remaining, sign]
    for a in arcs.tolist():
        amount = int(d[a])
        t, h = int(arr["tail"][a]), int(arr["head"][a])
        if amount > 0:
            out.setdefault(t, []).append([a, h, amount, 1])
        else:
            out.setdefault(h, []).append([a, t, -amount, -1])
    cycles: list[tuple[list[tuple[int, int]], int, int]] = []  # (arc, sign), amount, Δmoves
    for start in list(out):
        while _first(out, start) is not None:
            path: list[list[int]] = []
            seen: dict[int, int] = {}
            node = start
            while node not in seen:
                seen[node] = len(path)
                e = _first(out, node)
                assert e is not None, "lo − hi is a circulation"
                path.append(e)
                node = e[1]
            cyc = path[seen[node] :]
            amount = min(e[2] for e in cyc)
            for e in cyc:
                e[2] -= amount
            delta = sum(int(move[e[0]]) * e[3] for e in cyc)
            cycles.append(([(e[0], e[3]) for e in cyc], amount, delta))
    take = _choose([(amt, delta) for _, amt, delta in cycles], want)
    if take is None:
        return None
    x = hi.copy()
    for (edges, _amt, _delta), t in zip(cycles, take, strict=True):
        if t:
            for a, sign in edges:
                x[a] += sign * t
    return x


def _first(out: dict[int, list[list[int]]], node: int) -> list[int] | None:
    edges = out.get(node)
    while edges and edges[-1][2] == 0:
        edges.pop()
    return edges[-1] if edges else None


def _choose(cycles: list[tuple[int, int]], want: int) -> list[int] | None:
    """How much of each cycle (amount, Δmoves) to take so the Δmoves add up to `want` (> 0):
    the cycles that raise the moves, smallest steps first, as far as they stay within `want`;
    if that falls short, one more step that overshoots, taken back with the cycles that lower
    the moves. None: this finds no exact sum."""
    take = [0] * len(cycles)
    total = 0
    ups = sorted((i for i, (_a, dl) in enumerate(cycles) if dl > 0), key=lambda i: cycles[i][1])
    downs = sorted((i for i, (_a, dl) in enumerate(cycles) if dl < 0), key=lambda i: cycles[i][1])
    for i in ups:
        amt, dl = cycles[i]
        t = min(amt, (want - total) // dl)
        take[i] = t
        total += t * dl
    if total == want:
        return take
    for i in ups:  # overshoot by one step of the smallest cycle that still has room ...
        amt, dl = cycles[i]
        if take[i] < amt:
            take[i] += 1
            total += dl
            break
    for i in reversed(downs):  # ... and take it back with the cycles that lower the moves
        amt, dl = cycles[i]
        t = min(amt, (total - want) // -dl)
        take[i] = t
        total += t * dl
    return take if total == want else None
