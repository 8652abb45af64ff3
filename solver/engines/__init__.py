"""The engines, behind one seam: `solve(problem, engine, time_limit) -> Result`.

`flow` (exact min-cost flow, the default), `general` (staged integer program with side
constraints), `greedy` (the by-hand baseline). `solve` picks the engine and hands a problem
the network cannot hold (a binding `max_moves`, weights too large for exact integer costs)
from the flow engine to the general one. No other module picks an engine.
"""

from __future__ import annotations

from solver.engines.base import Result
from solver.problem import Problem

ENGINES = ("flow", "general", "greedy")


def solve(p: Problem, engine: str = "flow", time_limit: float | None = None) -> Result:
    """Solve a prepared problem with the named engine; never raises on infeasibility."""
    order = list(p.scenario.config.objective)
    limit = p.scenario.config.time_limit if time_limit is None else time_limit
    if engine == "flow":
        from solver.engines import flow

        r = flow.solve(p, order)
        needs_general = r.status == "ERROR" or (
            p.max_moves is not None
            and r.ok
            and r.flows is not None
            and p.moves(r.flows) > p.max_moves
        )
        if not needs_general:
            return r
        from solver.engines import general

        g = general.solve(p, order, limit, warm=r.flows if r.ok else None)
        g.message = (
            f"flow engine: {r.message or 'max_moves is a side constraint'}; "
            "solved by the general engine"
        )
        return g
    if engine == "general":
        from solver.engines import general

        return general.solve(p, order, limit)
    if engine == "greedy":
        from solver.engines import greedy

        return greedy.solve(p)
    raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")


__all__ = ["ENGINES", "Result", "solve"]
