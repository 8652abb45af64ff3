"""`staffing quota` on the bundled scenario, checked against an independent reading of the rule."""

from __future__ import annotations

import csv
import io
import json
import math

from click.testing import CliRunner

from solver.cli import EXIT_USAGE, main
from solver.paths import bundled_scenario, data_root


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def expected_dien_bien_government() -> dict[str, int]:
    """The rule of the issue, written out by hand from communes.csv and old_units.csv."""
    folder = bundled_scenario()
    communes = list(csv.DictReader(io.StringIO((folder / "communes.csv").read_text("utf-8"))))
    olds = list(csv.DictReader(io.StringIO((folder / "old_units.csv").read_text("utf-8"))))
    n_old = {c["code"]: 0 for c in communes}
    for o in olds:
        for code in {o["successor"], *filter(None, o["part_of"].split(";"))}:
            n_old[code] += 1
    out = {}
    for c in communes:
        ward = c["kind"] == "ward"
        area_std, pop_std = (5.5, 15000) if ward else (100, 5000)
        q = 28
        for value, std in ((float(c["area_km2"]), area_std), (int(c["population"]), pop_std)):
            pct = round(value / std * 100, 9)
            q += max(0, math.floor((pct - 200) / 50))
        q += c["border"] == "true"
        q += n_old[c["code"]] >= 3
        q += c["complex_security"] == "true"
        q += 3 if ward else 0
        out[c["code"]] = min(q, 39 if ward else 36)
    total = sum(out.values())
    assert total <= 1440, "this check assumes no trim; extend it if the data changes"
    return out


def test_quota_csv_matches_the_rule_for_all_45_units():
    r = run(
        "quota",
        str(bundled_scenario()),
        "--rules",
        "dien-bien-draft-2025",
        "--bloc",
        "government",
        "--format",
        "csv",
    )
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert len(rows) == 45
    assert {
        "base",
        "area",
        "population",
        "border",
        "formed_from_3",
        "complex_security",
        "reorganized_ward",
        "before_cap",
        "cap",
        "trim",
        "quota",
    } <= set(rows[0])
    got = {row["commune"]: int(row["quota"]) for row in rows}
    assert got == expected_dien_bien_government()


def test_json_carries_the_same_numbers_and_sources():
    r_csv = run("quota", "--format", "csv")
    r_json = run("quota", "--format", "json")
    data = json.loads(r_json.output)
    rows = list(csv.DictReader(io.StringIO(r_csv.output)))
    assert [(x["commune"], x["bloc"], int(x["quota"])) for x in rows] == [
        (x["commune"], x["bloc"], x["quota"]) for x in data["rows"]
    ]
    first = data["rows"][0]
    assert first["terms"][0]["id"] == "base"
    assert all(t["source"] for row in data["rows"] for t in row["terms"])
    assert first["cap_source"]
    assert {s["bloc"] for s in data["summary"]} == {"government", "party", "front", "military"}


def test_cv09_works_and_scenario_can_name_it(tmp_path):
    r = run("quota", "--rules", "cv09-bcd-2025", "--format", "csv")
    assert r.exit_code == 0
    assert "population_mountainous" in r.output.splitlines()[0]
    import shutil

    folder = tmp_path / "s"
    shutil.copytree(bundled_scenario(), folder)
    y = folder / "scenario.yaml"
    y.write_text(y.read_text("utf-8").replace("dien-bien-draft-2025", "cv09-bcd-2025"), "utf-8")
    r2 = run("quota", str(folder), "--format", "csv")
    assert r2.output == r.output


def test_quota_table_and_flags():
    r = run("quota", "--bloc", "party")
    assert r.exit_code == 0
    assert "not stated by the source" in r.output or "political center" in r.output
    assert "[party]" in r.output


def test_a_vietnamese_quota_table():
    r = run("quota", "--lang", "vi", "--bloc", "government")
    assert r.exit_code == 0
    assert r.output.startswith("Định mức biên chế theo bộ quy tắc ")
    assert "[chính quyền]" in r.output and "giới hạn ở mức trần 39" in r.output
    assert "45 đơn vị: các tiêu chí cho" in r.output
    for english in ("Quotas under", "capped at", "units: terms give", "population estimated"):
        assert english not in r.output


def test_unknown_rule_set_exits_1():
    r = run("quota", "--rules", "no-such-rules")
    assert r.exit_code == 1
    assert "expected a bundled rule set" in r.output


def test_bloc_without_rule_is_a_usage_error(tmp_path):
    rules = (data_root() / "rules" / "cv09-bcd-2025.yaml").read_text("utf-8")
    p = tmp_path / "gov-only.yaml"
    p.write_text(rules[: rules.index("\n  party:")].replace("cv09-bcd-2025", "gov-only"), "utf-8")
    r = run("quota", "--rules", str(p), "--bloc", "party")
    assert r.exit_code == EXIT_USAGE
    assert "has no rule for bloc party" in r.output


def test_malformed_rule_file_exits_1_without_traceback(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text(
        "name: bad\ntitle: t\nblocs:\n  government:\n    base: {positions: -1, "
        "source: {document: D}}\n",
        "utf-8",
    )
    r = run("quota", "--rules", str(p))
    assert r.exit_code == 1
    assert "Traceback" not in r.output
    assert "bad.yaml, line 5, key blocs.government.base.positions" in r.output
