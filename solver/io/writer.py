"""Every file the tool writes: plan folders, scenario folders, CSV tables.

One way to replace a folder (a complete temporary folder beside it, swapped into place, so a
failure never leaves a half-written folder); one CSV dialect for tables a planner opens in
Excel (UTF-8 with a byte-order mark, so Excel shows the diacritics; "\\n" line ends); scenario
tables whose headers come from the schema.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from models import PLAN_COLUMNS, columns_of

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


def replace_folder(out: Path, files: Mapping[str, str]) -> Path:
    """Write {file name: text} as the folder `out`, atomically: the files go to a temporary
    folder beside `out`, which then takes its place."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8", newline="\n")
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _swap(tmp: Path, out: Path) -> None:
    if out.exists():
        old = out.with_name(f".{out.name}.old")
        if old.exists():
            shutil.rmtree(old)
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old)
    else:
        tmp.rename(out)


def metrics_text(metrics: Mapping[str, Any]) -> str:
    return json.dumps(metrics, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def plan_files(outcome: Outcome) -> dict[str, str]:
    """plan.csv, communes.csv (when there is a plan) and metrics.json, as text."""
    files: dict[str, str] = {}
    if outcome.plan is not None:
        files["plan.csv"] = csv_text(outcome.plan.records(), PLAN_COLUMNS, bom=True)
    if outcome.communes is not None:
        columns = list(outcome.communes[0]) if outcome.communes else []
        files["communes.csv"] = csv_text(outcome.communes, columns, bom=True)
    files["metrics.json"] = metrics_text(outcome.metrics)
    return files


def write_outputs(out: Path, outcome: Outcome) -> Path:
    """Write a solve's plan folder atomically."""
    return replace_folder(out, plan_files(outcome))


def write_combined(
    out: Path,
    tables: Mapping[str, tuple[list[dict[str, Any]], list[str]]],
    metrics: Mapping[str, Any],
) -> None:
    """The combined files of a several-province run (beside the province folders)."""
    out.mkdir(parents=True, exist_ok=True)
    for name, (rows, columns) in tables.items():
        (out / name).write_text(csv_text(rows, columns, bom=True), "utf-8", newline="\n")
    (out / "metrics.json").write_text(metrics_text(metrics), "utf-8", newline="\n")
