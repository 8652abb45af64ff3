"""The optimizer on the bundled province, the CLI, determinism, and engines agreeing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from solver import run
from solver.check import check
from solver.cli import main
from solver.io import load_scenario
from solver.io.rules import load_rule_set
from solver.paths import bundled_scenario


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    out = tmp_path_factory.mktemp("plan") / "db"
    r = cli("solve", "-o", str(out))
    assert r.exit_code == 0, r.output
    return out, r.output


def test_bundled_is_optimal_with_zero_gap(bundled):
    out, text = bundled
    m = json.loads((out / "metrics.json").read_text("utf-8"))
    assert m["status"] == "OPTIMAL"
    assert set(m["gap"].values()) == {0.0}
    assert m["objective"] == {k: pytest.approx(v) for k, v in m["engine_objective"].items()}
    assert "OPTIMAL" in text


def test_bundled_plan_passes_check(bundled):
    out, _ = bundled
    r = cli("check", str(bundled_scenario()), str(out))
    assert r.exit_code == 0, r.output
    assert r.output.startswith("plan OK")


def test_everyone_exactly_once(bundled):
    out, _ = bundled
    plan = pd.read_csv(out / "plan.csv", dtype=str, keep_default_na=False)
    s = load_scenario(bundled_scenario())
    assert sorted(plan[plan.kind == "official"]["id"]) == sorted(p.id for p in s.officials)
    assert sorted(plan[plan.kind == "secondee"]["id"]) == sorted(q.id for q in s.secondees)
    assert plan["id"].is_unique
    assert (out / "plan.csv").read_bytes().startswith("\ufeffid,kind,".encode())
    assert (plan["reason"] != "").all()


def test_same_inputs_byte_identical_outputs(bundled, tmp_path):
    out, _ = bundled
    again = tmp_path / "again"
    assert cli("solve", "-o", str(again)).exit_code == 0
    for f in ("plan.csv", "communes.csv"):
        assert (out / f).read_bytes() == (again / f).read_bytes()
    a, b = (json.loads((d / "metrics.json").read_text("utf-8")) for d in (out, again))
    a.pop("timings"), b.pop("timings")
    assert a == b


def test_tampered_plan_fails_check(bundled, tmp_path):
    out, _ = bundled
    bad = tmp_path / "bad"
    shutil.copytree(out, bad)
    plan = pd.read_csv(bad / "plan.csv", dtype=str, keep_default_na=False)
    i = plan.index[plan.status == "unplaced"][0]
    plan.loc[i, ["status", "to", "fills"]] = [
        "stays",
        plan.loc[i, "from"],
        plan.loc[i, "specialty"],
    ]
    gone = plan.index[plan.status == "leaves"][0]
    plan = plan.drop(index=gone)  # and lose someone
    plan.to_csv(bad / "plan.csv", index=False)
    r = cli("check", str(bundled_scenario()), str(bad))
    assert r.exit_code == 1
    assert "is missing from the plan" in r.output
    assert "above its quota" in r.output or "metrics.json reports" in r.output


def test_flow_and_general_agree_on_the_bundled_province():
    s = load_scenario(bundled_scenario())
    rs = load_rule_set(s.config.rule_set)
    f = run.solve(s, rs, "flow")
    g = run.solve(s, rs, "general")
    assert g.result.status == "OPTIMAL"
    assert f.metrics["objective"] == g.metrics["objective"]
    assert check(s, rs, g.plan, g.metrics).ok


def test_greedy_is_valid_and_not_better(bundled):
    out, _ = bundled
    s = load_scenario(bundled_scenario())
    rs = load_rule_set(s.config.rule_set)
    g = run.solve(s, rs, "greedy")
    assert check(s, rs, g.plan, g.metrics).ok
    opt = json.loads((out / "metrics.json").read_text("utf-8"))["objective"]
    levels = list(opt)
    assert [g.metrics["objective"][k] for k in levels] >= [opt[k] for k in levels]


def test_infeasible_cli_exit_2_with_rule_terms(tmp_path):
    folder = tmp_path / "s"
    shutil.copytree(bundled_scenario(), folder)
    offs = (folder / "officials.csv").read_text("utf-8").splitlines()
    header, rows = offs[0], offs[1:]
    cols = header.split(",")
    extra = []
    for i in range(40):
        cells = dict(zip(cols, rows[0].split(","), strict=True))
        cells.update(
            id=f"X{i:03d}",
            category="civil_servant",
            bloc="government",
            intention="stay",
            pinned="true",
            current="03208",
            available_until="",
        )
        extra.append(",".join(cells[c] for c in cols))
    (folder / "officials.csv").write_text("\n".join([header, *rows, *extra]) + "\n", "utf-8")
    r = cli("solve", str(folder), "-o", str(tmp_path / "out"))
    assert r.exit_code == 2
    assert "Traceback" not in r.output
    assert "commune 03208 (Xã Xa Dung), government bloc:" in r.output
    assert "pinned officials exceed its quota of" in r.output
    assert "rule set dien-bien-draft-2025" in r.output


def test_several_provinces_at_once(two_provinces, tmp_path):
    root = two_provinces
    out = tmp_path / "plans"
    r = cli("solve", str(root), "-o", str(out), "--jobs", "2")
    assert r.exit_code == 0, r.output
    summary = json.loads((out / "metrics.json").read_text("utf-8"))["provinces"]
    assert [p["status"] for p in summary] == ["OPTIMAL", "OPTIMAL"]
    plan = pd.read_csv(out / "plan.csv", dtype=str, keep_default_na=False)
    assert set(plan["province"]) == {"Điện Biên", "Lai Châu"}
    assert (out / "dien-bien-2025" / "plan.csv").exists()
    assert Path(out / "lai-chau-2025" / "communes.csv").exists()


def test_combined_tables_over_provinces_with_different_columns(tmp_path):
    """The combined table is written as the provinces' parts arrive; a part whose header
    differs (another vocabulary of specialties) turns it into the union of the columns, in
    the order they first appear, each province's cells under their own column."""
    import csv
    import io

    from solver.io.writer import BOM
    from solver.multi import _Combined, _part

    a = BOM + "commune,quota,it_need\n00001,3,1\n"
    b = BOM + 'commune,quota,land_need\n00002,4,"2"\n00003,5,0\n'
    c = _Combined(tmp_path / "communes.csv", "province")
    c.add(_part(a, "Tỉnh A"))
    c.add(_part(b, "Tỉnh B"))
    assert c.close()
    text = (tmp_path / "communes.csv").read_text("utf-8")
    assert text.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(text.removeprefix(BOM))))
    assert list(rows[0]) == ["commune", "quota", "it_need", "land_need", "province"]
    assert rows == [
        {"commune": "00001", "quota": "3", "it_need": "1", "land_need": "", "province": "Tỉnh A"},
        {"commune": "00002", "quota": "4", "it_need": "", "land_need": "2", "province": "Tỉnh B"},
        {"commune": "00003", "quota": "5", "it_need": "", "land_need": "0", "province": "Tỉnh B"},
    ]
    same = _Combined(tmp_path / "plan.csv", "province")  # one header: the parts streamed as is
    same.add(_part(a, "Tỉnh A"))
    same.add(_part(a, "Tỉnh C"))
    assert same.close() and not same.mixed
    assert (tmp_path / "plan.csv").read_text("utf-8") == (
        BOM + "commune,quota,it_need,province\n00001,3,1,Tỉnh A\n00001,3,1,Tỉnh C\n"
    )
    empty = _Combined(tmp_path / "none.csv", "province")
    assert not empty.close() and not (tmp_path / "none.csv").exists()
