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

import numpy as np

from models import SolveStatus
from solver import i18n
from solver.engines import lagrange
from solver.engines.base import Result
from solver.engines.lagrange import Search
from solver.i18n import N_, _, render
from solver.problem import Problem

ENGINES = ("flow", "general", "greedy", "as-merged")
MAX_MOVES = "max_moves is a side constraint"  # a marker, never shown
# the share of the time limit the officials' quota search may use before it hands over, so
# that the general engine keeps the rest
SEARCH_SHARE = 0.5


def _lagrangian(p: Problem, order: list[str], plain: Result, deadline: float) -> Result | Search:
    """The flow engine's answer under a binding max_moves, proven by the Lagrangian search,
    or the search's stop (its best flow within max_moves goes to the general engine)."""
    t0 = time.perf_counter()
    found = lagrange.search(p, order, deadline)
    seconds = {**plain.seconds, "lagrangian": time.perf_counter() - t0}
    if not found.proven or found.flows is None or p.over_quota(found.flows):
        if found.proven:
            found.why = N_("its flow breaks the officials' quota where secondees are extra")
            found.proven = False
        return found
    what = _(
        "max_moves held exactly by a price per move of {price} (Lagrangian search, {flows} flows)"
    ).format(price=found.price_in(p, order), flows=found.solves)
    return _proven(p, found.flows, seconds, what, "Lagrangian")


def _proven(
    p: Problem,
    flows: np.ndarray,
    seconds: dict[str, float],
    message: str,
    method: str,
    certificate: object = None,
) -> Result:
    """A flow the engine has proven optimal: every level's bound is its value."""
    levels = p.network.level_values(flows)
    return Result(
        "flow",
        SolveStatus.OPTIMAL,
        levels,
        dict(levels),
        seconds,
        flows,
        message=message,
        method=method,
        certificate=certificate,
    )


def _quota(
    p: Problem,
    order: list[str],
    outside: np.ndarray,
    deadline: float,
    before: dict[str, float],
    start: lagrange.QuotaSearch | None = None,
) -> Result | lagrange.QuotaSearch:
    """The flow engine's answer under the officials' quota where secondees are extra, proven
    by the quota search on the secondee bloc's part of the network, or the search's stop."""
    t0 = time.perf_counter()
    found = lagrange.quota_search(p, order, outside, deadline, start)
    seconds = {**before, "quota search": time.perf_counter() - t0}
    if not found.proven or found.flows is None:
        return found
    units, top = found.price_range(p, order)
    what = (
        _(
            "the officials' quota held by prices per official ({units} unit(s) priced, at most "
            "{price} per official; Lagrangian search, {flows} flows on the secondee bloc's part)"
        ).format(units=units, price=top, flows=found.solves)
        if units
        else _("the secondee bloc's part solved on its own keeps the officials' quota")
    )
    method = "Lagrangian" if units else "weights"
    return _proven(p, found.flows, seconds, what, method, found)


def _quota_alone(p: Problem) -> bool:
    """Whether the officials' quota is the only side constraint (then the quota search on
    the secondee bloc's part decides it)."""
    return bool(p.official_caps) and p.max_moves is None


def solve(
    p: Problem,
    engine: str = "flow",
    time_limit: float | None = None,
    outside: np.ndarray | None = None,
    start: lagrange.QuotaSearch | None = None,
) -> Result:
    """Solve a prepared problem with the named engine; never raises on infeasibility.

    `outside`: an optimal flow of the same network at another secondee budget (a budget
    sweep). Where the officials' quota is the only side constraint, the parts of the network
    it does not touch keep that flow (their optimum does not depend on the budget) and only
    the secondee bloc's part is solved; its levels are those of a fresh solve. `start`: the
    `certificate` of such a solve at a neighbouring budget, to start the quota search from
    (the levels are proven the same; the plan may be another equally good one)."""
    order = list(p.order)
    limit = p.scenario.config.time_limit if time_limit is None else time_limit
    if engine == "flow":
        from solver.engines import flow

        t0 = time.perf_counter()
        if outside is not None and _quota_alone(p):
            alone = _quota(p, order, outside, t0 + limit * SEARCH_SHARE, {}, start)
            if isinstance(alone, Result):
                return alone
        r = flow.solve(p, order)
        search: lagrange.QuotaSearch | None = None
        t_search = 0.0
        if r.ok and r.flows is not None and _quota_alone(p):
            t1 = time.perf_counter()
            quota = _quota(p, order, r.flows, t0 + limit * SEARCH_SHARE, r.seconds)
            if isinstance(quota, Result):
                return quota
            search, t_search = quota, time.perf_counter() - t1
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
                _(
                    "flow engine: the Lagrangian search on max_moves stopped after {flows} "
                    "flows ({why})"
                ).format(flows=found.solves, why=render(found.why))
            )
        else:
            notes.append(_("flow engine: {why}").format(why=why))
            if search is not None:
                before["quota search"] = t_search
                notes.append(
                    _("the quota search stopped after {flows} flows ({why})").format(
                        flows=search.solves, why=render(search.why)
                    )
                )
        from solver.engines import general

        g = general.solve(p, order, max(0.0, limit - (time.perf_counter() - t0)), warm=warm)
        g.seconds = before | g.seconds
        note = "; ".join([*notes, _("solved by the general engine")])
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


def budget_free_flows(p: Problem, engine: str) -> np.ndarray | None:
    """For a budget sweep: the relaxation's optimum, whose parts the officials' quota does
    not touch (the blocs no secondee reaches) are optimal at every budget: `solve`'s
    `outside`. None where that does not apply (another engine, or `max_moves`)."""
    if engine != "flow" or not _quota_alone(p):
        return None
    from solver.engines import flow

    r = flow.solve(p, list(p.order))
    return r.flows if r.ok else None


def _side_constraint_binds(p: Problem, r: Result) -> str | None:
    """Why the flow engine's answer is not the answer (None: it is)."""
    if r.status == "ERROR":
        return r.message
    if not r.ok or r.flows is None:
        return None
    over = p.over_quota(r.flows)
    if over:
        c, b, n, q = over[0]
        return _(
            "its relaxation places more officials than the quota in {count} unit(s) "
            "(e.g. {unit}, {bloc} bloc: {officials} > {quota})"
        ).format(count=len(over), unit=c, bloc=i18n.label("bloc", b), officials=n, quota=q)
    if p.max_moves is not None and p.moves(r.flows) > p.max_moves:
        return MAX_MOVES
    return None


__all__ = ["ENGINES", "Result", "budget_free_flows", "solve"]
