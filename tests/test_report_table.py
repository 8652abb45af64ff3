"""The printed tables (sweep, timeline, facts) are written without pandas; their csv and text
forms must stay pandas' `to_csv` and `to_string` of the rows' frame byte for byte."""

from __future__ import annotations

from typing import Any

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from solver import report

COLUMNS = ["a", "b", "c", "d"]


def pandas_frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """The frame the tables were made from when pandas wrote them."""
    df = pd.DataFrame(rows, columns=columns)
    for c in columns:
        given = [r.get(c) for r in rows if r.get(c) is not None]
        if given and all(type(v) is int for v in given) and df[c].dtype != "int64":
            df[c] = df[c].astype("Int64")
    return df


def pandas_text(rows: list[dict[str, Any]], columns: list[str]) -> str:
    df = pandas_frame(rows, columns)
    shown = df.astype(object).where(df.notna(), "-")
    return "T\n" + shown.to_string(index=False) + "\n"


texts = st.text(
    alphabet=st.sampled_from(list("aZ09 ,.\"'-xĐiệnBiênđường\t\n")), min_size=0, max_size=60
)
floats = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)
# a column draws its values from one kind, as the tables' columns do, or from a mix
kinds = st.sampled_from(["int", "float", "round", "bool", "text", "mixed"])


def value(kind: str) -> st.SearchStrategy[Any]:
    base = {
        "int": st.integers(-(10**9), 10**9),
        "float": floats,
        "round": floats.map(lambda x: round(x, 2)),
        "bool": st.booleans(),
        "text": texts,
        "mixed": st.one_of(st.integers(-50, 50), floats, st.booleans(), texts),
    }[kind]
    return st.one_of(st.none(), base)


@st.composite
def tables(draw: st.DrawFn) -> list[dict[str, Any]]:
    col_kinds = [draw(kinds) for _ in COLUMNS]
    n = draw(st.integers(1, 8))
    rows = []
    for _ in range(n):
        row = {}
        for c, k in zip(COLUMNS, col_kinds, strict=True):
            if draw(st.booleans()) or k == "int":
                row[c] = draw(value(k))
        rows.append(row)
    return rows


@settings(max_examples=400, deadline=None)
@given(tables())
def test_csv_and_text_are_pandas_byte_for_byte(rows: list[dict[str, Any]]) -> None:
    want_csv = pandas_frame(rows, COLUMNS).to_csv(index=False, lineterminator="\n")
    assert report.table(rows, COLUMNS, "csv") == want_csv
    assert report._aligned(rows, COLUMNS, "T") == pandas_text(rows, COLUMNS)


def test_a_sweep_like_table() -> None:
    rows = [
        {"a": 0, "b": "OPTIMAL", "c": 661.0, "d": None},
        {"a": 1, "b": "OPTIMAL", "c": 658.0, "d": 3.0},
        {"a": 2, "b": "OPTIMAL", "c": 1234567.25, "d": -1.5},
        {"a": 97, "b": "OPTIMAL", "c": 0.1 + 0.2, "d": 93},
    ]
    assert report._aligned(rows, COLUMNS, "T") == pandas_text(rows, COLUMNS)
    csv = report.table(rows, COLUMNS, "csv")
    assert csv == pandas_frame(rows, COLUMNS).to_csv(index=False, lineterminator="\n")
    assert csv.splitlines()[-1] == "97,OPTIMAL,0.30000000000000004,93.0"


def test_no_rows_prints_the_header_not_pandas_words() -> None:
    out = report.table([], ["budget", "status"], "table", "T")
    assert "DataFrame" not in out and out.startswith("T\n")
