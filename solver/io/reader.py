"""Read a scenario folder (scenario.yaml + CSV files) or one .xlsx workbook.

Every problem is collected and reported at once, each located by file (or sheet), row and
column, with the value found and what was expected. Nothing here raises for a user's mistake
except `ScenarioError`, which carries the whole list.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from models import (
    Commune,
    Distance,
    Issue,
    Need,
    Official,
    OldUnit,
    Scenario,
    ScenarioConfig,
    Secondee,
    Specialty,
    columns_of,
    did_you_mean,
    reference_issues,
)
from models.problems import InputError
from models.scenario import TableLocation, split_list
from solver.paths import default_specialties_file

TABLES: dict[str, tuple[type[BaseModel], bool]] = {
    # table name -> (row model, required)
    "communes": (Commune, True),
    "old_units": (OldUnit, True),
    "officials": (Official, True),
    "secondees": (Secondee, False),
    "needs": (Need, False),
    "distances": (Distance, False),
    "specialties": (Specialty, False),
}
CODE_COLUMNS = {"code", "successor", "origin", "current", "base", "commune", "from", "to"}
TRUE = {"true", "yes", "y", "1", "x"}
FALSE = {"false", "no", "n", "0", ""}


class ScenarioError(InputError):
    """The scenario could not be read; `issues` lists every problem found."""


@dataclass
class RawTable:
    where: str  # file name or "book.xlsx, sheet officials"
    header: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)


def _decode(data: bytes, where: str, issues: list[Issue]) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        issues.append(
            Issue(
                where,
                line,
                None,
                data[e.start : e.start + 4].hex(" "),
                "UTF-8 text; this file looks like a legacy encoding (Windows-1258, TCVN3 or "
                "similar): save it as 'CSV UTF-8'",
            )
        )
        return None


def _read_csv(path: Path, issues: list[Issue]) -> RawTable | None:
    text = _decode(path.read_bytes(), path.name, issues)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = list(reader)
    if not rows:
        return RawTable(path.name, [])
    header = [unicodedata.normalize("NFC", h.strip()) for h in rows[0]]
    table = RawTable(path.name, header)
    for n, r in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in r):
            continue
        if len(r) > len(header):
            issues.append(
                Issue(path.name, n, None, len(r), f"at most {len(header)} cells (the header's)")
            )
        rec = {h: (r[i] if i < len(r) else "") for i, h in enumerate(header)}
        rec["__row__"] = str(n)
        table.rows.append(rec)
    return table


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _read_workbook(path: Path, issues: list[Issue]) -> dict[str, RawTable] | None:
    import openpyxl  # local: only workbook users pay for it

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for a corrupt file
        issues.append(Issue(path.name, None, None, None, f"a readable .xlsx workbook ({e})"))
        return None
    out: dict[str, RawTable] = {}
    for ws in wb.worksheets:
        where = f"{path.name}, sheet {ws.title}"
        values = [[_cell(c) for c in row] for row in ws.iter_rows(values_only=True)]
        if not values:
            out[ws.title] = RawTable(where, [])
            continue
        header = [unicodedata.normalize("NFC", h.strip()) for h in values[0]]
        while header and not header[-1]:
            header.pop()
        table = RawTable(where, header)
        for n, r in enumerate(values[1:], start=2):
            if not any(c.strip() for c in r):
                continue
            rec = {h: (r[i] if i < len(r) else "") for i, h in enumerate(header)}
            rec["__row__"] = str(n)
            table.rows.append(rec)
        out[ws.title] = table
    wb.close()
    return out


_PYD_EXPECT = {
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "float_type": "a number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "int_type": "a whole number",
    "bool_parsing": "true or false",
    "date_parsing": "a date as YYYY-MM-DD",
    "date_from_datetime_parsing": "a date as YYYY-MM-DD",
    "date_from_datetime_inexact": "a date as YYYY-MM-DD",
    "missing": "a value (the column is required)",
    "string_too_short": "a value (the column is required)",
}


def _expected(model: type[BaseModel], err: dict[str, Any]) -> tuple[str, str | None]:
    """Plain-words expectation (and a suggestion) for one pydantic error."""
    typ = err["type"]
    loc = err.get("loc") or ()
    col = str(loc[0]) if loc else ""
    ctx = err.get("ctx") or {}
    if typ in _PYD_EXPECT:
        return _PYD_EXPECT[typ], None
    if typ == "enum":
        text = str(ctx.get("expected", "")).replace(" or ", ",")
        allowed = [a.strip(" '") for a in text.split(",")]
        allowed = [a for a in allowed if a]
        return "one of " + ", ".join(allowed), did_you_mean(str(err.get("input", "")), allowed)
    if typ == "string_pattern_mismatch":
        if col in CODE_COLUMNS:
            return "a 5-digit official unit code, e.g. 03208", None
        return f"text matching {ctx.get('pattern')}", None
    if typ in ("greater_than", "greater_than_equal", "less_than_equal", "less_than"):
        if col == "lat":
            return "a latitude between 8.0 and 23.5 (inside Vietnam)", None
        if col == "lon":
            return "a longitude between 102.0 and 117.9 (inside Vietnam)", None
        sign = {
            "greater_than": ">",
            "greater_than_equal": "≥",
            "less_than": "<",
            "less_than_equal": "≤",
        }[typ]
        bound = next(iter(ctx.values())) if ctx else "?"
        return f"a number {sign} {bound}", None
    if typ == "value_error":
        return str(ctx.get("error", err.get("msg", ""))), None
    return str(err.get("msg", typ)), None


def _prepare(rec: dict[str, str], columns: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in columns:
        raw = rec.get(col, "")
        v = unicodedata.normalize("NFC", raw.strip())
        if v == "":
            continue
        if col in CODE_COLUMNS and re.fullmatch(r"\d{1,4}", v):
            v = v.zfill(5)  # Excel drops leading zeros of official codes
        out[col] = v
    return out


def parse_table(
    raw: RawTable, model: type[BaseModel], issues: list[Issue]
) -> tuple[list[Any], list[int], list[tuple[int, Any]]]:
    """Validate each row. Returns the row models, their spreadsheet row numbers, and for rows
    that failed, a stand-in carrying the raw values of the cells that did not fail (so the
    cross-table checks can still report the row's other problems)."""
    columns, required = columns_of(model)
    missing = [c for c in required if c not in raw.header]
    for c in missing:
        issues.append(Issue(raw.where, 1, c, None, f"a column named {c!r} (it is required)"))
    for h in raw.header:
        if h not in columns:
            issues.append(
                Issue(
                    raw.where,
                    1,
                    h,
                    None,
                    "one of the columns " + ", ".join(columns),
                    did_you_mean(h, columns),
                )
            )
    if missing:
        return [], [], []
    out, rows = [], []
    failed: list[tuple[int, Any]] = []
    for rec in raw.rows:
        n = int(rec["__row__"])
        data = _prepare(rec, columns)
        try:
            out.append(model.model_validate(data))
            rows.append(n)
        except ValidationError as e:
            bad_cols = set()
            for err in e.errors():
                loc = err.get("loc") or ()
                col = str(loc[0]) if loc else None
                bad_cols.add(col)
                exp, sug = _expected(model, dict(err))
                value = data.get(col) if col else None
                issues.append(Issue(raw.where, n, col, value, exp, sug))
            failed.append((n, _stand_in(model, data, bad_cols)))
    return out, rows, failed


def _stand_in(model: type[BaseModel], data: dict[str, Any], bad: set[str | None]) -> Any:
    """A row that failed validation, as attributes: raw values of its good cells, else None."""
    attrs: dict[str, Any] = {}
    for name, f in model.model_fields.items():
        col = f.alias or name
        v = None if col in bad else data.get(col)
        if get_origin(f.annotation) is list:
            v = split_list(v)
        attrs[name] = v
    return SimpleNamespace(**attrs)


def _read_config(data: dict[str, Any], where: str, issues: list[Issue]) -> ScenarioConfig | None:
    try:
        return ScenarioConfig.model_validate(data)
    except ValidationError as e:
        keys = list(ScenarioConfig.model_fields)
        for err in e.errors():
            loc = err.get("loc") or ()
            key = ".".join(str(x) for x in loc) or None
            if err["type"] == "extra_forbidden":
                issues.append(
                    Issue(
                        where,
                        None,
                        key,
                        None,
                        "one of the keys " + ", ".join(keys),
                        did_you_mean(str(loc[0]), keys),
                        label="key",
                    )
                )
                continue
            exp, sug = _expected(ScenarioConfig, dict(err))
            value = None if err["type"] == "missing" or not loc else err.get("input")
            if err["type"] == "missing":
                exp = "a value (the key is required)"
            issues.append(Issue(where, None, key, value, exp, sug, label="key"))
    return None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario folder or workbook.

    Raises ScenarioError listing every problem found."""
    path = Path(path)
    issues: list[Issue] = []
    if path.is_dir():
        config, raws = _read_folder(path, issues)
    elif path.suffix.lower() == ".xlsx" and path.exists():
        config, raws = _read_book(path, issues)
    else:
        expected = "a scenario folder or an .xlsx workbook that exists"
        raise ScenarioError([Issue(str(path), None, None, None, expected)], str(path))
    if "specialties" not in raws:
        t = _read_csv(default_specialties_file(), issues)
        if t is not None:
            raws["specialties"] = t
    parsed, rownums, everything = _parse_tables(raws, issues)
    _cross_table_issues(raws, everything, issues)
    if issues or config is None:
        raise ScenarioError(issues, str(path))
    return Scenario(
        config=config,
        folder=str(path),
        locations={
            name: TableLocation(where=raws[name].where, rows=tuple(rownums[name]))
            for name in TABLES
            if name in raws
        },
        **{name: tuple(parsed[name]) for name in TABLES},
    )


def _read_yaml(path: Path, issues: list[Issue]) -> ScenarioConfig | None:
    text = _decode(path.read_bytes(), "scenario.yaml", issues)
    if text is None:
        return None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as e:
        issues.append(Issue("scenario.yaml", None, None, None, f"valid YAML ({e})"))
        return None
    if not isinstance(data, dict):
        issues.append(Issue("scenario.yaml", None, None, None, "a mapping of keys"))
        return None
    return _read_config(data, "scenario.yaml", issues)


def _read_folder(
    path: Path, issues: list[Issue]
) -> tuple[ScenarioConfig | None, dict[str, RawTable]]:
    """scenario.yaml and each table's CSV file of a scenario folder."""
    config = None
    ypath = path / "scenario.yaml"
    if not ypath.exists():
        issues.append(Issue("scenario.yaml", None, None, None, f"this file in {path}"))
    else:
        config = _read_yaml(ypath, issues)
    raws: dict[str, RawTable] = {}
    for name, (_model, req) in TABLES.items():
        f = path / f"{name}.csv"
        if f.exists():
            t = _read_csv(f, issues)
            if t is not None:
                raws[name] = t
        elif req:
            issues.append(Issue(f"{name}.csv", None, None, None, f"this file in {path}"))
    return config, raws


def _read_book(
    path: Path, issues: list[Issue]
) -> tuple[ScenarioConfig | None, dict[str, RawTable]]:
    """The 'scenario' sheet and each table's sheet of a workbook."""
    config = None
    raws: dict[str, RawTable] = {}
    sheets = _read_workbook(path, issues) or {}
    cfg = sheets.pop("scenario", None)
    if cfg is None:
        if sheets or not issues:
            issues.append(Issue(path.name, None, "scenario", None, "a sheet named 'scenario'"))
    else:
        config = _read_config(_config_from_sheet(cfg), cfg.where, issues)
    for name, (_model, req) in TABLES.items():
        if name in sheets:
            raws[name] = sheets.pop(name)
        elif req and (sheets or raws):
            issues.append(Issue(path.name, None, name, None, f"a sheet named {name!r}"))
    for extra in sheets:
        expected = "sheets named scenario, " + ", ".join(TABLES)
        issues.append(Issue(path.name, None, extra, None, expected, did_you_mean(extra, TABLES)))
    return config, raws


def _parse_tables(
    raws: dict[str, RawTable], issues: list[Issue]
) -> tuple[dict[str, list[Any]], dict[str, list[int]], dict[str, list[tuple[int, Any]]]]:
    """Validate every row of every table: the rows that passed, their row numbers, and all
    rows in file order (stand-ins for those that failed)."""
    parsed: dict[str, list[Any]] = {}
    rownums: dict[str, list[int]] = {}
    everything: dict[str, list[tuple[int, Any]]] = {}
    for name, (model, _req) in TABLES.items():
        if name in raws:
            parsed[name], rownums[name], failed = parse_table(raws[name], model, issues)
        else:
            parsed[name], rownums[name], failed = [], [], []
        everything[name] = sorted(
            [*zip(rownums[name], parsed[name], strict=True), *failed], key=lambda x: x[0]
        )
    for name, what in (
        ("communes", "at least one unit"),
        ("old_units", "at least one old unit"),
        ("officials", "at least one official (the roster is empty)"),
    ):
        if name in raws and not raws[name].rows and raws[name].header:
            issues.append(Issue(raws[name].where, None, None, None, what))
    return parsed, rownums, everything


def _cross_table_issues(
    raws: dict[str, RawTable], everything: dict[str, list[tuple[int, Any]]], issues: list[Issue]
) -> None:
    """Cross-table checks on every row: parsed ones, and stand-ins for those that failed
    (whose failed cells are blank, so nothing is reported twice)."""
    parts = SimpleNamespace(**{name: tuple(obj for _n, obj in everything[name]) for name in TABLES})
    absent = [  # tables missing, or missing a required column: nothing in them is known
        name
        for name, (model, _req) in TABLES.items()
        if name not in raws or any(c not in raws[name].header for c in columns_of(model)[1])
    ]
    numbers = {name: [n for n, _obj in everything[name]] for name in TABLES}
    for i in reference_issues(parts, numbers):
        if i.row is None or any(f"in {name}" in i.expected for name in absent):
            continue
        where = raws[i.table].where if i.table in raws else i.table
        issues.append(Issue(where, i.row, i.column, i.value, i.expected, i.suggestion))


def read_table(path: Path) -> tuple[list[dict[str, str]], list[str]]:
    """A CSV file the tool wrote (a plan or commune table): its rows as text, and its header."""
    raw = _read_csv(path, [])
    if raw is None:  # pragma: no cover - the tool writes UTF-8
        return [], []
    rows = [{k: v for k, v in r.items() if k != "__row__"} for r in raw.rows]
    return rows, raw.header


def input_hashes(folder: str) -> dict[str, str]:
    """SHA-256 of each input file of a scenario folder (or of the workbook)."""
    path = Path(folder)
    files = (
        [path] if path.is_file() else [path / "scenario.yaml"] + [path / f"{t}.csv" for t in TABLES]
    )
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files if f.exists()}


def _config_from_sheet(raw: RawTable) -> dict[str, Any]:
    """A 'scenario' sheet has columns key and value; list values are separated by ';'."""
    out: dict[str, Any] = {}
    for rec in raw.rows:
        key = rec.get("key", "").strip()
        val = rec.get("value", "").strip()
        if not key:
            continue
        if key in ("blocs", "objective"):
            out[key] = [v.strip() for v in val.split(";") if v.strip()]
        elif key == "province_total":
            out[key] = yaml.safe_load(val) if val else None
        elif val != "":
            out[key] = val
    return out
