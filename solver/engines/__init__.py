"""The engines, behind one seam: `solve(problem, engine, time_limit) -> Result`.

`flow` (exact min-cost flow, the default), `general` (staged integer program with side
constraints), `greedy` (the by-hand baseline), `as-merged` (nobody moves, no secondee: the
situation every plan is compared with). `solve` picks the engine. A binding `max_moves` is
solved on the flow by a Lagrangian search (solver/engines/lagrange.py), proven optimal when it
lands on the limit. The flow engine hands to the general one what the network cannot hold: a
relaxation optimum that places more officials than a quota where secondees are extra (see
solver/problem.py), a `max_moves` the search cannot settle (with its best plan as warm start),
weights too large for exact integer costs. No other module picks an engine.
"""

from __future__ import annotations

import time

from models import SolveStatus
from solver.engines import lagrange
from solver.engines.base import Result
from solver.engines.lagrange import Search
from solver.problem import Problem

ENGINES = ("flow", "general", "greedy", "as-merged")
MAX_MOVES = "max_moves is a side constraint"


def _lagrangian(p: Problem, order: list[str], plain: Result, deadline: float) -> Result | Search:
    """The flow engine's answer under a binding max_moves, proven by the Lagrangian search,
    or the search's stop (its best flow within max_moves goes to the general engine)."""
    t0 = time.perf_counter()
    found = lagrange.search(p, order, deadline)
    seconds = {**plain.seconds, "lagrangian": time.perf_counter() - t0}
    if not found.proven or found.flows is None or p.over_quota(found.flows):
        if found.proven:
            found.why = "its flow breaks the officials' quota where secondees are extra"
            found.proven = False
        return found
    levels = p.network.level_values(found.flows)
    return Result(
        "flow",
        SolveStatus.OPTIMAL,
        levels,
        dict(levels),
        seconds,
        found.flows,
        message=f"max_moves held exactly by a price per move of {found.price_in(p, order)} "
        f"(Lagrangian search, {found.solves} flows)",
        method="Lagrangian",
    )


def solve(p: Problem, engine: str = "flow", time_limit: float | None = None) -> Result:
    """Solve a prepared problem with the named engine; never raises on infeasibility."""
    order = list(p.order)
    limit = p.scenario.config.time_limit if time_limit is None else time_limit
    if engine == "flow":
        from solver.engines import flow

        t0 = time.perf_counter()
        r = flow.solve(p, order)
        why = _side_constraint_binds(p, r)
        if why is None:
            return r
        warm = r.flows if r.ok else None
        notes = []
        before = {"flow (relaxation)": r.seconds.get("flow", 0.0)}
        if why == MAX_MOVES:
            t1 = time.perf_counter()
            found = _lagrangian(p, order, r, t0 + limit)
            if isinstance(found, Result):
                return found
            before["lagrangian"] = time.perf_counter() - t1
            warm = found.flows
            notes.append(
                f"flow engine: the Lagrangian search on max_moves stopped after {found.solves} "
                f"flows ({found.why})"
            )
        else:
            notes.append(f"flow engine: {why}")
        from solver.engines import general

        g = general.solve(p, order, max(0.0, limit - (time.perf_counter() - t0)), warm=warm)
        g.seconds = before | g.seconds
        note = "; ".join(notes) + "; solved by the general engine"
        g.message = f"{note}; {g.message}" if g.message else note
        return g
    if engine == "general":
        from solver.engines import general

        return general.solve(p, order, limit)
    if engine == "greedy":
        from solver.engines import greedy

        return greedy.solve(p)
    if engine == "as-merged":
        from solver.engines import greedy

        return greedy.as_merged(p)
    raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")


def _side_constraint_binds(p: Problem, r: Result) -> str | None:
    """Why the flow engine's answer is not the answer (None: it is)."""
    if r.status == "ERROR":
        return r.message
    if not r.ok or r.flows is None:
        return None
    over = p.over_quota(r.flows)
    if over:
        c, b, n, q = over[0]
        return (
            f"its relaxation places more officials than the quota in {len(over)} unit(s) "
            f"(e.g. {c}, {b} bloc: {n} > {q})"
        )
    if p.max_moves is not None and p.moves(r.flows) > p.max_moves:
        return MAX_MOVES
    return None


__all__ = ["ENGINES", "Result", "solve"]
