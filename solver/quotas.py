"""Quotas: rule set + communes → each commune's quota per bloc, with every term explained.

A pure step. For each unit and each bloc of the rule set:

    before_cap = base + Σ increments + Σ bonuses + bracket
    capped     = min(before_cap, cap of the unit's kind)
    quota      = capped − trim

The trim meets the bloc's province total (scenario's `province_total`, else the rule set's):
the excess Σ capped − total is shared among units in proportion to each unit's room above its
floor (base + bracket), by largest remainder; ties go to the larger room, then the smaller code.
No unit goes below its floor; when the total cannot be met even so, every unit is at its floor
and the bloc's summary says by how much the total is missed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

from models import Bloc, Commune, Issue, Scenario
from models.rules import (
    Applies,
    BlocRule,
    Bonus,
    Brackets,
    PercentSteps,
    PerResidents,
    RuleSet,
)

FIXED_COLUMNS = ["commune", "name", "kind", "bloc", "base"]
TAIL_COLUMNS = ["before_cap", "cap", "capped", "trim", "quota", "flags"]


class QuotaError(Exception):
    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("\n".join(i.text() for i in issues))


@dataclass
class BlocSummary:
    bloc: str
    units: int
    sum_before_cap: int
    sum_capped: int
    province_total: int | None
    total_source: str
    trimmed: int
    quota: int
    headroom: int | None
    shortfall: int = 0  # positions the total is missed by when every unit is at its floor
    notes: list[str] = field(default_factory=list)


def _applies(a: Applies | None, c: Commune) -> bool:
    if a is None:
        return True
    if a.kind is not None and c.kind not in a.kind:
        return False
    return not (a.mountainous is not None and c.mountainous != a.mountainous)


def _exact(x: float | int) -> Fraction:
    return Fraction(Decimal(str(x)))


def percent_steps(value: float, standard: float, threshold: float, step: float) -> int:
    """Full steps of `step` percentage points above `threshold` % of the standard (exact)."""
    pct = _exact(value) * 100 / _exact(standard)
    over = pct - _exact(threshold)
    if over <= 0:
        return 0
    return math.floor(over / _exact(step))


def old_unit_counts(s: Scenario) -> dict[str, int]:
    """How many old units (wholly or in part) formed each new unit."""
    n = {c.code: 0 for c in s.communes}
    for o in s.old_units:
        for code in {o.successor, *o.part_of}:
            n[code] += 1
    return n


def bracket_for(b: Brackets, value: int) -> Any:
    for r in b.ranges:
        if r.min <= value and (r.max is None or value <= r.max):
            return r
    raise AssertionError("brackets are validated to cover 0..∞")  # pragma: no cover


def planned_blocs(scenario: Scenario, rule_set: RuleSet) -> list[Bloc]:
    """The scenario's blocs in scope that the rule set gives quotas for."""
    return [b for b in scenario.config.blocs if b in rule_set.blocs]


def province_total(rule: BlocRule, bloc: Bloc, s: Scenario) -> tuple[int | None, str]:
    if s.config.province_total and bloc in s.config.province_total:
        return s.config.province_total[bloc], "scenario.yaml province_total"
    if rule.province_total is not None:
        return rule.province_total.positions, "rule set"
    return None, ""


def compute(scenario: Scenario, rule_set: RuleSet, blocs: list[Bloc] | None = None) -> pd.DataFrame:
    """One row per unit and bloc: every term's contribution, cap, trim, quota and flags.

    `df.attrs["terms"]` describes each term column (bloc, id, label, source, note);
    `df.attrs["summary"]` has one `BlocSummary` (as a dict) per bloc.
    """
    rows: list[dict[str, Any]] = []
    term_meta: list[dict[str, Any]] = []
    term_cols: list[str] = []
    summaries: list[dict[str, Any]] = []
    issues: list[Issue] = []
    olds = old_unit_counts(scenario)
    chosen = [b for b in rule_set.blocs if blocs is None or b in blocs]
    for bloc in chosen:
        rule = rule_set.blocs[bloc]
        terms = _terms_of(rule)
        if rule.base is not None:
            term_meta.append(
                _meta(rule_set, bloc, "base", "base", rule.base.source, rule.base.note)
            )
        for t in terms:
            term_meta.append(_meta(rule_set, bloc, t.id, t.label or t.id, t.source, t.note))
            if t.id not in term_cols:
                term_cols.append(t.id)
        if rule.caps is not None:
            term_meta.append(_meta(rule_set, bloc, "cap", "cap", rule.caps.source, rule.caps.note))
        bloc_rows = []
        for i, c in enumerate(scenario.communes):
            row: dict[str, Any] = {
                "commune": c.code,
                "name": c.name,
                "kind": c.kind.value,
                "bloc": bloc.value,
            }
            flags: list[str] = []
            base = rule.base.positions if rule.base else 0
            row["base"] = base if rule.base else None
            floor = base
            total = base
            uses_population = False
            for t in terms:
                v = 0
                if isinstance(t, PercentSteps):
                    uses_population |= t.criterion == "population"
                    if _applies(t.applies, c):
                        std = rule_set.standard_for(c.kind, c.mountainous)
                        if std is None:
                            issues.append(
                                Issue(
                                    "communes.csv",
                                    i + 2,
                                    "kind",
                                    c.kind.value,
                                    f"a kind with a standard in rule set {rule_set.name}",
                                )
                            )
                            continue
                        if t.criterion == "area":
                            value, sv = c.area_km2, std.area_km2
                        else:
                            value, sv = c.population, std.population
                        steps = percent_steps(value, sv, t.threshold_percent, t.step_percent)
                        v = steps * t.positions
                elif isinstance(t, PerResidents):
                    uses_population = True
                    if _applies(t.applies, c) and c.population > t.above:
                        v = (c.population - t.above) // t.per * t.positions
                elif isinstance(t, Bonus):
                    if _applies(t.applies, c) and _bonus_holds(t, c, olds[c.code]):
                        v = t.positions
                elif isinstance(t, Brackets):
                    v, note = _bracket(t, c)
                    if note is None:
                        issues.append(
                            Issue(
                                "communes.csv",
                                i + 2,
                                "party_members",
                                None,
                                f"a number of Party members (rule set "
                                f"{rule_set.name} brackets {bloc.value} quotas on "
                                f"it)",
                            )
                        )
                    elif note:
                        flags.append(note)
                    floor += v
                row[t.id] = v
                total += v
            cap = rule.caps.of(c.kind) if rule.caps else None
            capped = min(total, cap) if cap is not None else total
            if cap is not None and total > cap:
                flags.append(f"capped at {cap} (terms give {total})")
            if uses_population and c.population_source.value == "estimated":
                flags.append("population estimated")
            row.update(
                before_cap=total,
                cap=cap,
                capped=capped,
                trim=0,
                quota=capped,
                floor=min(floor, capped),
                flags=flags,
            )
            bloc_rows.append(row)
        summaries.append(_reconcile(bloc, rule, scenario, bloc_rows))
        rows.extend(bloc_rows)
    if issues:
        raise QuotaError(issues)
    for r in rows:
        r["flags"] = "; ".join(r["flags"])
        for col in term_cols:
            r.setdefault(col, None)  # this bloc has no such term: empty, not 0
        del r["floor"]
    df = pd.DataFrame(rows, columns=FIXED_COLUMNS + term_cols + TAIL_COLUMNS)
    for col in ["base", *term_cols, "cap"]:
        df[col] = df[col].astype("Int64")
    df.attrs["rule_set"] = rule_set.name
    df.attrs["terms"] = term_meta
    df.attrs["summary"] = summaries
    return df


def _terms_of(rule: BlocRule) -> list[Any]:
    out: list[Any] = [*rule.increments, *rule.bonuses]
    if rule.brackets is not None:
        out.append(rule.brackets)
    return out


def _meta(rs: RuleSet, bloc: Bloc, tid: str, label: str, src: Any, note: str) -> dict[str, Any]:
    s = rs.source(src)
    return {
        "bloc": bloc.value,
        "id": tid,
        "label": label,
        "source": s.text(),
        "source_note": s.note,
        "note": note,
    }


def _bonus_holds(b: Bonus, c: Commune, n_old: int) -> bool:
    if b.flag is not None:
        return bool(getattr(c, b.flag))
    if b.kind is not None:
        return c.kind == b.kind
    assert b.min_old_units is not None
    return n_old >= b.min_old_units


def _bracket(b: Brackets, c: Commune) -> tuple[int, str | None]:
    """Positions and a flag text ('' none; None: the count is missing and no rule says)."""
    for flag, positions in sorted(b.overrides.items()):
        if getattr(c, flag):
            return positions, f"{b.id}: {flag.replace('_', ' ')} → {positions}"
    if c.party_members is None:
        if b.missing is None:
            return 0, None
        return b.missing, f"{b.id}: count not given → {b.missing} (rule set's choice)"
    r = bracket_for(b, c.party_members)
    if not r.stated:
        hi = "∞" if r.max is None else r.max
        return r.positions, (
            f"{b.id}: {c.party_members} falls in {r.min}–{hi}, not stated by "
            f"the source → {r.positions} (rule set's choice)"
        )
    return r.positions, ""


def _reconcile(bloc: Bloc, rule: BlocRule, s: Scenario, rows: list[dict[str, Any]]) -> dict:
    total, where = province_total(rule, bloc, s)
    sum_before = sum(r["before_cap"] for r in rows)
    sum_capped = sum(r["capped"] for r in rows)
    summary = BlocSummary(
        bloc.value, len(rows), sum_before, sum_capped, total, where, 0, sum_capped, None
    )
    if total is None:
        return summary.__dict__
    excess = sum_capped - total
    if excess <= 0:
        summary.headroom = -excess
        if excess < 0:
            summary.notes.append(
                f"quotas sum to {sum_capped}, {-excess} below the province total {total}: headroom"
            )
        return summary.__dict__
    rooms = [r["capped"] - r["floor"] for r in rows]
    room = sum(rooms)
    if excess >= room:
        trims = rooms
        summary.shortfall = excess - room
        summary.notes.append(
            f"province total {total} cannot be met without going below the floors: every unit "
            f"is at its floor, the bloc still exceeds the total by {excess - room}"
        )
    else:
        trims = _largest_remainder(excess, rooms, [r["commune"] for r in rows])
    for r, t in zip(rows, trims, strict=True):
        r["trim"] = t
        r["quota"] = r["capped"] - t
        if t:
            r["flags"].append(f"trimmed by {t} to meet the province total {total}")
    summary.trimmed = sum(trims)
    summary.quota = sum(r["quota"] for r in rows)
    summary.headroom = 0
    return summary.__dict__


def _largest_remainder(amount: int, weights: list[int], codes: list[str]) -> list[int]:
    """Share `amount` ∝ weights; ties: larger weight first, then smaller code."""
    w = sum(weights)
    exact = [Fraction(amount * x, w) for x in weights]
    out = [math.floor(e) for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - out[i]), -weights[i], codes[i]))
    for i in order[: amount - sum(out)]:
        out[i] += 1
    return out


def needs(scenario: Scenario, rule_set: RuleSet, quotas: pd.DataFrame) -> pd.DataFrame:
    """Specialty needs per unit and bloc: the rule set's template, overridden by needs.csv."""
    by_code = {c.code: c for c in scenario.communes}
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    weights: dict[tuple[str, str], float] = {}
    for rec in quotas.to_dict("records"):
        code, bloc, quota = str(rec["commune"]), str(rec["bloc"]), int(rec["quota"])
        rule = rule_set.blocs[Bloc(bloc)]
        c = by_code[code]
        for e in rule.specialty_template:
            weights[(bloc, e.specialty)] = e.weight
            if not _applies(e.applies, c):
                continue
            if e.minimum is not None:
                need = e.minimum
            else:
                assert e.share is not None
                need = max(e.at_least, math.floor(_exact(e.share) * quota))
            src = rule_set.source(e.source)
            rows[(code, bloc, e.specialty)] = {
                "commune": code,
                "bloc": bloc,
                "specialty": e.specialty,
                "need": need,
                "weight": e.weight,
                "source": src.text(),
            }
    for n in scenario.needs:
        key = (n.commune, n.bloc.value, n.specialty)
        rows[key] = {
            "commune": n.commune,
            "bloc": n.bloc.value,
            "specialty": n.specialty,
            "need": n.minimum,
            "weight": weights.get((n.bloc.value, n.specialty), 1.0),
            "source": "needs.csv",
        }
    ordered = [rows[k] for k in sorted(rows)]
    return pd.DataFrame(
        ordered, columns=["commune", "bloc", "specialty", "need", "weight", "source"]
    )


def to_json(df: pd.DataFrame) -> dict[str, Any]:
    """The quota table with each term's source, for the JSON output."""
    meta = {(m["bloc"], m["id"]): m for m in df.attrs["terms"]}
    term_cols = [c for c in df.columns if c not in FIXED_COLUMNS + TAIL_COLUMNS]
    rows = []
    for r in df.to_dict("records"):
        terms = []
        for tid in ["base", *term_cols]:
            m = meta.get((r["bloc"], tid))
            if m is None or pd.isna(r[tid]):
                continue
            terms.append(
                {
                    "id": tid,
                    "label": m["label"],
                    "positions": int(r[tid]),
                    "source": m["source"],
                    "note": m["note"],
                }
            )
        cap = meta.get((r["bloc"], "cap"))
        rows.append(
            {
                "commune": r["commune"],
                "name": r["name"],
                "kind": r["kind"],
                "bloc": r["bloc"],
                "terms": terms,
                "before_cap": int(r["before_cap"]),
                "cap": None if pd.isna(r["cap"]) else int(r["cap"]),
                "cap_source": cap["source"] if cap else None,
                "capped": int(r["capped"]),
                "trim": int(r["trim"]),
                "quota": int(r["quota"]),
                "flags": [f for f in r["flags"].split("; ") if f],
            }
        )
    return {
        "rule_set": df.attrs["rule_set"],
        "terms": df.attrs["terms"],
        "rows": rows,
        "summary": df.attrs["summary"],
    }


def to_table(df: pd.DataFrame) -> str:
    """A readable table per bloc, with the bloc's totals under it."""
    out = [f"Quotas under rule set {df.attrs['rule_set']}"]
    term_cols = [c for c in df.columns if c not in FIXED_COLUMNS + TAIL_COLUMNS]
    for sm in df.attrs["summary"]:
        part = df[df["bloc"] == sm["bloc"]]
        used = [
            c
            for c in term_cols
            if any(m["bloc"] == sm["bloc"] and m["id"] == c for m in df.attrs["terms"])
        ]
        cols = ["commune", "name", "base", *used, "before_cap", "cap", "trim", "quota", "flags"]
        out.append("")
        out.append(f"[{sm['bloc']}]")
        out.append(part[cols].to_string(index=False))
        total = sm["province_total"]
        line = (
            f"  {sm['units']} units: terms give {sm['sum_before_cap']}, capped "
            f"{sm['sum_capped']}, trimmed {sm['trimmed']}, quota {sm['quota']}"
        )
        if total is not None:
            line += f"; province total {total} ({sm['total_source']})"
            if sm["headroom"]:
                line += f", headroom {sm['headroom']}"
        out.append(line)
        out.extend(f"  note: {n}" for n in sm["notes"])
    return "\n".join(out)
