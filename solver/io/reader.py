"""Read a scenario folder (scenario.yaml + CSV files) or one .xlsx workbook.

Every problem is collected and reported at once, each located by file (or sheet), row and
column, with the value found and what was expected. Nothing here raises for a user's mistake
except `ScenarioError`, which carries the whole list.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import re
import types
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from models import (
    Commune,
    Decision,
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
from models.problems import InputError, Msg, msg
from models.scenario import (
    Bloc,
    Category,
    DecisionKind,
    Intention,
    PopulationSource,
    TableLocation,
    Tier,
    UnitKind,
    split_list,
)
from solver import i18n
from solver.io import yamlio
from solver.paths import default_specialties_file

TABLES: dict[str, tuple[type[BaseModel], bool]] = {
    # table name -> (row model, required)
    "communes": (Commune, True),
    "old_units": (OldUnit, True),
    "officials": (Official, True),
    "secondees": (Secondee, False),
    "needs": (Need, False),
    "distances": (Distance, False),
    "decisions": (Decision, False),
    "specialties": (Specialty, False),
}
IGNORED_SHEETS = frozenset({"instructions", "hướng dẫn"})  # and any sheet named _...
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
    decimal_comma: bool = False  # a ';'-separated file: decimals are written 12,5
    notes: list[str] = field(default_factory=list)  # how the file was read, for the user


def _decode(data: bytes, where: str, issues: list[Issue]) -> str | None:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        issues.append(
            Issue(
                where,
                None,
                None,
                None,
                "UTF-8 text; this file is UTF-16 (Excel's 'Unicode Text'): save it as 'CSV UTF-8'",
            )
        )
        return None
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


DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}


def _delimiter(first_line: str) -> str:
    """The cell separator of a CSV file, from its header line (outside quotes)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _read_csv(path: Path, issues: list[Issue]) -> RawTable | None:
    text = _decode(path.read_bytes(), path.name, issues)
    if text is None:
        return None
    delim = _delimiter(text.split("\n", 1)[0])
    try:
        rows = list(
            enumerate(
                csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True), start=1
            )
        )
    except csv.Error:
        issues.append(_malformed(text, delim, path.name))
        return None
    if not rows:
        return RawTable(path.name, [])
    return _table(path.name, rows, issues, delim)


def _malformed(text: str, delim: str, name: str) -> Issue:
    """Where a file the CSV reader refuses goes wrong: read again line by line to name the
    line (a quote never closed, or a quote inside a cell)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    while True:
        line = reader.line_num + 1
        try:
            next(reader)
        except csv.Error as e:
            if "end of data" in str(e) or "field limit" in str(e):
                expected: str | Msg = msg(
                    "a closing quote: the quote opened on line {line} is never closed, so "
                    "everything after it would be one cell",
                    line=line,
                )
            else:
                expected = msg("quotes only around a whole cell ({why})", why=e)
            return Issue(f"{name}, line {line}", None, None, None, expected)


def _table(
    where: str, rows: list[tuple[int, list[str]]], issues: list[Issue], delim: str = ","
) -> RawTable:
    """A table from its rows of cells (row 1 the header): trailing empty columns dropped,
    unnamed or repeated columns reported, blank rows skipped."""
    header = [unicodedata.normalize("NFC", h.strip()) for h in rows[0][1]]
    width = len(header)
    while (
        width
        and not header[width - 1]
        and not any(len(r) >= width and r[width - 1].strip() for _n, r in rows[1:])
    ):
        width -= 1  # a trailing column with neither name nor values: Excel leaves these
    header = header[:width]
    table = RawTable(where, header, decimal_comma=delim == ";")
    if delim != ",":
        table.notes.append(
            f"{where}: cells are separated by {DELIMITERS[delim]}, not commas"
            + (
                " (a Vietnamese-locale export): decimals such as 12,5 read as 12.5"
                if delim == ";"
                else ""
            )
        )
    seen: dict[str, int] = {}
    for i, h in enumerate(header, start=1):
        if not h:
            if any(len(r) >= i and r[i - 1].strip() for _n, r in rows[1:]):
                issues.append(
                    Issue(where, 1, f"{i}", None, msg("a column name (this column has values)"))
                )
        elif h in seen:
            issues.append(
                Issue(where, 1, h, None, msg("each column once (also column {n})", n=seen[h]))
            )
        else:
            seen[h] = i
    # the columns kept: named, and the first of a repeated name (the repeat is reported)
    kept = [(i, h) for i, h in enumerate(header) if h and seen.get(h) == i + 1]
    names = [h for _i, h in kept]
    plain = len(kept) == width  # every column kept: a row's first cells are the record
    for n, r in rows[1:]:
        if not "".join(r).strip():  # a blank row
            continue
        if len(r) > width and any(c.strip() for c in r[width:]):
            issues.append(
                Issue(where, n, None, len(r), msg("at most {n} cells (the header's)", n=width))
            )
        if plain and len(r) >= width:
            rec = dict(zip(names, r, strict=False))
        else:
            rec = {h: (r[i] if i < len(r) else "") for i, h in kept}
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
        xml = _sheet_xml(path, wb)
    except Exception as e:  # openpyxl raises many types for a corrupt file
        issues.append(Issue(path.name, None, None, None, f"a readable .xlsx workbook ({e})"))
        return None
    formulas = _formula_cells(path) if any(_HAS_FORMULA.search(x) for x in xml.values()) else {}
    out: dict[str, RawTable] = {}
    for ws in wb.worksheets:
        if ws.title in IGNORED_SHEETS or ws.title.startswith("_"):
            continue  # the template's instructions and its hidden drop-down lists
        where = f"{path.name}, sheet {ws.title}"
        values = [[_cell(c) for c in row] for row in ws.iter_rows(values_only=True)]
        if not values:
            out[ws.title] = RawTable(where, [])
            continue
        table = _table(where, list(enumerate(values, start=1)), issues)
        col_name = dict(enumerate(table.header, start=1))
        for ref in _MERGED.findall(xml.get(ws.title, b"")):
            ref = ref.decode()
            min_col, min_row, _c, _r = range_boundaries(ref)
            issues.append(
                Issue(
                    where,
                    min_row,
                    col_name.get(min_col or 0) or ref.split(":")[0],
                    ref,
                    "cells that are not merged (merged cells keep one value; the others would "
                    "read as empty): unmerge them and fill each cell",
                )
            )
        for row, col in formulas.get(ws.title, []):
            cells = values[row - 1] if row <= len(values) else []
            if col <= len(cells) and cells[col - 1] != "":
                continue  # its result was saved: that is what is read
            issues.append(
                Issue(
                    where,
                    row,
                    col_name.get(col) or str(col),
                    None,
                    "a value: this cell holds a formula whose result was never saved (the file "
                    "was written by a program, not Excel); open and save it in Excel, or paste "
                    "the values",
                )
            )
        out[ws.title] = table
    wb.close()
    return out


_MERGED = re.compile(rb'<mergeCell ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')
_HAS_FORMULA = re.compile(rb"<f[ >/]")


def range_boundaries(ref: str) -> tuple[int | None, int | None, int | None, int | None]:
    from openpyxl.utils.cell import range_boundaries as rb

    return rb(ref)


def _sheet_xml(path: Path, wb: Any) -> dict[str, bytes]:
    """Each sheet's XML (merged ranges are not read in read-only mode; they are in here)."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        return {
            ws.title: z.read(ws._worksheet_path)  # noqa: SLF001 - openpyxl keeps it there
            for ws in wb.worksheets
            if getattr(ws, "_worksheet_path", None)
        }


def _formula_cells(path: Path) -> dict[str, list[tuple[int, int]]]:
    """Per sheet, (row, column) of every formula cell."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    out: dict[str, list[tuple[int, int]]] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if getattr(c, "data_type", None) == "f":
                    out.setdefault(ws.title, []).append((c.row, c.column))
    wb.close()
    return out


_PYD_EXPECT: dict[str, Msg] = {
    "float_parsing": msg("a number"),
    "finite_number": msg("a finite number"),
    "float_type": msg("a number"),
    "int_parsing": msg("a whole number"),
    "int_from_float": msg("a whole number"),
    "int_type": msg("a whole number"),
    "bool_parsing": msg("true or false (có or không)"),
    "date_parsing": msg("a date as YYYY-MM-DD or dd/mm/yyyy"),
    "date_from_datetime_parsing": msg("a date as YYYY-MM-DD or dd/mm/yyyy"),
    "date_from_datetime_inexact": msg("a date as YYYY-MM-DD or dd/mm/yyyy"),
    "missing": msg("a value (the column is required)"),
    "string_too_short": msg("a value (the column is required)"),
}


def _expected(model: type[BaseModel], err: dict[str, Any]) -> tuple[str | Msg, str | None]:
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
        return msg("one of {values}", values=", ".join(allowed)), did_you_mean(
            str(err.get("input", "")), allowed
        )
    if typ == "string_pattern_mismatch":
        if col in CODE_COLUMNS:
            return msg("a 5-digit official unit code, e.g. 03208"), None
        return msg("text matching {pattern}", pattern=ctx.get("pattern")), None
    if typ in ("greater_than", "greater_than_equal", "less_than_equal", "less_than"):
        if col == "lat":
            return msg("a latitude between 8.0 and 23.5 (inside Vietnam)"), None
        if col == "lon":
            return msg("a longitude between 102.0 and 117.9 (inside Vietnam)"), None
        sign = {
            "greater_than": ">",
            "greater_than_equal": "≥",
            "less_than": "<",
            "less_than_equal": "≤",
        }[typ]
        bound = next(iter(ctx.values())) if ctx else "?"
        return msg("a number {sign} {bound}", sign=sign, bound=bound), None
    if typ == "value_error":
        error = ctx.get("error")
        if isinstance(error, ValueError) and error.args and isinstance(error.args[0], Msg):
            return error.args[0], None  # a schema check's message, to translate where shown
        return str(error if error is not None else err.get("msg", "")), None
    return str(err.get("msg", typ)), None


@functools.cache
def _kinds(model: type[BaseModel]) -> dict[str, str]:
    """Each column's kind of value: int, float, date, bool or str."""
    out = {}
    for name, f in model.model_fields.items():
        t = f.annotation
        args = [a for a in get_args(t) if a is not type(None)]
        base: Any = args[0] if get_origin(t) in (Union, types.UnionType) and args else t
        if get_origin(base) is Annotated:  # e.g. PlanDate | None
            base = get_args(base)[0]
        kinds: dict[Any, str] = {int: "int", float: "float", dt.date: "date", bool: "bool"}
        kind = kinds.get(base, "str")
        if isinstance(base, type) and base in ENUM_LABELS:
            kind = "enum:" + ENUM_LABELS[base]
        out[f.alias or name] = kind
    return out


# the enums whose Vietnamese labels a cell may hold instead of the code (solver.i18n.LABELS)
ENUM_LABELS: dict[Any, str] = {
    Category: "category",
    Bloc: "bloc",
    Intention: "intention",
    UnitKind: "unit kind",
    Tier: "tier",
    DecisionKind: "decision",
    PopulationSource: "population source",
}
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _coded(v: str, kind: str) -> str:
    """A cell as the schema reads it: a Vietnamese label (cán bộ, có/không) as its code, a
    date written dd/mm/yyyy (the Vietnamese order) as YYYY-MM-DD. Anything else unchanged."""
    if kind == "bool":
        return v if v.lower() in TRUE or v.lower() in FALSE else (i18n.code_of("yes/no", v) or v)
    if kind == "date":
        m = _DMY.fullmatch(v) if "/" in v else None
        if m:
            d, mo, y = (int(x) for x in m.groups())
            try:
                return dt.date(y, mo, d).isoformat()
            except ValueError:
                return v  # the schema says what is wrong, with the value as written
        return v
    if v in i18n.LABELS[kind[5:]]:  # already a code: most cells
        return v
    return i18n.code_of(kind[5:], v) or v


_PLAIN_INT = re.compile(r"[+-]?\d+")
_GROUPED = re.compile(r"[+-]?\d{1,3}([.,\u00a0 ]\d{3})+")  # 17.000, 17,000, 1 234 567
_PLAIN_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_COMMA_DECIMAL = re.compile(r"[+-]?\d+,\d+")
MAX_NUMBER = yamlio.MAX_NUMBER


def _number_problem(v: str, kind: str, decimal_comma: bool) -> tuple[Msg | None, str]:
    """(what was expected, or None when the cell is fine; the value to validate)."""
    if kind == "int":
        if _PLAIN_INT.fullmatch(v):
            if abs(int(v)) > MAX_NUMBER:
                return msg("a whole number of at most {n}", n=format(MAX_NUMBER, ",.0f")), v
            return None, v
        if _GROUPED.fullmatch(v):
            return (
                msg(
                    "a whole number without thousands separators, e.g. {plain} (a separator "
                    "reads one way in one locale and another way in the next)",
                    plain=re.sub(r"[.,\u00a0 ]", "", v),
                ),
                v,
            )
        return None, v  # pydantic says what is wrong
    if decimal_comma and _COMMA_DECIMAL.fullmatch(v):
        v = v.replace(",", ".")
    elif decimal_comma and _GROUPED.fullmatch(v):
        return msg("a number without thousands separators (write 17000 or 12,5)"), v
    elif not decimal_comma and "," in v:
        return (
            msg(
                "a number with a decimal point and no thousands separator, e.g. 12.5 or 17000 "
                "(a comma is a decimal comma in one locale and a thousands separator in another)"
            ),
            v,
        )
    if _PLAIN_FLOAT.fullmatch(v) and abs(float(v)) > MAX_NUMBER:
        return msg("a number of at most {n} in size", n=format(MAX_NUMBER, ",.0f")), v
    if v.count(".") > 1:
        return msg("a number without thousands separators, e.g. 17000 or 12.5"), v
    return None, v


_CODE_CELL = re.compile(r"\d{1,4}")


def _prepare_all(
    recs: list[dict[str, str]], columns: list[str], kinds: dict[str, str], decimal_comma: bool
) -> list[tuple[dict[str, Any], dict[str, Msg]]]:
    """Per row: its non-empty cells, normalised, and the cells refused before validation
    (column → what was expected). Column by column: what a cell needs is decided once per
    column (its kind, whether it holds unit codes), then each cell is stripped, put in Unicode
    NFC when it is not plain ASCII, and read as its kind."""
    nfc = unicodedata.normalize
    refused: list[dict[str, Msg]] = [{} for _ in recs]
    cells: list[list[str]] = []
    for col in columns:
        kind = kinds[col]
        vals = [rec.get(col, "").strip() for rec in recs]
        if not all(v.isascii() for v in vals):
            vals = [v if v.isascii() else nfc("NFC", v) for v in vals]
        if kind in ("bool", "date") or kind.startswith("enum:"):
            codes = i18n.LABELS[kind[5:]] if kind.startswith("enum:") else ()
            # most cells already hold a code
            vals = [v if v == "" or v in codes else _coded(v, kind) for v in vals]
        if col in CODE_COLUMNS:  # Excel drops leading zeros of official codes
            match = _CODE_CELL.fullmatch
            vals = [v.zfill(5) if v and match(v) else v for v in vals]
        elif kind in ("int", "float"):  # (unit codes are text in every table)
            for i, v in enumerate(vals):
                if v:
                    problem, vals[i] = _number_problem(v, kind, decimal_comma)
                    if problem:
                        refused[i][col] = problem
        cells.append(vals)
    # the non-empty cells in the order of the columns, as validation reports them
    rows = zip(*cells, strict=True) if cells else [()] * len(recs)
    return [
        ({c: v for c, v in zip(columns, row, strict=True) if v}, r)
        for row, r in zip(rows, refused, strict=True)
    ]


def parse_table(
    raw: RawTable, model: type[BaseModel], issues: list[Issue]
) -> tuple[list[Any], list[int], list[tuple[int, Any]]]:
    """Validate each row. Returns the row models, their spreadsheet row numbers, and for rows
    that failed, a stand-in carrying the raw values of the cells that did not fail (so the
    cross-table checks can still report the row's other problems)."""
    columns, required = columns_of(model)
    missing = [c for c in required if c not in raw.header]
    for c in missing:
        issues.append(
            Issue(
                raw.where, 1, c, None, msg("a column named {name} (it is required)", name=repr(c))
            )
        )
    for h in raw.header:
        if h not in columns:
            issues.append(
                Issue(
                    raw.where,
                    1,
                    h,
                    None,
                    msg("one of the columns {columns}", columns=", ".join(columns)),
                    did_you_mean(h, columns),
                )
            )
    if missing:
        return [], [], []
    out, rows = [], []
    failed: list[tuple[int, Any]] = []
    kinds = _kinds(model)
    prepared = _prepare_all(raw.rows, columns, kinds, raw.decimal_comma)
    for rec, (data, refused) in zip(raw.rows, prepared, strict=True):
        n = int(rec["__row__"])
        bad_cols: set[str | None] = set(refused)
        for rcol, exp in refused.items():
            issues.append(Issue(raw.where, n, rcol, data[rcol], exp))
        try:
            row = model.model_validate(data)
        except ValidationError as e:
            for err in e.errors():
                loc = err.get("loc") or ()
                col = str(loc[0]) if loc else None
                if col in refused:
                    continue
                bad_cols.add(col)
                expected, sug = _expected(model, dict(err))
                value = data.get(col) if col else None
                issues.append(Issue(raw.where, n, col, value, expected, sug))
            failed.append((n, _stand_in(model, data, bad_cols)))
            continue
        if refused:
            failed.append((n, _stand_in(model, data, bad_cols)))
        else:
            out.append(row)
            rows.append(n)
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
        errors = e.errors()
        for err in errors:
            raw_loc = err.get("loc") or ()
            if (
                len(raw_loc) == 2
                and raw_loc[1] in ("float", "int", "str")
                and isinstance(err.get("input"), dict | list)
            ):
                continue  # a union's scalar branch, for a mapping: the mapping branch says why
            loc = tuple(x for x in raw_loc if not (isinstance(x, str) and x[:1].isupper()))
            key = ".".join(str(x) for x in loc) or None
            if err["type"] == "extra_forbidden":
                issues.append(
                    Issue(
                        where,
                        None,
                        key,
                        None,
                        msg("one of the keys {keys}", keys=", ".join(keys)),
                        did_you_mean(str(loc[0]), keys),
                        label="key",
                    )
                )
                continue
            exp, sug = _expected(ScenarioConfig, dict(err))
            value = None if err["type"] == "missing" or not loc else err.get("input")
            if isinstance(value, dt.date):
                value = value.isoformat()
            if err["type"] == "missing":
                exp = msg("a value (the key is required)")
            issues.append(Issue(where, None, key, value, exp, sug, label="key"))
    return None


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read and validate a scenario folder, a workbook or a what-if file (solver.io.whatif),
    with its options changed by `overrides` ({dotted key: value}, as `--set` gives them).

    Raises ScenarioError listing every problem found."""
    from solver.io import whatif

    path = Path(path)
    s = whatif.load_whatif(path) if whatif.is_whatif(path) else _load(path)
    return whatif.apply(s, overrides, "--set") if overrides else s


def _load(path: Path) -> Scenario:
    issues: list[Issue] = []
    if path.is_dir():
        config, raws = _read_folder(path, issues)
    elif path.suffix.lower() == ".xlsx" and path.exists():
        config, raws = _read_book(path, issues)
    else:
        expected = msg("a scenario folder, an .xlsx workbook or a what-if .yaml file that exists")
        raise ScenarioError([Issue(str(path), None, None, None, expected)], str(path))
    if "specialties" not in raws or not raws["specialties"].rows:  # empty: the default one
        t = _read_csv(default_specialties_file(), issues)
        if t is not None:
            raws["specialties"] = t
    _specialty_names_as_codes(raws)
    parsed, rownums, everything = _parse_tables(raws, issues)
    _cross_table_issues(raws, everything, issues)
    if issues or config is None:
        raise ScenarioError(issues, str(path))
    return Scenario(
        config=config,
        folder=str(path),
        notes=tuple(n for name in TABLES if name in raws for n in raws[name].notes),
        locations={
            name: TableLocation(where=raws[name].where, rows=tuple(rownums[name]))
            for name in TABLES
            if name in raws
        },
        **{name: tuple(parsed[name]) for name in TABLES},
    )


SPECIALTY_CELLS = {
    "officials": ("specialty", "specialties"),
    "secondees": ("specialty",),
    "needs": ("specialty",),
}


def specialty_codes_by_name(voc: RawTable) -> dict[str, str]:
    """A specialties table's names (English and Vietnamese, folded) → their codes."""
    by_name: dict[str, str] = {}
    for rec in voc.rows:
        code = rec.get("code", "").strip()
        for col in ("name", "name_vi"):
            if rec.get(col, "").strip() and code:
                by_name.setdefault(i18n.fold(rec[col]), code)
    return by_name


def _specialty_names_as_codes(raws: dict[str, RawTable]) -> None:
    """Specialty cells that hold a specialty's name (English or Vietnamese, any case) instead
    of its code get the code, as the vocabulary (specialties) says."""
    voc = raws.get("specialties")
    if voc is None:
        return
    by_name = specialty_codes_by_name(voc)
    if not by_name:
        return
    for table, cols in SPECIALTY_CELLS.items():
        raw = raws.get(table)
        for rec in raw.rows if raw is not None else []:
            for col in cols:
                v = rec.get(col, "")
                if not v.strip():
                    continue
                parts = [p.strip() for p in v.split(";")] if col == "specialties" else [v]
                mapped = [by_name.get(i18n.fold(p), p) for p in parts]
                rec[col] = ";".join(mapped) if col == "specialties" else mapped[0]


def _read_yaml(path: Path, issues: list[Issue]) -> ScenarioConfig | None:
    text = _decode(path.read_bytes(), "scenario.yaml", issues)
    if text is None:
        return None
    try:
        data = yamlio.load(text) or {}
    except yamlio.YamlError as e:
        for p in e.problems:
            at = f"scenario.yaml, line {p.line}" if p.line else "scenario.yaml"
            issues.append(Issue(at, None, None, None, p.message))
        return None
    if not isinstance(data, dict):
        issues.append(Issue("scenario.yaml", None, None, None, msg("a mapping of keys")))
        return None
    return _read_config(data, "scenario.yaml", issues)


def _read_folder(
    path: Path, issues: list[Issue]
) -> tuple[ScenarioConfig | None, dict[str, RawTable]]:
    """scenario.yaml and each table's CSV file of a scenario folder."""
    config = None
    files = sorted(p.name for p in path.iterdir() if p.is_file())
    ypath = path / "scenario.yaml"
    if not ypath.exists():
        issues.append(
            Issue(
                "scenario.yaml",
                None,
                None,
                None,
                f"this file in {path}" + _near_miss("scenario.yaml", files),
            )
        )
    else:
        config = _read_yaml(ypath, issues)
    raws: dict[str, RawTable] = {}
    for name, (_model, req) in TABLES.items():
        f = path / f"{name}.csv"
        if f.exists():
            t = _read_csv(f, issues)
            if t is not None:
                raws[name] = t
            continue
        near = _near_miss(f.name, files)
        if req or near:  # an optional table under another name would be silently skipped
            issues.append(Issue(f.name, None, None, None, f"this file in {path}" + near))
    return config, raws


def _near_miss(expected: str, files: list[str]) -> str:
    """', not X (the tool reads only the exact name)' for files that look meant as `expected`:
    another case, another extension, a copy's suffix, a typo."""
    stem = expected.rsplit(".", 1)[0]
    found = []
    for f in files:
        if f == expected:
            continue
        fstem = f.rsplit(".", 1)[0] if "." in f else f
        base = re.sub(r"[\s_-]*(\(\d+\)|copy|\d+)$", "", fstem.lower()).strip()
        if (
            f.lower() == expected.lower()
            or fstem.lower() == stem
            or base == stem
            or f.lower().startswith(expected.lower() + ".")
            or (len(stem) > 4 and difflib_close(fstem.lower(), stem))
        ):
            found.append(f)
    if not found:
        return ""
    return (
        " under exactly this name; found "
        + ", ".join(repr(f) for f in found)
        + " (the tool reads only the exact name: rename it)"
    )


def difflib_close(a: str, b: str) -> bool:
    return did_you_mean(a, [b]) is not None and abs(len(a) - len(b)) <= 2


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
            issues.append(
                Issue(
                    path.name,
                    None,
                    "scenario",
                    None,
                    msg("a sheet named {name}", name="'scenario'"),
                )
            )
    else:
        config = _read_config(_config_from_sheet(cfg), cfg.where, issues)
    for name, (_model, req) in TABLES.items():
        if name in sheets:
            raws[name] = sheets.pop(name)
        elif req and (sheets or raws):
            issues.append(
                Issue(path.name, None, name, None, msg("a sheet named {name}", name=repr(name)))
            )
    for extra in sheets:
        expected = msg("sheets named {names}", names="scenario, " + ", ".join(TABLES))
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


def input_hashes_of(files: tuple[str, ...]) -> dict[str, str]:
    """SHA-256 of each what-if file applied (by file name)."""
    return {Path(f).name: hashlib.sha256(Path(f).read_bytes()).hexdigest() for f in files}


def _config_from_sheet(raw: RawTable) -> dict[str, Any]:
    """A 'scenario' sheet has columns key and value; list values are separated by ';'; a
    mapping is given as YAML flow text (`{mountainous: 1.6, other: 1.3}`) or one entry per
    row under a dotted key (`road_factor.mountainous`), as `--set` takes it."""
    out: dict[str, Any] = {}
    dotted: list[tuple[str, str]] = []
    for rec in raw.rows:
        key = rec.get("key", "").strip()
        val = rec.get("value", "").strip()
        if not key:
            continue
        if "." in key and val != "":
            dotted.append((key, val))
            continue
        if key in ("blocs", "categories", "objective"):
            if val:
                out[key] = [v.strip() for v in val.split(";") if v.strip()]
        elif key == "province_total" or val.startswith("{"):  # a mapping, as YAML flow text
            try:
                out[key] = yamlio.load(val) if val else None
            except yamlio.YamlError:
                out[key] = val  # the schema says what was expected
        elif val != "":
            out[key] = val
    from solver.io.whatif import set_entry

    for key, val in dotted:
        if not (all(key.split(".")) and set_entry(out, key, val)):
            out[key] = val  # not a mapping's entry: the schema reports the key (did you mean)
    return out
