"""The layering rules of docs/architecture.md, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*(ROOT / "solver").rglob("*.py"), *(ROOT / "models").rglob("*.py")])


def _rel(p: Path) -> str:
    return p.relative_to(ROOT).as_posix()


def _calls(tree: ast.AST) -> list[str]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name):
                out.append(f.id)
            elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
                out.append(f"{f.value.id}.{f.attr}")
    return out


def _imports(tree: ast.AST) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_only_the_cli_prints():
    printing = {"print", "click.echo", "click.secho", "click.progressbar"}
    offenders = [
        _rel(p)
        for p in SOURCES
        # the CLI, and the catalogue maintenance commands (python -m solver.i18n)
        if _rel(p) not in ("solver/cli.py", "solver/i18n_tools.py")
        and printing & set(_calls(ast.parse(p.read_text("utf-8"))))
    ]
    assert offenders == []


def test_only_engines_and_problem_build_networks_or_pick_engines():
    allowed = ("solver/engines/", "solver/problem.py")
    engine_modules = {f"solver.engines.{e}" for e in ("flow", "general", "greedy")}
    offenders = []
    for p in SOURCES:
        if _rel(p).startswith(allowed):
            continue
        tree = ast.parse(p.read_text("utf-8"))
        if "Network" in _calls(tree) or _imports(tree) & engine_modules:
            offenders.append(_rel(p))
    assert offenders == []


def test_models_import_no_solver():
    for p in (ROOT / "models").rglob("*.py"):
        imports = _imports(ast.parse(p.read_text("utf-8")))
        assert not {i for i in imports if i.split(".")[0] in ("solver", "ortools")}, _rel(p)


def test_plan_columns_are_defined_once():
    """The plan's column names appear as a list only in the schema (models/plan.py)."""
    offenders = []
    for p in SOURCES:
        text = p.read_text("utf-8")
        if _rel(p) != "models/plan.py" and '"fills",' in text and '"reason"' in text:
            offenders.append(_rel(p))
    assert offenders == []
