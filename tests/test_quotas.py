"""Each quota rule alone on a tiny instance, with an exact expected figure."""

from __future__ import annotations

import pytest
from builders import commune, scenario

from models import Bloc
from solver import quotas
from solver.io.rules import load_rule_set

DB = load_rule_set("dien-bien-draft-2025")
CV09 = load_rule_set("cv09-bcd-2025")


def gov(s, rs=DB, bloc="government"):
    return quotas.compute(s, rs, [Bloc(bloc)]).to_frame().set_index("commune")


@pytest.mark.parametrize(
    ("area", "expected"), [(199, 0), (200, 0), (249, 0), (249.99, 0), (250, 1), (300, 2)]
)
def test_area_steps_above_200_percent(area, expected):
    q = gov(scenario([commune("00001", area_km2=area)]))
    assert q.loc["00001", "area"] == expected
    assert q.loc["00001", "quota"] == 28 + expected


@pytest.mark.parametrize(
    ("pop", "expected"), [(9950, 0), (10000, 0), (12450, 0), (12500, 1), (15000, 2)]
)
def test_population_steps_above_200_percent(pop, expected):
    q = gov(scenario([commune("00001", population=pop)]))
    assert q.loc["00001", "population"] == expected


def test_ward_standard_and_bonus():
    q = gov(
        scenario([commune("00001", kind="ward", area_km2=5.5, population=15000, mountainous=False)])
    )
    assert q.loc["00001", "reorganized_ward"] == 3
    assert q.loc["00001", "area"] == 0
    assert q.loc["00001", "quota"] == 31


def test_ward_versus_commune_caps():
    s = scenario([commune("00001", area_km2=1000), commune("00002", kind="ward", area_km2=55)])
    q = gov(s)
    assert q.loc["00001", "before_cap"] == 28 + 16
    assert q.loc["00001", "quota"] == 36
    assert q.loc["00002", "before_cap"] == 28 + 16 + 3
    assert q.loc["00002", "quota"] == 39
    assert "capped at 39 (terms give 47)" in q.loc["00002", "flags"]


def test_flag_bonuses():
    s = scenario(
        [commune("00001", border=True), commune("00002", complex_security=True), commune("00003")]
    )
    q = gov(s)
    assert q.loc["00001", "border"] == 1 and q.loc["00001", "quota"] == 29
    assert q.loc["00002", "complex_security"] == 1 and q.loc["00002", "quota"] == 29
    assert q.loc["00003", "quota"] == 28


def test_formed_from_three_old_units():
    s = scenario(
        [commune("00001"), commune("00002")],
        old_units={
            "10001": "00001",
            "10002": "00001",
            "10003": "00002",
            "10004": "00002",
            "10005": "00002",
        },
    )
    q = gov(s)
    assert q.loc["00001", "formed_from_3"] == 0
    assert q.loc["00002", "formed_from_3"] == 1


def test_split_old_unit_counts_for_every_unit_it_went_to():
    from models import OldUnit

    s = scenario(
        [commune("00001"), commune("00002")],
        old_units={"10001": "00001", "10002": "00001", "10003": "00002"},
    )
    olds = list(s.old_units)
    olds[2] = OldUnit(
        code="10003", name="Xã cũ", district="H", successor="00002", part_of=["00001"]
    )
    s = s.model_copy(update={"old_units": tuple(olds)})
    assert quotas.old_unit_counts(s) == {"00001": 3, "00002": 1}


def test_trim_to_province_total_is_proportional_to_room():
    s = scenario(
        [commune("00001", area_km2=300), commune("00002", area_km2=400), commune("00003")],
        province_total={"government": 87},
    )
    q = gov(s)
    assert list(q["capped"]) == [30, 32, 28]
    assert list(q["trim"]) == [1, 2, 0]
    assert list(q["quota"]) == [29, 30, 28]
    assert "trimmed by 2 to meet the province total 87" in q.loc["00002", "flags"]
    df = quotas.compute(s, DB, [Bloc.government])
    assert df.summary[0].trimmed == 3
    assert df.summary[0].total_source == "scenario.yaml province_total"


def test_trim_never_below_base_and_says_so():
    s = scenario(
        [commune("00001", area_km2=300), commune("00002", area_km2=400), commune("00003")],
        province_total={"government": 80},
    )
    df = quotas.compute(s, DB, [Bloc.government])
    assert [r.quota for r in df.rows] == [28, 28, 28]
    sm = df.summary[0]
    assert sm.shortfall == 4
    assert "still exceeds the total by 4" in sm.notes[0]


def test_headroom_reported():
    s = scenario([commune("00001")])
    df = quotas.compute(s, DB, [Bloc.government])
    assert df.summary[0].headroom == 1440 - 28


def test_trim_ties_are_deterministic():
    s = scenario(
        [commune("00002", area_km2=300), commune("00001", area_km2=300)],
        province_total={"government": 59},
    )
    q = gov(s)
    assert q.loc["00001", "trim"] == 1 and q.loc["00002", "trim"] == 0  # smaller code first


@pytest.mark.parametrize(
    ("members", "positions", "chosen"),
    [
        (0, 15, False),
        (399, 15, False),
        (400, 15, True),
        (499, 15, True),
        (500, 16, False),
        (799, 16, False),
        (800, 17, False),
        (5000, 17, False),
    ],
)
def test_party_brackets(members, positions, chosen):
    q = gov(scenario([commune("00001", party_members=members)]), bloc="party")
    assert q.loc["00001", "party_members"] == positions
    assert q.loc["00001", "quota"] == positions
    assert ("not stated by the source" in q.loc["00001", "flags"]) is chosen


def test_party_political_centre_and_missing_count():
    q = gov(
        scenario(
            [
                commune(
                    "00001",
                    kind="ward",
                    political_center=True,
                    party_members=450,
                    mountainous=False,
                )
            ]
        ),
        bloc="party",
    )
    assert q.loc["00001", "quota"] == 20
    with pytest.raises(quotas.QuotaError) as e:
        gov(scenario([commune("00001", party_members=None)]), bloc="party")
    assert e.value.issues[0].text() == (
        "communes.csv, row 2, column party_members: expected a number of Party members (rule set "
        "dien-bien-draft-2025 brackets party quotas on it)"
    )


@pytest.mark.parametrize(
    ("pop", "mountainous", "expected"),
    [
        (16000, True, 32),
        (16999, True, 32),
        (17000, True, 33),
        (20500, True, 36),
        (17999, False, 32),
        (18000, False, 33),
        (60000, True, 50),
    ],
)
def test_cv09_population_and_caps(pop, mountainous, expected):
    s = scenario([commune("00001", population=pop, mountainous=mountainous)])
    assert gov(s, CV09).loc["00001", "quota"] == expected


def test_cv09_ward_cap_and_no_total():
    s = scenario([commune("00001", kind="ward", population=100000, mountainous=False)])
    df = quotas.compute(s, CV09)
    assert df.rows[0].before_cap == 32 + 42
    assert df.rows[0].quota == 70
    assert df.summary[0].province_total is None


def test_estimated_population_is_flagged():
    s = scenario([commune("00001", population_source="estimated")])
    assert "population estimated" in gov(s).loc["00001", "flags"]


def test_needs_template_and_override():
    from models import Need

    s = scenario(
        [commune("00001")],
        needs=[Need(commune="00001", bloc="government", specialty="construction", minimum=3)],
    )
    df = quotas.compute(s, DB, [Bloc.government])
    n = df.needs_frame().set_index("specialty")
    assert n.loc["construction", "need"] == 3
    assert n.loc["construction", "source"] == "needs.csv"
    assert n.loc["accounting", "need"] == 2
    assert n.loc["accounting", "weight"] == 3
