"""Docs stay true: every input column and scenario key is documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from models import ScenarioConfig
from solver.io.reader import TABLES, columns_of

DOC = (Path(__file__).parents[1] / "docs" / "input-format.md").read_text("utf-8")


def section(title: str) -> str:
    start = DOC.index(title)
    end = DOC.find("\n## ", start + 1)
    return DOC[start : end if end > 0 else None]


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_column_is_documented(table):
    text = section(f"## {table}.csv")
    cols, _ = columns_of(TABLES[table][0])
    for col in cols:
        assert f"\n| {col} |" in text, f"{table}.csv column {col} is not documented"


def test_every_scenario_key_is_documented():
    text = section("## scenario.yaml")
    for key in ScenarioConfig.model_fields:
        assert f"\n| {key} |" in text, key


def test_cli_reference_is_current():
    from solver.clidoc import reference

    doc = (Path(__file__).parents[1] / "docs" / "cli.md").read_text("utf-8")
    assert doc == reference(), "regenerate: python -m solver.clidoc docs/cli.md"
