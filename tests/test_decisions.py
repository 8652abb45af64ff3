"""Locked decisions (decisions.csv) and stable re-solves (--baseline) on the bundled province."""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from solver.cli import EXIT_INFEASIBLE, EXIT_INPUT, main
from solver.paths import bundled_scenario


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))


def outcomes(plan: Path) -> dict[str, tuple[str, str]]:
    return {r["id"]: (r["status"], r["to"]) for r in read_csv(plan / "plan.csv")}


def write_decisions(folder: Path, rows: list[dict[str, str]]) -> None:
    with (folder / "decisions.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, ["id", "decision", "commune", "note"], lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({"note": "", "commune": "", **r})


@pytest.fixture
def announced(bundled_plan: Path) -> Path:
    return bundled_plan


@pytest.fixture
def scenario(tmp_path) -> Path:
    folder = tmp_path / "dien-bien"
    shutil.copytree(bundled_scenario(), folder)
    return folder


def _decision_of(row: dict[str, str]) -> dict[str, str]:
    if row["status"] in ("stays", "moves"):
        return {"id": row["id"], "decision": "assign", "commune": row["to"]}
    if row["status"] == "unplaced":
        return {"id": row["id"], "decision": "unplaced"}
    if row["status"] == "seconded":
        return {"id": row["id"], "decision": "second", "commune": row["to"]}
    return {"id": row["id"], "decision": "exclude"}


def test_ten_locked_decisions_and_the_baseline_change_nobody(announced, scenario, tmp_path):
    rows = [
        r
        for r in read_csv(announced / "plan.csv")
        if r["status"] in ("stays", "moves", "unplaced", "seconded", "not_selected")
    ]
    picked = random.Random(10).sample(rows, 10)
    write_decisions(scenario, [_decision_of(r) for r in picked])
    out = tmp_path / "replanned"
    r = cli("solve", str(scenario), "--baseline", str(announced), "-o", str(out))
    assert r.exit_code == 0, r.output
    assert outcomes(out) == outcomes(announced)  # nobody else changes
    m = json.loads((out / "metrics.json").read_text("utf-8"))
    a = json.loads((announced / "metrics.json").read_text("utf-8"))
    assert m["objective"]["changes"] == 0
    for lv in ("specialty_shortage", "quota_shortage", "disruption"):
        assert m["objective"][lv] == a["objective"][lv]  # still optimal under the locks
    assert m["status"] == "OPTIMAL"
    marked = {x["id"]: x["decision"] for x in read_csv(out / "plan.csv") if x["decision"]}
    assert set(marked) == {p["id"] for p in picked}
    assert all("decisions.csv row" in v for v in marked.values())
    c = cli("check", str(scenario), str(out))
    assert c.exit_code == 0, c.output


def test_a_decision_against_the_optimum_is_kept_and_moves_few(announced, scenario, tmp_path):
    plan = read_csv(announced / "plan.csv")
    s_rows = {r["id"]: r for r in read_csv(scenario / "officials.csv")}
    mover = next(
        r
        for r in plan
        if r["status"] == "stays"
        and s_rows[r["id"]]["can_relocate"] == "true"
        and s_rows[r["id"]]["pinned"] == "false"
        and not s_rows[r["id"]]["max_km"]
    )
    elsewhere = next(r["to"] for r in plan if r["to"] and r["to"] != mover["to"])
    write_decisions(
        scenario,
        [
            {"id": mover["id"], "decision": "assign", "commune": elsewhere, "note": "QĐ 1"},
            {"id": plan[1]["id"], "decision": "forbid", "commune": plan[1]["to"] or elsewhere},
        ],
    )
    out = tmp_path / "replanned"
    r = cli("solve", str(scenario), "--baseline", str(announced), "-o", str(out))
    assert r.exit_code == 0, r.output
    got = outcomes(out)
    assert got[mover["id"]] == ("moves", elsewhere)
    changed = {k for k, v in outcomes(announced).items() if got[k] != v}
    m = json.loads((out / "metrics.json").read_text("utf-8"))
    assert len(changed) == m["objective"]["changes"] <= 12
    assert cli("check", str(scenario), str(out)).exit_code == 0
    # without the baseline the same locks shuffle many more people
    loose = tmp_path / "loose"
    assert cli("solve", str(scenario), "-o", str(loose)).exit_code == 0
    loose_out = outcomes(loose)
    shuffled = {k for k, v in outcomes(announced).items() if loose_out[k] != v}
    assert len(shuffled) > len(changed)


def test_decisions_that_name_nobody_or_decide_twice(scenario):
    fixed = read_csv(scenario / "officials.csv")[0]
    write_decisions(
        scenario,
        [
            {"id": fixed["id"], "decision": "unplaced"},
            {"id": "nobody", "decision": "unplaced"},
            {"id": fixed["id"], "decision": "unplaced"},
        ],
    )
    r = cli("validate", str(scenario))
    assert r.exit_code == EXIT_INPUT
    assert "decisions.csv, row 3, column id: found 'nobody', expected an official's id" in r.output
    assert "row 4, column id" in r.output and "one outcome decision per person" in r.output


def test_a_decision_the_persons_rules_forbid_is_an_input_error(scenario):
    offs = read_csv(scenario / "officials.csv")
    fixed = next(
        r
        for r in offs
        if r["can_relocate"] == "false"
        and r["intention"] == "stay"
        and r["category"] in ("cadre", "civil_servant")
    )
    plan_units = [r["code"] for r in read_csv(scenario / "communes.csv")]
    here = {r["code"]: r["successor"] for r in read_csv(scenario / "old_units.csv")}
    cur = fixed["current"] or here[fixed["origin"]]
    elsewhere = next(c for c in plan_units if c != cur)
    write_decisions(scenario, [{"id": fixed["id"], "decision": "assign", "commune": elsewhere}])
    r = cli("solve", str(scenario), "-o", str(scenario.parent / "out"))
    assert r.exit_code == EXIT_INPUT, r.output
    assert (
        f"decisions.csv, row 2, column decision: found '{fixed['id']}', expected a decision the "
        f"rules allow: {fixed['id']} cannot relocate (works at {cur})" in r.output
    )
    assert not (scenario.parent / "out").exists()


def test_locks_that_cannot_all_hold_are_explained(scenario):
    offs = [
        r
        for r in read_csv(scenario / "officials.csv")
        if r["can_relocate"] == "true"
        and r["pinned"] == "false"
        and not r["max_km"]
        and r["intention"] == "stay"
        and r["bloc"] == "front"
        and r["category"] in ("cadre", "civil_servant")
    ]
    target = "03208"
    write_decisions(
        scenario, [{"id": r["id"], "decision": "assign", "commune": target} for r in offs[:40]]
    )
    r = cli("solve", str(scenario), "-o", str(scenario.parent / "out"))
    assert r.exit_code == EXIT_INFEASIBLE, r.output
    assert "commune 03208 (Xã Xa Dung), front bloc:" in r.output
    assert "assigned by decisions (rows 2, 3" in r.output and "exceed its quota of" in r.output
