"""The situation at each date where something changes: secondments end, service ends.

Dates: the scenario's `as_of`, then the day after each secondment's `end` and each official's
`available_until` (part-timers until 31 May 2026, retirements). At each date two plans:
- **held**: the first plan kept as it is (every person still there locked to their outcome
  by decisions), with those who have gone simply gone;
- **replanned**: re-planned from the previous date's replanned plan as the baseline, so that
  as few people as possible change (the `changes` level right after the shortages).
Returns rows (one per date) and the people whose outcome changes at each date; the CLI prints
or writes them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from models import Baseline, Decision, PlanStatus, Scenario
from models.rules import RuleSet
from solver import parallel
from solver.i18n import NP_, _, ngettext, render

COLUMNS = [
    "date",
    "events",
    "held_specialty_shortage",
    "held_quota_shortage",
    "replanned_specialty_shortage",
    "replanned_quota_shortage",
    "people_who_change",
    "secondees_serving",
    "officials_in_post",
]
PEOPLE_COLUMNS = ["date", "id", "name", "kind", "before", "after"]


def dates(s: Scenario) -> list[tuple[dt.date, list[str]]]:
    """(date, what happens that day) from as_of on, in order."""
    ev: dict[dt.date, Counter[str]] = {}
    start = s.config.as_of
    for q in s.secondees:
        d = q.end + dt.timedelta(days=1)
        if d > start:
            ev.setdefault(d, Counter())["secondments"] += 1
    for p in s.officials:
        if p.available_until is not None:
            d = p.available_until + dt.timedelta(days=1)
            if d > start:
                what = "part-timers" if p.category.value == "part_time" else "officials"
                ev.setdefault(d, Counter())[what] += 1
    out = [(start, [_("the plan's date")])]
    for d in sorted(ev):
        out.append((d, [_event(what, n) for what, n in sorted(ev[d].items())]))
    return out


EVENTS = {  # what happens on a date, by who it happens to
    "secondments": NP_("{n} secondment ends", "{n} secondments end"),
    "part-timers": NP_("{n} part-timer leaves", "{n} part-timers leave"),
    "officials": NP_("{n} official leaves", "{n} officials leave"),
}


def _event(what: str, n: int) -> str:
    """What happens on a date, in the active language: "97 secondments end"."""
    return ngettext(*EVENTS[what], n).format(n=n)


def at(s: Scenario, d: dt.date) -> Scenario:
    return s.model_copy(update={"config": s.config.model_copy(update={"as_of": d})})


def _held(s: Scenario, first: dict[str, tuple[str, str]]) -> Scenario:
    """The scenario with everyone who is still there locked to their outcome in `first`."""
    decisions = []
    sec_ids = {q.id for q in s.secondees}
    excluded = {q.id for q in s.secondees if s.secondee_excluded(q) is not None}
    gone = {p.id for p in s.officials if p.available_until and p.available_until < s.config.as_of}
    for pid, (status, to) in sorted(first.items()):
        if pid in gone or pid in excluded:
            continue
        if status in (PlanStatus.stays, PlanStatus.moves):
            decisions.append({"id": pid, "decision": "assign", "commune": to})
        elif status == PlanStatus.unplaced:
            decisions.append({"id": pid, "decision": "unplaced"})
        elif status == PlanStatus.seconded and pid in sec_ids:
            decisions.append({"id": pid, "decision": "second", "commune": to})
        elif status == PlanStatus.not_selected and pid in sec_ids:
            decisions.append({"id": pid, "decision": "exclude"})
    held = tuple(Decision.model_validate(d) for d in decisions)
    return s.model_copy(update={"decisions": held})


def _solve(task: tuple[Scenario, RuleSet, Baseline | None]) -> dict[str, Any]:
    from solver import run

    s, rs, baseline = task
    o = run.solve(s, rs, baseline=baseline)
    rows = o.plan.records() if o.plan is not None else []
    return {"metrics": o.metrics, "plan": rows, "explanation": [render(x) for x in o.explanation]}


def _outcomes(rows: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    return {str(r["id"]): (str(r["status"]), str(r["to"] or "")) for r in rows}


def _word(o: tuple[str, str] | None) -> str:
    if o is None:
        return "(absent)"
    return f"{o[0]} → {o[1]}" if o[1] else o[0]


def timeline(
    s: Scenario, rs: RuleSet, jobs: int = 1, dask: str | None = None, on_done: Any = lambda: None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(one row per date, the people whose outcome changes at each date)."""
    from models import Plan, PlanRow

    when = dates(s)
    first = _solve((s, rs, None))
    on_done()
    if not first["plan"]:
        raise ValueError("no plan at the scenario's date: " + "; ".join(first["explanation"]))
    first_out = _outcomes(first["plan"])
    held = parallel.run(
        _solve, [(_held(at(s, d), first_out), rs, None) for d, _ in when[1:]], jobs, dask, on_done
    )
    rows: list[dict[str, Any]] = []
    people: list[dict[str, Any]] = []
    prev = first
    names = {str(r["id"]): (str(r["name"]), str(r["kind"])) for r in first["plan"]}
    for i, (d, events) in enumerate(when):
        if i == 0:
            cur = first
        else:
            base = Baseline.of_plan(
                Plan(rows=tuple(PlanRow.model_validate(r) for r in prev["plan"])), f"plan of {d}"
            )
            cur = _solve((at(s, d), rs, base))
            on_done()
        h = first if i == 0 else held[i - 1]
        before, after = _outcomes(prev["plan"]), _outcomes(cur["plan"])
        changed = sorted(pid for pid in after if i and before.get(pid) != after[pid])
        for pid in changed:
            people.append(
                {
                    "date": d.isoformat(),
                    "id": pid,
                    "name": names.get(pid, ("", ""))[0],
                    "kind": names.get(pid, ("", ""))[1],
                    "before": _word(before.get(pid)),
                    "after": _word(after[pid]),
                }
            )
        st = Counter(o[0] for o in after.values())
        rows.append(
            {
                "date": d.isoformat(),
                "events": "; ".join(events),
                "held_specialty_shortage": _level(h, "specialty_shortage"),
                "held_quota_shortage": _level(h, "quota_shortage"),
                "replanned_specialty_shortage": _level(cur, "specialty_shortage"),
                "replanned_quota_shortage": _level(cur, "quota_shortage"),
                "people_who_change": len(changed),
                "secondees_serving": st[PlanStatus.seconded],
                "officials_in_post": st[PlanStatus.stays]
                + st[PlanStatus.moves]
                + st[PlanStatus.outside_quota],
            }
        )
        prev = cur
    return rows, people


def _level(r: dict[str, Any], lv: str) -> Any:
    return (r["metrics"].get("objective") or {}).get(lv) if r["plan"] else None


def chart_svg(rows: list[dict[str, Any]], title: str) -> str:
    """Shortage per date, held and replanned, as a small SVG step chart."""
    from solver.sweep import chart_svg as line_chart

    data = [
        {
            "step": i,
            "specialty_shortage": r["replanned_specialty_shortage"],
            "quota_shortage": r["replanned_quota_shortage"],
        }
        for i, r in enumerate(rows)
    ]
    svg = line_chart(data, "step", title)
    labels = " · ".join(f"{i}: {r['date']}" for i, r in enumerate(rows))
    return svg.replace("</svg>", f'<text x="56" y="44" font-size="11">{labels}</text>\n</svg>')
