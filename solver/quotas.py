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
from decimal import Decimal
from fractions import Fraction
from typing import Any

from models import Bloc, Commune, Issue, Scenario, did_you_mean
from models.problems import InputError
from models.quotas import BlocSummary, NeedRow, QuotaRow, QuotaTable, TermInfo
from models.rules import (
    Applies,
    BlocRule,
    Bonus,
    Brackets,
    PercentSteps,
    PerResidents,
    RuleSet,
)
from solver.i18n import _


class QuotaError(InputError):
    """Data a quota rule needs is missing or does not fit the rule set."""


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


def province_total(rule: BlocRule, bloc: Bloc, s: Scenario) -> tuple[int | None, str]:
    if s.config.province_total and bloc in s.config.province_total:
        return s.config.province_total[bloc], "scenario.yaml province_total"
    if rule.province_total is not None:
        return rule.province_total.positions, "rule set"
    return None, ""


def compute(scenario: Scenario, rule_set: RuleSet, blocs: list[Bloc] | None = None) -> QuotaTable:
    """Every unit's quota per bloc (the rule set's blocs, or those given), with each term,
    the cap, the trim to the province total and flags; and the specialty needs.

    Raises QuotaError (located at the unit's row) when data a rule needs is missing."""
    issues: list[Issue] = []
    olds = old_unit_counts(scenario)
    terms: list[TermInfo] = []
    term_cols: list[str] = []
    rows: list[QuotaRow] = []
    summaries: list[BlocSummary] = []
    for bloc in [b for b in rule_set.blocs if blocs is None or b in blocs]:
        rule = rule_set.blocs[bloc]
        terms.extend(_term_infos(rule_set, bloc, rule))
        term_cols.extend(t.id for t in _terms_of(rule) if t.id not in term_cols)
        bloc_rows = [
            _quota_row(
                rule_set, bloc, rule, c, olds[c.code], scenario.locate("communes", i), issues
            )
            for i, c in enumerate(scenario.communes)
        ]
        summaries.append(_reconcile(bloc, rule, scenario, bloc_rows))
        rows.extend(bloc_rows)
    if issues:
        raise QuotaError(issues, f"quotas of {scenario.config.name} under {rule_set.name}")
    table = QuotaTable(rule_set.name, term_cols, terms, rows, summaries)
    table.needs = needs(scenario, rule_set, table)
    return table


def _term_infos(rs: RuleSet, bloc: Bloc, rule: BlocRule) -> list[TermInfo]:
    out = []
    if rule.base is not None:
        out.append(_meta(rs, bloc, "base", "base", rule.base.source, rule.base.note))
    out.extend(_meta(rs, bloc, t.id, t.label or t.id, t.source, t.note) for t in _terms_of(rule))
    if rule.caps is not None:
        out.append(_meta(rs, bloc, "cap", "cap", rule.caps.source, rule.caps.note))
    return out


def _quota_row(
    rs: RuleSet,
    bloc: Bloc,
    rule: BlocRule,
    c: Commune,
    n_old: int,
    where: tuple[str, int],
    issues: list[Issue],
) -> QuotaRow:
    """One unit's terms, cap and (untrimmed) quota; missing data is added to `issues`."""
    flags: list[str] = []
    base = rule.base.positions if rule.base else 0
    floor = total = base
    uses_population = False
    values: dict[str, int] = {}
    for t in _terms_of(rule):
        v = 0
        if isinstance(t, PercentSteps):
            uses_population |= t.criterion == "population"
            if _applies(t.applies, c):
                std = rs.standard_for(c.kind, c.mountainous)
                if std is None:
                    expected = f"a kind with a standard in rule set {rs.name}"
                    issues.append(Issue(where[0], where[1], "kind", c.kind.value, expected))
                    continue
                value, sv = (
                    (c.area_km2, std.area_km2)
                    if t.criterion == "area"
                    else (c.population, std.population)
                )
                v = percent_steps(value, sv, t.threshold_percent, t.step_percent) * t.positions
        elif isinstance(t, PerResidents):
            uses_population = True
            if _applies(t.applies, c) and c.population > t.above:
                v = (c.population - t.above) // t.per * t.positions
        elif isinstance(t, Bonus):
            if _applies(t.applies, c) and _bonus_holds(t, c, n_old):
                v = t.positions
        elif isinstance(t, Brackets):
            v, note = _bracket(t, c)
            if note is None:
                expected = (
                    f"a number of Party members (rule set {rs.name} brackets "
                    f"{bloc.value} quotas on it)"
                )
                issues.append(Issue(where[0], where[1], "party_members", None, expected))
            elif note:
                flags.append(note)
            floor += v
        values[t.id] = v
        total += v
    cap = rule.caps.of(c.kind) if rule.caps else None
    capped = min(total, cap) if cap is not None else total
    if cap is not None and total > cap:
        flags.append(_("capped at {cap} (terms give {total})").format(cap=cap, total=total))
    if uses_population and c.population_source.value == "estimated":
        flags.append(_("population estimated"))
    return QuotaRow(
        commune=c.code,
        name=c.name,
        kind=c.kind.value,
        bloc=bloc.value,
        base=base if rule.base else None,
        terms=values,
        before_cap=total,
        cap=cap,
        capped=capped,
        trim=0,
        quota=capped,
        flags=flags,
        floor=min(floor, capped),
    )


def _terms_of(rule: BlocRule) -> list[Any]:
    out: list[Any] = [*rule.increments, *rule.bonuses]
    if rule.brackets is not None:
        out.append(rule.brackets)
    return out


def _meta(rs: RuleSet, bloc: Bloc, tid: str, label: str, src: Any, note: str) -> TermInfo:
    s = rs.source(src)
    return TermInfo(bloc.value, tid, label, s.text(), s.note, note)


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


def _reconcile(bloc: Bloc, rule: BlocRule, s: Scenario, rows: list[QuotaRow]) -> BlocSummary:
    """Trim the bloc's quotas to its province total (see the module doc); sets each row's
    trim and quota and returns the bloc's summary."""
    total, where = province_total(rule, bloc, s)
    sum_capped = sum(r.capped for r in rows)
    summary = BlocSummary(
        bloc.value,
        len(rows),
        sum(r.before_cap for r in rows),
        sum_capped,
        total,
        where,
        0,
        sum_capped,
        None,
    )
    if total is None:
        return summary
    excess = sum_capped - total
    if excess <= 0:
        summary.headroom = -excess
        if excess < 0:
            summary.notes.append(
                f"quotas sum to {sum_capped}, {-excess} below the province total {total}: headroom"
            )
        return summary
    rooms = [r.capped - r.floor for r in rows]
    room = sum(rooms)
    if excess >= room:
        trims = rooms
        summary.shortfall = excess - room
        summary.notes.append(
            f"province total {total} cannot be met without going below the floors: every unit "
            f"is at its floor, the bloc still exceeds the total by {excess - room}"
        )
    else:
        trims = _largest_remainder(excess, rooms, [r.commune for r in rows])
    for r, t in zip(rows, trims, strict=True):
        r.trim = t
        r.quota = r.capped - t
        if t:
            r.flags.append(f"trimmed by {t} to meet the province total {total}")
    summary.trimmed = sum(trims)
    summary.quota = sum(r.quota for r in rows)
    summary.headroom = 0
    return summary


def _largest_remainder(amount: int, weights: list[int], codes: list[str]) -> list[int]:
    """Share `amount` ∝ weights; ties: larger weight first, then smaller code."""
    w = sum(weights)
    exact = [Fraction(amount * x, w) for x in weights]
    out = [math.floor(e) for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - out[i]), -weights[i], codes[i]))
    for i in order[: amount - sum(out)]:
        out[i] += 1
    return out


def needs(scenario: Scenario, rule_set: RuleSet, table: QuotaTable) -> list[NeedRow]:
    """Specialty needs per unit and bloc: the rule set's template, overridden by needs.csv;
    sorted by unit, bloc and specialty."""
    rows: dict[tuple[str, str, str], NeedRow] = {}
    weights: dict[tuple[str, str], float] = {}
    for r in table.rows:
        rule = rule_set.blocs[Bloc(r.bloc)]
        c = scenario.commune(r.commune)
        for e in rule.specialty_template:
            weights[(r.bloc, e.specialty)] = e.weight
            if not _applies(e.applies, c):
                continue
            if e.minimum is not None:
                need = e.minimum
            else:
                assert e.share is not None
                need = max(e.at_least, math.floor(_exact(e.share) * r.quota))
            src = rule_set.source(e.source).text()
            rows[(r.commune, r.bloc, e.specialty)] = NeedRow(
                r.commune, r.bloc, e.specialty, need, e.weight, src
            )
    for n in scenario.needs:
        key = (n.commune, n.bloc.value, n.specialty)
        w = weights.get((n.bloc.value, n.specialty), 1.0)
        rows[key] = NeedRow(n.commune, n.bloc.value, n.specialty, n.minimum, w, "needs.csv")
    override = scenario.config.specialty_weights or {}
    known = {sp.code for sp in scenario.specialties}
    unknown = sorted(set(override) - known)
    if unknown:
        raise InputError(
            [
                Issue(
                    "scenario options",
                    None,
                    "specialty_weights",
                    k,
                    "a specialty code",
                    did_you_mean(k, known),
                    label="key",
                )
                for k in unknown
            ],
            "scenario options",
        )
    if override:  # the scenario's weights (a what-if's), in place of the rule set's
        rows = {
            k: (
                NeedRow(r.commune, r.bloc, r.specialty, r.need, override[r.specialty], r.source)
                if r.specialty in override
                else r
            )
            for k, r in rows.items()
        }
    return [rows[k] for k in sorted(rows)]
