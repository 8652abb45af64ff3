"""Rule-set files: bundled ones load; malformed ones get errors naming key and line."""

from __future__ import annotations

import pytest

from solver.io.rules import RuleSetError, bundled_rule_sets, load_rule_set, parse_rule_set

GOOD = """name: t
title: test
sources:
  s: {document: Doc 1}
blocs:
  government:
    base: {positions: 28, source: s}
    caps: {commune: 36, ward: 39, source: s}
"""


def errors(text: str) -> list[str]:
    with pytest.raises(RuleSetError) as e:
        parse_rule_set(text, "r.yaml")
    return [i.text() for i in e.value.issues]


def test_bundled_rule_sets_load():
    assert set(bundled_rule_sets()) >= {"dien-bien-draft-2025", "cv09-bcd-2025"}
    for name in bundled_rule_sets():
        rs = load_rule_set(name)
        assert rs.name == name


def test_good_minimal():
    assert parse_rule_set(GOOD, "r.yaml").blocs


def test_unknown_key():
    text = GOOD.replace("caps: {", "capz: {")
    assert errors(text) == [
        "r.yaml, line 8, key blocs.government.capz: expected no such key (unknown key; see "
        "docs/rules.md)"
    ]


def test_negative_positions():
    text = GOOD.replace("positions: 28", "positions: -2")
    assert errors(text) == [
        "r.yaml, line 7, key blocs.government.base.positions: expected a number ≥ 0, found -2"
    ]


def test_cap_below_base():
    text = GOOD.replace("commune: 36", "commune: 20")
    assert errors(text) == [
        "r.yaml, line 6, key blocs.government: expected cap for commune (20) is below the base (28)"
    ]


BRACKETS = """name: t
title: test
sources:
  s: {document: Doc 1}
blocs:
  party:
    brackets:
      id: members
      count: party_members
      source: s
      ranges:
{ranges}
"""


def test_bracket_gap_not_declared():
    ranges = "        - {min: 0, max: 399, positions: 15}\n        - {min: 500, positions: 16}\n"
    assert errors(BRACKETS.replace("{ranges}\n", ranges)) == [
        "r.yaml, line 7, key blocs.party.brackets: expected bracket gap 400–499 not declared: "
        "add a range for it (with stated: false if the source is silent)"
    ]


def test_bracket_overlap():
    ranges = "        - {min: 0, max: 500, positions: 15}\n        - {min: 500, positions: 16}\n"
    assert errors(BRACKETS.replace("{ranges}\n", ranges)) == [
        "r.yaml, line 7, key blocs.party.brackets: expected bracket ranges overlap at 500"
    ]


def test_declared_gap_is_accepted():
    ranges = (
        "        - {min: 0, max: 399, positions: 15}\n"
        "        - {min: 400, max: 499, positions: 15, stated: false}\n"
        "        - {min: 500, positions: 16}\n"
    )
    assert parse_rule_set(BRACKETS.replace("{ranges}\n", ranges), "r.yaml")


def test_unknown_source_and_bad_yaml():
    assert errors(GOOD.replace("source: s}\n    caps", "source: t}\n    caps")) == [
        "r.yaml, line 1, key (top): expected unknown source key(s): t; defined: s"
    ]
    assert errors("name: [unclosed\n") == [
        "r.yaml, line 2: expected valid YAML (expected ',' or ']', but got '<stream end>')"
    ]


def test_unknown_rule_set_name_suggests():
    with pytest.raises(RuleSetError) as e:
        load_rule_set("dien-bien-draft-2024")
    assert "(did you mean 'dien-bien-draft-2025'?)" in e.value.issues[0].text()


def test_the_fast_yaml_reader_reads_every_bundled_file_as_the_python_one():
    """libyaml's parser (when installed) and the pure-Python one give the same values for
    every YAML file the project ships; an alias bomb is refused by both."""
    import pytest

    from solver.io import yamlio
    from solver.paths import data_root

    if yamlio._FastLoader is None:
        pytest.skip("PyYAML without libyaml")
    files = sorted(data_root().rglob("*.yaml"))
    assert files
    for f in files:
        text = f.read_text("utf-8")
        assert yamlio._load(text, False, yamlio._FastLoader) == yamlio._load(
            text, False, yamlio._Loader
        ), f
    bomb = "a: &a [x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(12)
    )
    with pytest.raises(yamlio.YamlError, match="at most 20 aliases"):
        yamlio.load(bomb)
