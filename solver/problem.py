"""Scenario + quotas → a prepared, solver-neutral placement problem (a network).

Officials planned in quota places are grouped into classes of interchangeable people (same
bloc, current commune, specialties, placement freedom and max_km). The network, per bloc b:

    class k ──(km if moving)──▶ slot S(c,b,s) ──need(c,b,s), reward w_s──▶ C(c,b)
    class k ──(km if moving)─────────────────────────────────────────────▶ C(c,b)
    C(c,b) ──quota(c,b), reward 1──▶ D_b ──province total──▶ X_b (demand: officials of b)
    class k ──unplaced──▶ U_b ──▶ X_b                      (pinned classes have no such arc)
    SB (supply: min(budget, candidates)) ──▶ secondee class q ──(km + cost)──▶ S / C of the
    secondee bloc;  SB ──unused──▶ Z;  D_bsec ──▶ Z (demand of Z: SB's supply)
    C(c,bsec) ──extra──▶ Z                                   (secondees outside the quota)

Flow conservation makes D_bsec → Z carry the secondees who cover a quota place, so D_b → X_b
carries the placed officials alone: secondees never count in the province total. The reward
arc C → D carries min(quota, officials + secondees): the covered places.

Secondee counting (the rule set's `secondees.in_quota`):
- outside the quota (the default): a secondee is extra help. The `extra` arcs let secondees
  beyond the quota leave C(c,bsec) without a quota place, and the side constraint
  "officials arriving at (c,bsec) ≤ quota(c,bsec)" (`Problem.official_caps`) keeps the
  commune's own officials within its quota. Without that constraint the network is a
  relaxation: the flow engine solves it, and its optimum is the answer whenever it keeps
  the constraint (`Problem.over_quota`); otherwise the general engine solves it with the
  constraint.
- inside the quota: no `extra` arcs; officials + secondees ≤ quota is a capacity, and the
  network is exact (totally unimodular).

Every level of the objective is linear in the arc flows (`Network.level_costs`, plus an
offset), and the network is totally unimodular, so an LP optimum is integral.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import numpy as np

from models import (
    ELSEWHERE,
    LEVELS,
    UNPLACED_AT,
    Baseline,
    Bloc,
    Decision,
    DecisionKind,
    Freedom,
    InputError,
    Issue,
    Official,
    PlanStatus,
    QuotaTable,
    Scenario,
    Scope,
)
from models.problems import Msg, msg
from models.rules import RuleSet, resolve_scope
from solver import quotas as quota_engine
from solver.geo import distance_table
from solver.i18n import _, label, ngettext

# arc kinds
PLACE_SLOT, PLACE_COMMUNE, UNPLACED, NEED, QUOTA, TOTAL, UNPLACED_OUT = range(7)
SEC_PICK, SEC_SLOT, SEC_COMMUNE, SEC_UNUSED, SEC_OUT, SEC_EXTRA = range(7, 13)
PERSON_ARCS = (PLACE_SLOT, PLACE_COMMUNE, UNPLACED, SEC_SLOT, SEC_COMMUNE, SEC_PICK)
# the arcs whose capacity is the secondee budget
SECONDEE_KINDS = (SEC_OUT, SEC_EXTRA, SEC_SLOT, SEC_COMMUNE)
INF = 1 << 40
SB_NODE, Z_NODE = "SB[secondee budget]", "Z[secondees]"
ANYWHERE = "*"  # a decided secondee whose unit the plan chooses

CATEGORY_RANK = {
    "cadre": 0,
    "civil_servant": 1,
    "public_employee": 2,
    "contract": 3,
    "part_time": 4,
}


@dataclass
class OfficialClass:
    index: int
    bloc: str
    current: str
    specialties: tuple[str, ...]
    freedom: Freedom
    max_km: float | None
    members: list[str]  # official ids, in keep-priority order (first stays first)
    baseline_at: str | None = None  # every member's baseline outcome: a unit, UNPLACED_AT, None
    assign: str | None = None  # decisions.csv: placed in this unit
    forbid: tuple[str, ...] = ()  # decisions.csv: not placed in these units
    keep_unplaced: bool = False  # decisions.csv: kept unplaced

    @property
    def locked(self) -> bool:
        return self.assign is not None or bool(self.forbid) or self.keep_unplaced


@dataclass
class SecondeeClass:
    index: int
    specialty: str
    base: str
    max_km: float | None
    members: list[str]  # secondee ids, by id
    baseline_at: str | None = None  # every member's baseline destination; None: not seconded
    forced: bool = False  # decisions.csv: seconded to `forced_to`, whatever the optimum
    forced_to: str = ""


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
        self.costs["changes"].extend([0] * n)
        return first

    def arrays(self) -> dict[str, np.ndarray]:
        """The arcs as numpy arrays (read-only), made once per network: a network is not
        changed once built (`Problem.with_budget` makes a new one)."""
        cached = self.__dict__.get("_arrays")
        if cached is not None and cached[0] == (len(self.tail), len(self.names)):
            return cached[1]
        out: dict[str, np.ndarray] = {
            "tail": np.asarray(self.tail, dtype=np.int32),
            "head": np.asarray(self.head, dtype=np.int32),
            "cap": np.asarray(self.cap, dtype=np.int64),
            "kind": np.asarray(self.kind, dtype=np.int8),
            "owner": np.asarray(self.owner, dtype=np.int64),
            "supply": np.asarray(self.supply, dtype=np.int64),
            **{lv: np.asarray(self.costs[lv], dtype=np.int64) for lv in LEVELS},
        }
        for a in out.values():
            a.setflags(write=False)
        self.__dict__["_arrays"] = ((len(self.tail), len(self.names)), out)
        return out

    def balance(self, flows: np.ndarray) -> np.ndarray:
        """Per node, what flows leave minus what enters (a flow's balance is the supply)."""
        arr = self.arrays()
        out = np.zeros(len(self.names), dtype=np.int64)
        np.add.at(out, arr["tail"], flows)
        np.subtract.at(out, arr["head"], flows)
        return out

    def is_flow(self, flows: np.ndarray) -> bool:
        """Within every capacity and balanced at every node, checked in integers."""
        arr = self.arrays()
        if (flows < 0).any() or (flows > arr["cap"]).any():
            return False
        return bool(np.array_equal(self.balance(flows), arr["supply"]))

    def memo(self, key: str, make: Any) -> Any:
        """A value computed once from the network's arcs (not from its supplies or
        capacities): kept with the network and with the networks `Problem.with_budget` makes
        from it."""
        memos = self.__dict__.setdefault("_memo", {})
        if key not in memos:
            memos[key] = make()
        return memos[key]

    def with_room(self, supply: list[int], cap: np.ndarray) -> Network:
        """The same arcs with other supplies and capacities, its arrays made from these ones
        (not from the lists again), its memos shared."""
        new = replace(self, supply=supply, cap=cap.tolist())
        out = dict(self.arrays())
        out["cap"] = np.array(cap, dtype=np.int64)
        out["supply"] = np.asarray(supply, dtype=np.int64)
        for a in (out["cap"], out["supply"]):
            a.setflags(write=False)
        new.__dict__["_arrays"] = ((len(new.tail), len(new.names)), out)
        new.__dict__["_memo"] = self.__dict__.setdefault("_memo", {})
        return new

    def components(self) -> np.ndarray:
        """Per node, a label shared by exactly the nodes of its connected part (arcs taken
        both ways): the blocs are separate networks unless secondees join them."""
        return self.memo("components", self._components)

    def _components(self) -> np.ndarray:
        arr = self.arrays()
        t, h = arr["tail"].astype(np.int64), arr["head"].astype(np.int64)
        label = np.arange(len(self.names), dtype=np.int64)
        while True:
            low = np.minimum(label[t], label[h])
            new = label.copy()
            np.minimum.at(new, t, low)
            np.minimum.at(new, h, low)
            new = new[new]  # each node jumps to its label's label
            if np.array_equal(new, label):
                return label
            label = new

    def level_values(self, flows: np.ndarray) -> dict[str, float]:
        """Each level's value (in its own units) for a flow vector."""
        arr = self.arrays()
        return {
            lv: (self.offsets[lv] + int(np.dot(arr[lv], flows))) / self.scale[lv] for lv in LEVELS
        }


@dataclass
class Problem:
    """A scenario prepared for the engines: who is planned (in classes), the quotas and needs,
    the distances and the network. Engines read it; nothing in it is solver-specific."""

    scenario: Scenario
    rule_set: RuleSet
    scope: Scope
    blocs: list[str]
    communes: list[str]
    quotas: QuotaTable
    km: dict[tuple[str, str], int]
    classes: list[OfficialClass]
    secondee_classes: list[SecondeeClass]
    network: Network
    status_of: dict[str, tuple[PlanStatus, Msg]]  # id -> (status, reason): not in the network
    budget: int
    move_arcs: list[int]
    pinned_count: dict[tuple[str, str], int]
    # (commune, bloc) → officials' arcs into it, where secondees are extra: Σ flow ≤ quota
    official_caps: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    baseline: Baseline | None = None  # the announced plan `changes` counts from (else as-merged)
    assigned_count: dict[tuple[str, str], int] = field(default_factory=dict)  # decisions.csv

    @property
    def order(self) -> list[str]:
        """The lexicographic order of the levels for this run."""
        return [lv.value for lv in self.scenario.config.order(self.baseline is not None)]

    @property
    def secondees_in_quota(self) -> bool:
        return self.rule_set.secondees.in_quota

    def over_quota(self, flows: np.ndarray) -> list[tuple[str, str, int, int]]:
        """(commune, bloc, officials, quota) where a flow places more officials than the
        quota: the side constraint of the network's relaxation (see the module doc)."""
        out = []
        for (c, b), arcs in self.official_caps.items():
            n = int(flows[arcs].sum())
            q = self.quota(c, b)
            if n > q:
                out.append((c, b, n, q))
        return out

    @property
    def max_moves(self) -> int | None:
        return self.scenario.config.max_moves

    @property
    def secondee_bloc(self) -> str:
        return self.scenario.config.secondee_bloc.value

    def quota(self, commune: str, bloc: str) -> int:
        return self.quotas.quota(commune, bloc)

    def total(self, bloc: str) -> int | None:
        return self.quotas.total(bloc)

    def moves(self, flows: np.ndarray) -> int:
        """Officials moved by a flow."""
        return int(flows[self.move_arcs].sum()) if self.move_arcs else 0

    def secondees_used(self, flows: np.ndarray) -> int:
        """Secondees placed by a flow."""
        kinds = self.network.arrays()["kind"]
        return int(flows[(kinds == SEC_SLOT) | (kinds == SEC_COMMUNE)].sum())

    def with_budget(self, budget: int) -> Problem:
        """The same problem at another secondee budget. Only supplies and capacities change:
        the arcs and their costs are the same, so a budget sweep builds the network once. (A
        problem prepared at budget 0 has no secondee arcs; prepare it at the largest budget.)
        The plans' wording for budget 0 ("the secondee budget is 0") is not rewritten: this is
        for the levels."""
        cfg = self.scenario.config.model_copy(update={"secondee_budget": budget})
        scenario = self.scenario.model_copy(update={"config": cfg})
        net = self.network
        sb = net._index.get(SB_NODE)
        if sb is None:
            return replace(self, scenario=scenario, budget=0)
        new = min(budget, sum(len(q.members) for q in self.secondee_classes))
        forced = self.budget - net.supply[sb]
        if new < forced:
            raise ValueError(f"budget {budget} is below the {forced} decided secondees")
        supply = list(net.supply)
        supply[sb] = new - forced
        supply[net._index[Z_NODE]] = -new
        arr = net.arrays()
        cap = arr["cap"].copy()
        cap[net.memo("secondee arcs", lambda: np.isin(arr["kind"], SECONDEE_KINDS))] = new
        cap[net.memo("unused arcs", lambda: arr["kind"] == SEC_UNUSED)] = new - forced
        return replace(self, scenario=scenario, network=net.with_room(supply, cap), budget=new)


def keep_priority(p: Official) -> tuple[int, int, int, str]:
    """Who keeps their post first within a class: leaders, then commune-tier staff, then by
    category (cadre, civil servant, public employee, contract, part-time), then by id."""
    return (
        0 if p.leader else 1,
        0 if p.tier.value == "commune" else 1,
        CATEGORY_RANK[p.category.value],
        p.id,
    )


def _scale_of(values: list[float]) -> int:
    """Smallest power of ten that makes every value an integer (weights are data)."""
    scale = 1
    for v in values:
        d = Decimal(str(v)).normalize()
        exp = d.as_tuple().exponent
        if isinstance(exp, int) and exp < 0:
            scale = max(scale, 10 ** (-exp))
    return scale


def scope(scenario: Scenario, rule_set: RuleSet) -> Scope:
    """Who the plan covers (`models.rules.resolve_scope`); InputError (at scenario.yaml, key
    blocs) when the rule set has no quota rule for a bloc in scope."""
    where = "scenario.yaml" if not scenario.folder.endswith(".xlsx") else scenario.folder
    return resolve_scope(scenario.config, rule_set, where, scenario.folder or scenario.config.name)


def planned_blocs(scenario: Scenario, rule_set: RuleSet) -> list[str]:
    """The blocs in scope (InputError when the rule set has no quota rule for one)."""
    return [b.value for b in scope(scenario, rule_set).blocs]


def scenario_quotas(scenario: Scenario, rule_set: RuleSet) -> QuotaTable:
    """Quotas and needs of the blocs in scope (InputError when the rule set lacks one)."""
    blocs = planned_blocs(scenario, rule_set)
    return quota_engine.compute(scenario, rule_set, [Bloc(b) for b in blocs])


def prepare(
    scenario: Scenario,
    rule_set: RuleSet,
    quotas: QuotaTable | None = None,
    baseline: Baseline | None = None,
) -> Problem:
    """The one way from a scenario to a problem: check the scope against the rule set,
    compute quotas and needs (unless given: a quota table of the same scenario's blocs), and
    build the network.

    Raises InputError for a scenario that cannot be modelled (a bloc without a rule, data a
    rule needs)."""
    sc = scope(scenario, rule_set)
    if quotas is None:
        quotas = quota_engine.compute(scenario, rule_set, list(sc.blocs))
    return build(scenario, rule_set, quotas, sc, baseline)


def build(
    scenario: Scenario,
    rule_set: RuleSet,
    quotas: QuotaTable,
    sc: Scope,
    baseline: Baseline | None = None,
) -> Problem:
    """Classes of officials and secondees, then the network (see the module doc)."""
    km = distance_table(scenario)
    blocs = [b.value for b in sc.blocs]
    status_of: dict[str, tuple[PlanStatus, Msg]] = {}
    classes = official_classes(scenario, sc, status_of, baseline, km)
    sclasses = secondee_classes(scenario, blocs, status_of, baseline, km)
    communes = [c.code for c in scenario.communes]
    budget = min(scenario.config.secondee_budget, sum(len(q.members) for q in sclasses))
    builder = _NetworkBuilder(scenario, quotas, blocs, communes, km)
    builder.bloc_nodes()
    builder.official_arcs(classes)
    builder.secondee_arcs(sclasses, budget, extra=not rule_set.secondees.in_quota)
    if baseline is not None:  # people the plan cannot place, placed in the baseline: changes
        builder.net.offsets["changes"] += sum(
            1
            for pid in status_of
            if baseline.officials.get(pid, baseline.secondees.get(pid, ELSEWHERE)) != ELSEWHERE
        )
    return Problem(
        scenario,
        rule_set,
        sc,
        blocs,
        communes,
        quotas,
        km,
        classes,
        sclasses,
        builder.net,
        status_of,
        budget if sclasses else 0,
        builder.move_arcs,
        dict(builder.pinned_count),
        builder.official_caps if builder.has_extra else {},
        baseline,
        dict(builder.assigned_count),
    )


def official_classes(
    scenario: Scenario,
    sc: Scope,
    status_of: dict[str, tuple[PlanStatus, Msg]],
    baseline: Baseline | None = None,
    km: dict[tuple[str, str], int] | None = None,
) -> list[OfficialClass]:
    """Officials planned in quota places, grouped into classes of interchangeable people
    (same bloc, current unit, specialties, freedom and max_km); the others get their status
    in `status_of`."""
    groups: dict[tuple, list[Official]] = defaultdict(list)
    decided = _decided(scenario, (DecisionKind.assign, DecisionKind.forbid, DecisionKind.unplaced))
    conflicts: list[Issue] = []
    for p in scenario.officials:
        st = sc.of(p)
        if st is not None:
            status_of[p.id] = st
            continue
        specs = (p.specialty, *sorted(set(p.specialties) - {p.specialty}))
        freedom = (
            Freedom.pinned
            if p.pinned
            else (Freedom.movable if scenario.relocatable(p) else Freedom.fixed)
        )
        max_km = scenario.reach_km(p) if freedom == Freedom.movable else None
        cur = scenario.current_of(p)
        base = cur if baseline is None else baseline.officials.get(p.id)
        lock = _official_lock(scenario, p, decided.pop(p.id, []), freedom, conflicts, km or {})
        groups[(p.bloc.value, cur, specs, freedom, max_km, base, lock)].append(p)
    for pid, rows in decided.items():  # decisions about officials who are not planned
        why = str(status_of.get(pid, (None, "not in the roster"))[1])
        for i, _d in rows:
            conflicts.append(_conflict(scenario, i, pid, f"this official is not planned ({why})"))
    if conflicts:
        raise InputError(conflicts, "decisions")
    keys = sorted(
        groups,
        key=lambda k: (k[0], k[1], k[2], k[3], -1 if k[4] is None else k[4], k[5] or "", str(k[6])),
    )
    return [
        OfficialClass(
            i,
            k[0],
            k[1],
            k[2],
            k[3],
            k[4],
            [m.id for m in sorted(groups[k], key=keep_priority)],
            k[5],
            k[6][0],
            k[6][1],
            k[6][2],
        )
        for i, k in enumerate(keys)
    ]


def _decided(scenario: Scenario, kinds: tuple[DecisionKind, ...]) -> dict[str, list]:
    """Decisions of the given kinds per person: [(row index, decision)]."""
    out: dict[str, list[tuple[int, Decision]]] = defaultdict(list)
    for i, d in enumerate(scenario.decisions):
        if d.decision in kinds:
            out[d.id].append((i, d))
    return out


def _conflict(scenario: Scenario, i: int, pid: str, why: str) -> Issue:
    where, row = scenario.locate("decisions", i)
    return Issue(where, row, "decision", pid, msg("a decision the rules allow: {why}", why=why))


def _official_lock(
    scenario: Scenario,
    p: Official,
    rows: list[tuple[int, Decision]],
    freedom: Freedom,
    conflicts: list[Issue],
    km: dict[tuple[str, str], int],
) -> tuple[str | None, tuple[str, ...], bool]:
    """(assigned unit, forbidden units, kept unplaced) of an official's decisions; a decision
    the official's own rules forbid is a conflict, located."""
    assign, forbid, unplaced = None, [], False
    cur = scenario.current_of(p)
    for i, d in rows:
        c = d.commune or ""
        if d.decision == DecisionKind.assign:
            if c != cur and freedom != Freedom.movable:
                what = "pinned" if freedom == Freedom.pinned else "cannot relocate"
                conflicts.append(_conflict(scenario, i, p.id, f"{p.id} {what} (works at {cur})"))
                continue
            reach = scenario.reach_km(p)
            if c != cur and reach is not None and km[(cur, c)] > reach:
                conflicts.append(
                    _conflict(
                        scenario,
                        i,
                        p.id,
                        f"{c} is {km[(cur, c)]} km from {cur}, beyond the "
                        f"{reach:g} km {p.id} may move",
                    )
                )
                continue
            assign = c
        elif d.decision == DecisionKind.forbid:
            if c == cur and freedom == Freedom.pinned:
                conflicts.append(_conflict(scenario, i, p.id, f"{p.id} is pinned at {cur}"))
                continue
            forbid.append(c)
        elif d.decision == DecisionKind.unplaced:
            if freedom == Freedom.pinned:
                conflicts.append(_conflict(scenario, i, p.id, f"{p.id} is pinned at {cur}"))
                continue
            unplaced = True
    if assign is not None and assign in forbid:
        conflicts.append(
            _conflict(
                scenario, rows[0][0], p.id, f"{p.id} is both assigned to and kept from {assign}"
            )
        )
    return assign, tuple(sorted(set(forbid))), unplaced


def secondee_classes(
    scenario: Scenario,
    blocs: list[str],
    status_of: dict[str, tuple[PlanStatus, Msg]],
    baseline: Baseline | None = None,
    km: dict[tuple[str, str], int] | None = None,
) -> list[SecondeeClass]:
    """Secondee candidates who can be sent, in classes (same specialty, base and max_km)."""
    cfg = scenario.config
    sec_bloc = cfg.secondee_bloc.value
    groups: dict[tuple, list[str]] = defaultdict(list)
    decided = _decided(scenario, (DecisionKind.second, DecisionKind.exclude))
    km = km if km is not None or not decided else distance_table(scenario)
    conflicts: list[Issue] = []
    forced = 0
    for q in scenario.secondees:
        why = scenario.secondee_excluded(q)
        if why is None and sec_bloc not in blocs:
            why = msg(
                "not selected: secondees count in bloc {bloc}, which is not planned", bloc=sec_bloc
            )
        if why is None and cfg.secondee_budget == 0:
            why = msg("not selected: the secondee budget is 0")
        rows = decided.get(q.id, [])
        to = ""
        for i, d in rows:
            if d.decision == DecisionKind.exclude:
                why = why or msg("not selected: excluded by decision{note}", note=_noted(d))
            elif why is not None:
                conflicts.append(
                    _conflict(scenario, i, q.id, str(why).removeprefix("not selected: "))
                )
            else:
                to = d.commune or ANYWHERE
                if to != ANYWHERE and q.max_km is not None and (km or {})[(q.base, to)] > q.max_km:
                    conflicts.append(
                        _conflict(
                            scenario,
                            i,
                            q.id,
                            f"{to} is {(km or {})[(q.base, to)]} km from {q.base}, "
                            f"beyond the {q.max_km:g} km of {q.id}",
                        )
                    )
                forced += 1
        if why is not None:
            status_of[q.id] = (PlanStatus.not_selected, why)
            continue
        base = baseline.secondees.get(q.id) if baseline is not None else ELSEWHERE
        groups[(q.specialty, q.base, q.max_km, base, to)].append(q.id)
    if forced > cfg.secondee_budget:
        conflicts.append(
            Issue(
                "decisions",
                None,
                "decision",
                None,
                f"at most {cfg.secondee_budget} secondees decided (the secondee budget); "
                f"{forced} are decided",
            )
        )
    if conflicts:
        raise InputError(conflicts, "decisions")
    keys = sorted(groups, key=lambda k: (k[0], k[1], k[2] or -1, k[3] or "", k[4]))
    return [
        SecondeeClass(
            i, k[0], k[1], k[2], sorted(groups[k]), k[3], bool(k[4]), k[4].strip(ANYWHERE)
        )
        for i, k in enumerate(keys)
    ]


def _noted(d: Decision) -> str:
    return f" ({d.note})" if d.note else ""


class _NetworkBuilder:
    """Adds the nodes and arcs of the module doc's network, one group at a time."""

    def __init__(
        self,
        scenario: Scenario,
        quotas: QuotaTable,
        blocs: list[str],
        communes: list[str],
        km: dict[tuple[str, str], int],
    ) -> None:
        self.scenario = scenario
        self.quotas = quotas
        self.blocs = blocs
        self.communes = communes
        self.km = km
        self.net = Network()
        self.move_arcs: list[int] = []
        self.pinned_count: dict[tuple[str, str], int] = defaultdict(int)
        self.assigned_count: dict[tuple[str, str], int] = defaultdict(int)
        self.official_caps: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.has_extra = False
        self.s_node: dict[tuple[str, str, str], int] = {}
        self._placed: list[tuple[str, int, list[str]]] = []  # (bloc, first arc, arcs' units)

    def bloc_nodes(self) -> None:
        """Per bloc: X (demand), D (province total), U (unplaced), C per commune, S per need."""
        net = self.net
        need_rows = self.quotas.needs_in(self.blocs)
        scale = _scale_of([float(r.weight) for r in need_rows])
        net.scale["specialty_shortage"] = scale
        x = {b: net.node(f"X[bloc={b}]") for b in self.blocs}
        self.x_node = x
        self.d_node = {b: net.node(f"D[bloc={b}]") for b in self.blocs}
        self.u_node = {b: net.node(f"U[bloc={b}]") for b in self.blocs}
        self.c_node = {
            (c, b): net.node(f"C[commune={c},bloc={b}]") for b in self.blocs for c in self.communes
        }
        needed = {
            (r.commune, r.bloc, r.specialty): (r.need, int(Decimal(str(r.weight)) * scale))
            for r in need_rows
        }
        for (c, b, s), (need, w) in sorted(needed.items()):
            self.s_node[(c, b, s)] = net.node(f"S[commune={c},bloc={b},specialty={s}]")
            net.arc(
                self.s_node[(c, b, s)],
                self.c_node[(c, b)],
                need,
                NEED,
                commune=c,
                specialty=s,
                specialty_shortage=-w,
            )
            net.offsets["specialty_shortage"] += need * w
        for b in self.blocs:
            for c in self.communes:
                qv = self.quotas.quota(c, b)
                net.arc(
                    self.c_node[(c, b)], self.d_node[b], qv, QUOTA, commune=c, quota_shortage=-1
                )
                net.offsets["quota_shortage"] += qv
            t = self.quotas.total(b)
            net.arc(self.d_node[b], x[b], INF if t is None else t, TOTAL)
            net.arc(self.u_node[b], x[b], INF, UNPLACED_OUT)

    def official_arcs(self, classes: list[OfficialClass]) -> None:
        """A node per class; arcs to every reachable slot and commune, and to unplaced."""
        net, km = self.net, self.km

        @functools.cache
        def reach(cur: str, max_km: float | None) -> list[str]:
            """The units within `max_km` of `cur` (every unit: no limit)."""
            return [c for c in self.communes if max_km is None or km[(cur, c)] <= max_km]

        for k in classes:
            n = len(k.members)
            net.supply[self.x_node[k.bloc]] -= n
            kn = net.node(
                f"K[class={k.index},bloc={k.bloc},commune={k.current},"
                f"specialty={'+'.join(k.specialties)},{k.freedom.value}]",
                n,
            )
            if k.freedom == Freedom.pinned:
                self.pinned_count[(k.current, k.bloc)] += n
                targets = [k.current]
            elif k.assign is not None:  # decided: placed there, never unplaced
                self.assigned_count[(k.assign, k.bloc)] += n
                targets = [k.assign]
            else:
                changed = int(k.baseline_at not in (None, UNPLACED_AT, ELSEWHERE))
                net.arc(kn, self.u_node[k.bloc], n, UNPLACED, owner=k.index, changes=changed)
                targets = (
                    []
                    if k.keep_unplaced
                    else ([k.current] if k.freedom == Freedom.fixed else reach(k.current, k.max_km))
                )
            targets = [c for c in targets if c not in k.forbid]
            if k.baseline_at == ELSEWHERE:  # not placed in the baseline: any outcome changes
                net.offsets["changes"] += n
            heads: list[int] = []
            kinds: list[int] = []
            arc_communes: list[str] = []
            arc_specs: list[str] = []
            kms: list[int] = []
            s_node, c_node = self.s_node, self.c_node
            for c in targets:
                d = km[(k.current, c)]
                for sp in k.specialties:
                    slot = s_node.get((c, k.bloc, sp))
                    if slot is not None:
                        heads.append(slot)
                        kinds.append(PLACE_SLOT)
                        arc_communes.append(c)
                        arc_specs.append(sp)
                        kms.append(d)
                heads.append(c_node[(c, k.bloc)])
                kinds.append(PLACE_COMMUNE)
                arc_communes.append(c)
                arc_specs.append("")
                kms.append(d)
            first = net.arcs_from(kn, heads, n, kinds, k.index, arc_communes, arc_specs, kms)
            if k.baseline_at not in (None, ELSEWHERE):  # placed elsewhere than the baseline
                for i, c in enumerate(arc_communes):  # before any arrays() (built once)
                    net.costs["changes"][first + i] = int(c != k.baseline_at)
            cur = k.current
            self.move_arcs += [first + i for i, c in enumerate(arc_communes) if c != cur]
            self._placed.append((k.bloc, first, arc_communes))

    def officials_into(self, bloc: str) -> dict[tuple[str, str], list[int]]:
        """(unit, bloc) → the officials' arcs into it, for the units of one bloc."""
        out: dict[tuple[str, str], list[int]] = {}
        for b, first, units in self._placed:
            if b != bloc:
                continue
            for i, c in enumerate(units):
                out.setdefault((c, b), []).append(first + i)
        return out

    def secondee_arcs(self, sclasses: list[SecondeeClass], budget: int, extra: bool) -> None:
        """SB (the budget) → each secondee class → slots and communes of the secondee bloc;
        unused budget SB → Z; used budget leaves the bloc's D node for Z, and, with `extra`
        (secondees outside the quota), each commune's C node for Z."""
        if not sclasses:
            return
        net, cfg = self.net, self.scenario.config
        sec_bloc = cfg.secondee_bloc.value
        forced = sum(len(q.members) for q in sclasses if q.forced)
        sb = net.node(SB_NODE, budget - forced)
        z = net.node(Z_NODE, -budget)
        net.arc(sb, z, budget - forced, SEC_UNUSED)
        net.arc(self.d_node[sec_bloc], z, budget, SEC_OUT)
        if extra:
            self.has_extra = True
            for c in self.communes:
                net.arc(self.c_node[(c, sec_bloc)], z, budget, SEC_EXTRA, commune=c)
            self.official_caps = {key: arcs for key, arcs in self.officials_into(sec_bloc).items()}
        for sc in sclasses:
            qn = net.node(
                f"Q[class={sc.index},specialty={sc.specialty},base={sc.base}]",
                len(sc.members) if sc.forced else 0,  # decided: seconded, whatever the optimum
            )
            # changes: n - (those seconded where the baseline has them) = n - pick + elsewhere
            kept = sc.baseline_at not in (None, ELSEWHERE)
            if not sc.forced:
                net.arc(sb, qn, len(sc.members), SEC_PICK, sc.index, changes=-1 if kept else 0)
                if kept:
                    net.offsets["changes"] += len(sc.members)
            for c in [sc.forced_to] if sc.forced_to else self.communes:
                d = self.km[(sc.base, c)]
                if sc.max_km is not None and d > sc.max_km:
                    continue
                cost = d + cfg.secondee_cost
                changed = int(sc.baseline_at is not None and c != sc.baseline_at)
                slot = self.s_node.get((c, sec_bloc, sc.specialty))
                if slot is not None:
                    net.arc(
                        qn,
                        slot,
                        budget,
                        SEC_SLOT,
                        sc.index,
                        c,
                        sc.specialty,
                        d,
                        disruption=cost,
                        changes=changed,
                    )
                net.arc(
                    qn,
                    self.c_node[(c, sec_bloc)],
                    budget,
                    SEC_COMMUNE,
                    sc.index,
                    c,
                    "",
                    d,
                    disruption=cost,
                    changes=changed,
                )


def explain_infeasible(p: Problem) -> list[str]:
    """Why no plan satisfies the hard rules, in rule terms and numbers."""
    out = []
    rs = p.rule_set.name
    names = p.scenario.names
    fixed: dict[tuple[str, str], int] = defaultdict(int)
    for key, n in [*p.pinned_count.items(), *p.assigned_count.items()]:
        fixed[key] += n

    def who(c: str, b: str) -> str:
        parts = []
        if p.pinned_count.get((c, b)):
            parts.append(_("{n} pinned officials").format(n=p.pinned_count[(c, b)]))
        if p.assigned_count.get((c, b)):
            rows = [
                str(p.scenario.locate("decisions", i)[1])
                for i, d in enumerate(p.scenario.decisions)
                if d.decision == "assign" and d.commune == c
            ]
            parts.append(
                _("{n} officials assigned by decisions (rows {rows})").format(
                    n=p.assigned_count[(c, b)], rows=", ".join(rows)
                )
            )
        return _(" and ").join(parts)

    for (c, b), n in sorted(fixed.items()):
        r = p.quotas.row(c, b)
        if n > r.quota:
            how = _("terms give {n}").format(n=r.before_cap)
            if r.cap is not None and r.before_cap > r.cap:
                how += _(", cap {cap}").format(cap=r.cap)
            if r.trim:
                how += _(", trimmed by {trim} to meet the province total").format(trim=r.trim)
            out.append(
                ngettext(
                    "commune {code} ({name}), {bloc} bloc: {who} exceeds its quota of {quota} "
                    "(rule set {rule_set}: {how} → {quota})",
                    "commune {code} ({name}), {bloc} bloc: {who} exceed its quota of {quota} "
                    "(rule set {rule_set}: {how} → {quota})",
                    n,
                ).format(
                    code=c,
                    name=names[c],
                    bloc=label("bloc", b),
                    who=who(c, b),
                    quota=r.quota,
                    rule_set=rs,
                    how=how,
                )
            )
    for b in p.blocs:
        t = p.total(b)
        n = sum(v for (c, bb), v in fixed.items() if bb == b)
        if t is not None and n > t:
            out.append(
                _(
                    "{bloc} bloc: {n} pinned or assigned officials exceed the province total of "
                    "{total} (rule set {rule_set})"
                ).format(bloc=label("bloc", b), n=n, total=t, rule_set=rs)
            )
    moved = [k for k in p.classes if k.assign is not None and k.assign != k.current]
    forced = sum(len(k.members) for k in moved)
    if p.max_moves is not None and forced > p.max_moves:
        ids = {pid for k in moved for pid in k.members}
        rows = [
            str(p.scenario.locate("decisions", i)[1])
            for i, d in enumerate(p.scenario.decisions)
            if d.decision == "assign" and d.id in ids
        ]
        out.append(
            _(
                "decisions assign {n} officials to units other than their own (rows {rows}), "
                "more than max_moves {max_moves}"
            ).format(n=forced, rows=", ".join(rows), max_moves=p.max_moves)
        )
    if not out:
        out.append(
            _(
                "no plan satisfies the hard rules (pinned officials, decisions, quotas, province "
                "total)"
            )
            if p.max_moves is None
            else _(
                "no plan satisfies the hard rules (pinned officials, decisions, quotas, province "
                "total, max_moves {max_moves})"
            ).format(max_moves=p.max_moves)
        )
    return out


def arc_index(p: Problem, at_home: bool = False) -> dict[tuple[int, int, str, str], int]:
    """(kind, owner, commune, specialty) → arc, for the arcs that carry people; `at_home`:
    only the officials' arcs to the unit where they serve now (or are assigned) and to
    unplaced, all the as-merged situation uses (a thirtieth of a large province's arcs)."""
    net = p.network
    arr = net.arrays()
    kind, owner, commune, specialty = net.kind, net.owner, net.commune, net.specialty
    if at_home and p.classes:
        home = np.empty(max(k.index for k in p.classes) + 1, dtype=object)
        for k in p.classes:
            home[k.index] = k.assign or k.current
        placing = np.flatnonzero(np.isin(arr["kind"], (PLACE_SLOT, PLACE_COMMUNE)))
        units = np.asarray(commune, dtype=object)[placing]
        there = placing[units == home[arr["owner"][placing]]]
        person = sorted([*np.flatnonzero(arr["kind"] == UNPLACED).tolist(), *there.tolist()])
    else:
        person = np.flatnonzero(np.isin(arr["kind"], PERSON_ARCS)).tolist()
    return {(kind[a], owner[a], commune[a], specialty[a]): a for a in person}


def flows_from_counts(p: Problem, person_arcs: dict[int, int]) -> np.ndarray:
    """Complete a flow vector from the flows on people-carrying arcs (by conservation)."""
    net = p.network
    arr = net.arrays()
    kind, tail, head, cap = arr["kind"], arr["tail"], arr["head"], arr["cap"]
    owner = arr["owner"]
    flows = np.zeros(len(tail), dtype=np.int64)
    if person_arcs:
        np.add.at(
            flows,
            np.fromiter(person_arcs.keys(), dtype=np.int64),
            np.fromiter(person_arcs.values(), dtype=np.int64),
        )

    def inflow() -> np.ndarray:
        out = np.zeros(len(net.names), dtype=np.int64)
        np.add.at(out, head, flows)
        return out

    # slots → communes, then communes → D (up to the quota; the rest leaves by an extra arc
    # where secondees are outside the quota), D → X (officials) and D → Z (secondees)
    extra = np.flatnonzero(kind == SEC_EXTRA)
    extra_of = np.full(len(net.names), -1, dtype=np.int64)
    extra_of[tail[extra]] = extra
    for stage in (NEED, QUOTA):
        into = inflow()
        arcs = np.flatnonzero(kind == stage)
        flows[arcs] = into[tail[arcs]]
        if stage == QUOTA:
            e = extra_of[tail[arcs]]
            over = (e >= 0) & (flows[arcs] > cap[arcs])
            flows[e[over]] = flows[arcs[over]] - cap[arcs[over]]
            flows[arcs[over]] = cap[arcs[over]]
    into = inflow()
    sec = np.flatnonzero((kind == SEC_SLOT) | (kind == SEC_COMMUNE))
    sec_used = int(flows[sec].sum())
    flows[kind == SEC_OUT] = sec_used - int(flows[extra].sum())
    flows[kind == SEC_UNUSED] = p.budget - sec_used
    pick = np.flatnonzero(kind == SEC_PICK)
    if len(pick):
        per_class = np.zeros(int(owner.max()) + 1, dtype=np.int64)
        np.add.at(per_class, owner[sec], flows[sec])
        flows[pick] = per_class[owner[pick]]
    out = np.flatnonzero(kind == UNPLACED_OUT)
    flows[out] = into[tail[out]]
    total = np.flatnonzero(kind == TOTAL)
    sec_out = np.zeros(len(net.names), dtype=np.int64)
    so = np.flatnonzero(kind == SEC_OUT)
    np.add.at(sec_out, tail[so], flows[so])
    flows[total] = into[tail[total]] - sec_out[tail[total]]
    return flows
