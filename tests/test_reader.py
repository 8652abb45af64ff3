"""Reading scenarios: every bad-input class gets an exact, located message."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from builders import COMMUNES, OFFICIAL, OLD_UNITS, SECONDEE, write_csv

from solver.io import ScenarioError, load_scenario


def problems(folder: Path) -> list[str]:
    with pytest.raises(ScenarioError) as e:
        load_scenario(folder)
    return [i.text() for i in e.value.issues]


def test_tiny_scenario_loads(make_scenario):
    s = load_scenario(make_scenario())
    assert [c.code for c in s.communes] == ["00001", "00002"]
    assert s.officials[0].current is None
    assert s.current_of(s.officials[0]) == "00001"
    assert s.communes[1].party_members is None
    assert len(s.specialties) > 20  # default vocabulary


def test_missing_column(make_scenario):
    rows = [{k: v for k, v in c.items() if k != "area_km2"} for c in COMMUNES]
    assert problems(make_scenario(communes=rows)) == [
        "communes.csv, row 1, column area_km2: expected a column named 'area_km2' (it is required)"
    ]


def test_unknown_column(make_scenario):
    rows = [{**c, "populaton": "1"} for c in COMMUNES]
    assert problems(make_scenario(communes=rows)) == [
        "communes.csv, row 1, column populaton: expected one of the columns code, name, kind, "
        "area_km2, population, population_source, lat, lon, border, complex_security, "
        "political_center, mountainous, party_members (did you mean 'population'?)"
    ]


def test_wrong_type(make_scenario):
    rows = [COMMUNES[0], {**COMMUNES[1], "population": "many"}]
    assert problems(make_scenario(communes=rows)) == [
        "communes.csv, row 3, column population: found 'many', expected a whole number"
    ]


def test_empty_required_value(make_scenario):
    rows = [{**OFFICIAL, "name": ""}]
    assert problems(make_scenario(officials=rows)) == [
        "officials.csv, row 2, column name: expected a value (the column is required)"
    ]


def test_duplicate_ids_and_codes(make_scenario):
    communes = [COMMUNES[0], {**COMMUNES[1], "code": "00001"}]
    folder = make_scenario(
        communes=communes,
        officials=[OFFICIAL, OFFICIAL],
        old_units=[{**o, "successor": "00001"} for o in OLD_UNITS],
        secondees=[{**SECONDEE, "base": "00001"}],
    )
    assert problems(folder) == [
        "communes.csv, row 3, column code: found '00001', expected a unique code "
        "(first used on row 2)",
        "officials.csv, row 3, column id: found 'P1', expected a unique id (first used on row 2)",
    ]


def test_unknown_references(make_scenario):
    folder = make_scenario(
        old_units=[{**OLD_UNITS[0], "successor": "00003"}, *OLD_UNITS[1:]],
        officials=[{**OFFICIAL, "origin": "10004", "current": "00020"}],
        secondees=[{**SECONDEE, "base": "00009"}],
        needs=[dict(commune="00012", bloc="government", specialty="accounting", minimum="1")],
    )
    assert problems(folder) == [
        "old_units.csv, row 2, column successor: found '00003', expected the code of a unit in "
        "communes (did you mean '00002'?)",
        "officials.csv, row 2, column origin: found '10004', expected the code of an old unit "
        "in old_units (did you mean '10003'?)",
        "officials.csv, row 2, column current: found '00020', expected the code of a unit in "
        "communes (did you mean '00002'?)",
        "secondees.csv, row 2, column base: found '00009', expected the code of a unit in "
        "communes (did you mean '00002'?)",
        "needs.csv, row 2, column commune: found '00012', expected the code of a unit in "
        "communes (did you mean '00002'?)",
    ]


def test_unknown_specialty_suggests(make_scenario):
    folder = make_scenario(officials=[{**OFFICIAL, "specialty": "acounting"}])
    assert problems(folder) == [
        "officials.csv, row 2, column specialty: found 'acounting', expected a specialty code "
        "(did you mean 'accounting'?)"
    ]


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("area_km2", "0", "a number > 0.0"),
        ("area_km2", "-12.5", "a number > 0.0"),
        ("population", "0", "a number > 0"),
        ("population", "-5", "a number > 0"),
        ("lat", "48.85", "a latitude between 8.0 and 23.5 (inside Vietnam)"),
        ("lon", "2.35", "a longitude between 102.0 and 117.9 (inside Vietnam)"),
    ],
)
def test_out_of_range(make_scenario, column, value, expected):
    rows = [{**COMMUNES[0], column: value}, COMMUNES[1]]
    assert problems(make_scenario(communes=rows)) == [
        f"communes.csv, row 2, column {column}: found {value!r}, expected {expected}"
    ]


def test_unknown_enum_value(make_scenario):
    folder = make_scenario(officials=[{**OFFICIAL, "category": "civilservant"}])
    assert problems(folder) == [
        "officials.csv, row 2, column category: found 'civilservant', expected one of cadre, "
        "civil_servant, public_employee, part_time, contract (did you mean 'civil_servant'?)"
    ]


def test_empty_roster(make_scenario):
    assert problems(make_scenario(officials=[])) == [
        "officials.csv: expected at least one official (the roster is empty)"
    ]


def test_unreadable_date(make_scenario):
    folder = make_scenario(officials=[{**OFFICIAL, "available_until": "31.05.2026"}])
    assert problems(folder) == [
        "officials.csv, row 2, column available_until: found '31.05.2026', expected a date as "
        "YYYY-MM-DD or dd/mm/yyyy"
    ]


def test_impossible_day_month_date_is_refused_as_written(make_scenario):
    folder = make_scenario(officials=[{**OFFICIAL, "available_until": "31/02/2026"}])
    assert problems(folder) == [
        "officials.csv, row 2, column available_until: found '31/02/2026', expected a date as "
        "YYYY-MM-DD or dd/mm/yyyy"
    ]


def test_legacy_encoding(make_scenario):
    folder = make_scenario()
    text = (folder / "officials.csv").read_text(encoding="utf-8")
    (folder / "officials.csv").write_bytes(text.replace("Lò Văn A", "Lo Van Á").encode("cp1258"))
    assert problems(folder) == [
        "officials.csv, row 2: found 'c1 2c 63 69', expected UTF-8 text; this file looks like a "
        "legacy encoding (Windows-1258, TCVN3 or similar): save it as 'CSV UTF-8'"
    ]


def test_missing_file_and_yaml_key(make_scenario):
    yaml = "name: t\nprovince: P\nrule_sets: x\nas_of: 2025-10-20\n"
    folder = make_scenario(old_units=None, yaml=yaml)
    keys = ", ".join(__import__("models").ScenarioConfig.model_fields)
    assert problems(folder) == [
        "scenario.yaml, key rule_set: expected a value (the key is required)",
        f"scenario.yaml, key rule_sets: expected one of the keys {keys} (did you mean 'rule_set'?)",
        f"old_units.csv: expected this file in {folder}",
    ]


def test_all_problems_reported_at_once(make_scenario):
    folder = make_scenario(
        communes=[{**COMMUNES[0], "kind": "village"}, {**COMMUNES[1], "lat": "0"}],
        officials=[{**OFFICIAL, "bloc": "x"}, {**OFFICIAL, "id": "P2", "specialty": "y"}],
    )
    assert len(problems(folder)) == 4


def test_bom_nfc_and_stripped_leading_zeros(make_scenario):
    decomposed = unicodedata.normalize("NFD", "Lò Văn Ánh")
    folder = make_scenario(officials=[{**OFFICIAL, "name": decomposed, "origin": "10001"}])
    path = folder / "officials.csv"
    text = path.read_text(encoding="utf-8").replace(",10001,", ",10001,")
    path.write_bytes("\ufeff".encode() + text.encode("utf-8"))
    rows = [{**c, "code": str(int(c["code"]))} for c in COMMUNES]  # as Excel saves them
    write_csv(folder / "communes.csv", rows)
    s = load_scenario(folder)
    assert s.officials[0].name == "Lò Văn Ánh"
    assert unicodedata.is_normalized("NFC", s.officials[0].name)
    assert [c.code for c in s.communes] == ["00001", "00002"]


def test_not_a_scenario(tmp_path):
    assert problems(tmp_path / "nowhere") == [
        f"{tmp_path / 'nowhere'}: expected a scenario folder, an .xlsx workbook or a what-if .yaml "
        "file that exists"
    ]


def test_a_failed_row_still_gets_its_reference_problems(make_scenario):
    folder = make_scenario(officials=[{**OFFICIAL, "bloc": "gov", "specialty": "acounting"}])
    assert problems(folder) == [
        "officials.csv, row 2, column bloc: found 'gov', expected one of government, party, "
        "front, military",
        "officials.csv, row 2, column specialty: found 'acounting', expected a specialty code "
        "(did you mean 'accounting'?)",
    ]


def test_row_numbers_count_blank_lines(make_scenario):
    folder = make_scenario(officials=[OFFICIAL, {**OFFICIAL, "id": "P2"}])
    path = folder / "officials.csv"
    lines = path.read_text("utf-8").splitlines()
    lines[2] = lines[2].replace(",P2,", ",P1,") if ",P2," in lines[2] else lines[2]
    lines[2] = "P1" + lines[2][2:]
    path.write_text("\n".join([lines[0], lines[1], "", lines[2]]) + "\n", "utf-8")
    assert problems(folder) == [
        "officials.csv, row 4, column id: found 'P1', expected a unique id (first used on row 2)"
    ]
