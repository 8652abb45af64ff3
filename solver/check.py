"""A validator that knows nothing of the engines.

From the scenario, its rule set and a plan, it recomputes every hard rule and every objective
level. Each rule is a named step below; `RULES` lists them for the docs and the tests:

- every person appears exactly once, and nobody else;
- each official's status fits the person (intention, scope), `from` is where they work now;
- a placed official goes to a real unit, stays or moves consistently with `from`/`to`,
  respects pinned, can_relocate and max_km, carries the right km, fills one of their
  specialties;
- a seconded candidate is available on the date, goes to a real unit within max_km, carries
  the right km, fills their own specialty;
- the secondee budget, max_moves, every unit's quota (its officials; officials and secondees
  where the rule set counts secondees in the quota) and every bloc's province total (officials
  only) hold;
- an official of a category that holds no quota place is kept where they work
  (outside_quota);
- the three levels match what metrics.json reports (`check`).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from models import (
    ELSEWHERE,
    OFFICIAL_STATUSES,
    SECONDEE_STATUSES,
    Baseline,
    Level,
    Official,
    PersonKind,
    Plan,
    PlanRow,
    PlanStatus,
    QuotaTable,
    Scenario,
    Secondee,
    outcome,
)
from models.problems import Msg, msg
from models.rules import RuleSet, resolve_scope
from solver import quotas as quota_engine
from solver.geo import distance_table

RULES = (
    "each person once",
    "official status",
    "official placement",
    "secondee placement",
    "secondee budget",
    "max_moves",
    "unit quota",
    "province total",
    "reported levels",
)


@dataclass
class CheckReport:
    violations: list[str | Msg] = field(default_factory=list)
    levels: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.violations


@dataclass
class _Tally:
    """What the plan's rows add up to."""

    placed: Counter[tuple[str, str]] = field(default_factory=Counter)
    seconded: Counter[tuple[str, str]] = field(default_factory=Counter)
    placed_bloc: Counter[str] = field(default_factory=Counter)
    fills: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    status: Counter[str] = field(default_factory=Counter)
    disruption: int = 0
    moves: int = 0
    used: int = 0


class _Checker:
    def __init__(self, scenario: Scenario, rule_set: RuleSet) -> None:
        self.s = scenario
        self.rs = rule_set
        self.cfg = scenario.config
        self.scope = resolve_scope(self.cfg, rule_set)
        self.blocs = {b.value for b in self.scope.blocs}
        self.in_quota = rule_set.secondees.in_quota
        self.quotas: QuotaTable = quota_engine.compute(scenario, rule_set, list(self.scope.blocs))
        self.km = distance_table(scenario)
        self.codes = {c.code for c in scenario.communes}
        self.bad: list[str | Msg] = []
        self.t = _Tally()

    # --- each person once ---
    def each_person_once(self, plan: Plan) -> None:
        ids = Counter(r.id for r in plan)
        off = {p.id for p in self.s.officials}
        sec = {x.id for x in self.s.secondees}
        for pid in sorted(k for k, n in ids.items() if n > 1):  # only the repeated ones
            self.bad.append(msg("{pid} appears {n} times in the plan", pid=pid, n=ids[pid]))
        for pid in sorted(off - set(ids)):
            self.bad.append(msg("official {pid} is missing from the plan", pid=pid))
        for pid in sorted(sec - set(ids)):
            self.bad.append(msg("secondee candidate {pid} is missing from the plan", pid=pid))
        for pid in sorted(set(ids) - off - sec):
            self.bad.append(msg("{pid} is in the plan but not in the scenario", pid=pid))

    # --- officials ---
    def official(self, p: Official, r: PlanRow) -> None:
        if self.official_status(p, r):
            self.official_placement(p, r)

    def official_status(self, p: Official, r: PlanRow) -> bool:
        """The status fits the person; True when the row is a placement to check further."""
        pid, status = p.id, r.status
        cur = self.s.current_of(p)
        if status not in OFFICIAL_STATUSES:
            self.bad.append(
                msg(
                    "{pid}: status {status_value!r} is not an official's status",
                    pid=pid,
                    status_value=status.value,
                )
            )
            return False
        if r.from_ != cur:
            self.bad.append(
                msg("{pid}: from {r_from} but works at {cur}", pid=pid, r_from=r.from_, cur=cur)
            )
        scope = self.scope.of(p)
        leaving = scope is not None and scope[0] == PlanStatus.leaves
        outside = scope is not None and scope[0] == PlanStatus.out_of_scope
        kept = scope is not None and scope[0] == PlanStatus.outside_quota
        if leaving != (status == PlanStatus.leaves):
            self.bad.append(
                msg(
                    "{pid}: intention {p_intention_value} but status {status_value}",
                    pid=pid,
                    p_intention_value=p.intention.value,
                    status_value=status.value,
                )
            )
            return False
        if not leaving and outside != (status == PlanStatus.out_of_scope):
            self.bad.append(
                msg(
                    "{pid}: scope mismatch (status {status_value})",
                    pid=pid,
                    status_value=status.value,
                )
            )
            return False
        if not leaving and kept != (status == PlanStatus.outside_quota):
            self.bad.append(
                f"{pid}: category {p.category.value} "
                + ("holds no" if kept else "holds a")
                + f" quota place, but status {status.value}"
            )
            return False
        if status == PlanStatus.outside_quota:
            if r.to != cur or r.km:
                self.bad.append(
                    msg(
                        "{pid}: kept outside the quota, but to {r_to!r} (works at {cur})",
                        pid=pid,
                        r_to=r.to,
                        cur=cur,
                    )
                )
            return False
        if not status.placed:
            if r.to:
                self.bad.append(
                    msg(
                        "{pid}: status {status_value} but a destination {r_to}",
                        pid=pid,
                        status_value=status.value,
                        r_to=r.to,
                    )
                )
            if p.pinned and status == PlanStatus.unplaced:
                self.bad.append(msg("{pid}: pinned but unplaced", pid=pid))
            return False
        return True

    def official_placement(self, p: Official, r: PlanRow) -> None:
        pid, to = p.id, r.to
        cur = self.s.current_of(p)
        if to not in self.codes:
            self.bad.append(msg("{pid}: destination {to!r} is not a unit", pid=pid, to=to))
            return
        if (r.status == PlanStatus.stays) != (to == cur):
            self.bad.append(
                msg(
                    "{pid}: status {r_status_value} with from {cur} and to {to}",
                    pid=pid,
                    r_status_value=r.status.value,
                    cur=cur,
                    to=to,
                )
            )
        if to != cur and not self.s.relocatable(p):
            self.bad.append(
                msg(
                    "{pid}: moved to {to} but is {pinned_if_p_pinned_else_not_movable}",
                    pid=pid,
                    to=to,
                    pinned_if_p_pinned_else_not_movable="pinned" if p.pinned else "not movable",
                )
            )
        d = self.km[(cur, to)]
        reach = self.s.reach_km(p)
        if reach is not None and to != cur and d > reach:
            self.bad.append(
                msg(
                    "{pid}: moved {d} km, more than its limit of {reach:g} km",
                    pid=pid,
                    d=d,
                    reach=reach,
                )
            )
        if r.km != d:
            self.bad.append(
                msg("{pid}: km {r_km} but the distance is {d}", pid=pid, r_km=r.km, d=d)
            )
        if r.fills not in (p.specialty, *p.specialties):
            self.bad.append(
                msg(
                    "{pid}: fills {r_fills!r}, not one of its specialties", pid=pid, r_fills=r.fills
                )
            )
        b = p.bloc.value
        self.t.placed[(to, b)] += 1
        self.t.placed_bloc[b] += 1
        self.t.fills[(to, b, r.fills)] += 1
        if to != cur:
            self.t.moves += 1
            self.t.disruption += d

    # --- secondees ---
    def secondee(self, x: Secondee, r: PlanRow) -> None:
        pid, to = x.id, r.to
        if r.status not in SECONDEE_STATUSES:
            self.bad.append(
                msg(
                    "{pid}: status {r_status_value!r} is not a secondee's status",
                    pid=pid,
                    r_status_value=r.status.value,
                )
            )
            return
        if r.status == PlanStatus.not_selected:
            return
        self.t.used += 1
        why = self.s.secondee_excluded(x)
        if why is not None:
            self.bad.append(
                msg(
                    "{pid}: seconded but {str_why_removeprefix_not_selected}",
                    pid=pid,
                    str_why_removeprefix_not_selected=str(why).removeprefix("not selected: "),
                )
            )
        if to not in self.codes:
            self.bad.append(msg("{pid}: destination {to!r} is not a unit", pid=pid, to=to))
            return
        d = self.km[(x.base, to)]
        if x.max_km is not None and d > x.max_km:
            self.bad.append(
                msg(
                    "{pid}: seconded {d} km from base, more than its max_km {x_max_km:g}",
                    pid=pid,
                    d=d,
                    x_max_km=x.max_km,
                )
            )
        if r.km != d:
            self.bad.append(
                msg("{pid}: km {r_km} but the distance is {d}", pid=pid, r_km=r.km, d=d)
            )
        if r.fills != x.specialty:
            self.bad.append(
                msg(
                    "{pid}: fills {r_fills!r}, not its specialty {x_specialty}",
                    pid=pid,
                    r_fills=r.fills,
                    x_specialty=x.specialty,
                )
            )
        b = self.cfg.secondee_bloc.value
        self.t.seconded[(to, b)] += 1
        self.t.fills[(to, b, x.specialty)] += 1
        self.t.disruption += d + self.cfg.secondee_cost

    # --- limits ---
    def limits(self) -> int:
        """Budget, max_moves, quotas and province totals; returns the quota shortage."""
        cfg, t = self.cfg, self.t
        if t.used > cfg.secondee_budget:
            self.bad.append(
                msg(
                    "{t_used} secondees used, more than the budget of {cfg_secondee_budget}",
                    t_used=t.used,
                    cfg_secondee_budget=cfg.secondee_budget,
                )
            )
        if cfg.max_moves is not None and t.moves > cfg.max_moves:
            self.bad.append(
                msg(
                    "{t_moves} officials moved, more than max_moves {cfg_max_moves}",
                    t_moves=t.moves,
                    cfg_max_moves=cfg.max_moves,
                )
            )
        quota = self.quotas.quotas()
        short = 0
        for b in sorted(self.blocs):
            for c in sorted(self.codes):
                qv = quota[(c, b)]
                o, s = t.placed[(c, b)], t.seconded[(c, b)]
                if self.in_quota and o + s > qv:
                    self.bad.append(
                        msg(
                            "commune {c}, {b} bloc: {o} officials and {s} secondees placed, "
                            "above its quota {qv} (rule set {self_rs_name} counts secondees in "
                            "the quota)",
                            c=c,
                            b=b,
                            o=o,
                            s=s,
                            qv=qv,
                            self_rs_name=self.rs.name,
                        )
                    )
                elif o > qv:
                    self.bad.append(
                        msg(
                            "commune {c}, {b} bloc: {o} officials placed, above its quota {qv}",
                            c=c,
                            b=b,
                            o=o,
                            qv=qv,
                        )
                    )
                short += max(0, qv - o - s)
            total = self.quotas.total(b)
            if total is not None and t.placed_bloc[b] > total:
                self.bad.append(
                    msg(
                        "{b} bloc: {t_placed_bloc_b} officials placed, above the province total "
                        "{total}",
                        b=b,
                        t_placed_bloc_b=t.placed_bloc[b],
                        total=total,
                    )
                )
        return short

    def specialty_shortage(self) -> float:
        return sum(
            n.weight * max(0, n.need - self.t.fills[(n.commune, n.bloc, n.specialty)])
            for n in self.quotas.needs
            if n.bloc in self.blocs
        )


def decisions_kept(scenario: Scenario, plan: Plan) -> list[str | Msg]:
    """A violation for each decision of decisions.csv the plan does not keep."""
    rows = plan.by_id()
    bad: list[str | Msg] = []
    for i, d in enumerate(scenario.decisions):
        r = rows.get(d.id)
        if r is None:
            continue  # reported as missing from the plan
        where, n = scenario.locate("decisions", i)
        placed = r.status in (PlanStatus.stays, PlanStatus.moves)
        kept = {
            "assign": placed and r.to == d.commune,
            "forbid": not (placed or r.status == PlanStatus.seconded) or r.to != d.commune,
            "unplaced": r.status == PlanStatus.unplaced,
            "second": r.status == PlanStatus.seconded and d.commune in (None, r.to),
            "exclude": r.status != PlanStatus.seconded,
        }[d.decision.value]
        if not kept:
            unit = f" {d.commune}" if d.commune else ""
            bad.append(
                f"{d.id}: decision {d.decision.value}{unit} ({where} row {n}) is not kept: "
                f"status {r.status.value}" + (f" to {r.to}" if r.to else "")
            )
    return bad


def changes(scenario: Scenario, plan: Plan, baseline: Baseline | None = None) -> int:
    """People whose outcome differs from the baseline (see models.Baseline); without one,
    from the as-merged situation: officials in quota places where they work, no secondee."""
    off = {p.id: p for p in scenario.officials}
    n = 0
    for r in plan:
        if r.kind == PersonKind.secondee:
            now = r.to if r.status == PlanStatus.seconded else ELSEWHERE
            b = baseline.secondees.get(r.id) if baseline is not None else ELSEWHERE
        else:
            now = outcome(r.status, r.to)
            if baseline is not None:
                b = baseline.officials.get(r.id)
            elif r.id in off and r.status in (
                PlanStatus.stays,
                PlanStatus.moves,
                PlanStatus.unplaced,
            ):
                b = scenario.current_of(off[r.id])
            else:
                b = ELSEWHERE
        n += b is not None and now != b
    return n


def evaluate(
    scenario: Scenario, rule_set: RuleSet, plan: Plan, baseline: Baseline | None = None
) -> CheckReport:
    """Every hard rule and every level, recomputed from the plan's rows."""
    c = _Checker(scenario, rule_set)
    c.each_person_once(plan)
    off = {p.id: p for p in scenario.officials}
    sec = {x.id: x for x in scenario.secondees}
    for r in plan:
        c.t.status[f"{r.kind.value}:{r.status.value}"] += 1
        if r.id in off:
            c.official(off[r.id], r)
        elif r.id in sec:
            c.secondee(sec[r.id], r)
    quota_short = c.limits()
    c.bad += decisions_kept(scenario, plan)
    rep = CheckReport(c.bad)
    rep.levels = {
        Level.specialty_shortage: round(c.specialty_shortage(), 9),
        Level.quota_shortage: quota_short,
        Level.disruption: c.t.disruption,
        Level.changes: changes(scenario, plan, baseline),
    }
    rep.counts = dict(sorted(c.t.status.items())) | {
        "moves": c.t.moves,
        "secondees_used": c.t.used,
    }
    return rep


def check(
    scenario: Scenario,
    rule_set: RuleSet,
    plan: Plan,
    metrics: dict[str, Any] | None = None,
    baseline: Baseline | None = None,
) -> CheckReport:
    """evaluate(), plus a comparison with the levels metrics.json reports (a plan written
    before the `changes` level existed is not asked for it)."""
    rep = evaluate(scenario, rule_set, plan, baseline)
    if metrics is not None:
        reported = metrics.get("objective") if isinstance(metrics, dict) else None
        for lv, v in rep.levels.items():
            if lv == Level.changes and isinstance(reported, dict) and lv not in reported:
                continue
            got = reported.get(lv) if isinstance(reported, dict) else None
            if not isinstance(got, int | float) or not math.isclose(
                float(got), float(v), abs_tol=1e-6
            ):
                rep.violations.append(
                    msg(
                        "metrics.json reports {lv} = {got}, the plan gives {v}", lv=lv, got=got, v=v
                    )
                )
    return rep
