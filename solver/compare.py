"""Plans side by side: scenarios (solved here), what-if files, or plan folders already written.

`sides` turns each argument into a `Side` (its label, metrics, plan rows, commune rows);
`summary` gives one row per measure with a column per side; `commune_diff` and `people_diff`
give what differs: the communes whose shortage, specialty gap or secondees differ, and the people
whose outcome (status and destination) differs. Returns rows; the CLI prints or writes them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models import LEVELS
from solver import parallel
from solver.i18n import _, label


@dataclass(frozen=True)
class Side:
    label: str
    source: str  # the argument: a scenario, a what-if file or a plan folder
    metrics: dict[str, Any]
    plan: list[dict[str, Any]]
    communes: list[dict[str, Any]]


def is_plan_folder(path: Path) -> bool:
    from solver.io.owned import marker_kind

    return path.is_dir() and (
        marker_kind(path) in ("plan", "legacy-plan")
        or ((path / "plan.csv").is_file() and not (path / "scenario.yaml").exists())
    )


def _solve_one(args: tuple[str, dict[str, Any] | None]) -> tuple[str, dict[str, Any], list, list]:
    from solver import run
    from solver.io import load_scenario
    from solver.io.rules import load_rule_set

    source, overrides = args
    s = load_scenario(source, overrides)
    rs = load_rule_set(s.config.rule_set, Path(s.folder) if s.folder else None)
    o = run.solve(s, rs)
    plan = o.plan.records() if o.plan is not None else []
    return s.config.name, o.metrics, plan, list(o.communes or [])


def _read_side(path: Path) -> tuple[str, dict[str, Any], list, list]:
    from models import InputError, Issue
    from solver.io.plan_reader import read_communes, read_plan

    plan, metrics = read_plan(path)  # validated: every problem located
    if metrics is None:
        raise InputError([Issue("metrics.json", None, None, None, f"this file in {path}")])
    communes = read_communes(path) if (path / "communes.csv").is_file() else []
    return str(metrics.get("scenario", path.name)), metrics, plan.records(), communes


def sides(
    sources: list[Path],
    overrides: dict[str, Any] | None = None,
    jobs: int = 1,
    on_done: Callable[[], None] = lambda: None,
    dask: str | None = None,
) -> list[Side]:
    """Each argument as a side: plan folders are read, scenarios solved (in `jobs` worker
    processes when more than one). Raises InputError for an unreadable one."""
    results: dict[int, tuple[str, dict[str, Any], list, list]] = {}
    to_solve = []
    for i, src in enumerate(sources):
        if is_plan_folder(src):
            results[i] = _read_side(src)
            on_done()
        else:
            to_solve.append(i)
    tasks = [(str(Path(sources[i]).resolve()), overrides) for i in to_solve]
    for i, r in zip(to_solve, parallel.run(_solve_one, tasks, jobs, dask, on_done), strict=True):
        results[i] = r
    labels = Counter(results[i][0] for i in range(len(sources)))
    out = []
    seen: Counter[str] = Counter()
    for i, src in enumerate(sources):
        name, metrics, plan, communes = results[i]
        seen[name] += 1
        label = name if labels[name] == 1 else f"{name} ({seen[name]})"
        out.append(Side(label, str(src), metrics, plan, communes))
    return out


def _specialties(side: Side) -> list[str]:
    cols = side.communes[0].keys() if side.communes else []
    return [c.removesuffix("_need") for c in cols if c.endswith("_need")]


def _num(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return 0.0


def _short_communes(side: Side) -> int:
    by_commune: Counter[str] = Counter()
    for r in side.communes:
        by_commune[str(r["commune"])] += int(_num(r["shortage"]))
    return sum(1 for v in by_commune.values() if v > 0)


def summary(ss: list[Side]) -> tuple[list[dict[str, Any]], list[str]]:
    """One row per measure, a column per side (and the measure's name)."""
    columns = ["measure", *(s.label for s in ss)]
    rows: list[dict[str, Any]] = []

    def add(measure: str, f: Callable[[Side], Any]) -> None:
        rows.append({"measure": measure, **{s.label: f(s) for s in ss}})

    add(_("status"), lambda s: label("solver status", str(s.metrics.get("status") or "")))
    add(_("engine"), lambda s: s.metrics.get("engine"))
    for lv in LEVELS:
        add(label("level", lv.value), _metric("objective", lv.value))
        add(_("{level} gap").format(level=label("level", lv.value)), _metric("gap", lv.value))
    st = {s.label: Counter((r["kind"], r["status"]) for r in s.plan) for s in ss}
    add(_("communes still short"), _short_communes)
    add(_("officials moved"), lambda s: st[s.label][("official", "moves")])
    add(
        _("km moved"),
        lambda s: sum(int(_num(r["km"])) for r in s.plan if r["status"] == "moves"),
    )
    add(_("officials unplaced"), lambda s: st[s.label][("official", "unplaced")])
    add(_("officials outside the quota"), lambda s: st[s.label][("official", "outside_quota")])
    add(_("secondees used"), lambda s: st[s.label][("secondee", "seconded")])
    add(
        _("communes receiving secondees"),
        lambda s: len({r["to"] for r in s.plan if r["status"] == "seconded"}),
    )
    specs = sorted({sp for s in ss for sp in _specialties(s)})
    for sp in specs:
        add(_("specialty gap: {specialty}").format(specialty=sp), _specialty_gap(sp))
    return rows, columns


def _metric(section: str, key: str) -> Callable[[Side], Any]:
    def value(s: Side) -> Any:
        return (s.metrics.get(section) or {}).get(key)

    return value


def _specialty_gap(sp: str) -> Callable[[Side], int]:
    def total(s: Side) -> int:
        return sum(int(_num(r.get(f"{sp}_gap"))) for r in s.communes)

    return total


def commune_diff(ss: list[Side]) -> tuple[list[dict[str, Any]], list[str]]:
    """The communes where shortage, specialty gap or secondees differ between sides."""
    measures = ("shortage", "specialty_gap", "secondees")
    table: dict[tuple[str, str], dict[str, Any]] = {}
    for s in ss:
        for r in s.communes:
            key = (str(r["commune"]), str(r["bloc"]))
            row = table.setdefault(key, {"commune": key[0], "name": r.get("name"), "bloc": key[1]})
            for m in measures:
                row[f"{m}: {s.label}"] = int(_num(r.get(m)))
    columns = ["commune", "name", "bloc", *(f"{m}: {s.label}" for m in measures for s in ss)]
    rows = [
        row
        for _key, row in sorted(table.items())
        if any(len({row.get(f"{m}: {s.label}") for s in ss}) > 1 for m in measures)
    ]
    return rows, columns


def _outcome(r: dict[str, Any] | None) -> str:
    if r is None:
        return _("(absent)")
    status = label("status", str(r["status"]))
    return f"{status} → {r['to']}" if r.get("to") else status


def people_diff(ss: list[Side]) -> tuple[list[dict[str, Any]], list[str]]:
    """The people whose outcome (status and destination) differs between sides."""
    by_side = [{str(r["id"]): r for r in s.plan} for s in ss]
    ids = sorted(set().union(*by_side))
    columns = ["id", "name", "kind", *(s.label for s in ss)]
    rows = []
    for pid in ids:
        outs = [_outcome(b.get(pid)) for b in by_side]
        if len(set(outs)) > 1:
            first = next(b[pid] for b in by_side if pid in b)
            rows.append(
                {"id": pid, "name": first["name"], "kind": label("kind", str(first["kind"]))}
                | {s.label: o for s, o in zip(ss, outs, strict=True)}
            )
    return rows, columns


def as_json(ss: list[Side]) -> str:
    s_rows, _cols = summary(ss)
    c_rows, _cols = commune_diff(ss)
    p_rows, _cols = people_diff(ss)
    doc = {
        "sides": [{"label": s.label, "source": s.source} for s in ss],
        "summary": s_rows,
        "communes_that_differ": c_rows,
        "people_whose_outcome_differs": p_rows,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
