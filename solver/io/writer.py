"""Every file the tool writes: plan folders, scenario folders, CSV tables.

One way to replace a folder (solver.io.owned: only a folder the tool wrote, staged complete
beside it and swapped into place atomically, so a failure never leaves a half-written folder);
one CSV dialect for tables a planner opens in Excel (UTF-8 with a byte-order mark, so Excel
shows the diacritics; "\\n" line ends); scenario tables whose headers come from the schema.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from models import PLAN_COLUMNS, columns_of
from solver import i18n
from solver.io.owned import Target, check_target, publish

PLAN = "plan"  # the marker kinds of the folders the tool writes
PLANS = "plans"  # a several-province run: province folders and the combined tables
SCENARIO = "scenario"
COMPARISON = "comparison"  # staffing compare -o
TIMELINE = "timeline"  # staffing timeline -o

if TYPE_CHECKING:  # pragma: no cover
    from solver.run import Outcome

BOM = "\ufeff"


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], bom: bool = False) -> str:
    """A CSV table: the header, then each row's values by column (None → empty)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow(["" if r.get(c) is None else r.get(c) for c in columns])
    return (BOM if bom else "") + buf.getvalue()


def table_csv(model: type[BaseModel], rows: Iterable[Mapping[str, Any]]) -> str:
    """A scenario input table; its header is the row model's columns."""
    return csv_text(rows, columns_of(model)[0])


def replace_folder(
    out: Path, files: Mapping[str, str | bytes], kind: str = "scenario", keep_previous: bool = False
) -> Path:
    """Write {file name: text} as the folder `out`, atomically (see solver.io.owned): only a
    folder of the same kind that the tool wrote, or an empty one, is replaced."""
    return publish(check_target(Path(out), kind, keep_previous=keep_previous), files)


def metrics_text(metrics: Mapping[str, Any]) -> str:
    return json.dumps(metrics, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


# the values of plan.csv that are codes with a label in each language (solver.i18n.LABELS)
LABELLED = {"kind": "kind", "status": "status", "bloc": "bloc", "category": "category"}
SPECIALTY_COLUMNS = ("specialty", "fills")


def localized(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    specialties: Mapping[str, str] | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows and columns as a planner reads them in the active language: headers, statuses,
    kinds, blocs, categories and specialty names labelled (English: the codes, unchanged).
    Unit codes, ids and numbers never change."""
    if i18n.current() == "en":
        return [dict(r) for r in rows], list(columns)
    names = dict(specialties or {})
    heads = [i18n.column_label(c, names) for c in columns]
    out = []
    for r in rows:
        row: dict[str, Any] = {}
        for c, h in zip(columns, heads, strict=True):
            v = r.get(c)
            if c in LABELLED and isinstance(v, str):
                v = i18n.label(LABELLED[c], v)
            elif c in SPECIALTY_COLUMNS and isinstance(v, str):
                v = names.get(v, v)
            row[h] = v
        out.append(row)
    return out, heads


def plan_files(outcome: Outcome) -> dict[str, str | bytes]:
    """plan.csv, communes.csv (when there is a plan) and metrics.json, as text, in the active
    language (solver.i18n)."""
    files: dict[str, str | bytes] = {}
    names = i18n.specialty_names(outcome.scenario)
    if outcome.plan is not None:
        rows, cols = localized(outcome.plan.records(), PLAN_COLUMNS, names)
        files["plan.csv"] = csv_text(rows, cols, bom=True)
    if outcome.communes is not None:
        columns = list(outcome.communes[0]) if outcome.communes else []
        rows, cols = localized(outcome.communes, columns, names)
        files["communes.csv"] = csv_text(rows, cols, bom=True)
    files["metrics.json"] = metrics_text(outcome.metrics)
    return files


def write_outputs(
    target: Target | Path, outcome: Outcome, extra: Mapping[str, str | bytes] | None = None
) -> Path:
    """Write a solve's plan folder atomically (with `extra` files: workbook, reports); the
    plan it replaces becomes NAME.previous."""
    if not isinstance(target, Target):
        target = check_target(Path(target), PLAN)
    return publish(target, {**plan_files(outcome), **(extra or {})})


def write_files(folder: Path, files: Mapping[str, str | bytes]) -> None:
    """Plain writes into a folder that nobody else sees yet (a staging folder's part)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8") if isinstance(text, str) else text
        with open(folder / name, "wb") as fh:
            fh.write(data)
