"""Benchmarks (not part of the test suite): python benchmarks/bench.py [--quick] [--out FILE]

Measures, on this machine:
  1. the bundled Điện Biên scenario: exact flow engine (median of 5), the whole `staffing solve`
     command (median of 3, a fresh process each), the greedy baseline's levels, and a per-person
     CP-SAT model (one Boolean per official-commune-specialty, the way most OR-Tools users write
     it) with the same lexicographic objective, given 60 s and 2 workers;
  2. the largest province, Hồ Chí Minh City (168 units): engine and whole command;
  3. all 34 provinces generated with seed 2025: `staffing solve --jobs 2`, wall time and the
     peak of the summed resident memory of the process tree (sampled every 50 ms).
Prints a JSON document; docs/benchmarks.md records the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from ortools.sat.python import cp_model

from models import Freedom, SolveStatus
from solver import engines, generate
from solver import run as runner
from solver.engines import flow
from solver.io import load_scenario
from solver.io.rules import load_rule_set
from solver.paths import bundled_scenario
from solver.problem import Problem
from solver.problem import prepare as prepare_problem

STAFFING = str(Path(sys.executable).with_name("staffing"))


def prepare(folder: Path) -> Problem:
    s = load_scenario(folder)
    return prepare_problem(s, load_rule_set(s.config.rule_set, folder))


def engine_seconds(p: Problem, repeat: int) -> tuple[float, dict[str, float]]:
    times, levels = [], {}
    for _ in range(repeat):
        t = time.perf_counter()
        r = engines.solve(p, "flow")
        times.append(time.perf_counter() - t)
        assert r.status == SolveStatus.OPTIMAL
        levels = r.levels
    return statistics.median(times), levels


def command_seconds(folder: Path, repeat: int, *extra: str) -> float:
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            t = time.perf_counter()
            subprocess.run(
                [STAFFING, "solve", str(folder), "-o", out, *extra], check=True, capture_output=True
            )
            times.append(time.perf_counter() - t)
    return statistics.median(times)


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    total = 0
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(Path(f"/proc/{d}/stat").read_text().split(")")[1].split()[1])
            except (OSError, IndexError):
                continue
            kids.setdefault(ppid, []).append(int(d))
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
        stack.extend(kids.get(p, []))
    return total


def all_provinces(root: Path, jobs: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as out:
        t = time.perf_counter()
        proc = subprocess.Popen(
            [STAFFING, "solve", str(root), "-o", out, "--jobs", str(jobs)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        peak = 0
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, tree_rss_kb(proc.pid))
                time.sleep(0.05)

        th = threading.Thread(target=sample)
        th.start()
        code = proc.wait()
        stop.set()
        th.join()
        wall = time.perf_counter() - t
        summary = json.loads((Path(out) / "metrics.json").read_text("utf-8"))["provinces"]
    statuses = sorted({p["status"] for p in summary})
    officials = 0
    for d in root.iterdir():
        if (d / "officials.csv").exists():
            officials += sum(1 for _ in (d / "officials.csv").open(encoding="utf-8")) - 1
    return {
        "exit_code": code,
        "wall_seconds": round(wall, 2),
        "peak_rss_mb": round(peak / 1024),
        "provinces": len(summary),
        "statuses": statuses,
        "officials": officials,
    }


def per_person_cpsat(p: Problem, seconds: float, workers: int) -> dict[str, object]:
    """The naive model: a Boolean per official × commune × specialty held, same objective."""
    s = p.scenario
    cfg = s.config
    m = cp_model.CpModel()
    off = {o.id: o for o in s.officials}
    placed_at: dict[tuple[str, str], list] = {}
    fills_at: dict[tuple[str, str, str], list] = {}
    dist_terms = []
    total_terms: dict[str, list] = {}
    for k in p.classes:
        targets = (
            [k.current]
            if k.freedom != Freedom.movable
            else [c for c in p.communes if k.max_km is None or p.km[(k.current, c)] <= k.max_km]
        )
        for pid in k.members:
            mine = []
            for c in targets:
                for sp in k.specialties:
                    v = m.NewBoolVar(f"x[{pid},{c},{sp}]")
                    mine.append(v)
                    placed_at.setdefault((c, k.bloc), []).append(v)
                    fills_at.setdefault((c, k.bloc, sp), []).append(v)
                    if c != k.current:
                        dist_terms.append(p.km[(k.current, c)] * v)
            total_terms.setdefault(k.bloc, []).extend(mine)
            if off[pid].pinned:
                m.Add(sum(mine) == 1)
            else:
                m.Add(sum(mine) <= 1)
    sec_vars = []
    seconded_at: dict[tuple[str, str], list] = {}
    sb = cfg.secondee_bloc.value
    for sc in p.secondee_classes:
        for sid in sc.members:
            mine = []
            for c in p.communes:
                d = p.km[(sc.base, c)]
                if sc.max_km is not None and d > sc.max_km:
                    continue
                v = m.NewBoolVar(f"y[{sid},{c}]")
                mine.append(v)
                seconded_at.setdefault((c, sb), []).append(v)
                fills_at.setdefault((c, sb, sc.specialty), []).append(v)
                dist_terms.append((d + cfg.secondee_cost) * v)
            m.Add(sum(mine) <= 1)
            sec_vars.extend(mine)
    if sec_vars:
        m.Add(sum(sec_vars) <= p.budget)
    quota_short = []
    for (c, b), qv in p.quotas.quotas().items():
        if b not in p.blocs:
            continue
        officials = sum(placed_at.get((c, b), []))
        secondees = sum(seconded_at.get((c, b), []))
        if p.secondees_in_quota:
            m.Add(officials + secondees <= qv)
        else:
            m.Add(officials <= qv)  # secondees are extra help
        sh = m.NewIntVar(0, qv, f"quota_short[{c},{b}]")
        m.Add(sh >= qv - officials - secondees)
        quota_short.append(sh)
    for b in p.blocs:
        t = p.total(b)
        if t is not None:
            m.Add(sum(total_terms.get(b, [])) <= t)
    scale = p.network.scale["specialty_shortage"]
    spec_terms = []
    for r in p.quotas.needs_in(p.blocs):
        sh = m.NewIntVar(0, r.need, f"short[{r.commune},{r.specialty}]")
        m.Add(sh >= r.need - sum(fills_at.get((r.commune, r.bloc, r.specialty), [])))
        spec_terms.append(round(r.weight * scale) * sh)
    mult = flow.multipliers(list(cfg.objective), flow.ranges(p))
    level_expr = {
        "specialty_shortage": sum(spec_terms),
        "quota_shortage": sum(quota_short),
        "disruption": sum(dist_terms),
    }
    # the three levels of the objective; the `changes` tie-break is not modelled here
    m.Minimize(sum(mult[lv] * level_expr[lv] for lv in level_expr))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    t = time.perf_counter()
    status = solver.Solve(m)
    wall = time.perf_counter() - t
    out: dict[str, object] = {
        "status": solver.StatusName(status),
        "seconds": round(wall, 1),
        "booleans": len(m.Proto().variables),
    }
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        obj, bound = solver.ObjectiveValue(), solver.BestObjectiveBound()
        out["levels"] = {
            "specialty_shortage": solver.Value(level_expr["specialty_shortage"]) / scale,
            "quota_shortage": solver.Value(level_expr["quota_shortage"]),
            "disruption": solver.Value(level_expr["disruption"]),
        }
        out["weighted_objective"] = obj
        out["weighted_bound"] = bound
        out["gap"] = (obj - bound) / max(1.0, abs(obj))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="CP-SAT 10 s, fewer repeats")
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    cpsat_seconds = 10.0 if a.quick else 60.0
    res: dict[str, object] = {
        "machine": {
            "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
        }
    }
    folder = bundled_scenario()
    p = prepare(folder)
    eng, levels = engine_seconds(p, 5)
    g = runner.solve(p.scenario, p.rule_set, "greedy")
    res["dien_bien"] = {
        "officials": len(p.scenario.officials),
        "classes": len(p.classes),
        "arcs": len(p.network.tail),
        "engine_seconds": round(eng, 3),
        "command_seconds": round(command_seconds(folder, 3), 2),
        "optimum": levels,
        "greedy": g.metrics["objective"],
    }
    cp = per_person_cpsat(p, cpsat_seconds, 2)
    cp["time_ratio_to_flow_engine"] = round(cpsat_seconds / eng)
    res["dien_bien"]["per_person_cpsat"] = cp  # type: ignore[index]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for code, _name in generate.provinces():
            generate.write(code, root / generate.folder_name(code))
        hcm = root / generate.folder_name("79")
        ph = prepare(hcm)
        eng_h, _ = engine_seconds(ph, 3)
        res["ho_chi_minh"] = {
            "units": len(ph.communes),
            "officials": len(ph.scenario.officials),
            "arcs": len(ph.network.tail),
            "engine_seconds": round(eng_h, 3),
            "command_seconds": round(command_seconds(hcm, 3), 2),
        }
        res["all_34"] = all_provinces(root, 2)
    text = json.dumps(res, ensure_ascii=False, indent=2)
    print(text)
    if a.out:
        a.out.write_text(text + "\n", "utf-8")


if __name__ == "__main__":
    main()
