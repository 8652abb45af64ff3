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
    from solver.run import Clock, solve

    try:
        read = Clock()
        s = load_scenario(folder, overrides)
        rs = load_rule_set(s.config.rule_set, Path(folder))
        read.lap("read")
        o = solve(s, rs, engine, time_limit)
        o.metrics["timings"] = read.timings | o.metrics["timings"]
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
    parts: dict[str, tuple[list[str], str]] = {}
    if o.plan is None or o.explanation:  # no plan, or one the checker rejects: not current
        files = {"metrics.json": files["metrics.json"]}
    else:  # this province's rows of the combined tables, made here, beside the solve
        for name in COMBINED:
            text = files[name]
            parts[name] = _part(text if isinstance(text, str) else text.decode(), s.config.province)
    if parts and any(outputs.values()):  # the province's workbook, report and decision pages
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
        "parts": parts,
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


def _part(text: str, province: str) -> tuple[list[str], str]:
    """A province's table as part of a combined one: its header, and its rows as CSV lines
    with the province's name added."""
    import csv
    import io

    from solver.io.writer import BOM

    rows = csv.reader(io.StringIO(text.removeprefix(BOM), newline=""))
    header = next(rows, [])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([*r, province] for r in rows if r)
    return header, buf.getvalue()


def _input_size(folder: Path) -> int:
    """The bytes of a province's input files: the largest provinces start first."""
    return sum(f.stat().st_size for f in folder.iterdir() if f.is_file())


class _Combined:
    """A combined table written as the provinces' parts arrive, in the provinces' order;
    when a part's header differs from the first one's (another vocabulary of specialties),
    the later parts are kept and the table is rewritten at the end over the union of the
    columns (the rows written before read back)."""

    def __init__(self, path: Path, province_column: str) -> None:
        self.path, self.prov = path, province_column
        self.header: list[str] | None = None
        self.parts: list[tuple[list[str], str]] = []
        self.mixed = False
        self.fh = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below

    def add(self, part: tuple[list[str], str]) -> None:
        import csv

        from solver.io.writer import BOM

        header, body = part
        if self.header is None:
            self.header = header
            self.fh.write(BOM)
            csv.writer(self.fh, lineterminator="\n").writerow([*header, self.prov])
        if header != self.header:
            self.mixed = True  # from here on the parts are kept, and the table made at the end
        if self.mixed:
            self.parts.append(part)
        else:
            self.fh.write(body)

    def close(self) -> bool:
        """Finish the file (False: no province had rows, and there is no file)."""
        import csv
        import io
        import os

        from solver.io.writer import csv_text

        if self.mixed:  # the rows written so far, read back, then the parts kept since
            from solver.io.writer import BOM

            self.fh.flush()
            written = list(csv.reader(io.StringIO(self.path.read_text("utf-8").removeprefix(BOM))))
            columns = [c for c in written[0] if c != self.prov]
            rows = [dict(zip(written[0], r, strict=True)) for r in written[1:]]
            for header, body in self.parts:
                columns += [c for c in header if c not in columns]
                keys = [*header, self.prov]
                rows += [dict(zip(keys, r, strict=True)) for r in csv.reader(io.StringIO(body))]
            self.fh.seek(0)
            self.fh.truncate()
            self.fh.write(csv_text(rows, [*columns, self.prov], bom=True))
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        if self.header is None:
            self.path.unlink()
            return False
        return True


COMBINED = ("plan.csv", "communes.csv")


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
    """The provinces in worker processes, the largest first; each province's folder is
    written as soon as it is solved, and the combined tables grow as the provinces before
    it in order are done (so they are the same whatever the order of finishing)."""
    from solver import parallel
    from solver.io.writer import metrics_text, write_files

    out = staging.path
    start = sorted(range(len(folders)), key=lambda i: (-_input_size(folders[i]), i))
    tasks = [
        (str(folders[i].resolve()), str(folders[i]), engine, time_limit, overrides, outputs or {})
        for i in start
    ]
    prov = i18n.column_label("province")  # the files are in the active language
    combined = {name: _Combined(out / name, prov) for name in COMBINED}
    results: list[dict[str, Any] | None] = [None] * len(folders)
    ready = 0
    try:
        for j, r in parallel.stream(_one, tasks, jobs, dask):
            i = start[j]
            write_files(out / folders[i].name, r.pop("files"))
            results[i] = r
            on_done()
            while ready < len(folders) and results[ready] is not None:
                done = results[ready]
                assert done is not None
                for name, part in done.pop("parts", {}).items():
                    combined[name].add(part)
                ready += 1
    finally:
        for c in combined.values():
            c.close()
    summary = []
    for d, res in zip(folders, results, strict=True):
        assert res is not None
        row: dict[str, Any] = {"province_folder": d.name, "status": res["status"]}
        if "metrics" in res:
            row.update(
                province=res["province"],
                **{f"objective.{k}": v for k, v in res["metrics"]["objective"].items()},
            )
        row["problems"] = res["problems"]
        summary.append(row)
    staging.write(
        "metrics.json", metrics_text({"provinces": summary, "timings": _timings(results)})
    )
    return summary


def _timings(results: list[dict[str, Any] | None]) -> dict[str, Any]:
    """Per stage, the wall and CPU seconds summed over the provinces (each province's
    metrics.json has its own)."""
    out: dict[str, dict[str, float]] = {}
    for r in results:
        for stage, t in ((r or {}).get("metrics") or {}).get("timings", {}).items():
            acc = out.setdefault(stage, {"wall": 0.0, "cpu": 0.0})
            acc["wall"] += t.get("wall", 0.0)
            acc["cpu"] += t.get("cpu", 0.0)
    return {k: {x: round(v, 3) for x, v in t.items()} for k, t in out.items()}
