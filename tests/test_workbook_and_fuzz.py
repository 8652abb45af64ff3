"""Workbook input, and corrupted inputs: a ScenarioError, never another exception."""

from __future__ import annotations

import pytest
from builders import COMMUNES, OFFICIAL, OLD_UNITS, SECONDEE, folder_to_workbook, write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.io import ScenarioError, load_scenario


def test_workbook_reads_like_the_folder(make_scenario, tmp_path):
    folder = make_scenario()
    book = folder_to_workbook(folder, tmp_path / "tiny.xlsx")
    a, b = load_scenario(folder), load_scenario(book)
    assert a.communes == b.communes
    assert a.officials == b.officials
    assert a.config == b.config


def test_a_mapping_in_the_scenario_sheet_row_by_row(make_scenario, tmp_path):
    """`road_factor.mountainous | 1.6` rows make the mapping, as `--set` takes it; a dotted
    key on an option that is not a mapping is refused with the key named."""
    import openpyxl

    folder = make_scenario()
    book = folder_to_workbook(folder, tmp_path / "tiny.xlsx")
    wb = openpyxl.load_workbook(book)
    ws = wb["scenario"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "road_factor":
            row[0].value = "max_km"  # leave no road_factor row
            row[1].value = 80
    ws.append(["road_factor.mountainous", "1.6"])
    ws.append(["road_factor.other", "1.2"])
    ws.append(["road_factor.reason", "hill roads"])
    wb.save(book)
    rf = load_scenario(book).config.road_factor
    assert (rf.mountainous, rf.other, rf.reason) == (1.6, 1.2, "hill roads")
    ws.append(["secondee_budget", "5"])
    ws.append(["secondee_budget.extra", "1"])
    wb.save(book)
    with pytest.raises(ScenarioError) as e:
        load_scenario(book)
    assert [(i.column, "one of the keys" in i.text()) for i in e.value.issues] == [
        ("secondee_budget.extra", True)
    ]


def test_workbook_errors_name_the_sheet(make_scenario, tmp_path):
    folder = make_scenario(officials=[{**OFFICIAL, "bloc": "gov"}])
    book = folder_to_workbook(folder, tmp_path / "bad.xlsx")
    with pytest.raises(ScenarioError) as e:
        load_scenario(book)
    assert [i.text() for i in e.value.issues] == [
        "bad.xlsx, sheet officials, row 2, column bloc: found 'gov', expected one of government, "
        "party, front, military"
    ]


def test_corrupt_workbook(tmp_path):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ScenarioError) as e:
        load_scenario(bad)
    assert e.value.issues[0].text().startswith("broken.xlsx: expected a readable .xlsx workbook")


TABLES = {
    "communes": COMMUNES,
    "old_units": OLD_UNITS,
    "officials": [OFFICIAL],
    "secondees": [SECONDEE],
}
NASTY = st.sampled_from(
    [
        "",
        " ",
        "-1",
        "0",
        "1e309",
        "nan",
        "NaN",
        "true",
        "x",
        "😀",
        "\x00",
        "03208",
        "2025-02-30",
        "9" * 40,
        "a,b",
        '"',
        "None",
        "null",
    ]
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    table=st.sampled_from(sorted(TABLES)),
    row=st.integers(0, 5),
    column=st.integers(0, 20),
    value=st.one_of(NASTY, st.text(max_size=12)),
)
def test_any_corrupted_cell_gives_a_clean_error_or_a_scenario(
    make_scenario, table, row, column, value
):
    rows = [dict(r) for r in TABLES[table]]
    r = rows[row % len(rows)]
    key = sorted(r)[column % len(r)]
    r[key] = value
    folder = make_scenario(**{table: rows})
    try:
        load_scenario(folder)
    except ScenarioError as e:
        assert e.issues
        assert all(i.text() for i in e.issues)


def test_truncated_and_binary_files(make_scenario):
    folder = make_scenario()
    (folder / "officials.csv").write_bytes(b"id,name,cat")
    (folder / "communes.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(ScenarioError) as e:
        load_scenario(folder)
    assert len(e.value.issues) >= 2


def test_header_only_communes(make_scenario):
    folder = make_scenario()
    write_csv(folder / "communes.csv", [], header=list(COMMUNES[0]))
    with pytest.raises(ScenarioError) as e:
        load_scenario(folder)
    texts = [i.text() for i in e.value.issues]
    assert "communes.csv: expected at least one unit" in texts
