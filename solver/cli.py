"""The `staffing` command: a thin click layer over the Python API."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TypeVar

import click

from models import Bloc, Issue, Scenario
from models.rules import RuleSet
from solver import run
from solver.io import ScenarioError, load_scenario
from solver.io.rules import RuleSetError, load_rule_set
from solver.paths import bundled_scenario
from solver.run import summary_text, write_outputs

T = TypeVar("T")
EXIT_INPUT = 1
FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
EXIT_INFEASIBLE = 2


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
    _check_quotas(s, rs)
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


def _check_quotas(s: Scenario, rs: RuleSet) -> None:
    """The rule set must give a quota to every bloc in scope, and be computable on the data."""
    from solver import quotas as q

    missing = [b.value for b in s.config.blocs if b not in rs.blocs]
    if missing:
        _fail(
            [
                Issue(
                    "scenario.yaml",
                    None,
                    "blocs",
                    ", ".join(missing),
                    f"blocs that rule set {rs.name} gives quotas for ("
                    + ", ".join(b.value for b in rs.blocs)
                    + ")",
                    label="key",
                )
            ],
            str(s.folder or s.config.name),
        )
    _modelled(s, rs, lambda: q.compute(s, rs, list(s.config.blocs)))


def _modelled(s: Scenario, rs: RuleSet, work: Callable[[], T]) -> T:
    """Run a step that turns a scenario into quotas or a problem; a modelling error (missing
    data a rule needs, a bloc without a rule) becomes a clear message and exit code 1."""
    from solver import quotas as q
    from solver.problem import ProblemError

    try:
        return work()
    except q.QuotaError as e:
        _fail(e.issues, f"quotas of {s.config.name} under {rs.name}")
    except ProblemError as e:
        click.echo(f"{s.config.name}: cannot build the problem:", err=True)
        for line in e.messages:
            click.echo(f"  - {line}", err=True)
        sys.exit(EXIT_INPUT)


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
@FORMAT_OPTION
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
    df = _modelled(s, rs, lambda: q.compute(s, rs, wanted))
    if fmt == "csv":
        click.echo(df.to_csv(index=False, lineterminator="\n"), nl=False)
    elif fmt == "json":
        click.echo(json.dumps(q.to_json(df), ensure_ascii=False, indent=2))
    else:
        click.echo(q.to_table(df))


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path), required=False)
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    help="Output folder (default: plans/<scenario name>).",
)
@click.option(
    "--engine",
    type=click.Choice(["flow", "general", "greedy"]),
    default="flow",
    show_default=True,
    help="flow: exact min-cost flow; general: staged MIP with side "
    "constraints; greedy: the by-hand baseline.",
)
@click.option(
    "--time-limit",
    type=float,
    help="Seconds for the general engine (default: the scenario's time_limit).",
)
@click.option(
    "--jobs",
    "-j",
    type=int,
    default=1,
    show_default=True,
    help="Worker processes when SCENARIO holds several provinces.",
)
def solve(
    scenario: Path | None, out: Path | None, engine: str, time_limit: float | None, jobs: int
) -> None:
    """Solve a scenario: a proven-optimal, person-by-person assignment plan.

    Writes plan.csv (every official and secondee candidate exactly once, with status and
    reason), communes.csv (quota, placed, shortage, surplus, specialty gaps per unit and bloc)
    and metrics.json (status, each objective level, bound, gap, timings, input hashes),
    atomically. SCENARIO defaults to the bundled Điện Biên scenario; a folder of province
    folders (as `staffing generate --all` writes) is solved province by province. Exit codes:
    0 solved, 1 bad input, 2 infeasible.
    """
    from solver import multi

    path = scenario or bundled_scenario()
    if multi.is_multi(path):
        code = multi.solve_all(path, out or Path("plans") / path.name, engine, time_limit, jobs)
        sys.exit(code)
    s = _load(path)
    rs = _rules(None, s)
    outcome = _modelled(s, rs, lambda: run.solve(s, rs, engine, time_limit))
    target = out or Path("plans") / s.config.name
    write_outputs(target, outcome)
    click.echo(summary_text(outcome))
    if outcome.infeasible:
        click.echo("INFEASIBLE: no plan satisfies the hard rules:", err=True)
        for line in outcome.explanation:
            click.echo(f"  - {line}", err=True)
        sys.exit(EXIT_INFEASIBLE)
    if not outcome.result.ok:
        click.echo(f"no plan: {'; '.join(outcome.explanation)}", err=True)
        sys.exit(EXIT_INFEASIBLE)
    if outcome.explanation:  # the checker found a violation: a bug, say it loudly
        for line in outcome.explanation:
            click.echo(f"CHECK FAILED: {line}", err=True)
        sys.exit(3)
    click.echo(f"plan written to {target}/ (plan.csv, communes.csv, metrics.json)")


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path), required=False)
@click.option(
    "--budgets",
    "-b",
    default="0,52,97",
    show_default=True,
    help="Secondee budgets to compare: a list and/or ranges, e.g. 0,52,97 or 0-20.",
)
@click.option(
    "--engine",
    type=click.Choice(["flow", "general"]),
    default="flow",
    show_default=True,
    help="Exact engine to use for every budget.",
)
@FORMAT_OPTION
def sweep(scenario: Path | None, budgets: str, engine: str, fmt: str) -> None:
    """Compare secondee budgets: the optimum for each, and what each step adds.

    Solves SCENARIO (default: the bundled Điện Biên scenario) to optimality once per budget
    and prints, per budget, the status, secondees used, each objective level and its gain over
    the previous budget in the list — the marginal value of the extra secondees.
    """
    from solver.sweep import parse_budgets, secondee_budgets

    try:
        values = parse_budgets(budgets)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--budgets") from None
    s = _load(scenario or bundled_scenario())
    rs = _rules(None, s)
    df = _modelled(s, rs, lambda: secondee_budgets(s, rs, values, engine))
    if fmt == "csv":
        click.echo(df.to_csv(index=False, lineterminator="\n"), nl=False)
    elif fmt == "json":
        click.echo(df.to_json(orient="records", force_ascii=False, indent=2))
    else:
        click.echo(f"{s.config.province} — {s.config.name} — secondee budgets, engine {engine}")
        click.echo(df.to_string(index=False, na_rep="-"))


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.argument("plan_dir", type=click.Path(path_type=Path))
def check(scenario: Path, plan_dir: Path) -> None:
    """Check a plan against its scenario, independently of the engines.

    Recomputes quotas, needs and distances from SCENARIO, then every hard rule and objective
    level from PLAN_DIR/plan.csv, and compares the levels with PLAN_DIR/metrics.json. Exit 0
    when the plan is valid, 1 when a rule is violated or a file is unreadable.
    """
    import pandas as pd

    from solver import check as checker

    s = _load(scenario)
    rs = _rules(None, s)
    plan_file = plan_dir / "plan.csv"
    if not plan_file.is_file():
        _fail([Issue("plan.csv", None, None, None, f"this file in {plan_dir}")], str(plan_dir))
    from solver.plan import PLAN_COLUMNS

    try:
        plan = pd.read_csv(plan_file, dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as e:
        _fail([Issue("plan.csv", None, None, None, f"a readable CSV plan ({e})")], str(plan_dir))
    problems = [
        Issue("plan.csv", 1, c, None, f"a column named {c!r}")
        for c in PLAN_COLUMNS
        if c not in plan.columns
    ]
    if not problems:
        for i, v in enumerate(plan["km"]):
            if not v.strip().lstrip("-").isdigit():
                problems.append(Issue("plan.csv", i + 2, "km", v, "a whole number of km"))
    if problems:
        _fail(problems, str(plan_dir))
    plan["km"] = pd.to_numeric(plan["km"])
    metrics = None
    mfile = plan_dir / "metrics.json"
    if mfile.is_file():
        metrics = json.loads(mfile.read_text("utf-8"))
    rep = checker.check(s, rs, plan, metrics)
    levels = ", ".join(f"{k} {v:g}" for k, v in rep.levels.items())
    if rep.ok:
        click.echo(f"plan OK: every rule holds; {levels}")
        return
    click.echo(f"plan has {len(rep.violations)} violation(s); {levels}", err=True)
    for v in rep.violations:
        click.echo(f"  - {v}", err=True)
    sys.exit(EXIT_INPUT)


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
