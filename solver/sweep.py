"""Many solves of one scenario that differ in the secondee budget, side by side.

Each budget is solved to optimality; the table gives each level, the secondees used, and the
marginal value of the budget step (how much each level improved over the previous budget, and
the shortages' gain per extra secondee used).
"""

from __future__ import annotations

from typing import Any

from models import LEVELS, Scenario
from models.rules import RuleSet
from solver import engines
from solver.problem import prepare, scenario_quotas

COLUMNS = [
    "budget",
    "status",
    "secondees_used",
    *(lv.value for lv in LEVELS),
    *(f"{lv.value}_gain" for lv in LEVELS),
    *(f"{lv.value}_gain_per_secondee" for lv in LEVELS[:2]),
]


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
) -> list[dict[str, Any]]:
    """One row per budget (columns: COLUMNS): status, secondees used, each level, and each
    level's gain over the previous budget."""
    quotas = scenario_quotas(scenario, rule_set)  # the budget changes no quota: compute once
    rows: list[dict[str, Any]] = []
    prev: dict[str, float] | None = None
    prev_used = 0
    for b in budgets:
        s = scenario.model_copy(
            update={"config": scenario.config.model_copy(update={"secondee_budget": b})}
        )
        p = prepare(s, rule_set, quotas)
        r = engines.solve(p, engine, scenario.config.time_limit)
        row: dict[str, Any] = {"budget": b, "status": r.status.value}
        if r.ok and r.flows is not None:
            row["secondees_used"] = p.secondees_used(r.flows)
            for lv in LEVELS:
                row[lv.value] = r.levels[lv]
            for lv in LEVELS:
                row[f"{lv.value}_gain"] = (prev[lv] - r.levels[lv]) if prev is not None else None
            extra = row["secondees_used"] - prev_used
            for lv in LEVELS[:2]:  # the shortages: what one more secondee buys, on average
                gain = row[f"{lv.value}_gain"]
                row[f"{lv.value}_gain_per_secondee"] = (
                    round(gain / extra, 2) if gain is not None and extra > 0 else None
                )
            prev, prev_used = dict(r.levels), row["secondees_used"]
        rows.append(row)
    return rows
