"""Scenario + quotas → a prepared, solver-neutral placement problem (a network).

Officials in scope are grouped into classes of interchangeable people (same bloc, current
commune, specialties, placement freedom and max_km). The network, per bloc b in scope:

    class k ──(km if moving)──▶ slot S(c,b,s) ──need(c,b,s), reward w_s──▶ C(c,b)
    class k ──(km if moving)─────────────────────────────────────────────▶ C(c,b)
    C(c,b) ──quota(c,b), reward 1──▶ D_b ──province total──▶ X_b (demand: officials of b)
    class k ──unplaced──▶ U_b ──▶ X_b                      (pinned classes have no such arc)
    SB (supply: min(budget, candidates)) ──▶ secondee class q ──(km + cost)──▶ S / C of the
    secondee bloc;  SB ──unused──▶ Z;  D_bsec ──▶ Z (demand of Z: SB's supply)

Flow conservation makes D_bsec → Z carry exactly the secondees used, so D_b → X_b carries the
placed officials alone: secondees share the commune quota but not the province total. Every
level of the objective is linear in the arc flows (`Network.level_costs`, plus an offset), and
the network is totally unimodular, so an LP optimum is integral.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from models import Bloc, Official, Scenario, Secondee
from models.rules import RuleSet
from solver.geo import distance_table

LEVELS = ("specialty_shortage", "quota_shortage", "disruption")

# arc kinds
PLACE_SLOT, PLACE_COMMUNE, UNPLACED, NEED, QUOTA, TOTAL, UNPLACED_OUT = range(7)
SEC_PICK, SEC_SLOT, SEC_COMMUNE, SEC_UNUSED, SEC_OUT = range(7, 12)
INF = 1 << 40

CATEGORY_RANK = {
    "cadre": 0,
    "civil_servant": 1,
    "public_employee": 2,
    "contract": 3,
    "part_time": 4,
}


class ProblemError(Exception):
    """The scenario cannot be turned into a problem (explained in rule terms)."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("\n".join(messages))


@dataclass
class OfficialClass:
    index: int
    bloc: str
    current: str
    specialties: tuple[str, ...]
    freedom: str  # pinned | fixed | movable
    max_km: float | None
    members: list[str]  # official ids, in keep-priority order (first stays first)


@dataclass
class SecondeeClass:
    index: int
    specialty: str
    base: str
    max_km: float | None
    members: list[str]  # secondee ids, by id


@dataclass
class Network:
    """A min-cost-flow network with one cost vector per objective level."""

    names: list[str] = field(default_factory=list)
    supply: list[int] = field(default_factory=list)
    tail: list[int] = field(default_factory=list)
    head: list[int] = field(default_factory=list)
    cap: list[int] = field(default_factory=list)
    kind: list[int] = field(default_factory=list)
    owner: list[int] = field(default_factory=list)  # class index (official or secondee) or -1
    commune: list[str] = field(default_factory=list)
    specialty: list[str] = field(default_factory=list)
    km: list[int] = field(default_factory=list)
    costs: dict[str, list[int]] = field(default_factory=lambda: {lv: [] for lv in LEVELS})
    offsets: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    scale: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 1))
    _index: dict[str, int] = field(default_factory=dict)

    def node(self, name: str, supply: int = 0) -> int:
        if name in self._index:
            i = self._index[name]
            self.supply[i] += supply
            return i
        self._index[name] = len(self.names)
        self.names.append(name)
        self.supply.append(supply)
        return len(self.names) - 1

    def arc(
        self,
        t: int,
        h: int,
        cap: int,
        kind: int,
        owner: int = -1,
        commune: str = "",
        specialty: str = "",
        km: int = 0,
        **level_cost: int,
    ) -> int:
        self.tail.append(t)
        self.head.append(h)
        self.cap.append(cap)
        self.kind.append(kind)
        self.owner.append(owner)
        self.commune.append(commune)
        self.specialty.append(specialty)
        self.km.append(km)
        for lv in LEVELS:
            self.costs[lv].append(level_cost.get(lv, 0))
        return len(self.tail) - 1

    def arcs_from(
        self,
        t: int,
        heads: list[int],
        cap: int,
        kinds: list[int],
        owner: int,
        communes: list[str],
        specialties: list[str],
        kms: list[int],
    ) -> int:
        """Add arcs from one tail in bulk (people-carrying arcs: disruption = km). Returns the
        index of the first new arc."""
        first = len(self.tail)
        n = len(heads)
        self.tail.extend([t] * n)
        self.head.extend(heads)
        self.cap.extend([cap] * n)
        self.kind.extend(kinds)
        self.owner.extend([owner] * n)
        self.commune.extend(communes)
        self.specialty.extend(specialties)
        self.km.extend(kms)
        self.costs["disruption"].extend(kms)
        self.costs["specialty_shortage"].extend([0] * n)
        self.costs["quota_shortage"].extend([0] * n)
        return first

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "tail": np.asarray(self.tail, dtype=np.int32),
            "head": np.asarray(self.head, dtype=np.int32),
            "cap": np.asarray(self.cap, dtype=np.int64),
            "kind": np.asarray(self.kind, dtype=np.int8),
            **{lv: np.asarray(self.costs[lv], dtype=np.int64) for lv in LEVELS},
        }

    def level_values(self, flows: np.ndarray) -> dict[str, float]:
        """Each level's value (in its own units) for a flow vector."""
        out = {}
        for lv in LEVELS:
            c = np.asarray(self.costs[lv], dtype=np.int64)
            out[lv] = (self.offsets[lv] + int(np.dot(c, flows))) / self.scale[lv]
        return out


@dataclass
class Problem:
    scenario: Scenario
    rule_set: RuleSet
    blocs: list[str]
    communes: list[str]
    quotas: pd.DataFrame  # the quota table of solver.quotas.compute
    needs: pd.DataFrame
    km: dict[tuple[str, str], int]
    classes: list[OfficialClass]
    secondee_classes: list[SecondeeClass]
    network: Network
    status_of: dict[str, tuple[str, str]]  # id -> (status, reason) for those not in the model
    quota_of: dict[tuple[str, str], int]
    total_of: dict[str, int | None]
    budget: int
    max_moves: int | None
    move_arcs: list[int]
    pinned_count: dict[tuple[str, str], int]


def keep_priority(p: Official) -> tuple[int, int, int, str]:
    """Who keeps their post first within a class: leaders, then commune-tier staff, then by
    category (cadre, civil servant, public employee, contract, part-time), then by id."""
    return (
        0 if p.leader else 1,
        0 if p.tier.value == "commune" else 1,
        CATEGORY_RANK[p.category.value],
        p.id,
    )


def in_scope(
    p: Official, blocs: set[str], as_of: dt.date, categories: set[str]
) -> tuple[str, str] | None:
    """None when the official is in the model; else (status, reason)."""
    if p.intention.value != "stay":
        verb = "retires" if p.intention.value == "retire" else "resigns"
        return "leaves", f"leaves: {verb}"
    if p.bloc.value not in blocs:
        return "out_of_scope", f"out of scope: bloc {p.bloc.value} is not planned"
    if p.category.value not in categories:
        return "out_of_scope", f"out of scope: category {p.category.value} is not planned"
    if p.available_until is not None and p.available_until < as_of:
        return "out_of_scope", f"out of scope: available until {p.available_until}"
    return None


def secondee_available(q: Secondee, as_of: dt.date) -> str | None:
    if not q.available:
        return "not selected: not available for secondment"
    if not (q.start <= as_of <= q.end):
        return f"not selected: secondment {q.start}–{q.end} does not cover {as_of}"
    return None


def _scale_of(values: list[float]) -> int:
    """Smallest power of ten that makes every value an integer (weights are data)."""
    scale = 1
    for v in values:
        d = Decimal(str(v)).normalize()
        exp = d.as_tuple().exponent
        if isinstance(exp, int) and exp < 0:
            scale = max(scale, 10 ** (-exp))
    return scale


def build(
    scenario: Scenario, rule_set: RuleSet, quotas: pd.DataFrame, needs: pd.DataFrame
) -> Problem:
    cfg = scenario.config
    blocs = [b.value for b in cfg.blocs]
    missing = [b for b in blocs if Bloc(b) not in rule_set.blocs]
    if missing:
        raise ProblemError(
            [
                f"bloc {b} is in the scenario's scope but rule set {rule_set.name} has no quota "
                f"rule for it (it has {', '.join(x.value for x in rule_set.blocs)})"
                for b in missing
            ]
        )
    communes = [c.code for c in scenario.communes]
    km = distance_table(scenario)
    quota_of = {
        (str(r["commune"]), str(r["bloc"])): int(r["quota"])
        for r in quotas.to_dict("records")
        if r["bloc"] in blocs
    }
    from solver.quotas import province_total

    total_of = {b: province_total(rule_set.blocs[Bloc(b)], Bloc(b), scenario)[0] for b in blocs}
    need_rows = [r for r in needs.to_dict("records") if r["bloc"] in blocs and r["need"] > 0]
    scale = _scale_of([float(r["weight"]) for r in need_rows])
    needed: dict[tuple[str, str, str], tuple[int, int]] = {}  # (c,b,s) -> (need, scaled weight)
    for r in need_rows:
        w = int(Decimal(str(r["weight"])) * scale)
        needed[(str(r["commune"]), str(r["bloc"]), str(r["specialty"]))] = (int(r["need"]), w)

    # --- officials: scope and classes ---
    status_of: dict[str, tuple[str, str]] = {}
    groups: dict[tuple, list[Official]] = defaultdict(list)
    current_of: dict[str, str] = {}
    succ = {o.code: o.successor for o in scenario.old_units}
    for p in scenario.officials:
        cur = p.current or succ[p.origin]
        current_of[p.id] = cur
        st = in_scope(p, set(blocs), cfg.as_of, {c.value for c in cfg.categories})
        if st is not None:
            status_of[p.id] = st
            continue
        specs = (p.specialty, *sorted(set(p.specialties) - {p.specialty}))
        freedom = "pinned" if p.pinned else ("movable" if p.can_relocate else "fixed")
        max_km = p.max_km if freedom == "movable" else None
        groups[(p.bloc.value, cur, specs, freedom, max_km)].append(p)
    classes = []
    for i, key in enumerate(
        sorted(groups, key=lambda k: (k[0], k[1], k[2], k[3], -1 if k[4] is None else k[4]))
    ):
        members = sorted(groups[key], key=keep_priority)
        classes.append(
            OfficialClass(i, key[0], key[1], key[2], key[3], key[4], [m.id for m in members])
        )

    # --- secondees ---
    sec_bloc = cfg.secondee_bloc.value
    sgroups: dict[tuple, list[str]] = defaultdict(list)
    for q in scenario.secondees:
        why = secondee_available(q, cfg.as_of)
        if why is None and sec_bloc not in blocs:
            why = f"not selected: secondees count in bloc {sec_bloc}, which is not planned"
        if why is None and cfg.secondee_budget == 0:
            why = "not selected: the secondee budget is 0"
        if why is not None:
            status_of[q.id] = ("not_selected", why)
            continue
        sgroups[(q.specialty, q.base, q.max_km)].append(q.id)
    sclasses = [
        SecondeeClass(i, k[0], k[1], k[2], sorted(sgroups[k]))
        for i, k in enumerate(sorted(sgroups, key=lambda k: (k[0], k[1], k[2] or -1)))
    ]

    # --- network ---
    net = Network()
    net.scale["specialty_shortage"] = scale
    move_arcs: list[int] = []
    n_of_bloc: dict[str, int] = defaultdict(int)
    for k in classes:
        n_of_bloc[k.bloc] += len(k.members)
    x_node = {b: net.node(f"X[bloc={b}]", -n_of_bloc[b]) for b in blocs}
    d_node = {b: net.node(f"D[bloc={b}]") for b in blocs}
    u_node = {b: net.node(f"U[bloc={b}]") for b in blocs}
    c_node = {(c, b): net.node(f"C[commune={c},bloc={b}]") for b in blocs for c in communes}
    s_node: dict[tuple[str, str, str], int] = {}
    for (c, b, s), (need, w) in sorted(needed.items()):
        s_node[(c, b, s)] = net.node(f"S[commune={c},bloc={b},specialty={s}]")
        net.arc(
            s_node[(c, b, s)],
            c_node[(c, b)],
            need,
            NEED,
            commune=c,
            specialty=s,
            specialty_shortage=-w,
        )
        net.offsets["specialty_shortage"] += need * w
    for b in blocs:
        for c in communes:
            qv = quota_of[(c, b)]
            net.arc(c_node[(c, b)], d_node[b], qv, QUOTA, commune=c, quota_shortage=-1)
            net.offsets["quota_shortage"] += qv
        t = total_of[b]
        net.arc(d_node[b], x_node[b], INF if t is None else t, TOTAL)
        net.arc(u_node[b], x_node[b], INF, UNPLACED_OUT)

    pinned_count: dict[tuple[str, str], int] = defaultdict(int)
    for k in classes:
        n = len(k.members)
        kn = net.node(
            f"K[class={k.index},bloc={k.bloc},commune={k.current},"
            f"specialty={'+'.join(k.specialties)},{k.freedom}]",
            n,
        )
        if k.freedom == "pinned":
            pinned_count[(k.current, k.bloc)] += n
            targets = [k.current]
        elif k.freedom == "fixed":
            targets = [k.current]
            net.arc(kn, u_node[k.bloc], n, UNPLACED, owner=k.index)
        else:
            targets = [c for c in communes if k.max_km is None or km[(k.current, c)] <= k.max_km]
            net.arc(kn, u_node[k.bloc], n, UNPLACED, owner=k.index)
        heads: list[int] = []
        kinds: list[int] = []
        arc_communes: list[str] = []
        arc_specs: list[str] = []
        kms: list[int] = []
        for c in targets:
            d = km[(k.current, c)]
            for s in k.specialties:
                slot = s_node.get((c, k.bloc, s))
                if slot is not None:
                    heads.append(slot)
                    kinds.append(PLACE_SLOT)
                    arc_communes.append(c)
                    arc_specs.append(s)
                    kms.append(d)
            heads.append(c_node[(c, k.bloc)])
            kinds.append(PLACE_COMMUNE)
            arc_communes.append(c)
            arc_specs.append("")
            kms.append(d)
        first = net.arcs_from(kn, heads, n, kinds, k.index, arc_communes, arc_specs, kms)
        move_arcs.extend(first + i for i, c in enumerate(arc_communes) if c != k.current)

    budget = 0
    if sclasses:
        available = sum(len(q.members) for q in sclasses)
        budget = min(cfg.secondee_budget, available)
        sb = net.node("SB[secondee budget]", budget)
        z = net.node("Z[secondees]", -budget)
        net.arc(sb, z, budget, SEC_UNUSED)
        net.arc(d_node[sec_bloc], z, budget, SEC_OUT)
        for sc in sclasses:
            qn = net.node(f"Q[class={sc.index},specialty={sc.specialty},base={sc.base}]")
            net.arc(sb, qn, len(sc.members), SEC_PICK, sc.index)
            for c in communes:
                d = km[(sc.base, c)]
                if sc.max_km is not None and d > sc.max_km:
                    continue
                cost = d + cfg.secondee_cost
                if (c, sec_bloc, sc.specialty) in s_node:
                    net.arc(
                        qn,
                        s_node[(c, sec_bloc, sc.specialty)],
                        budget,
                        SEC_SLOT,
                        sc.index,
                        c,
                        sc.specialty,
                        d,
                        disruption=cost,
                    )
                net.arc(
                    qn,
                    c_node[(c, sec_bloc)],
                    budget,
                    SEC_COMMUNE,
                    sc.index,
                    c,
                    "",
                    d,
                    disruption=cost,
                )
    return Problem(
        scenario,
        rule_set,
        blocs,
        communes,
        quotas,
        needs,
        km,
        classes,
        sclasses,
        net,
        status_of,
        quota_of,
        total_of,
        budget,
        cfg.max_moves,
        move_arcs,
        dict(pinned_count),
    )


def explain_infeasible(p: Problem) -> list[str]:
    """Why no plan satisfies the hard rules, in rule terms and numbers."""
    out = []
    rs = p.rule_set.name
    table = {(str(r["commune"]), str(r["bloc"])): r for r in p.quotas.to_dict("records")}
    names = {c.code: c.name for c in p.scenario.communes}
    for (c, b), n in sorted(p.pinned_count.items()):
        quota = p.quota_of[(c, b)]
        if n > quota:
            r = table[(c, b)]
            how = f"terms give {int(r['before_cap'])}"
            if not pd.isna(r["cap"]) and int(r["before_cap"]) > int(r["cap"]):
                how += f", cap {int(r['cap'])}"
            if int(r["trim"]):
                how += f", trimmed by {int(r['trim'])} to meet the province total"
            out.append(
                f"commune {c} ({names[c]}), {b} bloc: {n} pinned officials exceed its "
                f"quota of {quota} (rule set {rs}: {how} → {quota})"
            )
    for b in p.blocs:
        t = p.total_of[b]
        pinned = sum(n for (c, bb), n in p.pinned_count.items() if bb == b)
        if t is not None and pinned > t:
            out.append(
                f"{b} bloc: {pinned} pinned officials exceed the province total of {t} "
                f"(rule set {rs})"
            )
    if not out:
        out.append("no plan satisfies the hard rules (pinned officials, quotas, province total)")
    return out


def arc_index(p: Problem) -> dict[tuple[int, int, str, str], int]:
    """(kind, owner, commune, specialty) → arc, for the arcs that carry people."""
    net = p.network
    out = {}
    for a, kind in enumerate(net.kind):
        if kind in (PLACE_SLOT, PLACE_COMMUNE, UNPLACED, SEC_SLOT, SEC_COMMUNE, SEC_PICK):
            out[(kind, net.owner[a], net.commune[a], net.specialty[a])] = a
    return out


def flows_from_counts(p: Problem, person_arcs: dict[int, int]) -> np.ndarray:
    """Complete a flow vector from the flows on people-carrying arcs (by conservation)."""
    net = p.network
    flows = np.zeros(len(net.tail), dtype=np.int64)
    for a, f in person_arcs.items():
        flows[a] += f
    inflow = np.zeros(len(net.names), dtype=np.int64)
    np.add.at(inflow, np.asarray(net.head, dtype=np.int64), flows)
    kinds = net.kind
    # slots → communes, then communes → D, D → X (officials) and D → Z (secondees)
    for stage in (NEED, QUOTA):
        for a, kind in enumerate(kinds):
            if kind == stage:
                flows[a] = inflow[net.tail[a]]
        inflow[:] = 0
        np.add.at(inflow, np.asarray(net.head, dtype=np.int64), flows)
    sec_used = sum(f for a, f in person_arcs.items() if kinds[a] in (SEC_SLOT, SEC_COMMUNE))
    for a, kind in enumerate(kinds):
        if kind == SEC_OUT:
            flows[a] = sec_used
        elif kind == SEC_UNUSED:
            flows[a] = p.budget - sec_used
        elif kind == SEC_PICK:
            flows[a] = sum(
                f
                for b, f in person_arcs.items()
                if kinds[b] in (SEC_SLOT, SEC_COMMUNE) and net.owner[b] == net.owner[a]
            )
        elif kind == UNPLACED_OUT:
            flows[a] = inflow[net.tail[a]]
    for a, kind in enumerate(kinds):
        if kind == TOTAL:
            out_sec = sum(
                flows[b]
                for b, k2 in enumerate(kinds)
                if k2 == SEC_OUT and net.tail[b] == net.tail[a]
            )
            flows[a] = inflow[net.tail[a]] - out_sec
    return flows
