"""The `staffing` command: a thin click layer over the Python API."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from models import Scenario
from solver.io import ScenarioError, load_scenario
from solver.paths import bundled_scenario

EXIT_INPUT = 1


def _load(path: Path) -> Scenario:
    try:
        return load_scenario(path)
    except ScenarioError as e:
        n = len(e.issues)
        click.echo(f"{path}: {n} problem{'s' if n != 1 else ''} found", err=True)
        for issue in e.issues:
            click.echo(f"  - {issue.text()}", err=True)
        sys.exit(EXIT_INPUT)


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
    if not quiet:
        click.echo(summary(s))
        click.echo(f"{path}: valid")


@main.command()
@click.option("--province", "-p", "province", help="Province: 2-digit code or name.")
@click.option("--all", "all_", is_flag=True, help="Generate all 34 provinces into OUT.")
@click.option("--seed", default=2025, show_default=True, help="Seed of the synthetic roster.")
@click.option(
    "--out", "-o", type=click.Path(path_type=Path), required=True,
    help="Output folder (with --all, one sub-folder per province is written in it).",
)  # fmt: skip
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
