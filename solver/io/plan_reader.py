"""Read a plan folder back (plan.csv and metrics.json), every problem located."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from models import PLAN_COLUMNS, InputError, Issue, Plan, PlanRow
from solver.io.reader import _expected, _read_csv


class PlanError(InputError):
    """A plan folder could not be read."""


def read_plan(folder: Path) -> tuple[Plan, dict[str, Any] | None]:
    """The plan in `folder`/plan.csv and its metrics.json (None when absent).

    Raises PlanError listing every problem: a missing or unreadable file, a missing column,
    and each cell that does not fit the plan's schema (file, row, column, value, expected)."""
    folder = Path(folder)
    issues: list[Issue] = []
    plan_file = folder / "plan.csv"
    if not plan_file.is_file():
        raise PlanError(
            [Issue("plan.csv", None, None, None, f"this file in {folder}")], str(folder)
        )
    raw = _read_csv(plan_file, issues)
    rows: list[PlanRow] = []
    if raw is not None:
        for c in PLAN_COLUMNS:
            if c not in raw.header:
                issues.append(Issue("plan.csv", 1, c, None, f"a column named {c!r}"))
        if not issues:
            for rec in raw.rows:
                n = int(rec["__row__"])
                data = {c: rec[c].strip() for c in PLAN_COLUMNS}
                try:
                    rows.append(PlanRow.model_validate(data))
                except ValidationError as e:
                    for err in e.errors():
                        col = str(err["loc"][0]) if err.get("loc") else None
                        col = "from" if col == "from_" else col
                        exp, sug = _expected(PlanRow, dict(err))
                        issues.append(
                            Issue("plan.csv", n, col, data.get(col or "") or None, exp, sug)
                        )
    metrics = _read_metrics(folder / "metrics.json", issues)
    if issues:
        raise PlanError(issues, str(folder))
    return Plan(rows=tuple(rows)), metrics


def _read_metrics(path: Path, issues: list[Issue]) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        issues.append(Issue("metrics.json", None, None, None, f"a readable JSON file ({e})"))
        return None
    if not isinstance(data, dict):
        issues.append(Issue("metrics.json", None, None, None, "a JSON object"))
        return None
    return data
