"""Read rule-set YAML files; every error names the key path and the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from models import Issue, did_you_mean
from models.problems import InputError
from models.rules import RuleSet
from solver.io import yamlio
from solver.paths import data_root


class RuleSetError(InputError):
    """A rule-set file could not be read; every problem names the key path and the line."""

    def __init__(self, issues: list[Issue], source: str) -> None:
        super().__init__(issues, f"rule set {source}")


def bundled_rule_sets() -> dict[str, Path]:
    folder = data_root() / "rules"
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def resolve(name_or_path: str, relative_to: Path | None = None) -> Path:
    """A rule set by bundled name, or a path (tried relative to the scenario folder first)."""
    candidates = []
    if relative_to is not None:
        candidates.append(relative_to / name_or_path)
    candidates.append(Path(name_or_path))
    for c in candidates:
        if c.is_file():
            return c
    bundled = bundled_rule_sets()
    if name_or_path in bundled:
        return bundled[name_or_path]
    raise RuleSetError(
        [
            Issue(
                "rule_set",
                None,
                None,
                name_or_path,
                "a bundled rule set (" + ", ".join(bundled) + ") or the path of a rule-set file",
                did_you_mean(name_or_path, bundled),
            )
        ],
        name_or_path,
    )


def _lines(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value
            out[(*path, key)] = k.start_mark.line + 1
            _lines(v, (*path, key), out)
            out[(*path, key)] = k.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _lines(v, (*path, i), out)


def _line_of(loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> int | None:
    # pydantic puts union member names (e.g. 'PercentSteps') into loc: drop what YAML lacks
    path = tuple(str(p) if not isinstance(p, int) else p for p in loc)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def parse_rule_set(text: str, where: str) -> RuleSet:
    try:
        data, node = yamlio.load(text, with_node=True)
    except yamlio.YamlError as e:
        raise RuleSetError(
            [
                Issue(f"{where}, line {p.line}" if p.line else where, None, None, None, p.message)
                for p in e.problems
            ],
            where,
        ) from None
    if not isinstance(data, dict) or node is None:
        raise RuleSetError([Issue(where, None, None, None, "a mapping of keys")], where)
    lines: dict[tuple[Any, ...], int] = {}
    _lines(node, (), lines)
    try:
        return RuleSet.model_validate(data)
    except ValidationError as e:
        issues = []
        seen = set()
        for err in e.errors():
            loc = tuple(p for p in err.get("loc", ()) if not _is_union_tag(p))
            key = ".".join(str(p) for p in loc) or "(top)"
            line = _line_of(loc, lines)
            msg = _message(err)
            if (key, msg) in seen:
                continue
            seen.add((key, msg))
            issues.append(
                Issue(f"{where}, line {line}" if line else where, None, key, None, msg, label="key")
            )
        raise RuleSetError(issues, where) from None


def _is_union_tag(p: Any) -> bool:
    return isinstance(p, str) and (p[:1].isupper() or p.startswith("function-"))


def _message(err: Any) -> str:
    typ = err["type"]
    ctx = err.get("ctx") or {}
    if typ == "extra_forbidden":
        return "no such key (unknown key; see docs/rules.md)"
    if typ == "missing":
        return "a value (the key is required)"
    if typ == "greater_than_equal":
        return f"a number ≥ {ctx.get('ge')}, found {err.get('input')!r}"
    if typ == "greater_than":
        return f"a number > {ctx.get('gt')}, found {err.get('input')!r}"
    if typ == "value_error":
        return str(ctx.get("error", err.get("msg")))
    msg = str(err.get("msg", typ))
    msg = msg.removeprefix("Input should be ").removeprefix("input should be ")
    return f"{msg}, found {err.get('input')!r}"


def load_rule_set(name_or_path: str, relative_to: Path | None = None) -> RuleSet:
    path = resolve(name_or_path, relative_to)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RuleSetError([Issue(path.name, None, None, None, "UTF-8 text")], str(path)) from None
    return parse_rule_set(text, path.name)
