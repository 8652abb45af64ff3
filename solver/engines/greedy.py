"""The by-hand baseline: what a planner does without optimization.

1. Keep everyone in their current commune, pinned officials first (province-wide), then
   communes in code order, up to the commune's quota and the province total.
2. Fill specialty gaps, heaviest weight first then commune code: the nearest spare official
   (not kept, may relocate, within max_km) with that specialty moves, if the commune has room.
3. Place secondees on the remaining gaps in the same order: the nearest available candidate
   with that specialty, while the budget lasts.

It exists so planners can see what optimization adds; its plan is valid but not optimal.
"""

from __future__ import annotations

import time
from collections import defaultdict

from models import Freedom, SolveStatus
from solver.engines.base import Result
from solver.problem import (
    PLACE_COMMUNE,
    PLACE_SLOT,
    SEC_COMMUNE,
    SEC_SLOT,
    UNPLACED,
    Problem,
    arc_index,
    flows_from_counts,
)


def solve(p: Problem) -> Result:
    t0 = time.perf_counter()
    idx = arc_index(p)
    need: dict[tuple[str, str, str], int] = {}
    weight: dict[tuple[str, str], float] = {}
    for r in p.quotas.needs_in(p.blocs):
        need[(r.commune, r.bloc, r.specialty)] = r.need
        weight[(r.bloc, r.specialty)] = r.weight
    room = {(c, b): p.quota(c, b) for b in p.blocs for c in p.communes}
    total_room = {b: (t if t is not None else 1 << 40) for b in p.blocs for t in [p.total(b)]}
    person_arcs: dict[int, int] = defaultdict(int)
    filled: dict[tuple[str, str, str], int] = defaultdict(int)

    def place(kind_owner: int, c: str, b: str, specs: tuple[str, ...], secondee: bool) -> None:
        for s in specs:
            if filled[(c, b, s)] < need.get((c, b, s), 0):
                filled[(c, b, s)] += 1
                kind = SEC_SLOT if secondee else PLACE_SLOT
                person_arcs[idx[(kind, kind_owner, c, s)]] += 1
                return
        kind = SEC_COMMUNE if secondee else PLACE_COMMUNE
        person_arcs[idx[(kind, kind_owner, c, "")]] += 1

    # 1. keep people where they are
    spare: list[tuple[int, int]] = []  # (class index, how many)
    # pinned officials first, province-wide: they must stay whatever else happens
    order = sorted(p.classes, key=lambda k: (k.freedom != Freedom.pinned, k.current, k.index))
    for k in order:
        n = len(k.members)
        if k.freedom == Freedom.pinned:
            if n > room[(k.current, k.bloc)] or n > total_room[k.bloc]:
                return Result(
                    "greedy", SolveStatus.INFEASIBLE, seconds={"solve": time.perf_counter() - t0}
                )
            keep = n
        else:
            keep = max(0, min(n, room[(k.current, k.bloc)], total_room[k.bloc]))
        for _ in range(keep):
            place(k.index, k.current, k.bloc, k.specialties, False)
        room[(k.current, k.bloc)] -= keep
        total_room[k.bloc] -= keep
        if keep < n:
            spare.append((k.index, n - keep))
    spare_left = dict(spare)
    by_index = {k.index: k for k in p.classes}

    # 2. fill specialty gaps with the nearest spare mover
    gaps = sorted(need, key=lambda key: (-weight[(key[1], key[2])], key[0], key[2]))
    for c, b, s in gaps:
        while filled[(c, b, s)] < need[(c, b, s)] and room[(c, b)] > 0 and total_room[b] > 0:
            best = None
            for ki, left in spare_left.items():
                k = by_index[ki]
                if (
                    left <= 0
                    or k.freedom != Freedom.movable
                    or k.bloc != b
                    or s not in k.specialties
                ):
                    continue
                d = p.km[(k.current, c)]
                if k.max_km is not None and d > k.max_km:
                    continue
                if best is None or (d, ki) < best:
                    best = (d, ki)
            if best is None:
                break
            ki = best[1]
            spare_left[ki] -= 1
            filled[(c, b, s)] += 1
            person_arcs[idx[(PLACE_SLOT, ki, c, s)]] += 1
            room[(c, b)] -= 1
            total_room[b] -= 1
    for ki, left in spare_left.items():
        if left:
            person_arcs[idx[(UNPLACED, ki, "", "")]] += left

    # 3. secondees on the remaining gaps
    sec_left = {q.index: len(q.members) for q in p.secondee_classes}
    budget = p.budget
    sec_bloc = p.secondee_bloc
    for c, b, s in gaps:
        if b != sec_bloc:
            continue
        while budget > 0 and filled[(c, b, s)] < need[(c, b, s)] and room[(c, b)] > 0:
            best = None
            for q in p.secondee_classes:
                if sec_left[q.index] <= 0 or q.specialty != s:
                    continue
                d = p.km[(q.base, c)]
                if q.max_km is not None and d > q.max_km:
                    continue
                if best is None or (d, q.index) < best:
                    best = (d, q.index)
            if best is None:
                break
            sec_left[best[1]] -= 1
            budget -= 1
            filled[(c, b, s)] += 1
            room[(c, b)] -= 1
            person_arcs[idx[(SEC_SLOT, best[1], c, s)]] += 1
    flows = flows_from_counts(p, dict(person_arcs))
    levels = p.network.level_values(flows)
    return Result(
        "greedy",
        SolveStatus.FEASIBLE,
        levels,
        {},
        {"solve": time.perf_counter() - t0},
        flows,
        message="by-hand baseline: a valid plan, not an optimum",
        method="heuristic",
    )
