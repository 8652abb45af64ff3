"""One solve, end to end: scenario → quotas → problem → engine → plan → check → outputs."""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from models import Scenario
from models.rules import RuleSet
from solver import check as checker
from solver import quotas as quota_engine
from solver.engines.base import Result
from solver.io.reader import TABLES
from solver.plan import build_plan
from solver.problem import LEVELS, Problem, ProblemError, build, explain_infeasible

ENGINES = ("flow", "general", "greedy")


@dataclass
class Outcome:
    scenario: Scenario
    rule_set: RuleSet
    result: Result
    problem: Problem | None
    plan: pd.DataFrame | None
    communes: pd.DataFrame | None
    metrics: dict[str, Any]
    explanation: list[str]

    @property
    def infeasible(self) -> bool:
        return self.result.status == "INFEASIBLE"


def run_engine(p: Problem, engine: str, time_limit: float) -> Result:
    order = p.scenario.config.objective
    if engine == "flow":
        from solver.engines import flow

        r = flow.solve(p, order)
        if r.status == "ERROR" or (p.max_moves is not None and r.ok and _moves(p, r) > p.max_moves):
            # the network cannot hold the side constraint (or the weights overflow): go general
            from solver.engines import general

            g = general.solve(p, order, time_limit, warm=r.flows if r.ok else None)
            g.message = (
                f"flow engine: {r.message or 'max_moves is a side constraint'}; "
                "solved by the general engine"
            )
            return g
        return r
    if engine == "general":
        from solver.engines import general

        return general.solve(p, order, time_limit)
    if engine == "greedy":
        from solver.engines import greedy

        return greedy.solve(p)
    raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")


def _moves(p: Problem, r: Result) -> int:
    assert r.flows is not None
    return int(sum(r.flows[a] for a in p.move_arcs))


def solve(
    scenario: Scenario, rule_set: RuleSet, engine: str = "flow", time_limit: float | None = None
) -> Outcome:
    """Solve one scenario. Raises ProblemError / QuotaError for inputs that cannot be modelled;
    an infeasible scenario is an Outcome whose explanation says why."""
    t0 = time.perf_counter()
    q = quota_engine.compute(scenario, rule_set, quota_engine.planned_blocs(scenario, rule_set))
    needs = quota_engine.needs(scenario, rule_set, q)
    t1 = time.perf_counter()
    p = build(scenario, rule_set, q, needs)
    t2 = time.perf_counter()
    r = run_engine(p, engine, time_limit or scenario.config.time_limit)
    timings = {
        "quotas": t1 - t0,
        "problem": t2 - t1,
        **{f"engine.{k}": v for k, v in r.seconds.items()},
    }
    if not r.ok:
        expl = explain_infeasible(p) if r.status == "INFEASIBLE" else [r.message]
        m = _metrics(scenario, rule_set, engine, r, None, timings, p)
        return Outcome(scenario, rule_set, r, p, None, None, m, expl)
    plan = build_plan(p, r)
    t3 = time.perf_counter()
    rep = checker.evaluate(scenario, rule_set, plan)
    timings["plan"] = t3 - t2 - sum(r.seconds.values())
    timings["check"] = time.perf_counter() - t3
    communes = communes_table(p, plan)
    m = _metrics(scenario, rule_set, engine, r, rep, timings, p)
    return Outcome(scenario, rule_set, r, p, plan, communes, m, rep.violations)


def communes_table(p: Problem, plan: pd.DataFrame) -> pd.DataFrame:
    """Per unit and bloc: quota, placed, secondees, shortage, surplus, per-specialty gaps."""
    placed = plan[plan["status"].isin(["stays", "moves", "seconded"])]
    specs = sorted({str(s) for s in p.needs["specialty"]})
    need = {
        (r["commune"], r["bloc"], r["specialty"]): int(r["need"])
        for r in p.needs.to_dict("records")
    }
    names = {c.code: c.name for c in p.scenario.communes}
    off = _count_by(placed[placed["kind"] == "official"], ["to", "bloc"])
    sec = _count_by(placed[placed["kind"] == "secondee"], ["to", "bloc"])
    fills = _count_by(placed, ["to", "bloc", "fills"])
    unplaced = _count_by(plan[plan["status"] == "unplaced"], ["from", "bloc"])
    rows = []
    for b in p.blocs:
        for c in p.communes:
            qv = p.quota_of[(c, b)]
            o, s = off.get((c, b), 0), sec.get((c, b), 0)
            row: dict[str, Any] = {
                "commune": c,
                "name": names[c],
                "bloc": b,
                "quota": qv,
                "placed_officials": o,
                "secondees": s,
                "shortage": max(0, qv - o - s),
                "surplus": unplaced.get((c, b), 0),
            }
            for sp in specs:
                n = need.get((c, b, sp), 0)
                f = fills.get((c, b, sp), 0)
                row[f"{sp}_need"] = n
                row[f"{sp}_placed"] = f
                row[f"{sp}_gap"] = max(0, n - f)
            rows.append(row)
    return pd.DataFrame(rows)


def _count_by(df: pd.DataFrame, cols: list[str]) -> dict[tuple[str, ...], int]:
    """How many rows have each combination of the given columns (as text)."""
    out: dict[tuple[str, ...], int] = {}
    for rec in df[cols].astype(str).itertuples(index=False):
        key = tuple(rec)
        out[key] = out.get(key, 0) + 1
    return out


def sha256_inputs(folder: str) -> dict[str, str]:
    path = Path(folder)
    files = (
        [path] if path.is_file() else [path / "scenario.yaml"] + [path / f"{t}.csv" for t in TABLES]
    )
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files if f.exists()}


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("commune-staffing", "ortools", "pandas", "pydantic", "numpy"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:  # pragma: no cover
            out[pkg] = "unknown"
    return out


def _metrics(
    s: Scenario,
    rs: RuleSet,
    engine: str,
    r: Result,
    rep: checker.CheckReport | None,
    timings: dict[str, float],
    p: Problem,
) -> dict[str, Any]:
    order = list(s.config.objective)
    m: dict[str, Any] = {
        "scenario": s.config.name,
        "province": s.config.province,
        "rule_set": rs.name,
        "engine": r.engine,
        "engine_requested": engine,
        "method": r.method,
        "status": r.status,
        "objective_order": order,
        "objective": {lv: (rep.levels[lv] if rep else r.levels.get(lv)) for lv in order},
        "engine_objective": {lv: r.levels.get(lv) for lv in order},
        "bound": {lv: r.bounds.get(lv) for lv in order},
        "gap": {lv: r.gap.get(lv) for lv in order} if r.levels else {},
        "message": r.message,
        "counts": (rep.counts if rep else {})
        | {
            "officials": len(s.officials),
            "secondee_candidates": len(s.secondees),
            "classes": len(p.classes),
            "arcs": len(p.network.tail),
            "secondee_budget": s.config.secondee_budget,
        },
        "inputs": sha256_inputs(s.folder) if s.folder else {},
        "versions": _versions(),
        "timings": {k: round(v, 4) for k, v in timings.items()},
    }
    return m


def write_outputs(out: Path, outcome: Outcome) -> Path:
    """Write plan.csv, communes.csv and metrics.json atomically: a temporary folder beside
    `out` is renamed into place, so a failure never leaves a half-written plan."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        if outcome.plan is not None:
            outcome.plan.to_csv(
                tmp / "plan.csv", index=False, lineterminator="\n", encoding="utf-8-sig"
            )
        if outcome.communes is not None:
            outcome.communes.to_csv(
                tmp / "communes.csv", index=False, lineterminator="\n", encoding="utf-8-sig"
            )
        (tmp / "metrics.json").write_text(
            json.dumps(outcome.metrics, ensure_ascii=False, indent=2, sort_keys=False) + "\n",
            encoding="utf-8",
        )
        _replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _replace(tmp: Path, out: Path) -> None:
    if out.exists():
        old = out.with_name(f".{out.name}.old")
        if old.exists():
            shutil.rmtree(old)
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old)
    else:
        tmp.rename(out)


def summary_text(o: Outcome) -> str:
    m = o.metrics
    lines = [
        f"{m['province']} — {m['scenario']} — rule set {m['rule_set']} — engine "
        f"{m['engine']} ({m['method']}): {m['status']}"
    ]
    for lv in m["objective_order"]:
        v, b, g = m["objective"].get(lv), m["bound"].get(lv), m["gap"].get(lv)
        if v is None:
            continue
        lines.append(
            f"  {lv:<20} {v:>12g}   bound {b if b is not None else '-':>10}   gap "
            f"{g if g is not None else '-'}"
        )
    c = m["counts"]
    if o.plan is not None:
        st = o.plan["status"].value_counts()
        lines.append(
            "  officials: "
            + ", ".join(
                f"{k} {int(st.get(k, 0))}"
                for k in ("stays", "moves", "unplaced", "leaves", "out_of_scope")
            )
        )
        lines.append(
            f"  secondees: {int(st.get('seconded', 0))} seconded of "
            f"{c['secondee_candidates']} candidates (budget {c['secondee_budget']})"
        )
    if m["message"]:
        lines.append(f"  note: {m['message']}")
    return "\n".join(lines)


__all__ = ["ENGINES", "LEVELS", "Outcome", "ProblemError", "solve", "write_outputs"]
