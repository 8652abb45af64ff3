"""Measure a scenario against its facts file (models.facts): the reported figures it must
reproduce, before and after the plan.

Definitions (docs/generate.md, "Facts"):
- in post: officials of the categories holding quota places (the rule set's quota_holders) in
  the blocs in scope, serving at the unit on the scenario's date (whatever they intend: they
  are still in post, as the province's headcounts count them);
- norm: the unit's quotas summed over the blocs in scope;
- shortage before: max(0, norm − in post); surplus before, of a group: Σ (in post − norm);
- district seats: per old district, the unit that absorbed its township or ward (else its
  first old unit by code);
- remote units: those farther by road from the nearest political centre than the median unit;
- after the plan: `staffing solve` with the given secondee budget (engine flow), the shortage
  of the remote units summed over every bloc.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from models import Category, InputError, Issue, Scenario
from models.facts import Fact, Facts
from models.problems import msg
from models.rules import RuleSet
from solver import run
from solver.geo import distance_table
from solver.i18n import _
from solver.io import yamlio
from solver.problem import scope as scope_of
from solver.quotas import compute as compute_quotas
from solver.quotas import old_unit_counts

FILE = "facts.yaml"
PLAN_KINDS = frozenset({"remote_shortage_after", "remote_shortage_gain", "distinct_optima"})


def load(path: Path) -> Facts:
    """A facts file; InputError listing its problems (line, key, what was expected)."""
    try:
        data = yamlio.load(path.read_bytes().decode("utf-8-sig"))
        return Facts.model_validate(data)
    except FileNotFoundError:
        expected = msg("a facts file (YAML) at {path}: there is none", path=str(path))
        issues = [Issue(path.name, None, None, None, expected)]
    except UnicodeDecodeError:
        issues = [Issue(path.name, None, None, None, "UTF-8 text")]
    except yamlio.YamlError as e:
        issues = [
            Issue(
                f"{path.name}, line {p.line}" if p.line else path.name, None, None, None, p.message
            )
            for p in e.problems
        ]
    except ValidationError as e:
        issues = [
            Issue(
                path.name,
                None,
                ".".join(str(x) for x in err.get("loc", ())) or None,
                None,
                str(err.get("msg", err["type"])),
                label="key",
            )
            for err in e.errors()
        ]
    raise InputError(issues, str(path))


@dataclass
class Measured:
    fact: Fact
    value: float

    @property
    def holds(self) -> bool:
        return self.fact.expected.holds(self.value)


@dataclass
class _Measurer:
    s: Scenario
    rs: RuleSet
    _solved: dict[int, run.Outcome] = field(default_factory=dict)

    def __post_init__(self) -> None:
        sc = scope_of(self.s, self.rs)
        self.blocs = [b.value for b in sc.blocs]
        self.table = compute_quotas(self.s, self.rs, list(sc.blocs))
        q = self.table.quotas()
        self.norm: Counter[str] = Counter()
        for (c, b), v in q.items():
            if b in self.blocs:
                self.norm[c] += v
        self.in_post: Counter[str] = Counter()
        for o in self.s.officials:
            if (
                o.bloc in sc.blocs
                and o.category in sc.holders[o.bloc]
                and (o.available_until is None or o.available_until >= sc.as_of)
            ):
                self.in_post[self.s.current_of(o)] += 1

    def group(self, name: str) -> list[str]:
        codes = [c.code for c in self.s.communes]
        if name == "formed_from_3":
            n = old_unit_counts(self.s)
            return [c for c in codes if n[c] >= 3]
        if name == "district_seats":
            seats: dict[str, str] = {}
            for o in sorted(self.s.old_units, key=lambda o: o.code):
                seats.setdefault(o.district, o.successor)  # the first old unit, by code
            for o in sorted(self.s.old_units, key=lambda o: o.code, reverse=True):
                if o.name.startswith(("Thị trấn", "Phường")):
                    seats[o.district] = o.successor  # its township or ward, the first by code
            return sorted(set(seats.values()))
        return codes

    def remote(self) -> list[str]:
        km = distance_table(self.s)
        centres = [c.code for c in self.s.communes if c.political_center] or [
            self.s.communes[0].code
        ]
        far = {c.code: min(km[(x, c.code)] for x in centres) for c in self.s.communes}
        ranked = sorted(far.values())
        median = ranked[len(ranked) // 2]
        return [c for c, d in far.items() if d > median]

    def outcome(self, budget: int) -> run.Outcome:
        if budget not in self._solved:
            cfg = self.s.config.model_copy(update={"secondee_budget": budget})
            self._solved[budget] = run.solve(self.s.model_copy(update={"config": cfg}), self.rs)
        return self._solved[budget]

    def remote_shortage(self, budget: int) -> int:
        o = self.outcome(budget)
        if o.communes is None:
            return -1
        far = set(self.remote())
        return sum(int(r["shortage"]) for r in o.communes if r["commune"] in far)

    def measure(self, f: Fact) -> float:
        m = f.measure
        s = self.s
        if m.kind == "units":
            return len(s.communes)
        if m.kind == "old_units":
            return len(s.old_units)
        if m.kind == "cadres_civil_servants":
            return sum(o.category in (Category.cadre, Category.civil_servant) for o in s.officials)
        if m.kind == "surplus_before":
            assert m.group is not None
            return sum(self.in_post[c] - self.norm[c] for c in self.group(m.group))
        if m.kind == "norm":
            return self.norm[str(m.unit)]
        if m.kind == "in_post":
            return self.in_post[str(m.unit)]
        if m.kind == "shortage_before":
            return max(0, self.norm[str(m.unit)] - self.in_post[str(m.unit)])
        if m.kind == "quota_range":
            centre = {c.code for c in s.communes if c.political_center}
            vals = [
                r.quota
                for r in self.table.rows
                if r.bloc == m.bloc and (r.commune in centre) == m.political_center
            ]
            lo, hi = min(vals), max(vals)
            return hi if f.expected.holds(lo) and not f.expected.holds(hi) else lo
        if m.kind == "secondee_budget":
            return s.config.secondee_budget
        if m.kind == "secondee_candidates":
            return len(s.secondees)
        if m.kind == "secondment_months":
            periods = {(q.start, q.end) for q in s.secondees}
            if len(periods) != 1:
                return -1
            start, end = next(iter(periods))
            if start != m.start or end is None or end.day != start.day:
                return -1
            return (end.year - start.year) * 12 + end.month - start.month
        if m.kind == "part_time_until":
            part = [o for o in s.officials if o.category == Category.part_time]
            ok = all(o.available_until == m.date for o in part)
            return len(part) if ok else 0
        if m.kind == "remote_shortage_after":
            assert m.budget is not None
            return self.remote_shortage(m.budget)
        if m.kind == "remote_shortage_gain":
            assert m.budgets is not None
            a, b = m.budgets[0], m.budgets[-1]
            return self.remote_shortage(a) - self.remote_shortage(b)
        if m.kind == "distinct_optima":
            assert m.budgets is not None
            optima = {tuple(self.outcome(b).metrics["objective"].values()) for b in m.budgets}
            return len(optima)
        raise AssertionError(m.kind)  # pragma: no cover - the schema lists the kinds


def measure(s: Scenario, rs: RuleSet, facts: Facts) -> list[Measured]:
    """Every fact with the figure measured on the scenario (solving where a fact is about a
    plan: once per secondee budget)."""
    m = _Measurer(s, rs)
    return [Measured(f, m.measure(f)) for f in facts.facts]


def rows(measured: list[Measured]) -> list[dict[str, Any]]:
    return [
        {
            "id": x.fact.id,
            "fact": x.fact.fact,
            "source": x.fact.source,
            "expected": x.fact.expected.text(),
            "measured": f"{x.value:g}",
            "holds": _("yes") if x.holds else _("NO"),
        }
        for x in measured
    ]


COLUMNS = ["id", "fact", "source", "expected", "measured", "holds"]

__all__ = ["COLUMNS", "FILE", "PLAN_KINDS", "Measured", "load", "measure", "rows"]
