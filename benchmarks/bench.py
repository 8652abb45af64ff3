"""Benchmarks (not part of the test suite): python benchmarks/bench.py [--quick] [--out FILE]

Measures, on this machine, each figure beside its peer measured in the same run (ratios in
the output):
  0. the import floor: a fresh `python -c "import ortools, numpy"` (median of 5);
  1. the bundled Điện Biên scenario: the default engine (median of 5), the whole `staffing
     solve` command (median of 3, a fresh process each) against the import floor, the greedy
     baseline's levels, and a per-person CP-SAT model (one Boolean per
     official-commune-specialty, the way most OR-Tools users write it) with the same
     lexicographic objective, given 60 s and 2 workers;
  2. `max_moves` on Điện Biên (with and without secondees) and on the largest province: the
     default engine (the Lagrangian search on the flow, else the staged LP) against the staged
     integer program (SCIP, 120 s), every level compared; the largest province's command with
     its peak memory;
  3. `sweep --budgets 0-97 -j 2` on Điện Biên against one `staffing solve` of the same
     scenario (medians of 3 fresh processes each, taken alternately);
  4. the largest province, Hồ Chí Minh City (168 units): engine and whole command;
  5. all 34 provinces generated with seed 2025: `staffing solve --jobs 2`, wall time, the peak
     of the summed resident memory of the process tree (sampled every 50 ms), and the summed
     wall seconds of each stage in the workers (from the combined metrics.json), the engine's
     among them: the bare engine over 2 processes is half of its sum.
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


FLOOR = "import ortools, numpy"
# what any command of the design card's stack imports before it reads a byte: the engine's
# solver module, click, pydantic with one model class built, the YAML parser
DESIGN_CARD = (
    "import numpy\n"
    "from ortools.graph.python import min_cost_flow\n"
    "import click, yaml\n"
    "from pydantic import BaseModel\n"
    "class Row(BaseModel):\n"
    "    id: str\n"
    "    km: float\n"
    "Row(id='x', km=1.0)\n"
)


def floor_seconds(repeat: int, code: str = FLOOR) -> float:
    """A fresh interpreter running `code` (by default importing ortools and numpy: the floor
    of any command)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def timed_command(args: list[str]) -> tuple[float, int, int]:
    """Wall seconds, the peak resident memory (MB) of a command's process tree, exit code."""
    t = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    return time.perf_counter() - t, round(peak / 1024), code


def max_moves_case(folder: Path, limit: int, budget: int | None = None) -> dict[str, object]:
    """The default engine under `max_moves` against the staged integer program."""
    from solver.engines import general
    from solver.io.whatif import parse_sets

    sets = [f"max_moves={limit}"] + ([f"secondee_budget={budget}"] if budget is not None else [])
    s = load_scenario(folder, parse_sets(tuple(sets)))
    p = prepare_problem(s, load_rule_set(s.config.rule_set, folder))
    t = time.perf_counter()
    r = engines.solve(p, "flow")
    eng = time.perf_counter() - t
    t = time.perf_counter()
    mip = general.solve(p, list(p.order), 120.0, lp_first=False)
    mip_s = time.perf_counter() - t
    return {
        "max_moves": limit,
        "secondee_budget": s.config.secondee_budget,
        "engine": r.engine,
        "method": r.method,
        "status": r.status,
        "engine_seconds": round(eng, 2),
        "levels": r.levels,
        "staged_integer_program": {
            "status": mip.status,
            "seconds": round(mip_s, 1),
            "levels": mip.levels,
            "every_level_equal": mip.status == "OPTIMAL" and mip.levels == r.levels,
        },
        "time_ratio_staged_ip_to_engine": round(mip_s / eng, 1),
    }


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
        wall, peak_mb, code = timed_command(
            [STAFFING, "solve", str(root), "-o", out, "--jobs", str(jobs)]
        )
        combined = json.loads((Path(out) / "metrics.json").read_text("utf-8"))
        summary = combined["provinces"]
        stages = combined.get("timings", {})
    statuses = sorted({p["status"] for p in summary})
    officials = 0
    for d in root.iterdir():
        if (d / "officials.csv").exists():
            officials += sum(1 for _ in (d / "officials.csv").open(encoding="utf-8")) - 1
    return {
        "exit_code": code,
        "wall_seconds": round(wall, 2),
        "peak_rss_mb": peak_mb,
        "provinces": len(summary),
        "statuses": statuses,
        "officials": officials,
        "stage_wall_seconds_summed": {k: v["wall"] for k, v in stages.items()},
        "bare_engine_over_2_processes": round(stages.get("engine", {}).get("wall", 0) / 2, 1),
        "ratio_to_bare_engine": round(
            wall / max(1e-9, stages.get("engine", {}).get("wall", 0) / 2), 1
        ),
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
    ap.add_argument(
        "--imports", action="store_true", help="only the import floors and the command (seconds)"
    )
    a = ap.parse_args()
    cpsat_seconds = 10.0 if a.quick else 60.0
    res: dict[str, object] = {
        "machine": {
            "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
        }
    }
    floor = floor_seconds(5)
    res["import_floor_seconds"] = round(floor, 3)
    card = floor_seconds(5, DESIGN_CARD)
    res["design_card_imports"] = {
        "seconds": round(card, 3),
        "to_import_floor": round(card / floor, 2),
    }
    folder = bundled_scenario()
    if a.imports:
        command = command_seconds(folder, 3)
        res["dien_bien"] = {
            "command_seconds": round(command, 2),
            "command_to_import_floor": round(command / floor, 1),
        }
        _write(res, a.out)
        return
    p = prepare(folder)
    eng, levels = engine_seconds(p, 5)
    g = runner.solve(p.scenario, p.rule_set, "greedy")
    command = command_seconds(folder, 3)
    res["dien_bien"] = {
        "officials": len(p.scenario.officials),
        "classes": len(p.classes),
        "arcs": len(p.network.tail),
        "engine_seconds": round(eng, 3),
        "command_seconds": round(command, 2),
        "command_to_import_floor": round(command / floor, 1),
        "optimum": levels,
        "greedy": g.metrics["objective"],
    }
    cp = per_person_cpsat(p, cpsat_seconds, 2)
    cp["time_ratio_to_flow_engine"] = round(cpsat_seconds / eng)
    res["dien_bien"]["per_person_cpsat"] = cp  # type: ignore[index]
    res["max_moves"] = [
        max_moves_case(folder, 100),
        max_moves_case(folder, 100, budget=0),
    ]
    # the sweep and its peer, one solve, each a median of 3 fresh processes, taken
    # alternately in the same minutes
    sweeps, solves = [], []
    for _ in range(3):
        solves.append(command_seconds(folder, 1))
        t = time.perf_counter()
        subprocess.run(
            [STAFFING, "sweep", str(folder), "--budgets", "0-97", "-j", "2", "--format", "csv"],
            check=True,
            capture_output=True,
        )
        sweeps.append(time.perf_counter() - t)
    sweep_s, one_s = statistics.median(sweeps), statistics.median(solves)
    res["sweep_0_97"] = {
        "seconds": round(sweep_s, 2),
        "one_solve_seconds": round(one_s, 2),
        "ratio_to_one_solve": round(sweep_s / one_s, 2),
        "runs": {"sweep": [round(x, 2) for x in sweeps], "solve": [round(x, 2) for x in solves]},
    }
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
        mm = max_moves_case(hcm, 400)
        with tempfile.TemporaryDirectory() as out:
            wall, peak, code = timed_command(
                [STAFFING, "solve", str(hcm), "-o", out, "--set", "max_moves=400"]
            )
            assert code == 0, code
        mm["command_seconds"], mm["command_peak_rss_mb"] = round(wall, 1), peak
        res["max_moves"].append(mm)  # type: ignore[attr-defined]
        res["all_34"] = all_provinces(root, 2)
    _write(res, a.out)


def _write(res: dict[str, object], out: Path | None) -> None:
    text = json.dumps(res, ensure_ascii=False, indent=2)
    print(text)
    if out:
        out.write_text(text + "\n", "utf-8")


if __name__ == "__main__":
    main()
