"""Read a plan folder back (plan.csv and metrics.json), every problem located."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from models import PLAN_COLUMNS, InputError, Issue, Plan, PlanRow
from models.plan import OPTIONAL_PLAN_COLUMNS
from solver import i18n
from solver.io.reader import RawTable, _expected, _read_csv, specialty_codes_by_name
from solver.io.writer import LABELLED, SPECIALTY_COLUMNS
from solver.paths import default_specialties_file


class PlanError(InputError):
    """A plan folder could not be read."""


def read_plan(folder: Path) -> tuple[Plan, dict[str, Any] | None]:
    """The plan in `folder`/plan.csv and its metrics.json (None when absent).

    Raises PlanError listing every problem: a missing or unreadable file, a missing column,
    and each cell that does not fit the plan's schema (file, row, column, value, expected)."""
    folder = Path(folder)
    issues: list[Issue] = []
    plan_file = folder / "plan.csv"
    if not plan_file.is_file():
        raise PlanError(
            [Issue("plan.csv", None, None, None, f"this file in {folder}")], str(folder)
        )
    raw = _read_csv(plan_file, issues)
    rows: list[PlanRow] = []
    if raw is not None:
        raw = delocalized(raw)
        missing = [
            c for c in PLAN_COLUMNS if c not in raw.header and c not in OPTIONAL_PLAN_COLUMNS
        ]
        if len(missing) == len(PLAN_COLUMNS) - len(OPTIONAL_PLAN_COLUMNS):
            issues.append(
                Issue(
                    "plan.csv",
                    1,
                    None,
                    ", ".join(raw.header[:6]),
                    "a plan written by this tool (columns " + ", ".join(PLAN_COLUMNS) + ")",
                )
            )
        elif missing:
            issues.append(
                Issue("plan.csv", 1, missing[0], None, "the columns " + ", ".join(missing))
            )
        lost = _lost_zeros(raw.rows) if not issues else None
        if lost:
            issues.append(lost)
        if not issues:
            for rec in raw.rows:
                n = int(rec["__row__"])
                data = {c: rec[c].strip() for c in PLAN_COLUMNS if c in rec}
                try:
                    rows.append(PlanRow.model_validate(data))
                except ValidationError as e:
                    for err in e.errors():
                        col = str(err["loc"][0]) if err.get("loc") else None
                        col = "from" if col == "from_" else col
                        exp, sug = _expected(PlanRow, dict(err))
                        issues.append(
                            Issue("plan.csv", n, col, data.get(col or "") or None, exp, sug)
                        )
    metrics = _read_metrics(folder / "metrics.json", issues)
    if issues:
        raise PlanError(issues, str(folder))
    return Plan(rows=tuple(rows)), metrics


CODE_COLUMNS = ("from", "to")


@functools.cache
def _specialty_codes() -> dict[str, str]:
    """Specialty name (English or Vietnamese, folded) → code, from the bundled vocabulary."""
    table = _read_csv(default_specialties_file(), [])
    return specialty_codes_by_name(table) if table is not None else {}


def delocalized(raw: RawTable) -> RawTable:
    """A plan.csv written in any language, with the column names and coded values of the
    English plan (solver.io.writer.localized, read back)."""
    header = [i18n.column_code(h) for h in raw.header]
    if header == raw.header:
        return raw
    specs = _specialty_codes()
    rows = []
    for rec in raw.rows:
        row = {"__row__": rec["__row__"]}
        for h, c in zip(raw.header, header, strict=True):
            v = rec.get(h, "")
            if c in LABELLED and v.strip():
                v = i18n.code_of(LABELLED[c], v) or v
            elif c in SPECIALTY_COLUMNS and v.strip():
                v = specs.get(i18n.fold(v), v)
            row[c] = v
        rows.append(row)
    return RawTable(raw.where, header, rows, raw.decimal_comma, raw.notes)


def _lost_zeros(rows: list[dict[str, str]]) -> Issue | None:
    """One problem for a plan whose unit codes lost their leading zeros (re-saved by Excel),
    instead of one per row."""
    hit = [
        (int(r["__row__"]), c, r[c].strip())
        for r in rows
        for c in CODE_COLUMNS
        if re.fullmatch(r"\d{1,4}", r.get(c, "").strip())
    ]
    if not hit:
        return None
    n, col, value = hit[0]
    return Issue(
        "plan.csv",
        n,
        col,
        value,
        f"5-digit unit codes such as {value.zfill(5)}: {len(hit)} codes in columns "
        f"{', '.join(sorted({c for _n, c, _v in hit}))} lost their leading zeros, so the file was "
        "re-saved by Excel; check the plan.csv the tool wrote (or import the file with those "
        "columns as Text)",
    )


def _read_metrics(path: Path, issues: list[Issue]) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        issues.append(Issue("metrics.json", None, None, None, f"a readable JSON file ({e})"))
        return None
    if not isinstance(data, dict):
        issues.append(Issue("metrics.json", None, None, None, "a JSON object"))
        return None
    obj = data.get("objective")
    if obj is not None and not (
        isinstance(obj, dict)
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in obj.values())
    ):
        issues.append(
            Issue(
                "metrics.json", None, "objective", obj, "a mapping of level to number", label="key"
            )
        )
        return None
    return data


def read_communes(folder: Path, scenario: Any = None) -> list[dict[str, Any]]:
    """communes.csv of a plan folder, in either language, with the English column codes and
    numbers as numbers (the specialty columns named by the scenario's specialties)."""
    issues: list[Issue] = []
    path = Path(folder) / "communes.csv"
    if not path.is_file():
        raise PlanError([Issue("communes.csv", None, None, None, f"this file in {folder}")])
    raw = _read_csv(path, issues)
    if raw is None or issues:
        raise PlanError(issues, str(folder))
    names: dict[str, str] = {}
    for sp in getattr(scenario, "specialties", ()):
        names[sp.code] = sp.name_vi or sp.name
    header = [i18n.column_code(h, names) for h in raw.header]
    out = []
    for rec in raw.rows:
        row: dict[str, Any] = {}
        for h, c in zip(raw.header, header, strict=True):
            v = rec.get(h, "").strip()
            if c == "bloc":
                row[c] = i18n.code_of("bloc", v) or v
            elif c in ("commune", "name"):
                row[c] = v
            else:
                try:
                    row[c] = int(v)
                except ValueError:
                    try:
                        row[c] = float(v)
                    except ValueError:
                        row[c] = v
        out.append(row)
    return out
