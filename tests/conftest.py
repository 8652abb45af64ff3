"""Pytest fixtures, built from tests/builders.py (the one fixture system)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from builders import GOLDEN, write_folder

from models import Plan, Scenario
from models.rules import RuleSet


@pytest.fixture
def make_scenario(tmp_path: Path) -> Callable[..., Path]:
    """Write a tiny scenario folder; keyword arguments replace tables or the yaml."""

    def make(**tables: Any) -> Path:
        return write_folder(tmp_path / "scenario", **tables)

    return make


@pytest.fixture(scope="session")
def golden() -> tuple[Scenario, RuleSet, Plan]:
    """The golden tiny scenario, its rule set and its optimal plan."""
    from solver import run
    from solver.io import load_scenario
    from solver.io.rules import load_rule_set

    s = load_scenario(GOLDEN / "tiny")
    rs = load_rule_set(s.config.rule_set, GOLDEN / "tiny")
    o = run.solve(s, rs)
    assert o.plan is not None and not o.explanation
    return s, rs, o.plan


@pytest.fixture(scope="session")
def _two_provinces(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from solver import generate

    root = tmp_path_factory.mktemp("provinces") / "vn"
    for code in ("11", "12"):  # Điện Biên and Lai Châu
        generate.write(code, root / generate.folder_name(code))
    return root


@pytest.fixture
def two_provinces(_two_provinces: Path, tmp_path: Path) -> Path:
    """A folder of two generated province folders (a copy of its own for each test)."""
    import shutil

    return Path(shutil.copytree(_two_provinces, tmp_path / "vn"))


@pytest.fixture(scope="session")
def bundled_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled scenario's optimal plan folder, solved once (`staffing solve -o`)."""
    from click.testing import CliRunner

    from solver.cli import main

    out = tmp_path_factory.mktemp("bundled") / "plan"
    r = CliRunner().invoke(main, ["solve", "-o", str(out)])
    assert r.exit_code == 0, r.output
    return out
