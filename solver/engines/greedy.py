"""The baselines: what the province has without a plan, and what a planner does by hand.

`as_merged` — the situation on the day of the merger, carried to the plan's date: every
official planned in a quota place stays at the unit they serve now (the successor of their old
unit), pinned officials first (province-wide), then units in code order, up to the unit's quota
and the bloc's province total; whoever does not fit is surplus (unplaced where they are). No
move, no secondee.

`greedy` — the by-hand plan:
1. the as-merged placement above;
2. fill specialty gaps, heaviest weight first then commune code: the nearest spare official
   (not kept, may relocate, within max_km) with that specialty moves, if the commune has room;
3. secondees on the remaining specialty gaps in the same order (the nearest available
   candidate with that specialty), then on the largest remaining quota shortages of the
   secondee bloc (the nearest available candidate), while the budget lasts.

They exist so planners can see what optimization adds; their plans are valid, not optimal.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from models import Freedom, SolveStatus
from solver.engines.base import Result
from solver.i18n import _
from solver.problem import (
    PLACE_COMMUNE,
    PLACE_SLOT,
    SEC_COMMUNE,
    SEC_SLOT,
    UNPLACED,
    OfficialClass,
    Problem,
    arc_index,
    flows_from_counts,
)


@dataclass
class _State:
    """Counts of a plan built by hand: arc flows per person arc, room left, needs filled."""

    p: Problem
    idx: dict[tuple[int, int, str, str], int]
    need: dict[tuple[str, str, str], int]
    weight: dict[tuple[str, str], float]
    room: dict[tuple[str, str], int]
    total_room: dict[str, int]
    person_arcs: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    filled: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    spare_left: dict[int, int] = field(default_factory=dict)

    @classmethod
    def of(cls, p: Problem, at_home: bool = False) -> _State:
        need: dict[tuple[str, str, str], int] = {}
        weight: dict[tuple[str, str], float] = {}
        for r in p.quotas.needs_in(p.blocs):
            need[(r.commune, r.bloc, r.specialty)] = r.need
            weight[(r.bloc, r.specialty)] = r.weight
        return cls(
            p,
            arc_index(p, at_home),
            need,
            weight,
            {(c, b): p.quota(c, b) for b in p.blocs for c in p.communes},
            {b: (t if t is not None else 1 << 40) for b in p.blocs for t in [p.total(b)]},
        )

    def place(self, owner: int, c: str, b: str, specs: tuple[str, ...], secondee: bool) -> None:
        for s in specs:
            if self.filled[(c, b, s)] < self.need.get((c, b, s), 0):
                self.filled[(c, b, s)] += 1
                kind = SEC_SLOT if secondee else PLACE_SLOT
                self.person_arcs[self.idx[(kind, owner, c, s)]] += 1
                return
        kind = SEC_COMMUNE if secondee else PLACE_COMMUNE
        self.person_arcs[self.idx[(kind, owner, c, "")]] += 1

    def keep_in_place(self) -> bool:
        """Everyone where they serve now, up to the quota and the total; False when the
        pinned officials alone do not fit."""
        p = self.p

        def must(k: OfficialClass) -> bool:
            return k.freedom == Freedom.pinned or k.assign is not None

        order = sorted(p.classes, key=lambda k: (not must(k), k.current, k.index))
        for k in order:
            n = len(k.members)
            at = k.assign if k.assign is not None else k.current
            here = (at, k.bloc)
            if must(k):
                if n > self.room[here] or n > self.total_room[k.bloc]:
                    return False
                keep = n
            elif k.keep_unplaced or k.current in k.forbid:
                keep = 0
            else:
                keep = max(0, min(n, self.room[here], self.total_room[k.bloc]))
            for _i in range(keep):
                self.place(k.index, at, k.bloc, k.specialties, False)
            self.room[here] -= keep
            self.total_room[k.bloc] -= keep
            if keep < n:
                self.spare_left[k.index] = n - keep
        return True

    def gaps(self) -> list[tuple[str, str, str]]:
        return sorted(self.need, key=lambda key: (-self.weight[(key[1], key[2])], key[0], key[2]))

    def result(self, engine: str, t0: float, message: str) -> Result:
        for ki, left in self.spare_left.items():
            if left:
                self.person_arcs[self.idx[(UNPLACED, ki, "", "")]] += left
        flows = flows_from_counts(self.p, dict(self.person_arcs))
        return Result(
            engine,
            SolveStatus.FEASIBLE,
            self.p.network.level_values(flows),
            {},
            {"solve": time.perf_counter() - t0},
            flows,
            message=message,
            method="baseline",
        )


def as_merged(p: Problem) -> Result:
    """The as-merged situation as a plan (see the module doc)."""
    t0 = time.perf_counter()
    st = _State.of(p, at_home=True)  # nobody moves: only the arcs at home are used
    if not st.keep_in_place():
        return Result(
            "as-merged", SolveStatus.INFEASIBLE, seconds={"solve": time.perf_counter() - t0}
        )
    return st.result("as-merged", t0, _("as merged: nobody moves, no secondee (the baseline)"))


def solve(p: Problem) -> Result:
    """The by-hand plan (see the module doc)."""
    t0 = time.perf_counter()
    st = _State.of(p)
    if not st.keep_in_place():
        return Result("greedy", SolveStatus.INFEASIBLE, seconds={"solve": time.perf_counter() - t0})
    _movers_on_gaps(st)
    _secondees_on_gaps(st)
    return st.result("greedy", t0, _("by-hand baseline: a valid plan, not an optimum"))


def _movers_on_gaps(st: _State) -> None:
    p = st.p
    by_index = {k.index: k for k in p.classes}
    for c, b, s in st.gaps():
        while (
            st.filled[(c, b, s)] < st.need[(c, b, s)]
            and st.room[(c, b)] > 0
            and st.total_room[b] > 0
        ):
            best = None
            for ki, left in st.spare_left.items():
                k = by_index[ki]
                if (
                    left <= 0
                    or k.freedom != Freedom.movable
                    or k.bloc != b
                    or s not in k.specialties
                    or k.keep_unplaced
                    or c in k.forbid
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
            st.spare_left[ki] -= 1
            st.filled[(c, b, s)] += 1
            st.person_arcs[st.idx[(PLACE_SLOT, ki, c, s)]] += 1
            st.room[(c, b)] -= 1
            st.total_room[b] -= 1


def _secondees_on_gaps(st: _State) -> None:
    """Secondees on specialty gaps, then on quota shortages, nearest first."""
    p = st.p
    sec_left = {q.index: len(q.members) for q in p.secondee_classes}
    budget = p.budget
    b = p.secondee_bloc
    extra = not p.secondees_in_quota  # a secondee needs no quota place when outside it

    for q in p.secondee_classes:  # decided secondees first, where decided (else at base)
        at = q.forced_to or q.base
        for _i in range(len(q.members) if q.forced else 0):
            sec_left[q.index] -= 1
            budget -= 1
            st.room[(at, b)] -= 1
            st.place(q.index, at, b, (q.specialty,), True)

    def nearest(c: str, specialty: str | None) -> int | None:
        best = None
        for q in p.secondee_classes:
            if (
                sec_left[q.index] <= 0
                or q.forced
                or (specialty is not None and q.specialty != specialty)
            ):
                continue
            d = p.km[(q.base, c)]
            if q.max_km is not None and d > q.max_km:
                continue
            if best is None or (d, q.index) < best:
                best = (d, q.index)
        return None if best is None else best[1]

    for c, bb, s in st.gaps():
        if bb != b:
            continue
        while budget > 0 and st.filled[(c, b, s)] < st.need[(c, b, s)]:
            if not extra and st.room[(c, b)] <= 0:
                break
            qi = nearest(c, s)
            if qi is None:
                break
            sec_left[qi] -= 1
            budget -= 1
            st.filled[(c, b, s)] += 1
            st.room[(c, b)] -= 1
            st.person_arcs[st.idx[(SEC_SLOT, qi, c, s)]] += 1
    # the remaining budget on the largest quota shortages (room left), code order on ties
    while budget > 0:
        short = sorted(
            ((-st.room[(c, b)], c) for c in p.communes if st.room[(c, b)] > 0),
        )
        placed = False
        for _room, c in short:
            qi = nearest(c, None)
            if qi is None:
                continue
            sec_left[qi] -= 1
            budget -= 1
            st.room[(c, b)] -= 1
            spec = next(q.specialty for q in p.secondee_classes if q.index == qi)
            st.place(qi, c, b, (spec,), True)
            placed = True
            break
        if not placed:
            break
