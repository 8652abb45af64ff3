"""Several provinces at once: one folder of province folders, solved in parallel."""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import click
import pandas as pd


def is_multi(path: Path) -> bool:
    return (
        path.is_dir()
        and not (path / "scenario.yaml").exists()
        and any((d / "scenario.yaml").exists() for d in path.iterdir() if d.is_dir())
    )


def _one(args: tuple[str, str, str, float | None]) -> dict[str, Any]:
    folder, out, engine, time_limit = args
    from solver.io import ScenarioError, load_scenario
    from solver.io.rules import RuleSetError, load_rule_set
    from solver.run import solve, write_outputs

    try:
        s = load_scenario(folder)
        rs = load_rule_set(s.config.rule_set, Path(folder))
        o = solve(s, rs, engine, time_limit)
    except (ScenarioError, RuleSetError) as e:
        return {"folder": folder, "status": "INPUT_ERROR", "problems": [i.text() for i in e.issues]}
    except Exception as e:  # noqa: BLE001 - one province must not sink the others
        return {"folder": folder, "status": "ERROR", "problems": [str(e)]}
    write_outputs(Path(out), o)
    return {
        "folder": folder,
        "status": o.result.status,
        "province": s.config.province,
        "problems": o.explanation,
        "metrics": o.metrics,
    }


def solve_all(path: Path, out: Path, engine: str, time_limit: float | None, jobs: int) -> int:
    folders = sorted(d for d in path.iterdir() if (d / "scenario.yaml").exists())
    tasks = [(str(d), str(out / d.name), engine, time_limit) for d in folders]
    results: list[dict[str, Any]] = []
    with (
        ProcessPoolExecutor(max_workers=max(1, jobs)) as pool,
        click.progressbar(
            pool.map(_one, tasks), length=len(tasks), label="Solving provinces", file=None
        ) as bar,
    ):
        for r in bar:
            results.append(r)
    plans, communes, summary = [], [], []
    for d, r in zip(folders, results, strict=True):
        row = {"province_folder": d.name, "status": r["status"]}
        if "metrics" in r:
            row.update(
                province=r["province"],
                **{f"objective.{k}": v for k, v in r["metrics"]["objective"].items()},
            )
            pf = out / d.name / "plan.csv"
            if pf.exists():
                plans.append(
                    pd.read_csv(pf, dtype=str, keep_default_na=False).assign(province=r["province"])
                )
                communes.append(
                    pd.read_csv(
                        out / d.name / "communes.csv", dtype=str, keep_default_na=False
                    ).assign(province=r["province"])
                )
        row["problems"] = r["problems"]
        summary.append(row)
    if plans:
        pd.concat(plans).to_csv(
            out / "plan.csv", index=False, lineterminator="\n", encoding="utf-8-sig"
        )
        pd.concat(communes).to_csv(
            out / "communes.csv", index=False, lineterminator="\n", encoding="utf-8-sig"
        )
    (out / "metrics.json").write_text(
        json.dumps({"provinces": summary}, ensure_ascii=False, indent=2) + "\n", "utf-8"
    )
    for row in summary:
        click.echo(f"{row['province_folder']}: {row['status']}")
        if row["status"] not in ("OPTIMAL", "FEASIBLE"):
            for line in row["problems"][:20]:
                click.echo(f"  - {line}", err=True)
            if len(row["problems"]) > 20:
                click.echo(f"  … {len(row['problems']) - 20} more in metrics.json", err=True)
    bad = [r for r in summary if r["status"] not in ("OPTIMAL", "FEASIBLE")]
    return 0 if not bad else (2 if all(r["status"] == "INFEASIBLE" for r in bad) else 1)
