"""Several provinces at once: one folder of province folders, solved in worker processes.

Returns rows; the CLI prints them. Each province's plan folder is written by its worker; the
combined plan.csv, communes.csv and metrics.json are written beside them at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from models import PLAN_COLUMNS


def is_multi(path: Path) -> bool:
    return (
        path.is_dir()
        and not (path / "scenario.yaml").exists()
        and any((d / "scenario.yaml").exists() for d in path.iterdir() if d.is_dir())
    )


def province_folders(path: Path) -> list[Path]:
    return sorted(d for d in path.iterdir() if (d / "scenario.yaml").exists())


def _one(args: tuple[str, str, str, float | None]) -> dict[str, Any]:
    folder, out, engine, time_limit = args
    from models import InputError
    from solver.io import load_scenario
    from solver.io.rules import load_rule_set
    from solver.io.writer import write_outputs
    from solver.run import solve

    try:
        s = load_scenario(folder)
        rs = load_rule_set(s.config.rule_set, Path(folder))
        o = solve(s, rs, engine, time_limit)
    except InputError as e:
        return {"folder": folder, "status": "INPUT_ERROR", "problems": [i.text() for i in e.issues]}
    except Exception as e:  # noqa: BLE001 - one province must not sink the others
        return {"folder": folder, "status": "ERROR", "problems": [str(e)]}
    write_outputs(Path(out), o)
    return {
        "folder": folder,
        "status": o.result.status.value,
        "province": s.config.province,
        "problems": o.explanation,
        "metrics": o.metrics,
    }


def solve_all(
    path: Path,
    out: Path,
    engine: str,
    time_limit: float | None,
    jobs: int,
    on_done: Callable[[], None] = lambda: None,
) -> tuple[list[dict[str, Any]], int]:
    """Solve every province folder under `path` into `out`; returns one summary row per
    province and the exit code (0 all solved, 2 all failures infeasible, 1 otherwise)."""
    from solver.io.reader import read_table
    from solver.io.writer import write_combined

    folders = province_folders(path)
    tasks = [(str(d), str(out / d.name), engine, time_limit) for d in folders]
    results: list[dict[str, Any]] = []
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        for r in pool.map(_one, tasks):
            results.append(r)
            on_done()
    plans: list[dict[str, Any]] = []
    communes: list[dict[str, Any]] = []
    commune_cols: list[str] = []
    summary = []
    for d, r in zip(folders, results, strict=True):
        row: dict[str, Any] = {"province_folder": d.name, "status": r["status"]}
        if "metrics" in r:
            row.update(
                province=r["province"],
                **{f"objective.{k}": v for k, v in r["metrics"]["objective"].items()},
            )
            if (out / d.name / "plan.csv").exists():
                rows, _ = read_table(out / d.name / "plan.csv")
                plans += [{**x, "province": r["province"]} for x in rows]
                rows, cols = read_table(out / d.name / "communes.csv")
                communes += [{**x, "province": r["province"]} for x in rows]
                commune_cols += [c for c in cols if c not in commune_cols]
        row["problems"] = r["problems"]
        summary.append(row)
    tables = {}
    if plans:
        tables["plan.csv"] = (plans, [*PLAN_COLUMNS, "province"])
        tables["communes.csv"] = (communes, [*commune_cols, "province"])
    write_combined(out, tables, {"provinces": summary})
    bad = [r for r in summary if r["status"] not in ("OPTIMAL", "FEASIBLE")]
    code = 0 if not bad else (2 if all(r["status"] == "INFEASIBLE" for r in bad) else 1)
    return summary, code
