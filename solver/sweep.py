"""Many solves of one scenario that differ in one numeric option, side by side.

`param_sweep` solves the scenario at each value of an option (`secondee_budget`, `max_km`,
`secondee_cost`, `max_moves`, …) to optimality and gives, per value, each level, the gain over
the previous value (in the levels' order: a lexicographic improvement or not), and whether the
curve has flattened (no level changes from this value on). `secondee_budgets` is the budget
sweep of earlier versions (same rows, column `budget`). `marginal_specialties` answers the
recruiting question: for each specialty, what one more secondee of it would buy and where it
would go — exact, by a re-solve with that one candidate added.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from models import LEVELS, SHORTAGE_LEVELS, Decision, DecisionKind, Scenario, Secondee
from models.rules import RuleSet
from solver import engines, parallel
from solver.engines.base import Result
from solver.i18n import _
from solver.problem import Problem, prepare

LEVEL_NAMES = [lv.value for lv in LEVELS]
SAME_AS = "same_optimum_as"  # a row filled from a smaller budget's optimum (not re-solved)
SETTLES = "_settles"  # the row whose optimum every larger budget shares


def columns(param: str) -> list[str]:
    return [
        param,
        "status",
        "secondees_used",
        *LEVEL_NAMES,
        *(f"{lv}_gain" for lv in LEVEL_NAMES),
        *(f"{lv.value}_gain_per_step" for lv in SHORTAGE_LEVELS),
        "flat_from_here",
        SAME_AS,
    ]


# the budget sweep's columns: `budget`, and the gain per secondee used
COLUMNS = ["budget"] + [
    c.replace("_gain_per_step", "_gain_per_secondee") for c in columns("secondee_budget")[1:]
]


def parse_values(text: str, integer: bool = True) -> list[float]:
    """'0,52,97', '0-10' (whole numbers), 'LOW:HIGH:STEP' or a mix. ValueError in words."""
    out: set[float] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if ":" in part:
                lo, hi, step = (float(x) for x in part.split(":"))
                if step <= 0 or lo > hi:
                    raise ValueError
                n = int(round((hi - lo) / step))
                out.update(lo + i * step for i in range(n + 1) if lo + i * step <= hi + 1e-9)
            elif "-" in part[1:]:
                lo, hi = (int(x) for x in part.split("-", 1))
                if lo > hi or lo < 0:
                    raise ValueError
                out.update(range(lo, hi + 1))
            else:
                out.add(float(part))
        except ValueError:
            raise ValueError(
                _("{part}: expected a value, LOW-HIGH (whole numbers) or LOW:HIGH:STEP").format(
                    part=repr(part)
                )
            ) from None
    if not out:
        raise ValueError(_("no value given"))
    vals = sorted(out)
    if integer and any(v != int(v) for v in vals):
        raise ValueError(_("this option takes whole numbers"))
    if any(v < 0 for v in vals):
        raise ValueError("values must be ≥ 0")
    return [int(v) if integer else v for v in vals]


def parse_budgets(text: str) -> list[int]:
    """'0,52,97' or '0-10' or a mix: '0-5,52,97'. Raises ValueError with a plain message."""
    return [int(v) for v in parse_values(text, integer=True)]


# methods whose optimum is a linear programme's (a flow, an integral staged LP, a Lagrangian
# price): a budget left unused there stays optimal for every larger budget (convexity)
LP_METHODS = ("weights", "staged LP, integral", "Lagrangian")


def _row(p: Problem, r: Result, param: str, value: Any) -> dict[str, Any]:
    row: dict[str, Any] = {param: value, "status": r.status.value}
    if r.ok and r.flows is not None:
        row["secondees_used"] = p.secondees_used(r.flows)
        for lv in LEVEL_NAMES:
            row[lv] = r.levels[lv]
        row["_order"] = p.order
    return row


def _solve_value(task: tuple[Scenario, RuleSet, str, Any, str]) -> dict[str, Any]:
    s, rs, param, value, engine = task
    s = s.model_copy(update={"config": s.config.model_copy(update={param: value})})
    p = prepare(s, rs)
    return _row(p, engines.solve(p, engine, s.config.time_limit), param, value)


def _solve_budgets(task: tuple[Scenario, RuleSet, list[int], str]) -> list[dict[str, Any]]:
    """Budgets in increasing order on one network (prepared at the largest; each budget
    changes only supplies and capacities). Once an optimum proven by a linear programme
    leaves budget unused (or every candidate is used), every larger budget has that same
    optimum: the budgets stop there, that row marked (`_settle_rows` fills the rest).

    Where the officials' quota is the only side constraint, each budget solves the secondee
    bloc's part alone (the other parts do not depend on the budget) and starts its price
    search from the previous budget's prices. That proves the same levels as a fresh solve,
    possibly with another of the equally good plans; the row is kept only where every such
    plan uses the same number of secondees: when the optimum at b is strictly better than at
    b − 1, every optimal plan uses all b (one using fewer would be a plan for b − 1 at least
    as good). Elsewhere the budget is solved as a fresh solve would."""
    s, rs, budgets, engine = task
    top = s.model_copy(
        update={"config": s.config.model_copy(update={"secondee_budget": max(budgets)})}
    )
    base = prepare(top, rs)
    outside = engines.budget_free_flows(base, engine)
    rows: list[dict[str, Any]] = []
    prev: dict[str, Any] | None = None
    start = None
    for b in budgets:
        try:
            p = base.with_budget(b)
        except ValueError:  # below the decided secondees: the fresh reading says why
            sb = s.model_copy(update={"config": s.config.model_copy(update={"secondee_budget": b})})
            p = prepare(sb, rs)
        limit = s.config.time_limit
        row = None
        if start is not None and prev is not None and prev["secondee_budget"] == b - 1:
            r = engines.solve(p, engine, limit, outside=outside, start=start)
            row = _row(p, r, "secondee_budget", b)
            if not (_proven(r) and _better(row, prev) and row["secondees_used"] == p.budget):
                row = None  # not unique: as a fresh solve would
        if row is None:
            r = engines.solve(p, engine, limit, outside=outside)
            row = _row(p, r, "secondee_budget", b)
        proven = _proven(r)
        start = r.certificate if proven else None
        rows.append(row)
        prev = row if proven else None
        used = row.get("secondees_used")
        if proven and used is not None and (used < p.budget or p.budget < b):
            row[SETTLES] = True
            break
    return rows


def _settle_rows(parts: list[list[dict[str, Any]]], budgets: list[int]) -> list[dict[str, Any]]:
    """One row per budget from the workers' rows, filled from the first optimum that leaves
    budget unused, whichever worker found it, and saying so: the same rows for any number of
    workers (a worker starting above that budget solved its first budget itself)."""
    solved = {r["secondee_budget"]: r for part in parts for r in part}
    out: list[dict[str, Any]] = []
    settled: dict[str, Any] | None = None
    for b in budgets:
        if settled is not None:
            out.append({**settled, "secondee_budget": b, SAME_AS: settled["secondee_budget"]})
            continue
        row = solved[b]
        if row.pop(SETTLES, False):
            settled = row
        out.append(row)
    return out


def _proven(r: Result) -> bool:
    """An optimum proven by a linear programme (see LP_METHODS)."""
    return r.status == "OPTIMAL" and r.method in LP_METHODS and r.flows is not None


def _better(row: dict[str, Any], prev: dict[str, Any]) -> bool:
    """Is the row's optimum strictly better than the previous one (lexicographically)?"""
    order = row["_order"]
    return tuple(row[lv] for lv in order) < tuple(prev[lv] for lv in order)


def param_sweep(
    scenario: Scenario,
    rule_set: RuleSet,
    param: str,
    values: list[Any],
    engine: str = "flow",
    jobs: int = 1,
    dask: str | None = None,
    on_done: Any = lambda: None,
) -> list[dict[str, Any]]:
    """One row per value (columns: `columns(param)`). A budget sweep builds the network once
    per worker and stops solving where the budget stops binding (`_solve_budgets`)."""
    if param == "secondee_budget":
        n = max(1, min(jobs, len(values)))
        size = -(-len(values) // n)
        chunks = [values[i : i + size] for i in range(0, len(values), size)]
        done = iter(chunks)

        def chunk_done() -> None:
            for _ in next(done):
                on_done()

        tasks = [(scenario, rule_set, c, engine) for c in chunks]
        rows = _settle_rows(parallel.run(_solve_budgets, tasks, jobs, dask, chunk_done), values)
    else:
        vtasks = [(scenario, rule_set, param, v, engine) for v in values]
        rows = parallel.run(_solve_value, vtasks, jobs, dask, on_done)
    prev: dict[str, Any] | None = None
    for row in rows:
        order = row.pop("_order", LEVEL_NAMES)
        for lv in LEVEL_NAMES:
            ok = prev is not None and lv in row and lv in prev
            row[f"{lv}_gain"] = (prev[lv] - row[lv]) if ok and prev is not None else None
        for lv in SHORTAGE_LEVELS:
            gain = row.get(f"{lv.value}_gain")
            step = (row[param] - prev[param]) if prev is not None else 0
            if param == "secondee_budget" and prev is not None:
                step = row.get("secondees_used", 0) - prev.get("secondees_used", 0)
            row[f"{lv.value}_gain_per_step"] = (
                round(gain / step, 2) if gain is not None and step else None
            )
        row["_key"] = tuple(row.get(lv) for lv in order)
        prev = row
    # flat from here: no level changes at this value or any larger one
    last = None
    flat = True
    for row in reversed(rows):
        key = row.pop("_key")
        if last is not None and key != last:
            flat = False
        row["flat_from_here"] = flat if row.get(LEVEL_NAMES[0]) is not None else None
        last = key
    return rows


def secondee_budgets(
    scenario: Scenario, rule_set: RuleSet, budgets: list[int], engine: str = "flow", **kw: Any
) -> list[dict[str, Any]]:
    """The budget sweep (columns: COLUMNS)."""
    rows = param_sweep(scenario, rule_set, "secondee_budget", budgets, engine, **kw)
    out = []
    for r in rows:
        r = dict(r)
        r["budget"] = r.pop("secondee_budget")
        for lv in SHORTAGE_LEVELS:
            r[f"{lv.value}_gain_per_secondee"] = r.pop(f"{lv.value}_gain_per_step")
        out.append(r)
    return out


def chart_svg(rows: list[dict[str, Any]], param: str, title: str) -> str:
    """The shortage levels against the option, as a small self-contained SVG line chart."""
    w, h, pad = 640, 360, 56
    xs = [float(r[param]) for r in rows]
    series = {lv.value: [r.get(lv.value) for r in rows] for lv in SHORTAGE_LEVELS}
    ys = [v for vs in series.values() for v in vs if v is not None]
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    y1 = max(ys) if ys else 1
    y1 = y1 if y1 > 0 else 1

    def px(x: float) -> float:
        return pad + (x - x0) / (x1 - x0) * (w - 2 * pad)

    def py(y: float) -> float:
        return h - pad - y / y1 * (h - 2 * pad)

    colours = {"specialty_shortage": "#c0392b", "quota_shortage": "#2471a3"}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">',
        f'<rect width="{w}" height="{h}" fill="white"/>',
        f'<text x="{w / 2}" y="20" text-anchor="middle" font-size="14">{_esc(title)}</text>',
        f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="black"/>',
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h - pad}" stroke="black"/>',
        f'<text x="{w / 2}" y="{h - 16}" text-anchor="middle">{_esc(param)}</text>',
    ]
    for i in range(5):
        yv = y1 * i / 4
        parts.append(f'<text x="{pad - 6}" y="{py(yv) + 4:.1f}" text-anchor="end">{yv:.0f}</text>')
    for x in xs:
        parts.append(f'<text x="{px(x):.1f}" y="{h - pad + 16}" text-anchor="middle">{x:g}</text>')
    for k, (name, vs) in enumerate(series.items()):
        pts = " ".join(
            f"{px(x):.1f},{py(v):.1f}" for x, v in zip(xs, vs, strict=True) if v is not None
        )
        parts.append(
            f'<polyline fill="none" stroke="{colours[name]}" stroke-width="2" points="{pts}"/>'
        )
        parts.append(
            f'<text x="{w - pad}" y="{pad + 16 * k}" text-anchor="end" '
            f'fill="{colours[name]}">{name}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _esc(t: str) -> str:
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- the recruiting question ----------------------------------------------------------------

MARGINAL_COLUMNS = [
    "specialty",
    "specialty_shortage_gain",
    "quota_shortage_gain",
    "goes_to",
    "goes_to_name",
    "fills",
]


def _with_one_more(s: Scenario, specialty: str, base: str) -> Scenario:
    extra = Secondee.model_validate(
        {
            "id": f"one-more-{specialty}",
            "name": f"one more {specialty} secondee",
            "department": "(hypothetical)",
            "specialty": specialty,
            "base": base,
            "available": True,
            "start": s.config.as_of,
            "end": s.config.as_of,
        }
    )
    cfg = s.config.model_copy(update={"secondee_budget": s.config.secondee_budget + 1})
    # the extra place in the budget is theirs: seconded, to wherever the optimum sends them
    decided = Decision(id=extra.id, decision=DecisionKind.second)
    return s.model_copy(
        update={
            "secondees": (*s.secondees, extra),
            "config": cfg,
            "decisions": (*s.decisions, decided),
        }
    )


def _marginal_one(task: tuple[Scenario, RuleSet, str, str, str]) -> dict[str, Any]:
    from solver import run

    s, rs, specialty, base, engine = task
    s2 = _with_one_more(s, specialty, base)
    o = run.solve(s2, rs, engine)
    row: dict[str, Any] = {"specialty": specialty, "_levels": o.metrics.get("objective")}
    if o.plan is not None:
        r = o.plan.by_id()[f"one-more-{specialty}"]
        row["goes_to"] = r.to
        row["goes_to_name"] = s.names.get(r.to, "") if r.to else ""
        row["fills"] = r.fills if r.to else ""
    return row


def marginal_specialties(
    scenario: Scenario,
    rule_set: RuleSet,
    specialties: list[str] | None = None,
    engine: str = "flow",
    jobs: int = 1,
    dask: str | None = None,
    on_done: Any = lambda: None,
) -> list[dict[str, Any]]:
    """Per specialty: the shortage levels' gain from one more secondee of it (based where the
    province's candidates are based most often), and where the optimum sends that secondee."""
    from collections import Counter

    from solver import run

    base_o = run.solve(scenario, rule_set, engine)
    base_levels = base_o.metrics.get("objective") or {}
    bases = Counter(q.base for q in scenario.secondees)
    base = bases.most_common(1)[0][0] if bases else scenario.communes[0].code
    specs = specialties or sorted({sp.code for sp in scenario.specialties})
    tasks = [(scenario, rule_set, sp, base, engine) for sp in specs]
    rows = parallel.run(_marginal_one, tasks, jobs, dask, on_done)
    for row in rows:
        lv = row.pop("_levels") or {}
        for name in ("specialty_shortage", "quota_shortage"):
            a, b = base_levels.get(name), lv.get(name)
            row[f"{name}_gain"] = (a - b) if a is not None and b is not None else None
    rows.sort(
        key=lambda r: (
            -(r["specialty_shortage_gain"] or 0),
            -(r["quota_shortage_gain"] or 0),
            r["specialty"],
        )
    )
    return rows


def write_chart(path: Path, svg: str) -> None:
    """The chart image, written whole (a temporary file renamed into place)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(svg, encoding="utf-8")
    tmp.replace(path)
