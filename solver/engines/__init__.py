"""The engines, behind one seam: `solve(problem, engine, time_limit) -> Result`.

`flow` (exact min-cost flow, the default), `general` (staged integer program with side
constraints), `greedy` (the by-hand baseline), `as-merged` (nobody moves, no secondee: the
situation every plan is compared with). `solve` picks the engine and hands a problem
the network cannot hold (a binding `max_moves`, weights too large for exact integer costs)
from the flow engine to the general one: a binding `max_moves`, a relaxation optimum that
places more officials than a quota where secondees are extra (see solver/problem.py), weights
too large for exact integer costs. No other module picks an engine.
"""

from __future__ import annotations

from solver.engines.base import Result
from solver.problem import Problem

ENGINES = ("flow", "general", "greedy", "as-merged")


def solve(p: Problem, engine: str = "flow", time_limit: float | None = None) -> Result:
    """Solve a prepared problem with the named engine; never raises on infeasibility."""
    order = list(p.order)
    limit = p.scenario.config.time_limit if time_limit is None else time_limit
    if engine == "flow":
        from solver.engines import flow

        r = flow.solve(p, order)
        why = _side_constraint_binds(p, r)
        if why is None:
            return r
        from solver.engines import general

        g = general.solve(p, order, limit, warm=r.flows if r.ok else None)
        note = f"flow engine: {why}; solved by the general engine"
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
    if p.max_moves is not None and p.moves(r.flows) > p.max_moves:
        return "max_moves is a side constraint"
    over = p.over_quota(r.flows)
    if over:
        c, b, n, q = over[0]
        return (
            f"its relaxation places more officials than the quota in {len(over)} unit(s) "
            f"(e.g. {c}, {b} bloc: {n} > {q})"
        )
    return None


__all__ = ["ENGINES", "Result", "solve"]
