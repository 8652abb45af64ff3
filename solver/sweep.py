"""Many solves of one scenario that differ in the secondee budget, side by side.

Each budget is solved to optimality; the table gives each level, the secondees used, and the
marginal value of the budget step (how much each level improved over the previous budget).
"""

from __future__ import annotations

import pandas as pd

from models import Scenario
from models.rules import RuleSet
from solver import quotas as quota_engine
from solver.problem import LEVELS, SEC_COMMUNE, SEC_SLOT, build
from solver.run import run_engine


def parse_budgets(text: str) -> list[int]:
    """'0,52,97' or '0-10' or a mix: '0-5,52,97'. Raises ValueError with a plain message."""
    out: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            lo, hi = (int(x) for x in part.split("-", 1))
            if lo > hi or lo < 0:
                raise ValueError(f"range {part!r}: expected LOW-HIGH with 0 ≤ LOW ≤ HIGH")
            out.update(range(lo, hi + 1))
        else:
            v = int(part)
            if v < 0:
                raise ValueError(f"budget {v}: expected a whole number ≥ 0")
            out.add(v)
    if not out:
        raise ValueError("no budget given")
    return sorted(out)


def secondee_budgets(
    scenario: Scenario, rule_set: RuleSet, budgets: list[int], engine: str = "flow"
) -> pd.DataFrame:
    q = quota_engine.compute(scenario, rule_set, quota_engine.planned_blocs(scenario, rule_set))
    needs = quota_engine.needs(scenario, rule_set, q)
    rows = []
    prev: dict[str, float] | None = None
    for b in budgets:
        s = scenario.model_copy(
            update={"config": scenario.config.model_copy(update={"secondee_budget": b})}
        )
        p = build(s, rule_set, q, needs)
        r = run_engine(p, engine, scenario.config.time_limit)
        row: dict[str, object] = {"budget": b, "status": r.status}
        if r.ok and r.flows is not None:
            used = int(
                sum(
                    r.flows[a] for a, k in enumerate(p.network.kind) if k in (SEC_SLOT, SEC_COMMUNE)
                )
            )
            row["secondees_used"] = used
            for lv in LEVELS:
                row[lv] = r.levels[lv]
            for lv in LEVELS:
                row[f"{lv}_gain"] = (prev[lv] - r.levels[lv]) if prev is not None else None
            prev = dict(r.levels)
        rows.append(row)
    cols = ["budget", "status", "secondees_used", *LEVELS, *(f"{lv}_gain" for lv in LEVELS)]
    return pd.DataFrame(rows, columns=cols)
