"""The `staffing` command: a thin click layer over the Python API."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from models import Bloc, InputError, Issue, Scenario
from models.problems import msg
from models.rules import RuleSet
from solver import clicktext, i18n, report
from solver.i18n import _, render
from solver.io import load_scenario
from solver.io.rules import load_rule_set
from solver.paths import bundled_scenario

F = TypeVar("F", bound=Callable[..., Any])
EXIT_INPUT = 1
EXIT_INFEASIBLE = 2
EXIT_CHECK = 3
EXIT_OUTPUT = 4
EXIT_FILES = 5
EXIT_TOOL = 6
EXIT_USAGE = 64
EXIT_INTERRUPTED = 130
EXIT_CODES = {  # docs/cli.md's table is rendered from this
    0: "done: the scenario is valid, the plan was written, the check or every fact holds",
    EXIT_INPUT: "bad input: a scenario, rule set, plan or facts file that cannot be read as it "
    "is (every problem listed, located); `check`: the plan breaks a rule",
    EXIT_INFEASIBLE: "infeasible: no plan meets the rules; the conflict is explained in rule "
    "terms and nothing is written",
    EXIT_CHECK: "`facts`: a fact does not hold; `solve`: the independent checker rejected the "
    "engine's plan (a bug: please report it); nothing is written",
    EXIT_OUTPUT: "output refused: the output path is a file, a folder this tool did not write, "
    "an input folder or a parent of one, or the home folder; nothing is touched",
    EXIT_FILES: "file system error: permission denied, disk full, read-only or vanished file; "
    "an output folder written before is left as it was",
    EXIT_TOOL: "a program the command needs is missing: Chromium, to print PDF; nothing is written",
    EXIT_USAGE: "usage error: an unknown option or an option value of the wrong form (said in the "
    "language of --lang or STAFFING_LANG)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C): nothing half-written is left; an output folder "
    "written before is left as it was",
}
SET_OPTION = click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="KEY=VALUE",
    help="Change one scenario option for this run (repeatable), e.g. --set secondee_budget=97, "
    "--set max_km=60, --set road_factor.mountainous=2.0.",
)


def format_option(help: str = "Output format.") -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "csv", "markdown", "json"]),
        default="table",
        show_default=True,
        help=help,
    )


FORMAT_OPTION = format_option()


def _echo(text: str, err: bool = False) -> None:
    click.echo(text, err=err)


def input_errors(command: F) -> F:
    """The handler of the errors a user causes: each becomes a message on standard error and
    its exit code (EXIT_CODES), never a traceback. A mistake in the input lists every problem;
    a refused output path says why; a file system error names the file and the reason.

    It also gives the command its --lang option: the language of everything it prints and
    writes (solver.i18n)."""

    @functools.wraps(command)
    def wrapper(*args: Any, lang: str | None = None, **kwargs: Any) -> Any:
        from solver.io.owned import OutputRefused

        with i18n.use(lang):
            try:
                return command(*args, **kwargs)
            except InputError as e:
                _echo(report.input_error(e, _("input")), err=True)
                sys.exit(EXIT_INPUT)
            except OutputRefused as e:
                _echo(
                    _("output refused: {why}. Nothing was written.").format(why=render(e.args[0])),
                    err=True,
                )
                sys.exit(EXIT_OUTPUT)
            except OSError as e:
                _echo(report.file_error(e), err=True)
                sys.exit(EXIT_FILES)

    return click.option(  # type: ignore[return-value]
        "--lang",
        type=click.Choice(i18n.LANGS),
        default=None,
        help="Language of the tables, reports and messages: vi or en (default: STAFFING_LANG, "
        "else the scenario's lang, else en). Codes never change.",
    )(wrapper)


class _Group(click.Group):
    """The command group, with the exit codes of EXIT_CODES: usage errors 64 (click's 2 is
    taken by "infeasible"), Ctrl-C 130 with a sentence instead of a traceback."""

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        argv = list(sys.argv[1:] if args is None else args)
        # click's own messages (usage errors) in the command's language (solver/clicktext.py)
        clicktext.install()
        with i18n.use(clicktext.lang_of(argv)):
            return self._main(argv, *rest, **kwargs)

    def _main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        except click.UsageError as e:
            e.show()
            sys.exit(EXIT_USAGE)
        except click.ClickException as e:
            e.show()
            sys.exit(e.exit_code)
        except (click.Abort, KeyboardInterrupt):
            _interrupted()
        except Exception as e:
            # an interrupt during a lazy import may come wrapped in another error (a
            # dataclass's __set_name__ turns it into a RuntimeError): still a Ctrl-C
            if not _caused_by_interrupt(e):
                raise
            _interrupted()


def _caused_by_interrupt(e: BaseException) -> bool:
    seen: set[int] = set()
    cur: BaseException | None = e
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, KeyboardInterrupt):
            return True
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return False


def _interrupted() -> None:
    _echo(
        _(
            "interrupted: nothing half-written was left; an output folder written before is as "
            "it was."
        ),
        err=True,
    )
    sys.exit(EXIT_INTERRUPTED)


def _scenario(path: Path, sets: tuple[str, ...] = ()) -> Scenario:
    """The scenario at PATH (folder, workbook or what-if file) with the --set changes."""
    from solver.io.whatif import parse_sets

    s = load_scenario(path, parse_sets(sets) if sets else None)
    if s.config.lang and not i18n.chosen():
        i18n.activate(s.config.lang)
    _notes(s)
    return s


def _baseline(folder: Path | None) -> Any:
    """The announced plan in a plan folder, as a baseline (None without a folder)."""
    if folder is None:
        return None
    from models import Baseline
    from solver.io.plan_reader import read_plan

    plan, _metrics = read_plan(folder)
    return Baseline.of_plan(plan, str(folder))


def _notes(s: Scenario) -> None:
    """How the inputs were read, where that may surprise (standard error: not the output)."""
    for n in s.notes:
        _echo(_("note: {note}").format(note=render(n)), err=True)


def _rules(name_or_path: str | None, s: Scenario) -> RuleSet:
    """The rule set named on the command line, else the scenario's."""
    ref = name_or_path or s.config.rule_set
    return load_rule_set(ref, Path(s.folder) if s.folder and not name_or_path else None)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="commune-staffing")
def main() -> None:
    """Plan the staffing of Vietnam's new communes: validate scenarios, compute quotas,
    solve assignment plans."""


@main.command()
@click.argument("path", type=click.Path(path_type=Path), required=False)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing when the scenario is valid.")
@SET_OPTION
@input_errors
def validate(path: Path | None, quiet: bool, sets: tuple[str, ...]) -> None:
    """Check a scenario folder or .xlsx workbook and summarize it.

    PATH defaults to the bundled Điện Biên scenario. Every problem is reported at once with
    its file, row, column, the value found and what was expected; the exit code is 1 when
    there is any problem, 0 otherwise.
    """
    from solver.problem import prepare

    path = path or bundled_scenario()
    s = _scenario(path, sets)
    rs = _rules(None, s)
    prepare(s, rs)  # the rule set covers the scope and its quotas compute on the data
    if not quiet:
        _echo(report.scenario_summary(s, rs))
        _echo(_("{path}: valid").format(path=path))


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
@SET_OPTION
@input_errors
def quota(
    scenario: Path | None,
    rules: str | None,
    blocs: tuple[str, ...],
    fmt: str,
    sets: tuple[str, ...],
) -> None:
    """Compute each unit's quota per bloc with every rule term.

    One row per unit and bloc: each term's contribution (columns named by the rule set's term
    ids), the total before the cap, the cap, the trim to the province total and the final
    quota, with flags where a rule had to choose or data was estimated. The JSON format adds
    each term's source. SCENARIO defaults to the bundled Điện Biên scenario.
    """
    from solver import quotas as q

    s = _scenario(scenario or bundled_scenario(), sets)
    rs = _rules(rules, s)
    wanted = [Bloc(b) for b in blocs] or None
    missing = [b.value for b in wanted or [] if b not in rs.blocs]
    if missing:
        raise click.BadParameter(
            f"rule set {rs.name} has no rule for bloc {', '.join(missing)}; it has "
            + ", ".join(b.value for b in rs.blocs),
            param_hint="--bloc",
        )
    table = q.compute(s, rs, wanted)
    if fmt == "csv":
        click.echo(report.quota_csv(table), nl=False)
    elif fmt == "json":
        _echo(report.quota_json(table))
    else:
        _echo(report.quota_table(table))


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
    type=click.Choice(["flow", "general", "greedy", "as-merged"]),
    default="flow",
    show_default=True,
    help="flow: exact min-cost flow; general: staged LP/MIP with side "
    "constraints; greedy: the by-hand baseline; as-merged: nobody moves, no secondee.",
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
@click.option(
    "--dask",
    metavar="ADDRESS",
    help="With several provinces: solve them on the Dask cluster at ADDRESS.",
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, file_okay=False),
    help="A plan folder already announced: re-plan with as few people changed from it as "
    "the shortage levels allow (the level `changes`, right after the shortages by default).",
)
@SET_OPTION
@click.option(
    "--xlsx",
    is_flag=True,
    help="Also write plan.xlsx (every sheet a planner needs); with several provinces, one per "
    "province folder, like --report and --pdf.",
)
@click.option(
    "--report",
    "html",
    is_flag=True,
    help="Also write report.html (charts and a map, self-contained, opens offline) and the "
    "printable decision pages decisions/*.html.",
)
@click.option(
    "--pdf",
    is_flag=True,
    help="Also print the decision pages to decisions.pdf (needs Chromium).",
)
@input_errors
def solve(
    scenario: Path | None,
    out: Path | None,
    engine: str,
    time_limit: float | None,
    jobs: int,
    dask: str | None,
    baseline: Path | None,
    sets: tuple[str, ...],
    xlsx: bool,
    html: bool,
    pdf: bool,
) -> None:
    """Solve a scenario: a proven-optimal, person-by-person assignment plan.

    Writes plan.csv (every official and secondee candidate exactly once, with status and
    reason), communes.csv (quota, placed, shortage, surplus, specialty gaps per unit and bloc)
    and metrics.json (status, each objective level, bound, gap, timings, input hashes),
    atomically. SCENARIO defaults to the bundled Điện Biên scenario; a folder of province
    folders (as `staffing generate --all` writes) is solved province by province.

    The output folder is replaced only when this tool wrote it (or it is empty), atomically;
    the plan it held is kept as OUT.previous. A run that finds no plan leaves it untouched.
    Exit codes: see the table at the end of docs/cli.md (0 solved, 1 bad input, 2 infeasible).
    """
    from solver import multi, run
    from solver.io.owned import check_target
    from solver.io.whatif import parse_sets
    from solver.io.writer import PLAN, PLANS, write_outputs

    path = scenario or bundled_scenario()
    if pdf:
        _needs_chromium()
    if multi.is_multi(path):
        target = check_target(out or Path("plans") / path.name, PLANS, (path,))
        n = len(multi.province_folders(path))
        with click.progressbar(length=n, label=_("Solving provinces"), file=None) as bar:
            summary, code = multi.solve_all(
                path,
                target,
                engine,
                time_limit,
                jobs,
                on_done=lambda: bar.update(1),
                overrides=parse_sets(sets) if sets else None,
                dask=dask,
                outputs={"xlsx": xlsx, "html": html, "pages": html, "pdf": pdf},
            )
        for line, err in report.province_lines(summary):
            _echo(line, err=err)
        sys.exit(code)
    # a given folder is refused before the scenario is even read; the default one needs its name
    given = check_target(out, PLAN, (path,)) if out is not None else None
    read = run.Clock()
    s = _scenario(path, sets)
    rs = _rules(None, s)
    read.lap("read")
    target = given or check_target(Path("plans") / s.config.name, PLAN, (path,))
    outcome = run.solve(s, rs, engine, time_limit, _baseline(baseline))
    outcome.metrics["timings"] = read.timings | outcome.metrics["timings"]
    _echo(report.solve_summary(outcome))
    if outcome.plan is None:
        _echo(report.no_plan(outcome), err=True)
        _echo(report.untouched(target.path), err=True)
        sys.exit(EXIT_INFEASIBLE)
    if outcome.explanation:  # the checker found a violation: a bug, say it loudly
        _echo(report.no_plan(outcome), err=True)
        _echo(report.untouched(target.path), err=True)
        sys.exit(EXIT_CHECK)
    outcome.metrics["source"] = {"scenario": str(path), "set": list(sets)}
    extra = _reports(outcome, xlsx, html, html, pdf)
    write_outputs(target, outcome, extra)
    names = ", ".join(["plan.csv", "communes.csv", "metrics.json", *_shown(extra)])
    _echo(_("plan written to {path}/ ({files})").format(path=target.path, files=names))


def _needs_chromium() -> None:
    from solver.reports.pdf import ChromiumMissing, chromium

    try:
        chromium()
    except ChromiumMissing as e:
        _echo(_("cannot print: {why}").format(why=e), err=True)
        sys.exit(EXIT_TOOL)


def _reports(outcome: Any, xlsx: bool, html: bool, pages: bool, pdf: bool) -> dict[str, Any]:
    from solver.reports import ReportData, report_files

    if not (xlsx or html or pages or pdf):
        return {}
    return report_files(ReportData.of_outcome(outcome), xlsx, html, pages, pdf)


def _shown(files: dict[str, Any]) -> list[str]:
    """File names as a sentence lists them: decisions/*.html once."""
    out = [n for n in files if not n.startswith("decisions/")]
    if any(n.startswith("decisions/") for n in files):
        out.append("decisions/")
    return out


DASK_OPTION = click.option(
    "--dask",
    metavar="ADDRESS",
    help="Run the solves on the Dask cluster at ADDRESS (e.g. tcp://127.0.0.1:8786) instead "
    "of here; the outputs are the same.",
)
JOBS_OPTION = click.option(
    "--jobs", "-j", type=int, default=1, show_default=True, help="Local worker processes."
)
NUMERIC_OPTIONS = {
    "secondee_budget": True,
    "secondee_cost": True,
    "max_moves": True,
    "max_km": False,
    "time_limit": False,
}


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path), required=False)
@click.option(
    "--param",
    "param",
    metavar="OPTION=VALUES",
    help="The option to sweep and its values: secondee_budget=0:120:10, max_km=20:100:20, "
    "secondee_cost=0,100,200 (a list, LOW-HIGH, LOW:HIGH:STEP). Default: --budgets.",
)
@click.option(
    "--budgets",
    "-b",
    default="0,52,97",
    show_default=True,
    help="Secondee budgets to compare (when no --param): a list and/or ranges, e.g. 0-20.",
)
@click.option(
    "--marginal",
    is_flag=True,
    help="Instead: for each specialty, what one more secondee of it would buy and where the "
    "optimum sends them (one exact re-solve per specialty).",
)
@click.option(
    "--specialty",
    "specialties",
    multiple=True,
    help="With --marginal: only this specialty (repeatable).",
)
@click.option(
    "--engine",
    type=click.Choice(["flow", "general"]),
    default="flow",
    show_default=True,
    help="Exact engine to use for every solve.",
)
@click.option(
    "--chart",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the curve of the shortage levels as an SVG image.",
)
@FORMAT_OPTION
@JOBS_OPTION
@DASK_OPTION
@SET_OPTION
@input_errors
def sweep(
    scenario: Path | None,
    param: str | None,
    budgets: str,
    marginal: bool,
    specialties: tuple[str, ...],
    engine: str,
    chart: Path | None,
    fmt: str,
    jobs: int,
    dask: str | None,
    sets: tuple[str, ...],
) -> None:
    """Sweep one numeric option, or ask what one more secondee of each specialty buys.

    Solves SCENARIO (default: the bundled Điện Biên scenario) to optimality at each value and
    prints, per value, the status, secondees used, each objective level, its gain over the
    previous value, the gain per step, and `flat_from_here` (no level changes from this value
    on: where the curve flattens). With --marginal, one row per specialty: the gain in each
    shortage level from one more secondee of that specialty, and where the optimum sends them.
    """
    from solver import sweep as sw

    s = _scenario(scenario or bundled_scenario(), sets)
    rs = _rules(None, s)
    with click.progressbar(length=1, label=_("Solving"), file=sys.stderr) as bar:
        if marginal:
            known = {sp.code for sp in s.specialties}
            bad = [x for x in specialties if x not in known]
            if bad:
                raise click.BadParameter(
                    f"unknown specialty {bad[0]!r}; expected one of " + ", ".join(sorted(known)),
                    param_hint="--specialty",
                )
            bar.length = len(specialties or known)
            rows = sw.marginal_specialties(
                s, rs, list(specialties) or None, engine, jobs, dask, lambda: bar.update(1)
            )
            title = _("{province} — {scenario} — one more secondee, by specialty").format(
                province=s.config.province, scenario=s.config.name
            )
            click.echo(report.table(rows, sw.MARGINAL_COLUMNS, fmt, title), nl=False)
            return
        name, values = _sweep_values(param, budgets)
        bar.length = len(values)
        if param is None:  # the budget sweep, with its own column names
            rows = sw.secondee_budgets(
                s, rs, values, engine, jobs=jobs, dask=dask, on_done=lambda: bar.update(1)
            )
            key, cols = "budget", sw.COLUMNS
        else:
            rows = sw.param_sweep(s, rs, name, values, engine, jobs, dask, lambda: bar.update(1))
            key, cols = name, sw.columns(name)
    title = _("{province} — {scenario} — {name} sweep, engine {engine}").format(
        province=s.config.province, scenario=s.config.name, name=name, engine=engine
    )
    shown = _sweep_shown(rows) if fmt in ("table", "markdown") else rows  # csv, json: codes
    click.echo(report.table(shown, cols, fmt, title), nl=False)
    if chart is not None:
        sw.write_chart(chart, sw.chart_svg(rows, key, title))
        _echo(_("chart written to {path}").format(path=chart), err=True)


def _sweep_shown(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A sweep's rows as a planner of the active language reads them in a text or Markdown
    table (where the headers are labelled too): the solver status and the yes/no of
    `flat_from_here` labelled (English: the codes, as they always were)."""
    if i18n.current() == "en":
        return rows
    yes_no = {True: i18n.label("yes/no", "true"), False: i18n.label("yes/no", "false")}
    return [
        r
        | {"status": i18n.label("solver status", r["status"])}
        | ({"flat_from_here": yes_no[r["flat_from_here"]]} if "flat_from_here" in r else {})
        for r in rows
    ]


def _sweep_values(param: str | None, budgets: str) -> tuple[str, list[Any]]:
    from models import did_you_mean
    from solver.sweep import parse_values

    if param is None:
        name, text = "secondee_budget", budgets
        hint = "--budgets"
    else:
        name, sep, text = param.partition("=")
        hint = "--param"
        if not sep:
            raise click.BadParameter(
                "expected OPTION=VALUES, e.g. max_km=20:100:20", param_hint=hint
            )
        if name not in NUMERIC_OPTIONS:
            sug = did_you_mean(name, NUMERIC_OPTIONS)
            raise click.BadParameter(
                f"{name!r} is not a numeric option; expected one of "
                + ", ".join(NUMERIC_OPTIONS)
                + (f" (did you mean {sug!r}?)" if sug else ""),
                param_hint=hint,
            )
    try:
        return name, parse_values(text, integer=NUMERIC_OPTIONS[name])
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint=hint) from None


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@format_option("Output format (csv: the summary; json: everything).")
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    help="Also write every table, whole: summary.csv, communes.csv, people.csv, compare.md, "
    "compare.json, and report.html (the levels as a chart, then the tables).",
)
@JOBS_OPTION
@DASK_OPTION
@SET_OPTION
@input_errors
def compare(
    sources: tuple[Path, ...],
    fmt: str,
    out: Path | None,
    jobs: int,
    dask: str | None,
    sets: tuple[str, ...],
) -> None:
    """Compare plans side by side: scenarios, what-if files or plan folders.

    Each SOURCE is solved (a scenario folder, workbook or what-if file; --set applies to
    every one) or read (a plan folder `staffing solve` wrote). Prints one column per source:
    status and gap, each objective level, communes still short, officials moved and km,
    unplaced, secondees used and where, shortage by specialty; then what differs: the
    communes whose shortage, specialty gap or secondees differ, and the people whose outcome
    changes between sources.
    """
    from solver import compare as cmp
    from solver.io.owned import check_target, publish
    from solver.io.whatif import parse_sets
    from solver.io.writer import COMPARISON, csv_text

    target = check_target(out, COMPARISON, sources) if out is not None else None
    overrides = parse_sets(sets) if sets else None
    with click.progressbar(length=len(sources), label=_("Solving"), file=sys.stderr) as bar:
        ss = cmp.sides(list(sources), overrides, jobs, lambda: bar.update(1), dask)
    parts = [
        (_("Side by side"), *cmp.summary(ss)),
        (_("Communes that differ"), *cmp.commune_diff(ss)),
        (_("People whose outcome differs"), *cmp.people_diff(ss)),
    ]
    if fmt == "json":
        click.echo(cmp.as_json(ss), nl=False)
    elif fmt == "csv":
        click.echo(csv_text(parts[0][1], parts[0][2]), nl=False)
    else:
        _echo(report.comparison(parts, fmt))
    if target is not None:
        files = {
            name: csv_text(rows, cols, bom=True)
            for name, (_t, rows, cols) in zip(
                ("summary.csv", "communes.csv", "people.csv"), parts, strict=True
            )
        }
        files["compare.md"] = "\n".join(report.markdown(r, c, t) for t, r, c in parts)
        files["compare.json"] = cmp.as_json(ss)
        from solver.reports.html import comparison_report

        files["report.html"] = comparison_report(parts, ss)
        publish(target, files)
        _echo(_("comparison written to {path}/").format(path=target.path), err=True)


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path), required=False)
@FORMAT_OPTION
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    help="Also write timeline.csv, people.csv (who changes at each date) and timeline.svg.",
)
@JOBS_OPTION
@DASK_OPTION
@SET_OPTION
@input_errors
def timeline(
    scenario: Path | None,
    fmt: str,
    out: Path | None,
    jobs: int,
    dask: str | None,
    sets: tuple[str, ...],
) -> None:
    """The situation at each date where something changes.

    Dates: the scenario's as_of, then the day after each secondment ends and each official's
    available_until (part-timers, retirements). At each date: the shortage if the first plan is
    held as it is (those who have gone simply gone), the shortage when re-planned stably from
    the previous date (as few people changed as the shortages allow), how many people must
    change, secondees serving and officials in post. SCENARIO defaults to the bundled Điện
    Biên scenario.
    """
    from solver import timeline as tl
    from solver.io.owned import check_target, publish
    from solver.io.writer import TIMELINE, csv_text

    path = scenario or bundled_scenario()
    target = check_target(out, TIMELINE, (path,)) if out is not None else None
    s = _scenario(path, sets)
    rs = _rules(None, s)
    n = len(tl.dates(s))
    with click.progressbar(length=2 * n, label=_("Solving"), file=sys.stderr) as bar:
        try:
            rows, people = tl.timeline(s, rs, jobs, dask, lambda: bar.update(1))
        except ValueError as e:
            _echo(str(e), err=True)
            sys.exit(EXIT_INFEASIBLE)
    title = _("{province} — {scenario} — timeline").format(
        province=s.config.province, scenario=s.config.name
    )
    click.echo(report.table(rows, tl.COLUMNS, fmt, title), nl=False)
    if target is not None:
        publish(
            target,
            {
                "timeline.csv": csv_text(rows, tl.COLUMNS, bom=True),
                "people.csv": csv_text(people, tl.PEOPLE_COLUMNS, bom=True),
                "timeline.svg": tl.chart_svg(rows, title),
            },
        )
        _echo(_("timeline written to {path}/").format(path=target.path), err=True)


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.argument("plan_dir", type=click.Path(path_type=Path))
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, file_okay=False),
    help="The baseline the plan was solved against (default: the one metrics.json names).",
)
@input_errors
def check(scenario: Path, plan_dir: Path, baseline: Path | None) -> None:
    """Check a plan against its scenario, independently of the engines.

    Recomputes quotas, needs and distances from SCENARIO, then every hard rule and objective
    level from PLAN_DIR/plan.csv (`changes` against the baseline metrics.json names, or
    --baseline), and compares the levels with PLAN_DIR/metrics.json. Exit 0 when the plan is
    valid, 1 when a rule is violated or a file is unreadable.
    """
    from solver import check as checker
    from solver.io.plan_reader import read_plan

    s = load_scenario(scenario)
    rs = _rules(None, s)
    plan, metrics = read_plan(plan_dir)
    if baseline is None and metrics and isinstance(metrics.get("baseline"), str):
        baseline = Path(metrics["baseline"])
    base = _baseline(baseline)
    text, failed = report.check_result(checker.check(s, rs, plan, metrics, base))
    _echo(text, err=failed)
    if failed:
        sys.exit(EXIT_INPUT)


@main.command("report")
@click.argument("plan_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--scenario",
    type=click.Path(path_type=Path),
    help="The plan's scenario (default: the one its metrics.json names, with its --set).",
)
@click.option("--xlsx/--no-xlsx", default=True, show_default=True, help="Write plan.xlsx.")
@click.option(
    "--html/--no-html",
    default=True,
    show_default=True,
    help="Write report.html and the decision pages decisions/*.html.",
)
@click.option("--pdf", is_flag=True, help="Print the decision pages to decisions.pdf (Chromium).")
@click.option(
    "--commune",
    "units",
    multiple=True,
    metavar="CODE",
    help="Also print this unit's decision page as decisions/CODE.pdf (repeatable).",
)
@input_errors
def report_command(
    plan_dir: Path,
    scenario: Path | None,
    xlsx: bool,
    html: bool,
    pdf: bool,
    units: tuple[str, ...],
) -> None:
    """Write a plan folder's workbook, report and printable decisions.

    Reads PLAN_DIR (plan.csv, communes.csv, metrics.json, in either language), checks the plan
    against its scenario, and adds plan.xlsx, report.html, decisions/*.html and, with --pdf or
    --commune, their PDF prints to the folder, atomically. Written in the language of --lang.
    """
    from solver import check as checker
    from solver import problem
    from solver.io.owned import check_target, publish
    from solver.io.plan_reader import read_communes, read_plan
    from solver.io.writer import PLAN
    from solver.reports import ReportData, report_files

    if pdf or units:
        _needs_chromium()
    target = check_target(plan_dir, PLAN)
    plan, metrics = read_plan(plan_dir)
    if metrics is None:
        raise InputError(
            [
                Issue(
                    "metrics.json", None, None, None, msg("this file in {folder}", folder=plan_dir)
                )
            ],
            str(plan_dir),
        )
    source = metrics.get("source") or {}
    path = scenario or Path(source.get("scenario") or bundled_scenario())
    s = _scenario(path, tuple(source.get("set") or ()) if scenario is None else ())
    rs = _rules(None, s)
    named = metrics.get("baseline")
    found = isinstance(named, str) and Path(named, "plan.csv").is_file()
    rep = checker.check(s, rs, plan, metrics, _baseline(Path(str(named))) if found else None)
    # a baseline that is gone leaves only the `changes` level unverifiable
    bad = [v for v in rep.violations if found or not named or "changes" not in str(v)]
    if bad:
        text, _failed = report.check_result(rep)
        _echo(_("the plan does not fit the scenario {path}:").format(path=path), err=True)
        _echo(text, err=True)
        sys.exit(EXIT_INPUT)
    unknown = [c for c in units if c not in s.names]
    if unknown:
        raise click.BadParameter(
            _("unknown unit {code}").format(code=unknown[0]), param_hint="--commune"
        )
    p = problem.prepare(s, rs)
    communes = read_communes(plan_dir, s)
    d = ReportData(s, p.quotas, plan, communes, metrics)
    files = report_files(d, xlsx, html, html, pdf, units)
    kept = {
        f.relative_to(plan_dir).as_posix(): f.read_bytes()
        for f in sorted(plan_dir.rglob("*"))
        if f.is_file() and not f.name.startswith(".")
    }
    publish(target, {**kept, **files})
    _echo(_("written to {path}/: {files}").format(path=target.path, files=", ".join(_shown(files))))


@main.command()
@click.option("--province", "-p", help="Add the drop-down list of this province's units.")
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The workbook to write (.xlsx).",
)
@input_errors
def template(province: str | None, out: Path) -> None:
    """Write a blank input workbook: every sheet and column, drop-down lists, instructions in
    Vietnamese and English, an example row per sheet. Filled in, `staffing validate` and
    `staffing solve` read it."""
    from solver import generate as gen
    from solver.io.owned import write_file
    from solver.reports.template import template_workbook

    code = _province_code(province, gen.provinces()) if province else None
    write_file(out, template_workbook(code), suffix=".xlsx")
    _echo(_("template written to {path}").format(path=out))


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path), required=False)
@click.option(
    "--facts",
    "facts_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Facts file (default: SCENARIO/facts.yaml).",
)
@FORMAT_OPTION
@SET_OPTION
@input_errors
def facts(scenario: Path | None, facts_file: Path | None, fmt: str, sets: tuple[str, ...]) -> None:
    """Measure a scenario against the facts the province reported.

    Each fact of SCENARIO/facts.yaml (default scenario: the bundled Điện Biên) is measured on
    the data and, for facts about plans, on the optimal plan at the secondee budget the fact
    names; prints the fact, its source, the expected range, the measured figure and whether it
    holds. Exit 0 when every fact holds, 3 when one does not, 1 for unreadable input.
    """
    from solver import facts as fact_check

    s = _scenario(scenario or bundled_scenario(), sets)
    rs = _rules(None, s)
    path = facts_file or Path(s.folder) / fact_check.FILE
    fs = fact_check.load(path)
    measured = fact_check.measure(s, rs, fs)
    title = _("{province} — {scenario} — facts ({file})").format(
        province=s.config.province, scenario=s.config.name, file=path.name
    )
    click.echo(report.table(fact_check.rows(measured), fact_check.COLUMNS, fmt, title), nl=False)
    if not all(m.holds for m in measured):
        sys.exit(EXIT_CHECK)


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
@input_errors
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
            _echo(f"{code} {name}: {target}")
        return
    assert province is not None
    code = _province_code(province, known)
    target = gen.write(code, out, seed)
    _echo(f"{code} {dict(known)[code]}: {target}")


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
