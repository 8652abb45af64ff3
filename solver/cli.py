"""The `staffing` command: a thin click layer over the Python API."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import NoReturn

import click

from models import Bloc, Issue, Scenario
from models.rules import RuleSet
from solver.io import ScenarioError, load_scenario
from solver.io.rules import RuleSetError, load_rule_set
from solver.paths import bundled_scenario

EXIT_INPUT = 1


def _load(path: Path) -> Scenario:
    try:
        return load_scenario(path)
    except ScenarioError as e:
        _fail(e.issues, str(path))


def summary(s: Scenario) -> str:
    """A short, human summary of a scenario."""
    kinds = Counter(c.kind.value for c in s.communes)
    districts = {o.district for o in s.old_units}
    lines = [
        f"Scenario {s.config.name}: {s.config.province}, as of {s.config.as_of}, "
        f"rule set {s.config.rule_set}",
        f"  units: {len(s.communes)} ("
        + ", ".join(f"{kinds[k]} {k}" for k in sorted(kinds))
        + f"); old units: {len(s.old_units)} in {len(districts)} old districts",
        f"  officials: {len(s.officials)}",
    ]
    for title, key in (("bloc", "bloc"), ("category", "category"), ("intention", "intention")):
        c = Counter(getattr(p, key).value for p in s.officials)
        lines.append(f"    by {title}: " + ", ".join(f"{k} {c[k]}" for k in sorted(c)))
    spec = Counter(p.specialty for p in s.officials)
    lines.append("    by specialty: " + ", ".join(f"{k} {v}" for k, v in sorted(spec.items())))
    avail = sum(1 for q in s.secondees if q.available)
    lines.append(
        f"  secondee candidates: {len(s.secondees)} ({avail} available), "
        f"budget {s.config.secondee_budget}"
    )
    return "\n".join(lines)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="commune-staffing")
def main() -> None:
    """Plan the staffing of Vietnam's new communes: validate scenarios, compute quotas,
    solve assignment plans."""


@main.command()
@click.argument("path", type=click.Path(path_type=Path), required=False)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing when the scenario is valid.")
def validate(path: Path | None, quiet: bool) -> None:
    """Check a scenario folder or .xlsx workbook and summarize it.

    PATH defaults to the bundled Điện Biên scenario. Every problem is reported at once with
    its file, row, column, the value found and what was expected; the exit code is 1 when
    there is any problem, 0 otherwise.
    """
    path = path or bundled_scenario()
    s = _load(path)
    rs = _rules(None, s)
    if not quiet:
        click.echo(f"  rule set: {rs.name} — {rs.title}")
        click.echo(summary(s))
        click.echo(f"{path}: valid")


def _rules(name_or_path: str | None, s: Scenario) -> RuleSet:
    """The rule set named on the command line, else the scenario's."""
    ref = name_or_path or s.config.rule_set
    try:
        return load_rule_set(ref, Path(s.folder) if s.folder and not name_or_path else None)
    except RuleSetError as e:
        _fail(e.issues, f"rule set {ref}")


def _fail(issues: list[Issue], what: str) -> NoReturn:
    n = len(issues)
    click.echo(f"{what}: {n} problem{'s' if n != 1 else ''} found", err=True)
    for issue in issues:
        click.echo(f"  - {issue.text()}", err=True)
    sys.exit(EXIT_INPUT)


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path), required=False)
@click.option(
    "--rules",
    "rules",
    help="Rule set: a bundled name or a YAML path (default: the scenario's rule_set).",
)
@click.option(
    "--bloc",
    "blocs",
    multiple=True,
    type=click.Choice([b.value for b in Bloc]),
    help="Only this bloc (repeatable). Default: every bloc of the rule set.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
def quota(scenario: Path | None, rules: str | None, blocs: tuple[str, ...], fmt: str) -> None:
    """Compute each unit's quota per bloc with every rule term.

    One row per unit and bloc: each term's contribution (columns named by the rule set's term
    ids), the total before the cap, the cap, the trim to the province total and the final
    quota, with flags where a rule had to choose or data was estimated. The JSON format adds
    each term's source. SCENARIO defaults to the bundled Điện Biên scenario.
    """
    from solver import quotas as q

    s = _load(scenario or bundled_scenario())
    rs = _rules(rules, s)
    wanted = [Bloc(b) for b in blocs] or None
    missing = [b.value for b in wanted or [] if b not in rs.blocs]
    if missing:
        raise click.BadParameter(
            f"rule set {rs.name} has no rule for bloc {', '.join(missing)}; it has "
            + ", ".join(b.value for b in rs.blocs),
            param_hint="--bloc",
        )
    try:
        df = q.compute(s, rs, wanted)
    except q.QuotaError as e:
        _fail(e.issues, f"quotas of {s.config.name} under {rs.name}")
    if fmt == "csv":
        click.echo(df.to_csv(index=False, lineterminator="\n"), nl=False)
    elif fmt == "json":
        click.echo(json.dumps(q.to_json(df), ensure_ascii=False, indent=2))
    else:
        click.echo(q.to_table(df))


@main.command()
@click.option("--province", "-p", "province", help="Province: 2-digit code or name.")
@click.option("--all", "all_", is_flag=True, help="Generate all 34 provinces into OUT.")
@click.option("--seed", default=2025, show_default=True, help="Seed of the synthetic roster.")
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    required=True,
    help="Output folder (with --all, one sub-folder per province is written in it).",
)
def generate(province: str | None, all_: bool, seed: int, out: Path) -> None:
    """Build scenario folders from the real 2025 administrative geography with a seeded,
    synthetic roster."""
    from solver import generate as gen

    known = gen.provinces()
    if all_ == bool(province):
        raise click.UsageError("give exactly one of --province or --all")
    if all_:
        out.mkdir(parents=True, exist_ok=True)
        for code, name in known:
            target = out / gen.folder_name(code)
            gen.write(code, target, seed)
            click.echo(f"{code} {name}: {target}")
        return
    assert province is not None
    code = _province_code(province, known)
    target = gen.write(code, out, seed)
    click.echo(f"{code} {dict(known)[code]}: {target}")


def _province_code(value: str, known: list[tuple[str, str]]) -> str:
    from models import did_you_mean
    from solver.generate import _slug

    v = value.strip()
    if v.isdigit() and f"{int(v):02d}" in dict(known):
        return f"{int(v):02d}"
    by_slug = {_slug(n): c for c, n in known}
    if _slug(v) in by_slug:
        return by_slug[_slug(v)]
    hint = did_you_mean(_slug(v), by_slug)
    msg = f"unknown province {value!r}; expected a 2-digit code or a name of the 34 provinces"
    if hint:
        msg += f" (did you mean {hint!r}?)"
    raise click.BadParameter(msg, param_hint="--province")


if __name__ == "__main__":  # pragma: no cover
    main()
