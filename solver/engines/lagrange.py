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

The officials' quota where secondees are extra is held the same way by a price per official
placed in each unit (`quota_search`); where several units' prices interact, a linear
programme on the face of the last flow gives the plan and its prices (`_face`), and the proof
is again checked in integers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.problems import Msg, msg
from solver.engines import flow
from solver.i18n import N_
from solver.problem import Problem


@dataclass
class Search:
    """What the search found: `flows` with exactly `max_moves` moves (or fewer, at price 0)
    when `proven`; else the best flow within `max_moves` (`flows`, possibly None) and why."""

    proven: bool
    flows: np.ndarray | None
    price: tuple[int, int]  # μ = price[0] / price[1]
    solves: int
    why: str | Msg = ""

    def price_in(self, p: Problem, order: Sequence[str]) -> str:
        """The price per move in level units (`price_in`)."""
        return price_in(p, order, *self.price)


def price_in(p: Problem, order: Sequence[str], num: int, den: int) -> str:
    """A price num/den in weighted-cost units, in the units of the first level of the
    objective it is worth at least a hundredth of (e.g. "0.33 specialty_shortage": worth a
    third of a point of weighted specialty shortage at the optimum)."""
    from solver import i18n

    mult = flow.multipliers(order, flow.ranges(p))
    for lv in order:
        value = num / (den * mult[lv] * p.network.scale[lv])
        if value >= 0.01 or lv == order[-1]:
            return f"{value:.2g} {i18n.label('level', lv)}"
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
        _status, x = flow.min_cost_flow(arr, cost * den + move * num)
        if x is None:
            return None
        return x, int(cost @ x), int(move @ x)

    got = at(0, 1)
    if got is None:
        return Search(False, None, (0, 1), solves, N_("the plain flow has no optimum"))
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
            return Search(False, None, (price, 1), solves, N_("the scaled costs overflow"))
        x_hi, c_hi, m_hi = got
        if m_hi == k:
            return Search(True, x_hi, (price, 1), solves)
        if m_hi < k:
            break
        if price > width:
            return Search(False, None, (price, 1), solves, N_("no plan moves so few officials"))
        x_lo, c_lo, m_lo = x_hi, c_hi, m_hi
        price *= 16
    while True:
        num, den = c_hi - c_lo, m_lo - m_hi
        g = math.gcd(num, den)
        num, den = num // g, den // g
        if time.perf_counter() > deadline:
            return Search(False, x_hi, (num, den), solves, N_("the time limit"))
        got = at(num, den)
        if got is None:
            return Search(False, x_hi, (num, den), solves, N_("the scaled costs overflow"))
        x, c, m = got
        value = den * c + num * m
        if m == k:
            return Search(True, x, (num, den), solves)
        if value < den * c_lo + num * m_lo:  # below both lines: a new side of the bracket
            (x_lo, c_lo, m_lo), (x_hi, c_hi, m_hi) = _narrow(
                (x_lo, c_lo, m_lo), (x_hi, c_hi, m_hi), got, k
            )
            continue
        walked = _walk(p, x_hi, x_lo, move, k - m_hi)
        if walked is not None and _attains(p, walked, cost, move, k, num, den, value):
            return Search(True, walked, (num, den), solves)
        return Search(
            False,
            x_hi,
            (num, den),
            solves,
            N_("the cycles between the two flows at the breakpoint skip the limit"),
        )


Side = tuple[np.ndarray, int, int]  # a flow, its cost, its count (moves, or a unit's officials)


def _narrow(lo: Side, hi: Side, got: Side, target: int) -> tuple[Side, Side]:
    """Newton's step: a flow strictly below both lines replaces the bracket's side it falls
    on (above the target: the low price's side; below it: the high price's)."""
    return (got, hi) if got[2] > target else (lo, got)


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
    return int(move @ x) == k and p.network.is_flow(x) and den * int(cost @ x) + num * k == minimum


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


# --- the officials' quota where secondees are extra -------------------------------------

# prices start in units of half the weighted cost (costs doubled), so that the first price,
# 1.5 units, lies strictly between two integer gains of a plan
PRICE_DEN = 2
FIRST_PRICE = 3  # 1.5 units of the weighted cost
QUOTA_ROUNDS = 24  # flows the quota search may solve before it hands over


@dataclass
class QuotaSearch:
    """What the officials' quota search found. `flows`: the whole network's flows (the
    secondee bloc's part from the search, the rest from the flows it was given) when
    `proven`; `prices`: per unit, the price per official placed there, in weighted cost
    units × `den`; `solves`: the flows solved."""

    proven: bool
    flows: np.ndarray | None
    prices: dict[tuple[str, str], int]
    den: int
    solves: int
    why: str | Msg = ""

    def price_range(self, p: Problem, order: Sequence[str]) -> tuple[int, str]:
        """How many units are priced, and the highest price in the units of the first level
        it is worth at least a hundredth of (`price_in`)."""
        priced = [v for v in self.prices.values() if v]
        return len(priced), price_in(p, order, max(priced, default=0), self.den)


def quota_part(p: Problem) -> tuple[np.ndarray, np.ndarray]:
    """The part of the network the officials' quota touches (the secondee bloc, joined by
    the secondees): (its nodes, its arcs) as masks."""

    def make() -> tuple[np.ndarray, np.ndarray]:
        net = p.network
        arr = net.arrays()
        label = net.components()
        arcs = np.flatnonzero(unit_of_arcs(p) >= 0)
        nodes = np.isin(label, np.unique(label[arr["tail"][arcs]]))
        return nodes, nodes[arr["tail"]]

    return p.network.memo("quota part", make)


def unit_of_arcs(p: Problem) -> np.ndarray:
    """Per arc, the index of the unit (in sorted `official_caps`) whose officials' quota it
    counts in, else -1."""

    def make() -> np.ndarray:
        unit_of = np.full(len(p.network.tail), -1, dtype=np.int64)
        for i, u in enumerate(sorted(p.official_caps)):
            unit_of[np.asarray(p.official_caps[u], dtype=np.int64)] = i
        return unit_of

    return p.network.memo("unit of arcs", make)


class _Part:
    """The secondee bloc's part of the network alone, priced per unit."""

    def __init__(self, p: Problem, order: Sequence[str], outside: np.ndarray) -> None:
        self.p = p
        arr = p.network.arrays()
        cost, _ = flow.weighted_costs(p, order)
        nodes, self.arcs = quota_part(p)
        self.nodes = nodes
        self.index = index = np.cumsum(nodes) - 1  # network node -> node of the part
        self.net = {
            "tail": index[arr["tail"][self.arcs]].astype(np.int32),
            "head": index[arr["head"][self.arcs]].astype(np.int32),
            "cap": arr["cap"][self.arcs],
            "supply": arr["supply"][nodes],
        }
        self.units = sorted(p.official_caps)
        self.unit_of = unit_of_arcs(p)[self.arcs]
        self.into = self.unit_of >= 0
        self.quota = np.array([p.quota(c, b) for c, b in self.units], dtype=np.int64)
        self.cost = cost[self.arcs]
        self.biggest = int(np.abs(self.cost).max()) if len(self.cost) else 0
        self.outside = outside
        self.solves = 0

    def priced(self, den: int, price: np.ndarray) -> np.ndarray:
        c = self.cost * den
        c[self.into] += price[self.unit_of[self.into]]
        return c

    def finer(self, den: int, price: np.ndarray) -> bool:
        """Do the scaled costs at these prices stay in the solver's integer range?"""
        top = int(price.max()) if len(price) else 0
        return flow.fits(self.p, self.biggest * den + top)

    def solve(self, den: int, price: np.ndarray) -> np.ndarray | None:
        """The part's optimum at these prices (None: none, or the costs overflow)."""
        if not self.finer(den, price):
            return None
        self.solves += 1
        _status, x = flow.min_cost_flow(self.net, self.priced(den, price))
        return x

    def officials(self, x: np.ndarray) -> np.ndarray:
        into = self.into
        n = np.bincount(self.unit_of[into], weights=x[into], minlength=len(self.units))
        return n.astype(np.int64)

    def full(self, x: np.ndarray) -> np.ndarray:
        out = self.outside.copy()
        out[self.arcs] = x
        return out


def quota_search(
    p: Problem,
    order: Sequence[str],
    outside: np.ndarray,
    deadline: float,
    start: QuotaSearch | None = None,
) -> QuotaSearch:
    """The officials' quota (Σ officials into a unit ≤ its quota, where secondees are extra),
    held by a price per official placed in each unit, on the part of the network it touches
    solved alone. With prices λ_u ≥ 0 the priced problem

        L(λ) = min_x C(x) + Σ_u λ_u · (officials_u(x) − quota_u)

    is a min-cost flow again, and a flow x* attaining it that keeps every quota, with
    officials_u(x*) = quota_u wherever λ_u > 0, is optimal under the quotas: for every flow x
    that keeps them, C(x) ≥ C(x) + Σ λ_u (officials_u(x) − quota_u) ≥ L(λ) = C(x*). The
    search starts with the price 1.5 (units of C) on the crowded units (`_crowded`) and 0
    elsewhere and, per unit, raises the price of a unit over its quota (1.5, then ×4 + 1.5)
    and halves its way back between the last price over and the first price under the quota
    where a priced unit falls short. Where one
    unit is left between two adjacent prices, Newton's method on its price alone finds the
    breakpoint, and the conformal cycles between its two flows there land it on its quota
    (`_settle`). Where several are, or that fails, or the flows run out, a linear programme
    on the arcs of small reduced cost around the last flow gives the plan and its prices,
    checked in integers (`_face`). The search is a function of the part alone (`outside` only
    fills in the rest of the network), so a budget sweep, which gives another budget's flows
    as `outside`, finds the same flows as a solve. It stops after QUOTA_ROUNDS flows, at
    `deadline`, or where the scaled costs would leave the solver's integer range, and says so
    (the general engine then decides).

    `start`: another search's prices on the same network (a sweep's previous budget) to start
    from instead. Any prices that prove a flow prove it optimal, but the flow found
    may then be another of the equally good plans than a search from 0 finds."""
    part = _Part(p, order, outside)
    units, quota = part.units, part.quota
    if start is not None and list(start.prices) == units:
        den = start.den
        price = np.array(list(start.prices.values()), dtype=np.int64)
        y = _augment(part, start, den, price)
        if y is not None:  # optimal at these prices: proven as it is, or on its face
            found = _proven(part, y, den, price) or _face(part, y, den, price, deadline)
            if found is not None:
                return found
    else:
        den = PRICE_DEN
        price = np.where(_crowded(p, units, quota), FIRST_PRICE, 0).astype(np.int64)
    over_at = np.zeros(len(units), dtype=np.int64)  # the highest price known to be over
    under_at = np.full(len(units), -1, dtype=np.int64)  # the lowest price known short (-1: none)

    x: np.ndarray | None = None

    def stop(why: str | Msg) -> QuotaSearch:
        """The search ends here: proven on the face of its last flow (`_face`) while time
        is left, else the reason it stopped."""
        if x is not None and time.perf_counter() <= deadline:
            found = _face(part, x, den, price, deadline)
            if found is not None:
                return found
        prices = dict(zip(units, price.tolist(), strict=True))
        return QuotaSearch(False, None, prices, den, part.solves, why)

    while True:
        if part.solves >= QUOTA_ROUNDS:
            return stop(msg("no prices settled every quota in {rounds} flows", rounds=QUOTA_ROUNDS))
        if part.solves and time.perf_counter() > deadline:
            return stop(N_("the time limit"))
        x = part.solve(den, price)
        if x is None:
            return stop(N_("the part has no optimum, or its scaled costs overflow"))
        n = part.officials(x)
        over = n > quota
        short = (price > 0) & (n < quota)
        if not over.any() and not short.any():
            found = _proven(part, x, den, price)
            return found or stop(N_("the priced flow does not check"))  # pragma: no cover - a bug
        if start is not None and part.solves == 1 and (over | short).sum() == 1:
            # a start from a neighbouring budget's breakpoint: its one unit off is likely at
            # that same breakpoint; look on the other side of it, at twice the resolution
            (u,) = np.flatnonzero(over | short).tolist()
            if price[u] > 0:
                side = (
                    (2 * price[u], 2 * price[u] + 1)
                    if over[u]
                    else (2 * price[u] - 1, 2 * price[u])
                )
                got = _settle(part, 2 * den, 2 * price, u, *side, x, deadline)
                if got is not None:
                    return got
        over_at[over] = price[over]
        under_at[short] = price[short]
        up = np.where(under_at < 0, 4 * price + FIRST_PRICE, (price + under_at) // 2)
        down = (over_at + price) // 2
        stuck = (over & (up <= price)) | (short & (down >= price))
        if stuck.any():
            if stuck.sum() > 1 or (over | short).sum() > 1:
                return stop(N_("several units are left between two adjacent prices"))
            (u,) = np.flatnonzero(stuck).tolist()
            lo = price[u] if over[u] else over_at[u]
            hi = under_at[u]
            got = _settle(part, den, price, u, int(lo), int(hi), x, deadline)
            if got is None:
                return stop(N_("the cycles at the breakpoint of one unit's price skip its quota"))
            return got
        price = np.where(over, up, np.where(short, down, price))


def _crowded(p: Problem, units: list[tuple[str, str]], quota: np.ndarray) -> np.ndarray:
    """Units whose own officials (those working there now) outnumber the quota: where the
    relaxation can keep officials above it (they stay, a secondee takes the place), so the
    search prices them from the start rather than one by one."""
    home = dict.fromkeys(units, 0)
    for k in p.classes:
        if (k.current, k.bloc) in home:
            home[(k.current, k.bloc)] += len(k.members)
    return np.array([home[u] for u in units], dtype=np.int64) > quota


def _proven(part: _Part, x: np.ndarray, den: int, price: np.ndarray) -> QuotaSearch | None:
    """The proof, when x (the part's flows, optimal at these prices) keeps every quota and
    fills it wherever priced, checked on the whole network; else None."""
    full = part.full(x)
    if not _keeps_quotas(part, full, price):
        return None
    g = math.gcd(den, *price.tolist())  # the same prices in lowest terms
    prices = dict(zip(part.units, (price // g).tolist(), strict=True))
    return QuotaSearch(True, full, prices, den // g, part.solves)


def _augment(part: _Part, start: QuotaSearch, den: int, price: np.ndarray) -> np.ndarray | None:
    """A neighbouring budget's proven flow plus one unit along a shortest path: the part's
    flows, optimal at these prices, found without solving a flow. Where the supplies differ
    from that flow's by one unit between two nodes (one more secondee), and the flow is still
    optimal at the same prices for its own supplies under this budget's capacities and costs
    (no negative cycle in its residual network, checked), adding a shortest path from the
    node with the extra supply to the one with the extra demand keeps it optimal (successive
    shortest paths). None: a condition does not hold."""
    if start.flows is None:
        return None
    p = part.p
    arr = p.network.arrays()
    old, cap = start.flows, arr["cap"]
    if len(old) != len(cap) or (old > cap).any():
        return None
    diff = arr["supply"] - p.network.balance(old)
    plus, minus = np.flatnonzero(diff == 1), np.flatnonzero(diff == -1)
    if len(plus) != 1 or len(minus) != 1 or np.count_nonzero(diff) != 2:
        return None
    if not (part.nodes[plus[0]] and part.nodes[minus[0]]):
        return None
    x = old[part.arcs]
    priced = part.priced(den, price)
    # optimal for the old supplies under this budget's capacities and costs (the level
    # weights grow with the budget, and a filled arc may have room now): shown, not assumed
    if not _no_negative_cycle(part.net, x, priced):
        return None
    s_node, t_node = int(part.index[plus[0]]), int(part.index[minus[0]])
    path = _shortest_path(part.net, x, priced, s_node, t_node)
    if path is None:
        return None
    y = x.copy()
    for a, sign in path:
        y[a] += sign
    return y


def _residual(
    net: dict[str, np.ndarray], x: np.ndarray, cost: np.ndarray, cap: np.ndarray
) -> dict[str, np.ndarray]:
    """The residual network of flow x: arcs with room forward at their cost, arcs with flow
    backward at minus it (`arc`: the arc each comes from, `sign`: +1 forward, −1 backward)."""
    tail, head = net["tail"].astype(np.int64), net["head"].astype(np.int64)
    fwd, bwd = np.flatnonzero(x < cap), np.flatnonzero(x > 0)
    return {
        "tail": np.concatenate([tail[fwd], head[bwd]]),
        "head": np.concatenate([head[fwd], tail[bwd]]),
        "cost": np.concatenate([cost[fwd], -cost[bwd]]),
        "arc": np.concatenate([fwd, bwd]),
        "sign": np.concatenate([np.ones(len(fwd), np.int64), -np.ones(len(bwd), np.int64)]),
    }


NEVER = np.iinfo(np.int64).max


class _Outgoing:
    """The arcs out of given nodes, at once (arcs grouped by tail)."""

    def __init__(self, tail: np.ndarray, n: int) -> None:
        self.by_tail = np.argsort(tail, kind="stable")
        self.first = np.searchsorted(tail[self.by_tail], np.arange(n + 1))

    def __call__(self, nodes: np.ndarray) -> np.ndarray:
        lo = self.first[nodes]
        count = self.first[nodes + 1] - lo
        ends = np.cumsum(count)
        if not len(ends) or not ends[-1]:
            return ends[:0]
        return self.by_tail[np.arange(ends[-1]) + np.repeat(lo - (ends - count), count)]


def _bellman_ford(res: dict[str, np.ndarray], n: int, s: int) -> tuple[np.ndarray, np.ndarray]:
    """Shortest distances from s over a residual network without negative cycles, and each
    node's last arc (ties to the lowest arc). Each round relaxes at once the arcs out of the
    nodes whose distance the previous round lowered: the other arcs were relaxed from the
    same distances before and can neither lower nor tie a lowered distance, so the rounds
    are those of relaxing every arc (the same distances, the same arcs)."""
    rt, rh, rc = res["tail"], res["head"], res["cost"]
    out_of = _Outgoing(rt, n)
    dist = np.full(n, NEVER, dtype=np.int64)
    dist[s] = 0
    pred = np.full(n, -1, dtype=np.int64)
    changed = np.array([s], dtype=np.int64)
    for _ in range(n):
        live = out_of(changed)
        if not len(live):
            return dist, pred
        cand = dist[rt[live]] + rc[live]
        best = dist.copy()
        np.minimum.at(best, rh[live], cand)
        better = best < dist
        if not better.any():
            return dist, pred
        hit = better[rh[live]] & (cand == best[rh[live]])
        first = np.full(n, len(rt), dtype=np.int64)
        np.minimum.at(first, rh[live][hit], live[hit])
        pred[better] = first[better]
        dist = best
        changed = np.flatnonzero(better)
    raise ArithmeticError("a negative cycle: the flow was not optimal")  # pragma: no cover


def _shortest_path(
    net: dict[str, np.ndarray], x: np.ndarray, cost: np.ndarray, s: int, t: int
) -> list[tuple[int, int]] | None:
    """A shortest path from s to t in the residual network of flow x (optimal, so without
    negative cycles): [(arc, +1 forward or −1 backward)], or None when t cannot be
    reached."""
    res = _residual(net, x, cost, net["cap"])
    n = len(net["supply"])
    dist, pred = _bellman_ford(res, n, s)
    if dist[t] == NEVER:
        return None
    out: list[tuple[int, int]] = []
    node = t
    while node != s and len(out) <= n:
        r = int(pred[node])
        out.append((int(res["arc"][r]), int(res["sign"][r])))
        node = int(res["tail"][r])
    return out if node == s else None


CYCLE_ROUNDS = 64  # rounds of the negative-cycle check before it gives up (and hands over)


def _no_negative_cycle(net: dict[str, np.ndarray], x: np.ndarray, cost: np.ndarray) -> bool:
    """Is flow x optimal for its supplies (no negative cycle in its residual network)?
    Bellman-Ford from every node at once (`_potentials`): settling within CYCLE_ROUNDS rounds
    proves it; otherwise the answer is "not shown" (False)."""
    return _potentials(net, x, cost, CYCLE_ROUNDS) is not None


def _settle(
    part: _Part,
    den: int,
    price: np.ndarray,
    u: int,
    lo: int,
    hi: int,
    x_now: np.ndarray,
    deadline: float,
) -> QuotaSearch | None:
    """One unit u between two adjacent prices lo (over its quota) and hi (short of it), the
    other prices held: Newton's method on u's price alone (as `search` on the moves), then,
    at the breakpoint, the conformal cycles between the two flows there, chosen so that u
    lands exactly on its quota. None: that does not land; the caller hands over."""
    q = int(part.quota[u])
    ind = np.zeros(len(part.cost), dtype=np.int64)
    ind[part.into & (part.unit_of == u)] = 1
    others = price.copy()
    others[u] = 0
    g_base = part.priced(den, others)  # the cost without u's price, at denominator den

    def at(num: int, dd: int) -> tuple[np.ndarray, int, int] | None:
        p2 = others * dd
        p2[u] = num
        x = part.solve(den * dd, p2)
        if x is None:
            return None
        return x, int(g_base @ x), int(ind @ x)

    price_lo, price_hi = price.copy(), price.copy()
    price_lo[u], price_hi[u] = lo, hi
    now = (x_now, int(g_base @ x_now), int(ind @ x_now))  # the flow at the current prices
    got_lo = now if price[u] == lo else at(lo, 1)
    got_hi = now if price[u] == hi else at(hi, 1)
    if got_lo is None or got_hi is None:
        return None
    x_lo, g_lo, m_lo = got_lo
    x_hi, g_hi, m_hi = got_hi
    for x, m, pr in ((x_lo, m_lo, price_lo), (x_hi, m_hi, price_hi)):
        if m == q:
            return _proven(part, x, den, pr)
    if not (m_lo > q > m_hi):
        return None
    while part.solves < QUOTA_ROUNDS and time.perf_counter() <= deadline:
        num, dd = g_hi - g_lo, m_lo - m_hi
        g = math.gcd(num, dd)
        num, dd = num // g, dd // g
        if num == lo * dd or num == hi * dd:  # the crossing is at a price already solved
            x_at, g_at, m_at = (x_lo, g_lo, m_lo) if num == lo * dd else (x_hi, g_hi, m_hi)
            got: tuple[np.ndarray, int, int] | None = (x_at, g_at, m_at)
        else:
            got = at(num, dd)
        if got is None:
            return None
        x, gx, m = got
        final = others * dd
        final[u] = num
        value = dd * gx + num * m
        if m == q:
            return _proven(part, x, den * dd, final)
        if value < dd * g_lo + num * m_lo:  # below both lines: a new side of the bracket
            (x_lo, g_lo, m_lo), (x_hi, g_hi, m_hi) = _narrow(
                (x_lo, g_lo, m_lo), (x_hi, g_hi, m_hi), got, q
            )
            continue
        move = np.zeros(len(part.outside), dtype=np.int64)
        move[part.arcs] = ind
        walked = _walk(part.p, part.full(x_hi), part.full(x_lo), move, q - m_hi)
        if walked is None:
            return None
        w = walked[part.arcs]
        priced = part.priced(den * dd, final)
        if int(priced @ w) != int(priced @ x_hi) or int(priced @ x_lo) != int(priced @ x_hi):
            return None  # not both at the minimum: no proof
        if int(priced @ x) != int(priced @ x_hi):
            return None
        return _proven(part, w, den * dd, final)
    return None


FACE_WIDTHS = (4, 64, 1024)  # reduced costs (× the price unit) the face's LP takes in, in turn
FACE_DENOMINATORS = 1024  # the largest denominator read into the LP's prices


def _face(
    part: _Part, x: np.ndarray, den: int, price: np.ndarray, deadline: float = math.inf
) -> QuotaSearch | None:
    """Several units between two adjacent prices: the quota-constrained optimum near the
    flow x (optimal at these prices) by a linear programme on the arcs whose reduced cost
    is small, the other arcs kept as x has them; the programme's row prices on the quotas,
    read as fractions, are then the proof: the flow is checked (in integers) to be optimal at
    those prices (no negative cycle in its residual network, else the minimum of a min-cost
    flow), to keep every quota and to fill it wherever priced. Reduced costs come from the
    potentials of x. None: no width proves it before `deadline` (a wider programme is not
    started after it)."""
    net = part.net
    cost = part.priced(den, price)
    dist = _potentials(net, x, cost)
    if dist is None:
        return None
    tail, head = net["tail"].astype(np.int64), net["head"].astype(np.int64)
    reduced = cost + dist[tail] - dist[head]
    for width in FACE_WIDTHS:
        if time.perf_counter() > deadline:
            return None
        near = np.abs(reduced) <= width * den
        got = _face_lp(part, x, den, price, reduced, near, deadline)
        if got is not None:
            return got
        if near.all():
            return None
    return None


def _face_lp(
    part: _Part,
    x: np.ndarray,
    den: int,
    price: np.ndarray,
    reduced: np.ndarray,
    near: np.ndarray,
    deadline: float = math.inf,
) -> QuotaSearch | None:
    from fractions import Fraction

    from ortools.linear_solver import pywraplp

    net = part.net
    arcs = np.flatnonzero(near)
    if not len(arcs):
        return None
    tail, head, cap = net["tail"], net["head"], net["cap"]
    kept = x.copy()
    kept[arcs] = 0
    n = len(net["supply"])
    balance = np.zeros(n, dtype=np.int64)  # what the kept arcs already carry, per node
    np.add.at(balance, tail, kept)
    np.subtract.at(balance, head, kept)
    need = net["supply"] - balance
    # the objective: the weighted cost (× den) less the potentials' part, which is constant
    # over flows of the same supplies; small on these arcs, so exact in floating point
    unit_price = np.where(part.into, price[np.maximum(part.unit_of, 0)], 0)
    obj = (reduced - unit_price)[arcs]
    lp = pywraplp.Solver.CreateSolver("GLOP")
    if lp is None:  # pragma: no cover - bundled with ortools
        return None
    if deadline < math.inf:  # the programme stops with the search (then: no proof here)
        lp.SetTimeLimit(max(1, int((deadline - time.perf_counter()) * 1000)))
    v = [lp.NumVar(0.0, float(cap[a]), "") for a in arcs.tolist()]
    rows: dict[int, Any] = {}
    for i, a in enumerate(arcs.tolist()):
        for node, sign in ((int(tail[a]), 1.0), (int(head[a]), -1.0)):
            row = rows.get(node)
            if row is None:
                row = rows[node] = lp.Constraint(float(need[node]), float(need[node]), "")
            row.SetCoefficient(v[i], sign)
    if any(need[node] != 0 for node in set(range(n)) - set(rows)):
        return None
    counted = part.officials(kept)
    quotas: list[Any] = []
    for u in range(len(part.units)):
        room = int(part.quota[u] - counted[u])
        if room < 0:
            return None
        mine = np.flatnonzero(part.unit_of[arcs] == u)
        if not len(mine):
            quotas.append(None)
            continue
        row = lp.Constraint(-lp.infinity(), float(room), "")
        for i in mine.tolist():
            row.SetCoefficient(v[i], 1.0)
        quotas.append(row)
    objective = lp.Objective()
    for i, c in enumerate(obj.tolist()):
        if c:
            objective.SetCoefficient(v[i], float(c))
    objective.SetMinimization()
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    vals = np.array([var.solution_value() for var in v])
    rounded = np.rint(vals).astype(np.int64)
    if np.abs(vals - rounded).max(initial=0.0) > 1e-6:
        return None  # a fractional optimum
    y = kept
    y[arcs] = rounded
    # the rows' prices: −dual per official (in units of the weighted cost × den)
    fracs = [
        Fraction(max(0.0, -row.dual_value())).limit_denominator(FACE_DENOMINATORS)
        if row is not None
        else Fraction(0)
        for row in quotas
    ]
    scale = math.lcm(*(f.denominator for f in fracs)) if fracs else 1
    new_den = den * scale
    new_price = np.array([int(f * scale) for f in fracs], dtype=np.int64)
    if not part.finer(new_den, new_price):
        return None
    priced = part.priced(new_den, new_price)
    if not _no_negative_cycle(net, y, priced):  # not shown so: a min-cost flow decides
        best = part.solve(new_den, new_price)
        if best is None or int(priced @ y) != int(priced @ best):
            return None  # not a minimum at those prices: no proof
    return _proven(part, y, new_den, new_price)


def _potentials(
    net: dict[str, np.ndarray], x: np.ndarray, cost: np.ndarray, rounds: int | None = None
) -> np.ndarray | None:
    """Node potentials of flow x, optimal for these costs: shortest distances in its
    residual network from a source joined to every node at cost 0 (every residual arc's
    reduced cost then ≥ 0), each round relaxing the arcs out of the nodes the previous one
    lowered (as `_bellman_ford`). None: they do not settle within `rounds` (default: the
    node count and one, beyond which a negative cycle is certain: x was not optimal)."""
    res = _residual(net, x, cost, net["cap"])
    rt, rh, rc = res["tail"], res["head"], res["cost"]
    n = len(net["supply"])
    out_of = _Outgoing(rt, n)
    dist = np.zeros(n, dtype=np.int64)
    changed = np.arange(n)
    for _ in range(n + 1 if rounds is None else rounds):
        live = out_of(changed)
        if not len(live):
            return dist
        best = dist.copy()
        np.minimum.at(best, rh[live], dist[rt[live]] + rc[live])
        changed = np.flatnonzero(best < dist)
        if not len(changed):
            return dist
        dist = best
    return None


def _all_kept(part: _Part, x: np.ndarray, price: np.ndarray) -> bool:
    """Every unit within its quota, and on it wherever priced."""
    n = part.officials(x)
    return bool((n <= part.quota).all() and (n[price > 0] == part.quota[price > 0]).all())


def _keeps_quotas(part: _Part, x: np.ndarray, price: np.ndarray) -> bool:
    """Is x (the whole network's flows) a flow keeping every officials' quota, full wherever
    a price is set? Checked in integers."""
    return part.p.network.is_flow(x) and _all_kept(part, x[part.arcs], price)
