"""Class-level solution → a person-by-person plan and the per-unit table.

Who is who inside a class. The engines decide how many of a class of interchangeable officials
stay, move where (to fill which specialty) and stay unplaced. People are handed those outcomes
in keep-priority order (leaders, then commune-tier staff, then cadre, civil servant, public
employee, contract, part-time, then id): the first ones stay, the next ones move — nearest
destinations first, then by commune code and specialty — and the last ones are unplaced.
Secondees of a class (same specialty, base and max_km) are selected by id.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from models import Official, PersonKind, Plan, PlanRow, PlanStatus, Secondee
from solver.engines.base import Result
from solver.i18n import _, label, render, specialty_label
from solver.problem import (
    PLACE_COMMUNE,
    PLACE_SLOT,
    SEC_COMMUNE,
    SEC_SLOT,
    UNPLACED,
    Problem,
)


@dataclass(frozen=True)
class Placement:
    """One person's outcome from the flow: status, destination, and the need slot filled."""

    status: PlanStatus
    to: str = ""
    slot: str = ""


def build_plan(p: Problem, result: Result) -> Plan:
    """Every official and secondee candidate exactly once, in input order, with a reason."""
    assert result.flows is not None
    officials = official_placements(p, result.flows)
    secondees = secondee_placements(p, result.flows)
    placed: Counter[tuple[str, str]] = Counter()
    placed_bloc: Counter[str] = Counter()
    bloc_of = {x.id: x.bloc.value for x in p.scenario.officials}
    for pid, o in officials.items():
        if o.status.placed:
            placed[(o.to, bloc_of[pid])] += 1
            placed_bloc[bloc_of[pid]] += 1
    officials_at = Counter(placed)
    for o in secondees.values():
        if p.secondees_in_quota:
            placed[(o.to, p.secondee_bloc)] += 1
    used = len(secondees)
    said: dict[tuple[Any, ...], str] = {}
    rows = [
        _official_row(p, x, officials.get(x.id), placed, placed_bloc, said)
        for x in p.scenario.officials
    ]
    rows += [
        _secondee_row(p, q, secondees.get(q.id), used, officials_at) for q in p.scenario.secondees
    ]
    decided = decisions_text(p.scenario)
    if decided:
        rows = [
            r.model_copy(update={"decision": decided[r.id]}) if r.id in decided else r for r in rows
        ]
    return Plan(rows=tuple(rows))


def decisions_text(s: Any) -> dict[str, str]:
    """Per person, the decisions the plan keeps, in words: 'assign 03208 (decisions.csv row
    2)'."""
    out: dict[str, list[str]] = defaultdict(list)
    for i, d in enumerate(s.decisions):
        where, row = s.locate("decisions", i)
        unit = f" {d.commune}" if d.commune else ""
        out[d.id].append(f"{d.decision}{unit} ({where} row {row})")
    return {k: "; ".join(v) for k, v in out.items()}


def _arcs_by_owner(p: Problem, flows: np.ndarray, kinds: tuple[int, ...]) -> dict[int, list]:
    """Per class: the (kind, commune, specialty, flow) of its used arcs of the given kinds."""
    net = p.network
    out: dict[int, list[tuple[int, str, str, int]]] = defaultdict(list)
    for a in np.flatnonzero(flows):
        kind = net.kind[a]
        if kind in kinds:
            out[net.owner[a]].append((int(kind), net.commune[a], net.specialty[a], int(flows[a])))
    return out


def official_placements(p: Problem, flows: np.ndarray) -> dict[str, Placement]:
    """Officials in the network → their placement, handed out in keep-priority order."""
    arcs = _arcs_by_owner(p, flows, (PLACE_SLOT, PLACE_COMMUNE, UNPLACED))
    out: dict[str, Placement] = {}
    for k in p.classes:
        stays, moves, unplaced = [], [], 0
        for kind, c, spec, f in arcs.get(k.index, []):
            if kind == UNPLACED:
                unplaced += f
            elif c == k.current:
                stays.append((0, kind != PLACE_SLOT, spec, c, f))
            else:
                moves.append((p.km[(k.current, c)], c, kind != PLACE_SLOT, spec, f))
        seq: list[Placement] = []
        for _z, _not_slot, spec, c, f in sorted(stays):
            seq += [Placement(PlanStatus.stays, c, spec)] * f
        for _d, c, _not_slot, spec, f in sorted(moves):
            seq += [Placement(PlanStatus.moves, c, spec)] * f
        seq += [Placement(PlanStatus.unplaced)] * unplaced
        assert len(seq) == len(k.members), (k, len(seq))
        out.update(zip(k.members, seq, strict=True))
    return out


def secondee_placements(p: Problem, flows: np.ndarray) -> dict[str, Placement]:
    """Secondees sent → their placement (nearest destinations to the first ids)."""
    arcs = _arcs_by_owner(p, flows, (SEC_SLOT, SEC_COMMUNE))
    out: dict[str, Placement] = {}
    for q in p.secondee_classes:
        seq: list[Placement] = []
        for _kind, c, spec, f in sorted(
            arcs.get(q.index, []), key=lambda x: (p.km[(q.base, x[1])], x[1], x[2])
        ):
            seq += [Placement(PlanStatus.seconded, c, spec)] * f
        out.update(zip(q.members, seq, strict=False))
    return out


def _official_row(
    p: Problem,
    x: Official,
    o: Placement | None,
    placed: Counter[tuple[str, str]],
    placed_bloc: Counter[str],
    said: dict[tuple[Any, ...], str],
) -> PlanRow:
    """`said`: the reasons already worded in this plan, by what they say (most officials
    share one: "stays at Xã …")."""
    cur = p.scenario.current_of(x)
    to, km, fills = "", 0, ""
    if o is None:
        status, why = p.status_of[x.id]
        reason = render(why)
        if status == PlanStatus.outside_quota:
            to = cur
    elif o.status == PlanStatus.unplaced:
        status = o.status
        reason = _unplaced_reason(p, x, cur, placed, placed_bloc)
    else:
        status, to, km = o.status, o.to, p.km[(cur, o.to)]
        fills = o.slot or x.specialty
        key = (status, to, o.slot, km)
        if key not in said:
            said[key] = _placed_reason(p, status, to, o.slot, km)
        reason = said[key]
    return PlanRow.trusted(
        id=x.id,
        kind=PersonKind.official,
        name=x.name,
        bloc=x.bloc.value,
        category=x.category.value,
        specialty=x.specialty,
        from_=cur,
        to=to,
        status=status,
        km=km,
        fills=fills,
        reason=reason,
    )


def _placed_reason(p: Problem, status: PlanStatus, to: str, slot: str, km: int) -> str:
    names = p.scenario.names
    if status == PlanStatus.stays and slot:
        return _("stays at {unit}, filling the {specialty} need").format(
            unit=names[to], specialty=spec_name(p, slot)
        )
    if status == PlanStatus.stays:
        return _("stays at {unit}").format(unit=names[to])
    if slot:
        return _("moves {km} km to fill {specialty} at {unit}").format(
            km=km, specialty=spec_name(p, slot), unit=names[to]
        )
    return _("moves {km} km to fill a quota vacancy at {unit}").format(km=km, unit=names[to])


def _secondee_row(
    p: Problem,
    q: Secondee,
    o: Placement | None,
    used: int,
    officials_at: Counter[tuple[str, str]],
) -> PlanRow:
    names = p.scenario.names
    row: dict[str, Any] = dict(
        id=q.id,
        kind=PersonKind.secondee,
        name=q.name,
        bloc="",
        category="",
        specialty=q.specialty,
        from_=q.base,
        to="",
        km=0,
        fills="",
    )
    if q.id in p.status_of:
        row["status"], why = p.status_of[q.id]
        row["reason"] = render(why)
    elif o is not None:
        d = p.km[(q.base, o.to)]
        b = p.secondee_bloc
        if o.slot:
            what = _("to fill the {specialty} need").format(specialty=spec_name(p, o.slot))
        elif p.secondees_in_quota or officials_at[(o.to, b)] < p.quota(o.to, b):
            what = _("to cover a quota vacancy")
        else:
            what = _("as extra help")
        if not p.secondees_in_quota:
            what += _("; stays on the sending department's payroll, outside the quota")
        row.update(
            bloc=p.secondee_bloc,
            to=o.to,
            km=d,
            fills=o.slot or q.specialty,
            status=PlanStatus.seconded,
            reason=_("seconded {km} km from {base} to {unit} {what}").format(
                km=d, base=names[q.base], unit=names[o.to], what=what
            ),
        )
    else:
        row["status"] = PlanStatus.not_selected
        row["reason"] = (
            _("not selected: the budget of {budget} is used").format(budget=p.budget)
            if used >= p.budget
            else _("not selected: no gap within reach that a secondee would fill at a lower cost")
        )
    return PlanRow.trusted(**row)


def _unplaced_reason(
    p: Problem,
    x: Official,
    cur: str,
    placed: Counter[tuple[str, str]],
    placed_bloc: Counter[str],
) -> str:
    b = x.bloc.value
    q = p.quota(cur, b)
    total = p.total(b)
    head = _("unplaced") if p.scenario.relocatable(x) else _("unplaced (cannot relocate)")
    if total is not None and placed_bloc[b] >= total:
        return head + _(": the province total of {total} for the {bloc} bloc is reached").format(
            total=total, bloc=label("bloc", b)
        )
    if placed[(cur, b)] >= q:
        return head + _(": {unit} is at its quota of {quota}").format(
            unit=p.scenario.names[cur], quota=q
        )
    return head + _(": no vacancy within reach is worth the move")


def spec_name(p: Problem, code: str) -> str:
    """A specialty as a reason names it: its code in English, its name in other languages."""
    return specialty_label(p.scenario, code)


@dataclass
class Counts:
    """Per (unit, bloc) counts of a plan."""

    off: Counter[tuple[str, str]] = field(default_factory=Counter)
    sec: Counter[tuple[str, str]] = field(default_factory=Counter)
    fills: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    unplaced: Counter[tuple[str, str]] = field(default_factory=Counter)

    @classmethod
    def of_flows(cls, p: Problem, flows: np.ndarray) -> Counts:
        """The same counts as `of(build_plan(...))`, straight from the flows: for a plan
        only counted, never shown (the as-merged situation beside the optimum)."""
        k = cls()
        people = {x.id: x for x in p.scenario.officials}
        for pid, o in official_placements(p, flows).items():
            x = people[pid]
            if o.status.placed:
                k.off[(o.to, x.bloc.value)] += 1
                k.fills[(o.to, x.bloc.value, o.slot or x.specialty)] += 1
            elif o.status == PlanStatus.unplaced:
                k.unplaced[(p.scenario.current_of(x), x.bloc.value)] += 1
        candidates = {q.id: q for q in p.scenario.secondees}
        for sid, o in secondee_placements(p, flows).items():
            k.sec[(o.to, p.secondee_bloc)] += 1
            k.fills[(o.to, p.secondee_bloc, o.slot or candidates[sid].specialty)] += 1
        return k

    @property
    def placed_officials(self) -> int:
        return sum(self.off.values())

    @property
    def surplus(self) -> int:
        return sum(self.unplaced.values())

    @classmethod
    def of(cls, plan: Plan) -> Counts:
        k = cls()
        for r in plan:
            if r.status.placed:
                (k.off if r.kind == PersonKind.official else k.sec)[(r.to, r.bloc)] += 1
                k.fills[(r.to, r.bloc, r.fills)] += 1
            elif r.status == PlanStatus.unplaced:
                k.unplaced[(r.from_, r.bloc)] += 1
        return k


def communes_table(
    p: Problem, plan: Plan, before: Plan | Counts | None = None
) -> list[dict[str, Any]]:
    """Per unit and bloc: quota (and the unit's norm, every bloc together); before the plan
    (as merged: headcount in post, shortage, surplus, specialty gap), when given; after:
    placed officials, secondees, shortage, surplus, specialty gap; then per specialty need,
    placed and gap (and the gap before)."""
    specs = sorted({n.specialty for n in p.quotas.needs})
    need = {(n.commune, n.bloc, n.specialty): n.need for n in p.quotas.needs}
    k = Counts.of(plan)
    kb = before if isinstance(before, Counts) or before is None else Counts.of(before)
    norm = {c: sum(p.quota(c, b) for b in p.blocs) for c in p.communes}
    rows = []
    for b in p.blocs:
        for c in p.communes:
            qv = p.quota(c, b)
            o, s = k.off[(c, b)], k.sec[(c, b)]
            gaps = {sp: max(0, need.get((c, b, sp), 0) - k.fills[(c, b, sp)]) for sp in specs}
            row: dict[str, Any] = {
                "commune": c,
                "name": p.scenario.names[c],
                "bloc": b,
                "quota": qv,
                "unit_norm": norm[c],  # the unit's quotas over every bloc in scope
            }
            if kb is not None:
                ob = kb.off[(c, b)]
                gaps_before = {
                    sp: max(0, need.get((c, b, sp), 0) - kb.fills[(c, b, sp)]) for sp in specs
                }
                row |= {
                    "before_in_post": ob + kb.unplaced[(c, b)],
                    "before_shortage": max(0, qv - ob),
                    "before_surplus": kb.unplaced[(c, b)],
                    "before_specialty_gap": sum(gaps_before.values()),
                }
            row |= {
                "placed_officials": o,
                "secondees": s,
                "shortage": max(0, qv - o - s),
                "surplus": k.unplaced[(c, b)],
                "specialty_gap": sum(gaps.values()),
            }
            for sp in specs:
                row[f"{sp}_need"] = need.get((c, b, sp), 0)
                row[f"{sp}_placed"] = k.fills[(c, b, sp)]
                row[f"{sp}_gap"] = gaps[sp]
                if kb is not None:
                    row[f"{sp}_gap_before"] = gaps_before[sp]
            rows.append(row)
    return rows
