"""What-if files (`extends:` and option changes) and `--set` on the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from builders import GOLDEN
from click.testing import CliRunner

from models import PlanStatus
from solver import run
from solver.cli import EXIT_INPUT, main
from solver.io import ScenarioError, load_scenario
from solver.io.rules import load_rule_set
from solver.io.whatif import parse_sets
from solver.paths import bundled_scenario, data_root

WHATIFS = data_root() / "what-if" / "dien-bien-2025"


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def test_bundled_whatifs_change_only_what_they_say():
    base = load_scenario(bundled_scenario())
    expected = {
        "no-secondment": {"secondee_budget": 0},
        "52-secondees": {"secondee_budget": 52},
        "97-secondees": {"secondee_budget": 97},
        "national-rules": {"rule_set": "cv09-bcd-2025"},
        "relocation-60km": {"max_km": 60},
        "nobody-relocates": {"relocation": "nobody"},
    }
    assert sorted(p.stem for p in WHATIFS.glob("*.yaml")) == sorted(expected)
    for stem, changes in expected.items():
        s = load_scenario(WHATIFS / f"{stem}.yaml")
        assert s.officials == base.officials and s.communes == base.communes
        assert s.config.name == f"dien-bien-2025-{stem}"
        got = s.config.model_dump(exclude={"name", "description"})
        want = base.config.model_dump(exclude={"name", "description"}) | changes
        assert got == want, stem
        assert s.extends == (str(WHATIFS / f"{stem}.yaml"),)


def test_a_whatif_solves_like_the_same_change_given_with_set(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert cli("solve", str(WHATIFS / "no-secondment.yaml"), "-o", str(a)).exit_code == 0
    r = cli("solve", "--set", "secondee_budget=0", "-o", str(b))
    assert r.exit_code == 0, r.output
    assert (a / "plan.csv").read_bytes() == (b / "plan.csv").read_bytes()
    assert (a / "communes.csv").read_bytes() == (b / "communes.csv").read_bytes()


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    shutil.copytree(GOLDEN / "tiny", folder, ignore=shutil.ignore_patterns("expected"))
    return folder


def _write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


def test_extends_chains_and_names(tiny, tmp_path):
    _write(tmp_path / "w1.yaml", "extends: tiny\nsecondee_budget: 0\n")
    w2 = _write(tmp_path / "w2.yaml", "extends: w1.yaml\nas_of: 2025-11-01\n")
    s = load_scenario(w2)
    assert s.config.secondee_budget == 0 and str(s.config.as_of) == "2025-11-01"
    assert s.config.name == "golden-tiny-w1-w2"
    assert [Path(x).name for x in s.extends] == ["w1.yaml", "w2.yaml"]
    rs = load_rule_set(s.config.rule_set, Path(s.folder))  # the base's relative rule set
    assert rs is not None


def test_a_cycle_of_extends_is_an_error(tmp_path):
    _write(tmp_path / "a.yaml", "extends: b.yaml\n")
    _write(tmp_path / "b.yaml", "extends: a.yaml\n")
    with pytest.raises(ScenarioError) as e:
        load_scenario(tmp_path / "a.yaml")
    assert "no cycle of extends (a.yaml → b.yaml → a.yaml)" in str(e.value)


def test_a_whatif_without_extends_or_with_a_typo(tiny, tmp_path):
    r = cli("validate", str(_write(tmp_path / "x.yaml", "secondee_budget: 3\n")))
    assert r.exit_code == EXIT_INPUT
    assert "x.yaml, key extends: expected a what-if file" in r.output
    r = cli("validate", str(_write(tmp_path / "y.yaml", "extends: tiny\nsecondee_budgt: 3\n")))
    assert r.exit_code == EXIT_INPUT
    assert (
        "y.yaml, key secondee_budgt:" in r.output and "did you mean 'secondee_budget'" in r.output
    )


def test_set_parses_yaml_values_lists_and_dotted_keys(tiny):
    sets = parse_sets(["secondee_budget=0", "blocs=government", "road_factor.mountainous=2.0"])
    assert sets == {"secondee_budget": 0, "blocs": "government", "road_factor.mountainous": 2.0}
    s = load_scenario(bundled_scenario(), sets)
    assert s.config.secondee_budget == 0
    assert [b.value for b in s.config.blocs or []] == ["government"]
    assert s.config.road_factor.mountainous == 2.0  # type: ignore[union-attr]
    assert s.config.road_factor.other == 1.4  # type: ignore[union-attr]
    with pytest.raises(ScenarioError, match="a key whose value is a mapping"):
        load_scenario(tiny, {"secondee_budget.x": 1})


def test_relocation_nobody_and_max_km(tiny):
    rs = load_rule_set("rules.yaml", tiny)
    base = run.solve(load_scenario(tiny), rs)
    assert any(r.status == PlanStatus.moves for r in base.plan or ())
    o = run.solve(load_scenario(tiny, {"relocation": "nobody"}), rs)
    assert o.plan is not None and not o.explanation  # the checker agrees
    assert not any(r.status == PlanStatus.moves for r in o.plan)
    o = run.solve(load_scenario(tiny, {"max_km": 10}), rs)
    assert o.plan is not None and not o.explanation
    assert all(r.km <= 10 for r in o.plan if r.status == PlanStatus.moves)


def test_secondee_eligibility_by_department_specialty_and_id():
    s = load_scenario(bundled_scenario())
    rs = load_rule_set(s.config.rule_set)
    dept = sorted({q.department for q in s.secondees})[0]
    o = run.solve(load_scenario(bundled_scenario(), {"secondees_eligible.departments": [dept]}), rs)
    assert o.plan is not None and not o.explanation
    by_id = {q.id: q for q in s.secondees}
    seconded = [r for r in o.plan if r.status == PlanStatus.seconded]
    assert seconded and all(by_id[r.id].department == dept for r in seconded)
    others = [
        r
        for r in o.plan
        if r.kind == "secondee" and by_id[r.id].department != dept and by_id[r.id].available
    ]
    assert others and all("is not eligible in this scenario" in r.reason for r in others)
    one = s.secondees[0].id
    o = run.solve(load_scenario(bundled_scenario(), {"secondees_eligible.ids": [one]}), rs)
    assert o.plan is not None
    assert [r.id for r in o.plan if r.status == PlanStatus.seconded] == [one]


def test_a_relative_rule_set_in_a_whatif_is_read_beside_it(tiny, tmp_path):
    (tmp_path / "mine").mkdir()
    shutil.copy(tiny / "rules.yaml", tmp_path / "mine" / "my-rules.yaml")
    w = _write(tmp_path / "mine" / "w.yaml", "extends: ../tiny\nrule_set: my-rules.yaml\n")
    r = cli("solve", str(w), "-o", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output


def test_specialty_weights_replace_the_rule_sets_and_a_typo_is_named():
    from solver import quotas

    s = load_scenario(bundled_scenario(), {"specialty_weights.accounting": 5})
    rs = load_rule_set(s.config.rule_set)
    t = quotas.compute(s, rs)
    acc = [n for n in t.needs if n.specialty == "accounting"]
    assert acc and all(n.weight == 5 for n in acc)
    assert any(n.weight != 5 for n in t.needs if n.specialty != "accounting")
    r = cli("validate", "--set", "specialty_weights.acounting=3")
    assert r.exit_code == EXIT_INPUT
    assert "found 'acounting', expected a specialty code (did you mean 'accounting'?)" in r.output
