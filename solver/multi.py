"""Several provinces at once: one folder of province folders, solved in worker processes.

Returns rows; the CLI prints them. The whole output is one folder the tool owns (marker kind
"plans"), staged beside its target: each worker writes its province's folder into the staging
folder, the combined plan.csv, communes.csv and metrics.json are added at the end, and the
whole tree is swapped into place atomically. A province that failed this time has only its
metrics.json (status and problems) in the new tree: no plan of an earlier run stays as current.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from solver import i18n
from solver.i18n import issue_text, render
from solver.io.owned import Target

INPUT_SUFFIXES = (".csv", ".yaml", ".yml", ".xlsx")


def is_multi(path: Path) -> bool:
    return (
        path.is_dir()
        and not (path / "scenario.yaml").exists()
        and any((d / "scenario.yaml").exists() for d in path.iterdir() if d.is_dir())
    )


def province_folders(path: Path) -> list[Path]:
    """Every sub-folder that holds input files: those with a scenario.yaml, and those that look
    meant as one (a scenario file under another name, tables without a scenario.yaml), which
    then fail with a message instead of being skipped without a word. Hidden folders and the
    tool's own output folders are not provinces."""
    from solver.io.owned import marker_kind

    out = []
    for d in sorted(path.iterdir()):
        if (
            not d.is_dir()
            or d.name.startswith(".")
            or marker_kind(d) in ("plan", "plans", "legacy-plan")
        ):
            continue
        if (d / "scenario.yaml").exists() or any(
            f.suffix.lower() in INPUT_SUFFIXES for f in d.iterdir() if f.is_file()
        ):
            out.append(d)
    return out


def _one(
    args: tuple[str, str, str, float | None, dict[str, Any] | None, dict[str, bool]],
) -> dict[str, Any]:
    folder, shown, engine, time_limit, overrides, outputs = args
    from models import InputError
    from solver.io import load_scenario
    from solver.io.rules import load_rule_set
    from solver.io.writer import metrics_text, plan_files
    from solver.run import solve

    try:
        s = load_scenario(folder, overrides)
        rs = load_rule_set(s.config.rule_set, Path(folder))
        o = solve(s, rs, engine, time_limit)
    except InputError as e:
        failed = {
            "folder": shown,
            "status": "INPUT_ERROR",
            "problems": [issue_text(i) for i in e.issues],
        }
        return failed | {"files": {"metrics.json": metrics_text(failed)}}
    except Exception as e:  # noqa: BLE001 - one province must not sink the others
        failed = {"folder": shown, "status": "ERROR", "problems": [str(e)]}
        return failed | {"files": {"metrics.json": metrics_text(failed)}}
    files = plan_files(o)
    if o.plan is None or o.explanation:  # no plan, or one the checker rejects: not current
        files = {"metrics.json": files["metrics.json"]}
    elif any(outputs.values()):  # the province's workbook, report and decision pages
        from solver.reports import ReportData, report_files

        files.update(
            report_files(
                ReportData.of_outcome(o),
                xlsx=outputs.get("xlsx", False),
                html=outputs.get("html", False),
                pages=outputs.get("pages", False),
                pdf=outputs.get("pdf", False),
            )
        )
    return {
        "files": files,
        "folder": shown,
        "status": o.result.status.value,
        "province": s.config.province,
        "problems": [render(x) for x in o.explanation],
        "metrics": o.metrics,
    }


def solve_all(
    path: Path,
    target: Target,
    engine: str,
    time_limit: float | None,
    jobs: int,
    on_done: Callable[[], None] = lambda: None,
    overrides: dict[str, Any] | None = None,
    dask: str | None = None,
    outputs: dict[str, bool] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Solve every province folder under `path` into the `target` folder; returns one summary
    row per province and the exit code (0 all solved, 2 all failures infeasible, 1 otherwise)."""
    from solver.io.owned import Staging

    folders = province_folders(path)
    staging = Staging(target)
    try:
        summary = _solve_into(
            staging, folders, engine, time_limit, jobs, on_done, overrides, dask, outputs or {}
        )
        staging.publish()
    except BaseException:
        staging.discard()
        raise
    bad = [r for r in summary if r["status"] not in ("OPTIMAL", "FEASIBLE")]
    code = 0 if not bad else (2 if all(r["status"] == "INFEASIBLE" for r in bad) else 1)
    return summary, code


def _solve_into(
    staging: Any,
    folders: list[Path],
    engine: str,
    time_limit: float | None,
    jobs: int,
    on_done: Callable[[], None],
    overrides: dict[str, Any] | None,
    dask: str | None = None,
    outputs: dict[str, bool] | None = None,
) -> list[dict[str, Any]]:
    from solver import parallel
    from solver.io.reader import read_table
    from solver.io.writer import combined_files, write_files

    out = staging.path
    tasks = [
        (str(d.resolve()), str(d), engine, time_limit, overrides, outputs or {}) for d in folders
    ]
    results = parallel.run(_one, tasks, jobs, dask, on_done)
    for d, r in zip(folders, results, strict=True):  # the workers return text; written here
        write_files(out / d.name, r.pop("files"))
    plans: list[dict[str, Any]] = []
    communes: list[dict[str, Any]] = []
    plan_cols: list[str] = []
    commune_cols: list[str] = []
    prov = i18n.column_label("province")  # the files are in the active language
    summary = []
    for d, r in zip(folders, results, strict=True):
        row: dict[str, Any] = {"province_folder": d.name, "status": r["status"]}
        if "metrics" in r:
            row.update(
                province=r["province"],
                **{f"objective.{k}": v for k, v in r["metrics"]["objective"].items()},
            )
            if (out / d.name / "plan.csv").exists():
                rows, cols = read_table(out / d.name / "plan.csv")
                plans += [{**x, prov: r["province"]} for x in rows]
                plan_cols += [c for c in cols if c not in plan_cols]
                rows, cols = read_table(out / d.name / "communes.csv")
                communes += [{**x, prov: r["province"]} for x in rows]
                commune_cols += [c for c in cols if c not in commune_cols]
        row["problems"] = r["problems"]
        summary.append(row)
    tables = {}
    if plans:
        tables["plan.csv"] = (plans, [*plan_cols, prov])
        tables["communes.csv"] = (communes, [*commune_cols, prov])
    for name, text in combined_files(tables, {"provinces": summary}).items():
        staging.write(name, text)
    return summary
