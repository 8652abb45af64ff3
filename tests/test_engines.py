"""The engines behind their one seam: dispatch, the hand-over to the general engine, and the
flow engine's exactness (every level equal to staged solves) on random scenarios."""

from __future__ import annotations

import numpy as np
import pytest
from builders import commune, official, scenario, secondee
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import LEVELS, SolveStatus
from solver import engines, run
from solver.check import check
from solver.engines import flow, general
from solver.io.rules import parse_rule_set
from solver.problem import prepare

RULES_TEXT = """name: p
title: property rules
sources: {t: {document: T}}
blocs:
  government:
    base: {positions: 2, source: t}
    caps: {commune: 3, ward: 3, source: t}
    specialty_template:
      - {specialty: accounting, minimum: 1, weight: 3, source: t}
      - {specialty: construction, minimum: 1, weight: 1.5, source: t}
"""
RULES = parse_rule_set(RULES_TEXT, "p.yaml")

IN_QUOTA = RULES.model_copy(
    update={"secondees": RULES.secondees.model_copy(update={"in_quota": True})}
)

person = st.fixed_dictionaries(
    {
        "home": st.integers(0, 3),
        "specialty": st.sampled_from(["accounting", "construction", "office"]),
        "extra": st.sampled_from([[], ["accounting"], ["construction"]]),
        "can_relocate": st.booleans(),
        "max_km": st.sampled_from([None, 25, 60]),
        "pinned": st.booleans(),
    }
)


def default_equals_staged_ip(p):
    """The default engine's answer, checked against the staged integer program on the same
    problem: the same status, and every level equal when optimal."""
    r = engines.solve(p, "flow")
    mip = general.solve(p, lp_first=False)
    assert r.status == mip.status
    if r.status == SolveStatus.OPTIMAL:
        assert r.levels == mip.levels
    return r


def record_proofs(monkeypatch, name: str) -> list[bool]:
    """Spy on solver.engines.lagrange.<name>: per call, whether it proved a flow (the real
    function still answers)."""
    from solver.engines import lagrange

    real = getattr(lagrange, name)
    calls: list[bool] = []

    def spy(*args):
        got = real(*args)
        calls.append(got is not None and got.proven)
        return got

    monkeypatch.setattr(lagrange, name, spy)
    return calls


def officials_of(people: list[dict], pinned: bool = False) -> list:
    """The officials of drawn `person`s, homes 90001…; with `pinned`, every third may be."""
    return [
        official(
            f"P{i}",
            f"9000{p['home'] + 1}",
            specialty=p["specialty"],
            specialties=p["extra"],
            can_relocate=p["can_relocate"],
            max_km=p["max_km"],
            pinned=pinned and p["pinned"] and i % 3 == 0,
        )
        for i, p in enumerate(people)
    ]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    people=st.lists(person, min_size=1, max_size=12),
    budget=st.integers(0, 3),
    total=st.sampled_from([None, 5, 9]),
    area=st.sampled_from([100, 300]),
)
def test_flow_and_general_agree_on_random_scenarios(people, budget, total, area):
    communes = [commune(f"0000{i + 1}", lat=21.0 + 0.2 * i, area_km2=area) for i in range(4)]
    offs = officials_of(people, pinned=True)
    secs = [
        secondee("S1", "00001"),
        secondee("S2", "00004", specialty="construction"),
        secondee("S3", "00002", specialty="office"),
    ]
    s = scenario(
        communes,
        officials=offs,
        secondees=secs,
        secondee_budget=budget,
        province_total=None if total is None else {"government": total},
    )
    for rs in (RULES, IN_QUOTA):  # secondees outside the quota (default), and inside it
        f = run.solve(s, rs, "flow")
        g = run.solve(s, rs, "general")
        mip = general.solve(prepare(s, rs), lp_first=False)  # the staged integer program
        assert f.result.status == g.result.status == mip.status
        if f.result.status == "OPTIMAL":
            assert f.metrics["objective"] == g.metrics["objective"]
            assert {lv: f.result.levels[lv] for lv in LEVELS} == mip.levels
            assert check(s, rs, f.plan, f.metrics).ok
            assert check(s, rs, g.plan, g.metrics).ok
            for baseline in ("greedy", "as-merged"):
                b = run.solve(s, rs, baseline)
                if b.result.ok:
                    assert check(s, rs, b.plan, b.metrics).ok
                    for lv in LEVELS[:2]:  # a baseline is never better on the shortages
                        assert b.metrics["objective"][lv] >= f.metrics["objective"][lv] or any(
                            b.metrics["objective"][x] > f.metrics["objective"][x]
                            for x in LEVELS[: LEVELS.index(lv)]
                        )


def tiny(**config):
    communes = [commune("00001"), commune("00002", lat=21.6)]
    offs = [official(f"P{i}", "90001", specialty="accounting") for i in range(4)]
    return scenario(communes, officials=offs, **config)


@pytest.mark.parametrize("engine", engines.ENGINES)
def test_every_engine_answers_through_the_seam(engine):
    p = prepare(tiny(), RULES)
    r = engines.solve(p, engine)
    assert r.engine == engine
    assert r.ok and r.flows is not None
    assert set(r.levels) == set(LEVELS)
    # the flow is a flow: every node balanced
    net = p.network
    balance = np.zeros(len(net.names), dtype=np.int64)
    np.add.at(balance, np.asarray(net.tail), r.flows)
    np.subtract.at(balance, np.asarray(net.head), r.flows)
    assert (balance == np.asarray(net.supply)).all()


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="unknown engine 'simplex'"):
        engines.solve(prepare(tiny(), RULES), "simplex")


def test_a_binding_max_moves_is_proven_on_the_flow_by_a_price_per_move():
    p = prepare(tiny(max_moves=1), RULES)
    free = engines.solve(prepare(tiny(), RULES), "flow")
    assert free.engine == "flow" and free.flows is not None and p.moves(free.flows) == 2
    r = engines.solve(p, "flow")
    assert r.engine == "flow" and r.method == "Lagrangian" and r.status == SolveStatus.OPTIMAL
    assert "Lagrangian search" in r.message
    assert r.flows is not None and p.moves(r.flows) == 1
    assert r.levels["quota_shortage"] == free.levels["quota_shortage"] + 1
    mip = general.solve(p, lp_first=False)  # the staged integer program agrees
    assert mip.levels == r.levels


def test_a_max_moves_the_flow_cannot_hold_goes_to_the_general_engine():
    """Where secondees are extra and the relaxation breaks the officials' quota, the general
    engine answers, and says why."""
    communes = [commune("00001"), commune("00002", lat=21.6)]
    offs = [official(f"P{i}", "90001", specialty="accounting") for i in range(5)]
    offs += [official("Q1", "90002", specialty="construction", can_relocate=False)]
    s = scenario(
        communes,
        officials=offs,
        secondees=[secondee("S1", "00002", specialty="construction")],
        secondee_budget=1,
        max_moves=1,
    )
    p = prepare(s, RULES)
    r = engines.solve(p, "flow")
    mip = general.solve(p, lp_first=False)
    assert r.status == mip.status == SolveStatus.OPTIMAL
    assert r.levels == mip.levels
    assert r.flows is not None and p.moves(r.flows) <= 1 and not p.over_quota(r.flows)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    people=st.lists(person, min_size=2, max_size=12),
    budget=st.integers(0, 3),
    max_moves=st.integers(0, 4),
    in_quota=st.booleans(),
)
def test_max_moves_plans_equal_the_staged_integer_program(people, budget, max_moves, in_quota):
    """On random scenarios with a max_moves: the default engine (the Lagrangian search on the
    flow, else the general engine) reaches the staged integer program's value on every
    level, keeps the limit, and its plan passes the checker."""
    communes = [commune(f"0000{i + 1}", lat=21.0 + 0.2 * i) for i in range(4)]
    offs = officials_of(people)
    secs = [secondee("S1", "00001"), secondee("S2", "00004", specialty="construction")]
    s = scenario(
        communes, officials=offs, secondees=secs, secondee_budget=budget, max_moves=max_moves
    )
    rs = IN_QUOTA if in_quota else RULES
    p = prepare(s, rs)
    r = default_equals_staged_ip(p)
    if r.status == SolveStatus.OPTIMAL:
        assert r.flows is not None and p.moves(r.flows) <= max_moves
        o = run.solve(s, rs, "flow")
        assert check(s, rs, o.plan, o.metrics).ok


def test_the_officials_quota_is_held_by_prices_on_the_flow():
    """Where secondees are extra and the relaxation places more officials in a unit than its
    quota, the flow engine prices the officials placed there until every quota holds, full
    wherever priced: a Lagrangian certificate, every level equal to the staged integer
    program's."""
    communes = [commune("00001"), commune("00002", lat=21.3)]
    offs = [official(f"P{i}", "90001", specialty="office") for i in range(4)]
    secs = [secondee(f"S{i}", f"0000{i}", specialty="accounting") for i in (1, 2)]
    p = prepare(scenario(communes, officials=offs, secondees=secs, secondee_budget=2), RULES)
    assert p.over_quota(flow.solve(p).flows)  # the relaxation breaks the quota
    r = default_equals_staged_ip(p)
    assert (r.engine, r.status, r.method) == ("flow", SolveStatus.OPTIMAL, "Lagrangian")
    assert r.flows is not None and not p.over_quota(r.flows)
    priced = {u for u, v in r.certificate.prices.items() if v}
    assert priced == {("00001", "government")}
    assert "prices per official" in r.message


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=st.lists(person, min_size=3, max_size=12), top=st.integers(1, 3))
def test_quota_prices_equal_the_staged_integer_program(people, top):
    """On random scenarios with secondees as extra help, at every budget up to `top`: the
    default engine (the quota prices on the secondee bloc's part, else the general engine)
    reaches the staged integer program's value on every level and keeps every quota; started
    from the previous budget's prices (as a sweep does) it proves the same levels."""
    communes = [commune(f"0000{i + 1}", lat=21.0 + 0.2 * i) for i in range(3)]
    offs = officials_of([{**q, "home": q["home"] % 2} for q in people])  # crowded homes
    secs = [secondee("S1", "00001"), secondee("S2", "00002", specialty="accounting")]
    secs += [secondee("S3", "00003", specialty="construction")]
    s = scenario(communes, officials=offs, secondees=secs, secondee_budget=top)
    base = prepare(s, RULES)
    outside = engines.budget_free_flows(base, "flow")
    start = None
    for b in range(top + 1):
        p = base.with_budget(b)
        r = default_equals_staged_ip(p)
        if r.status != SolveStatus.OPTIMAL:
            continue
        assert r.flows is not None and not p.over_quota(r.flows)
        if start is not None and outside is not None:
            warm = engines.solve(p, "flow", outside=outside, start=start)
            assert warm.status == SolveStatus.OPTIMAL and warm.levels == r.levels
        start = r.certificate


def test_a_breakpoint_of_one_units_price_is_walked_to_its_quota(monkeypatch):
    """On the bundled province with every candidate seconded, one unit's price ends between
    two adjacent prices, one over its quota and one short of it: Newton's method on that
    price finds the breakpoint, and the cycles between the two flows there land the unit on
    its quota (proven; every level equal to the staged LP's)."""
    from solver.cli import _rules
    from solver.engines import lagrange
    from solver.io import load_scenario
    from solver.io.whatif import parse_sets
    from solver.paths import bundled_scenario

    s = load_scenario(bundled_scenario(), parse_sets(("secondee_budget=97",)))
    p = prepare(s, _rules(None, s))
    order = list(p.order)
    relaxed = flow.solve(p, order)
    settled = record_proofs(monkeypatch, "_settle")
    found = lagrange.quota_search(p, order, relaxed.flows, deadline=float("inf"))
    assert found.proven and settled == [True]
    assert not p.over_quota(found.flows)
    lp = general.solve(p, order, 60, warm=relaxed.flows)
    assert lp.status == SolveStatus.OPTIMAL
    assert p.network.level_values(found.flows) == lp.levels


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    people=st.lists(person, min_size=3, max_size=12),
    budget=st.integers(0, 3),
    prices=st.lists(st.integers(0, 8), min_size=3, max_size=3),
)
def test_a_proof_on_the_face_is_the_staged_integer_programs_optimum(people, budget, prices):
    """From the optimal flow at any prices, the linear programme on the arcs of small reduced
    cost either proves a plan, and then every level is the staged integer program's, or
    says it cannot (None): its proof is checked in integers, never taken from the LP."""
    from solver.engines import lagrange

    communes = [commune(f"0000{i + 1}", lat=21.0 + 0.2 * i) for i in range(3)]
    offs = officials_of([{**q, "home": q["home"] % 2} for q in people])
    secs = [secondee("S1", "00001"), secondee("S2", "00002", specialty="accounting")]
    secs += [secondee("S3", "00003", specialty="construction")]
    p = prepare(scenario(communes, officials=offs, secondees=secs, secondee_budget=budget), RULES)
    relaxed = flow.solve(p)
    if not relaxed.ok or not p.official_caps:
        return
    part = lagrange._Part(p, list(p.order), relaxed.flows)
    price = np.array((prices * 2)[: len(part.units)], dtype=np.int64)
    x = part.solve(lagrange.PRICE_DEN, price)
    found = lagrange._face(part, x, lagrange.PRICE_DEN, price)
    if found is None:
        return
    assert found.proven and not p.over_quota(found.flows)
    mip = general.solve(p, lp_first=False)
    assert mip.status == SolveStatus.OPTIMAL
    assert p.network.level_values(found.flows) == mip.levels


def test_several_units_between_adjacent_prices_are_proven_on_the_face(tmp_path, monkeypatch):
    """A generated province (Huế) at a budget where the quota search leaves several units
    between adjacent prices: the linear programme on the face of the last flow proves the
    optimum (no hand-over to the general engine), every level equal to the staged LP's."""
    from solver import generate
    from solver.cli import _rules
    from solver.io import load_scenario
    from solver.io.whatif import parse_sets

    generate.write("46", tmp_path / "hue")
    s = load_scenario(tmp_path / "hue", parse_sets(("secondee_budget=34",)))
    p = prepare(s, _rules(None, s))
    faced = record_proofs(monkeypatch, "_face")
    r = engines.solve(p, "flow")
    assert faced == [True]
    assert (r.status, r.method) == (SolveStatus.OPTIMAL, "Lagrangian")
    lp = general.solve(p, list(p.order), 120)
    assert lp.status == SolveStatus.OPTIMAL and r.levels == lp.levels


def test_a_slack_max_moves_stays_with_the_flow_engine():
    r = engines.solve(prepare(tiny(max_moves=5), RULES), "flow")
    assert r.engine == "flow" and r.status == SolveStatus.OPTIMAL


def test_weights_dominate_every_lower_level():
    """M_i = 1 + sum of M_j * R_j over lower levels: one unit of a level outweighs the
    largest possible change of all levels below it."""
    p = prepare(tiny(), RULES)
    rng = flow.ranges(p)
    m = flow.multipliers(list(LEVELS), rng)
    for i, lv in enumerate(LEVELS):
        below = sum(m[x] * rng[x] for x in LEVELS[i + 1 :])
        assert m[lv] > below
    assert m[LEVELS[-1]] == 1


def test_infeasible_is_a_result_not_an_exception():
    communes = [commune("00001")]
    offs = [official(f"P{i}", "90001", pinned=True) for i in range(4)]
    p = prepare(scenario(communes, officials=offs), RULES)  # quota 2, four pinned
    for engine in engines.ENGINES:
        assert engines.solve(p, engine).status == SolveStatus.INFEASIBLE


def test_a_time_limit_never_shows_a_solver_infinity():
    """Stopped by the time limit at any stage: a level without a finite bound has bound and
    gap None (JSON null, "no bound"), never ±1e20; a stage cut short keeps the plan of the
    stages before it (FEASIBLE); no plan at all says the time limit ended it."""
    import math

    from solver.cli import _rules
    from solver.engines import general
    from solver.io import load_scenario
    from solver.io.whatif import parse_sets
    from solver.paths import bundled_scenario
    from solver.problem import prepare

    s = load_scenario(bundled_scenario(), parse_sets(("max_moves=60",)))
    p = prepare(s, _rules(None, s))
    for limit in (0.05, 2.5):
        r = general.solve(p, list(p.order), limit, lp_first=False, hint=False)
        for lv, b in r.bounds.items():
            assert b is None or (math.isfinite(b) and abs(b) < 1e15), (lv, b)
            if b is None:
                assert r.gap[lv] is None
        for g in r.gap.values():
            assert g is None or abs(g) <= 1e6
        if r.status == "ERROR":
            assert "time limit" in r.message and r.flows is None
        elif r.status == "FEASIBLE":
            assert r.flows is not None


def test_a_max_moves_below_the_decided_moves_is_explained_in_rule_terms():
    """Decisions that assign more officials away from their unit than max_moves allows: the
    search finds no plan within the limit, and the explanation names the rows and the limit."""
    from models import Decision, DecisionKind

    s = tiny(max_moves=1)
    moved = [Decision(id=f"P{i}", decision=DecisionKind.assign, commune="00002") for i in (0, 1)]
    s = s.model_copy(update={"decisions": tuple(moved)})
    o = run.solve(s, RULES)
    assert o.result.status == SolveStatus.INFEASIBLE
    assert [str(x) for x in o.explanation] == [
        "decisions assign 2 officials to units other than their own (rows 2, 3), more than "
        "max_moves 1"
    ]


TWO_BLOCS = parse_rule_set(
    RULES_TEXT
    + """  party:
    base: {positions: 1, source: t}
    specialty_template:
      - {specialty: office, minimum: 1, weight: 1, source: t}
""",
    "p2.yaml",
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=st.lists(person, min_size=2, max_size=10), budget=st.integers(0, 2))
def test_separate_blocs_settled_by_the_flow_while_the_lp_solves_the_rest(people, budget):
    """Where the relaxation breaks the officials' quota, the LP solves only the part of the
    network the side constraint touches (the secondee bloc); the other blocs keep the flow's
    optimum. Every level equals the staged integer program's on the whole network."""
    communes = [commune(f"0000{i + 1}", lat=21.0 + 0.2 * i) for i in range(3)]
    offs = [
        official(
            f"P{i}",
            f"9000{q['home'] % 3 + 1}",
            specialty=q["specialty"],
            can_relocate=q["can_relocate"],
            bloc="party" if i % 2 else "government",
        )
        for i, q in enumerate(people)
    ]
    secs = [secondee("S1", "00001"), secondee("S2", "00003", specialty="accounting")]
    s = scenario(communes, officials=offs, secondees=secs, secondee_budget=budget)
    p = prepare(s, TWO_BLOCS)
    r = default_equals_staged_ip(p)
    if r.status == SolveStatus.OPTIMAL:
        assert r.flows is not None and not p.over_quota(r.flows)
    if r.engine == "general" and r.flows is not None:
        assert general._settled(p, engines.flow.solve(p).flows) is not None
