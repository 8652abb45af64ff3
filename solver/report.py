"""Every text the CLI prints: problem lists, scenario and solve summaries, quota tables,
sweeps, check results, several-province summaries. Functions return text; only the CLI
prints it."""

from __future__ import annotations

import errno
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from models import InputError, Issue, PlanStatus, QuotaTable, Scenario
from solver.i18n import (
    _,
    column_label,
    issue_text,
    label,
    ngettext,
    render,
    specialty_label,
)

if TYPE_CHECKING:  # pragma: no cover
    from models.rules import RuleSet
    from solver.check import CheckReport
    from solver.run import Outcome


def problems(issues: Sequence[Issue], what: str) -> str:
    """'WHAT: N problems found' and one line per problem."""
    n = len(issues)
    lines = [f"{what}: " + ngettext("{n} problem found", "{n} problems found", n).format(n=n)]
    lines += [f"  - {issue_text(i)}" for i in issues]
    return "\n".join(lines)


def input_error(e: InputError, what: str = "") -> str:
    return problems(e.issues, e.source or what)


def scenario_summary(s: Scenario, rs: RuleSet | None = None) -> str:
    """A short, human summary of a scenario."""
    kinds = Counter(c.kind.value for c in s.communes)
    districts = {o.district for o in s.old_units}
    lines = (
        [_("  rule set: {name} — {title}").format(name=rs.name, title=rs.title)]
        if rs is not None
        else []
    )
    lines += [
        _("Scenario {name}: {province}, as of {date}, rule set {rule_set}").format(
            name=s.config.name,
            province=s.config.province,
            date=s.config.as_of,
            rule_set=s.config.rule_set,
        ),
        _("  units: {n} ({kinds}); old units: {old} in {districts} old districts").format(
            n=len(s.communes),
            kinds=", ".join(f"{kinds[k]} {label('unit kind', k)}" for k in sorted(kinds)),
            old=len(s.old_units),
            districts=len(districts),
        ),
        _("  officials: {n}").format(n=len(s.officials)),
    ]
    for title, key in (
        (_("    by bloc: "), "bloc"),
        (_("    by category: "), "category"),
        (_("    by intention: "), "intention"),
    ):
        c = Counter(getattr(p, key).value for p in s.officials)
        lines.append(title + ", ".join(f"{label(key, k)} {c[k]}" for k in sorted(c)))
    spec = Counter(p.specialty for p in s.officials)
    lines.append(
        _("    by specialty: ")
        + ", ".join(f"{specialty_label(s, k)} {v}" for k, v in sorted(spec.items()))
    )
    avail = sum(1 for q in s.secondees if q.available)
    lines.append(
        _("  secondee candidates: {n} ({available} available), budget {budget}").format(
            n=len(s.secondees), available=avail, budget=s.config.secondee_budget
        )
    )
    return "\n".join(lines)


def solve_summary(o: Outcome) -> str:
    """Status, each level with bound and gap, and what happened to people."""
    m = o.metrics
    lines = [
        _(
            "{province} — {scenario} — rule set {rule_set} — engine {engine} ({method}): {status}"
        ).format(
            province=m["province"],
            scenario=m["scenario"],
            rule_set=m["rule_set"],
            engine=m["engine"],
            method=label("method", m["method"]),
            status=label("solver status", m["status"]),
        )
    ]
    before = m.get("before", {}).get("objective", {})
    if before:
        lines.append(
            "  {:<20} {:>10} → {:>10}   {}".format(
                _("level"), _("before"), _("after"), _("(before: as merged)")
            )
        )
    for lv in m["objective_order"]:
        v, b, g = m["objective"].get(lv), m["bound"].get(lv), m["gap"].get(lv)
        if v is None:
            continue
        was = f"{before[lv]:>10g} → " if before.get(lv) is not None else ""
        bound, gap, none = _("bound"), _("gap"), _("no bound")
        lines.append(
            f"  {label('level', lv):<20} {was}{v:>10g}   {bound} "
            f"{b if b is not None else none:>10}   {gap} {g if g is not None else '-'}"
        )
    c = m["counts"]
    if o.plan is not None:
        st = Counter(r.status for r in o.plan)
        shown = (
            PlanStatus.stays,
            PlanStatus.moves,
            PlanStatus.unplaced,
            PlanStatus.leaves,
            PlanStatus.outside_quota,
            PlanStatus.out_of_scope,
        )
        lines.append(_("  officials: ") + ", ".join(f"{label('status', k)} {st[k]}" for k in shown))
        bc = m.get("before", {}).get("counts")
        if bc:
            lines.append(
                _(
                    "  before the plan: {in_post} in quota places as merged, {surplus} of them "
                    "above their unit's quota"
                ).format(in_post=bc["in_post"], surplus=bc["surplus"])
            )
        lines.append(
            _(
                "  secondees: {seconded} seconded of {candidates} candidates (budget {budget})"
            ).format(
                seconded=st[PlanStatus.seconded],
                candidates=c["secondee_candidates"],
                budget=c["secondee_budget"],
            )
        )
    if m["message"]:
        lines.append(_("  note: {message}").format(message=m["message"]))
    return "\n".join(lines)


def no_plan(o: Outcome) -> str:
    """Why a solve has no plan (infeasible: in rule terms), or the checker's complaint."""
    if o.infeasible:
        return "\n".join(
            [_("INFEASIBLE: no plan satisfies the hard rules:")]
            + [f"  - {render(line)}" for line in o.explanation]
        )
    if not o.result.ok:
        return _("no plan: {why}").format(why="; ".join(render(x) for x in o.explanation))
    return "\n".join(_("CHECK FAILED: {line}").format(line=render(line)) for line in o.explanation)


def untouched(folder: Path) -> str:
    """What a run that wrote nothing says about its output folder."""
    if folder.is_dir() and any(folder.iterdir()):
        return _("nothing was written: the plan in {folder}/ is unchanged").format(folder=folder)
    return _("nothing was written to {folder}/").format(folder=folder)


def file_error(e: OSError) -> str:
    """A file system error in one paragraph: which file, what happened, what was kept."""
    what = {
        errno.ENOSPC: _("the disk is full"),
        errno.EDQUOT: _("the disk quota is exhausted"),
        errno.EROFS: _("the file system is read-only"),
        errno.EACCES: _("permission denied"),
        errno.EPERM: _("operation not permitted"),
        errno.EFBIG: _("the file is too large for this file system or limit"),
        errno.ENOENT: _("no such file or folder"),
    }.get(e.errno or 0, e.strerror or str(e))
    where = f" {e.filename}" if e.filename else ""
    return _(
        "file system error at{where}: {what}. Nothing half-written was left: an output folder "
        "written before is as it was; free space or fix the permissions, then run again."
    ).format(where=where, what=what)


def quota_json(t: QuotaTable) -> str:
    """The quota table with each term's source, as JSON."""
    meta = t.term_info()
    rows = []
    for r in t.rows:
        terms = []
        values = {"base": r.base, **r.terms}
        for tid in ["base", *t.term_columns]:
            m = meta.get((r.bloc, tid))
            if m is None or values.get(tid) is None:
                continue
            terms.append(
                {
                    "id": tid,
                    "label": m.label,
                    "positions": int(values[tid] or 0),
                    "source": m.source,
                    "note": m.note,
                }
            )
        cap = meta.get((r.bloc, "cap"))
        rows.append(
            {
                "commune": r.commune,
                "name": r.name,
                "kind": r.kind,
                "bloc": r.bloc,
                "terms": terms,
                "before_cap": r.before_cap,
                "cap": r.cap,
                "cap_source": cap.source if cap else None,
                "capped": r.capped,
                "trim": r.trim,
                "quota": r.quota,
                "flags": list(r.flags),
            }
        )
    doc = {
        "rule_set": t.rule_set,
        "terms": [m.__dict__ for m in t.terms],
        "rows": rows,
        "summary": [s.as_dict() for s in t.summary],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


def quota_table(t: QuotaTable) -> str:
    """A readable table per bloc, with the bloc's totals under it."""
    df = t.to_frame()
    out = [_("Quotas under rule set {rule_set}").format(rule_set=t.rule_set)]
    for sm in t.summary:
        part = df[df["bloc"] == sm.bloc]
        cols = [
            "commune",
            "name",
            "base",
            *t.terms_of_bloc(sm.bloc),
            "before_cap",
            "cap",
            "trim",
            "quota",
            "flags",
        ]
        out.append("")
        out.append(f"[{label('bloc', sm.bloc)}]")
        out.append(part[cols].to_string(index=False))
        line = "  " + _(
            "{units} units: terms give {terms}, capped {capped}, trimmed {trimmed}, quota {quota}"
        ).format(
            units=sm.units,
            terms=sm.sum_before_cap,
            capped=sm.sum_capped,
            trimmed=sm.trimmed,
            quota=sm.quota,
        )
        if sm.province_total is not None:
            line += _("; province total {total} ({source})").format(
                total=sm.province_total, source=sm.total_source
            )
            if sm.headroom:
                line += _(", headroom {headroom}").format(headroom=sm.headroom)
        out.append(line)
        out.extend(_("  note: {message}").format(message=n) for n in sm.notes)
    return "\n".join(out)


def quota_csv(t: QuotaTable) -> str:
    from solver.io.writer import csv_text

    return csv_text(t.records(), t.columns)


def markdown(rows: list[dict[str, Any]], columns: list[str], title: str = "") -> str:
    """Rows as a Markdown table (with a heading)."""

    def cell(v: Any) -> str:
        if v is None or (isinstance(v, float) and v != v):
            return "-"
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v).replace("|", "\\|")

    lines = [f"### {title}", ""] if title else []
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("|" + "|".join("---" for _c in columns) + "|")
    lines += ["| " + " | ".join(cell(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def table(rows: list[dict[str, Any]], columns: list[str], fmt: str, title: str = "") -> str:
    """Rows as csv, json, Markdown or an aligned text table (with a title line).

    The csv and text forms are pandas' `to_csv(index=False)` and `to_string(index=False)` of
    the rows' frame, byte for byte (tests/test_report_table.py compares them), written here
    without pandas: a sweep or a timeline prints its table without importing it."""
    if fmt in ("markdown", "table"):  # the forms people read: headers in their language
        heads = [column_label(c) for c in columns]
        rows = [{h: r.get(c) for c, h in zip(columns, heads, strict=True)} for r in rows]
        columns = heads
    if fmt == "markdown":
        return markdown(rows, columns, title)
    if fmt == "json":
        return _json_table(rows, columns)
    if fmt == "csv":
        from solver.io.writer import csv_text

        cols = [_column([r.get(c) for r in rows]) for c in columns]
        return csv_text(
            [dict(zip(columns, v, strict=True)) for v in zip(*cols, strict=True)], columns
        )
    return _aligned(rows, columns, title)


def _aligned(rows: list[dict[str, Any]], columns: list[str], title: str = "") -> str:
    """The text table: every column right-aligned to its widest cell, one space between."""
    head = f"{title}\n" if title else ""
    if not rows:
        return head + " ".join(columns) + "\n"
    cols = [_column([r.get(c) for r in rows]) for c in columns]
    shown = [[h, *(_text_cell(v) for v in vals)] for h, vals in zip(columns, cols, strict=True)]
    widths = [max(map(len, col)) for col in shown]
    lines = (
        " ".join(cell.rjust(w) for cell, w in zip(line, widths, strict=True))
        for line in zip(*shown, strict=True)
    )
    return head + "\n".join(lines) + "\n"


def _column(values: list[Any]) -> list[Any]:
    """One column's values as a frame would hold them: missing as None; whole numbers stay
    whole where every given value is one (some rows may have none: not 93.0); in a column of
    numbers with any fraction every number is a float; other columns keep each value as is.
    numpy scalars are taken as the Python numbers they are."""
    vals = [v.item() if hasattr(v, "item") and not isinstance(v, str) else v for v in values]
    given = [v for v in vals if v is not None]
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in given)
    if given and numbers and any(isinstance(v, float) for v in given):
        vals = [None if v is None else float(v) for v in vals]
    return [None if isinstance(v, float) and v != v else v for v in vals]


def _text_cell(v: Any) -> str:
    """A value in the aligned text table: missing as '-', a float with six decimals at most
    (trailing zeros trimmed, a space where a minus sign would be), tabs and line breaks
    escaped."""
    if v is None:
        return "-"
    if isinstance(v, float):
        s = f"{v: .6f}".rstrip("0")
        return s + "0" if s.endswith(".") else s
    return str(v).replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")


def _json_table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    import pandas as pd

    df = pd.DataFrame(rows, columns=columns)
    for c in columns:  # whole numbers stay whole where some rows have none (not 93.0)
        given = [r.get(c) for r in rows if r.get(c) is not None]
        if given and all(type(v) is int for v in given) and df[c].dtype != "int64":
            df[c] = df[c].astype("Int64")
    return df.to_json(orient="records", force_ascii=False, indent=2) + "\n"


def comparison(
    parts: list[tuple[str, list[dict[str, Any]], list[str]]], fmt: str, shown: int = 20
) -> str:
    """The comparison's tables (summary, communes that differ, people whose outcome differs)
    as text or Markdown, each difference table cut at `shown` rows with a count."""
    out = []
    for i, (title, rows, columns) in enumerate(parts):
        head = rows if i == 0 else rows[:shown]
        more = (
            "  "
            + ngettext(
                "… {n} more row (write them all with -o DIR)",
                "… {n} more rows (write them all with -o DIR)",
                len(rows) - shown,
            ).format(n=len(rows) - shown)
            + "\n"
            if len(rows) > len(head)
            else ""
        )
        heading = f"{title} ({len(rows)})" if i else title
        if not rows and i:
            out.append(f"{heading}: none\n")
            continue
        out.append(
            table(head, columns, "markdown" if fmt == "markdown" else "table", heading) + more
        )
    return "\n".join(out)


def check_result(rep: CheckReport) -> tuple[str, bool]:
    """The check's text and whether it goes to standard error."""
    levels = ", ".join(f"{label('level', k)} {v:g}" for k, v in rep.levels.items())
    if rep.ok:
        return _("plan OK: every rule holds; {levels}").format(levels=levels), False
    n = len(rep.violations)
    lines = [
        ngettext("plan has {n} violation; {levels}", "plan has {n} violations; {levels}", n).format(
            n=n, levels=levels
        )
    ]
    lines += [f"  - {render(v)}" for v in rep.violations]
    return "\n".join(lines), True


def province_lines(summary: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    """One line per province of a several-province run (problems to standard error)."""
    out: list[tuple[str, bool]] = []
    for row in summary:
        out.append((f"{row['province_folder']}: {label('solver status', row['status'])}", False))
        if row["status"] not in ("OPTIMAL", "FEASIBLE"):
            out += [(f"  - {line}", True) for line in row["problems"][:20]]
            if len(row["problems"]) > 20:
                out.append((f"  … {len(row['problems']) - 20} more in metrics.json", True))
    return out
