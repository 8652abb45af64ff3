"""What-if scenarios: a YAML file that `extends:` a scenario and changes its options.

    # scenarios/what-if/dien-bien-2025/97-secondees.yaml
    extends: ../../dien-bien-2025      # a scenario folder, a workbook or another what-if file
    name: dien-bien-2025-97            # default: the base's name, a dash, this file's stem
    secondee_budget: 97

Any key of scenario.yaml may be changed; a mapping key is replaced as a whole (`road_factor:
{...}`), or one of its entries with a dotted key on the command line (`--set
road_factor.mountainous=2.0`). The tables (communes, officials, …) are the base's. A relative
`rule_set` path is read relative to the file that names it. Every solving command also takes
`--set KEY=VALUE` (the value read as YAML: `--set secondee_budget=97`, `--set
blocs=government,party`); unknown or mistyped keys are errors with a did-you-mean.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from models import Issue, Scenario, ScenarioConfig
from models.problems import msg
from solver.io import yamlio

WHATIF_SUFFIXES = (".yaml", ".yml")
LIST_KEYS = frozenset(
    k for k, f in ScenarioConfig.model_fields.items() if "list" in str(f.annotation)
)


def is_whatif(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in WHATIF_SUFFIXES


def parse_sets(items: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """--set KEY=VALUE items as {dotted key: value}; raises ScenarioError for a malformed one."""
    from solver.io.reader import ScenarioError

    out: dict[str, Any] = {}
    bad = []
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            bad.append(Issue("--set", None, None, item, msg("KEY=VALUE, e.g. secondee_budget=97")))
            continue
        try:
            value = yamlio.load(raw) if raw.strip() else None
        except yamlio.YamlError:
            value = raw
        out[key] = value
    if bad:
        raise ScenarioError(bad, "--set")
    return out


def load_whatif(path: Path, chain: tuple[Path, ...] = ()) -> Scenario:
    """The scenario a what-if file describes: its base, with its options changed."""
    from solver.io.reader import ScenarioError, load_scenario

    where = path.name
    try:
        data = yamlio.load(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ScenarioError(
            [Issue(where, None, None, None, msg("UTF-8 text"))], str(path)
        ) from None
    except yamlio.YamlError as e:
        raise ScenarioError(
            [
                Issue(f"{where}, line {p.line}" if p.line else where, None, None, None, p.message)
                for p in e.problems
            ],
            str(path),
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("extends"), str):
        raise ScenarioError(
            [
                Issue(
                    where,
                    None,
                    "extends",
                    None,
                    msg(
                        "a what-if file: a mapping with `extends:` naming the scenario it "
                        "changes (a scenario folder, a workbook or another what-if file)"
                    ),
                    label="key",
                )
            ],
            str(path),
        )
    base_path = path.parent / data.pop("extends")
    if base_path.resolve() in {p.resolve() for p in (*chain, path)}:
        cycle = " → ".join(p.name for p in (*chain, path, base_path))
        raise ScenarioError(
            [
                Issue(
                    where,
                    None,
                    "extends",
                    str(base_path),
                    msg("no cycle of extends ({cycle})", cycle=cycle),
                    label="key",
                )
            ],
            str(path),
        )
    base = (
        load_whatif(base_path, (*chain, path)) if is_whatif(base_path) else load_scenario(base_path)
    )
    rs = data.get("rule_set")
    if isinstance(rs, str) and (path.parent / rs).is_file():
        data["rule_set"] = str((path.parent / rs).resolve())
    data.setdefault("name", f"{base.config.name}-{path.stem}")
    s = apply(base, data, where)
    return s.model_copy(update={"extends": (*base.extends, str(path))})


def apply(s: Scenario, changes: dict[str, Any], where: str) -> Scenario:
    """The scenario with its options changed (dotted keys set one entry of a mapping)."""
    from solver.io.reader import ScenarioError, _read_config

    data = s.config.model_dump(mode="python", exclude_none=False)
    issues: list[Issue] = []
    for key, value in changes.items():
        head, *rest = key.split(".")
        if head in LIST_KEYS and isinstance(value, str):
            value = [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]
        if not rest:
            data[head] = value
            continue
        if head not in ScenarioConfig.model_fields:
            data[head] = value  # reported below as an unknown key, with a did-you-mean
            continue
        if not set_entry(data, key, value):
            issues.append(
                Issue(
                    where,
                    None,
                    key,
                    value,
                    msg("a key whose value is a mapping ({key} is not)", key=head),
                    label="key",
                )
            )
    config = _read_config(data, where, issues) if not issues else None
    if issues or config is None:
        raise ScenarioError(issues, where)
    return s.model_copy(update={"config": config})


def set_entry(data: dict[str, Any], key: str, value: Any) -> bool:
    """Set one entry of a mapping option by its dotted key (`road_factor.mountainous`),
    making the mapping where it is not given; False when the option (or a part on the way)
    is not a mapping."""
    head, *rest = key.split(".")
    node = data.get(head)
    if node is None:
        node = data[head] = {}
    for part in rest[:-1]:
        node = node.setdefault(part, {}) if isinstance(node, dict) else None
    if not isinstance(node, dict):
        return False
    node[rest[-1]] = value
    return True
