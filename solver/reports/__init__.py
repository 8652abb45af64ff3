"""What a planner hands on: the workbook, the HTML report, the printable decision pages, the
blank input template. Everything here reads a `ReportData` (the plan and what explains it) and
returns file contents; only the CLI writes them (atomically, through solver.io.owned)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from models import PersonKind, Plan, PlanRow, PlanStatus, Scenario
from solver import i18n

if TYPE_CHECKING:  # pragma: no cover
    from models import QuotaTable
    from solver.run import Outcome


@dataclass
class ReportData:
    """A plan with what explains it: the scenario (names, coordinates, specialties), the quota
    table (terms and sources), the per-unit table (communes.csv's rows, coded columns) and
    metrics.json."""

    scenario: Scenario
    quotas: QuotaTable
    plan: Plan
    communes: list[dict[str, Any]]
    metrics: dict[str, Any]

    @classmethod
    def of_outcome(cls, o: Outcome) -> ReportData:
        assert o.plan is not None and o.problem is not None and o.communes is not None
        return cls(o.scenario, o.problem.quotas, o.plan, o.communes, o.metrics)

    def name(self, code: str) -> str:
        """A unit's name (plan rows hold new unit codes only)."""
        return self.scenario.names.get(code, code)

    def specialty(self, code: str) -> str:
        """A specialty's readable name in the active language."""
        return i18n.specialty_titles(self.scenario).get(code, code)

    @cached_property
    def by_unit(self) -> dict[str, list[dict[str, Any]]]:
        """communes.csv's rows of each unit (one per bloc)."""
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in self.communes:
            out[str(r["commune"])].append(r)
        return dict(out)

    def unit_total(self, code: str, column: str) -> int:
        """A communes.csv figure summed over the unit's blocs (0 where the column is absent)."""
        return sum(int(float(r.get(column) or 0)) for r in self.by_unit.get(code, []))

    @cached_property
    def specialties(self) -> list[str]:
        """The specialties with a need column in communes.csv, in its order."""
        cols = list(self.communes[0]) if self.communes else []
        return [c[: -len("_need")] for c in cols if c.endswith("_need")]

    def specialty_gaps(self, code: str | None = None, before: bool = False) -> dict[str, int]:
        """Gap per specialty, in one unit or the whole province (after the plan, or before)."""
        suffix = "_gap_before" if before else "_gap"
        rows = self.communes if code is None else self.by_unit.get(code, [])
        out: Counter[str] = Counter()
        for r in rows:
            for sp in self.specialties:
                out[sp] += int(float(r.get(sp + suffix) or 0))
        return dict(out)

    @cached_property
    def _placed_at(self) -> dict[str, list[PlanRow]]:
        out: dict[str, list[PlanRow]] = defaultdict(list)
        for r in self.plan:
            if r.status.placed:
                out[r.to].append(r)
        return dict(out)

    @cached_property
    def _leaving(self) -> dict[str, list[PlanRow]]:
        out: dict[str, list[PlanRow]] = defaultdict(list)
        for r in self.plan:
            if r.kind == PersonKind.official and r.status in (
                PlanStatus.moves,
                PlanStatus.unplaced,
            ):
                out[r.from_].append(r)
        return dict(out)

    def people_at(self, code: str) -> list[PlanRow]:
        """Everyone the plan places in unit `code` (stays, arrives, seconded), in plan order."""
        return self._placed_at.get(code, [])

    def leaving(self, code: str) -> list[PlanRow]:
        """Officials who work in `code` now and are placed elsewhere or not at all."""
        return self._leaving.get(code, [])


def report_files(
    d: ReportData,
    xlsx: bool = False,
    html: bool = False,
    pages: bool = False,
    pdf: bool = False,
    pdf_units: tuple[str, ...] = (),
) -> dict[str, str | bytes]:
    """The chosen outputs of a plan as {file name: contents}: plan.xlsx, report.html,
    decisions/*.html, decisions.pdf (the province page and every unit's page) and
    decisions/<code>.pdf for the units in `pdf_units`."""
    files: dict[str, str | bytes] = {}
    if xlsx:
        from solver.reports.workbook import plan_workbook

        files["plan.xlsx"] = plan_workbook(d)
    if html:
        from solver.reports.html import plan_report

        files["report.html"] = plan_report(d)
    if pages or pdf or pdf_units:
        from solver.reports.pages import decision_pages

        htmls = decision_pages(d)
        if pages or pdf_units:
            files.update(htmls)
        if pdf or pdf_units:
            from solver.reports.pdf import to_pdf

            todo = {"decisions.html": htmls["decisions/index.html"]} if pdf else {}
            todo |= {f"decisions/{c}.html": htmls[f"decisions/{c}.html"] for c in pdf_units}
            files.update(to_pdf(todo))
    return files
