"""The problem layer: `prepare` turns a scenario into classes, quotas and a network, and
refuses, located, what it cannot model."""

from __future__ import annotations

import pytest
from builders import COMMUNES, commune, folder_to_workbook, official, scenario, secondee

from models import Bloc, Category, Freedom, InputError, PlanStatus
from solver.io import load_scenario
from solver.io.rules import load_rule_set, parse_rule_set
from solver.problem import (
    NEED,
    QUOTA,
    UNPLACED,
    explain_infeasible,
    prepare,
)
from solver.quotas import QuotaError

RULES = parse_rule_set(
    """name: tiny
title: tiny rules
sources: {t: {document: T}}
blocs:
  government:
    base: {positions: 2, source: t}
    specialty_template:
      - {specialty: accounting, minimum: 1, weight: 2, source: t}
""",
    "tiny.yaml",
)


def two_communes(officials, **config):
    return scenario([commune("00001"), commune("00002", lat=21.6)], officials=officials, **config)


def test_interchangeable_officials_form_one_class_in_keep_priority_order():
    offs = [
        official("B", "90001", category="part_time"),
        official("A", "90001", tier="district"),
        official("C", "90001", leader=True),
        official("D", "90001"),
        official("E", "90001", can_relocate=False),
        official("F", "90001", pinned=True),
        official("G", "90001", max_km=30),
        official("H", "90001", specialties=["accounting"]),
    ]
    s = two_communes(offs)
    wide = s.model_copy(
        update={"config": s.config.model_copy(update={"categories": list(Category)})}
    )
    p = prepare(wide, RULES)
    by_members = {tuple(k.members): k for k in p.classes}
    # leaders, then commune tier, then category rank, then id
    assert ("C", "D", "B", "A") in by_members  # B: commune tier, though a part-timer
    assert by_members[("E",)].freedom == Freedom.fixed
    assert by_members[("F",)].freedom == Freedom.pinned
    assert by_members[("G",)].max_km == 30
    assert by_members[("H",)].specialties == ("office", "accounting")
    assert p.pinned_count == {("00001", "government"): 1}


def test_people_outside_the_plan_get_their_status_and_reason():
    offs = [
        official("P1", "90001"),
        official("P2", "90001", intention="resign"),
        official("P3", "90001", bloc="party", specialty="party_office"),
        official("P4", "90001", category="part_time", available_until="2025-05-31"),
    ]
    secs = [
        secondee("S1", "00001", available=False),
        secondee("S2", "00001", start="2026-01-01", end="2026-06-30"),
    ]
    p = prepare(
        two_communes(offs, secondee_budget=3).model_copy(update={"secondees": tuple(secs)}), RULES
    )
    assert p.status_of == {
        "P2": (PlanStatus.leaves, "leaves: resigns"),
        "P3": (PlanStatus.out_of_scope, "out of scope: bloc party is not planned"),
        "P4": (PlanStatus.out_of_scope, "out of scope: available until 2025-05-31"),
        "S1": (PlanStatus.not_selected, "not selected: not available for secondment"),
        "S2": (
            PlanStatus.not_selected,
            "not selected: secondment 2026-01-01–2026-06-30 does not cover 2025-10-20",
        ),
    }
    assert [m for k in p.classes for m in k.members] == ["P1"]
    assert p.budget == 0  # no candidate can be sent


def test_budget_is_capped_by_the_candidates():
    secs = [secondee("S1", "00001"), secondee("S2", "00002")]
    s = two_communes([official("P1", "90001")], secondee_budget=52)
    p = prepare(s.model_copy(update={"secondees": tuple(secs)}), RULES)
    assert p.budget == 2


def test_network_holds_quotas_needs_and_readable_names():
    offs = [official("P1", "90001"), official("P2", "90002", pinned=True)]
    p = prepare(two_communes(offs), RULES)
    net = p.network
    quota_caps = [net.cap[a] for a, k in enumerate(net.kind) if k == QUOTA]
    need_caps = [net.cap[a] for a, k in enumerate(net.kind) if k == NEED]
    assert quota_caps == [2, 2] and need_caps == [1, 1]
    assert net.offsets["quota_shortage"] == 4 and net.offsets["specialty_shortage"] == 2 * 2
    # the pinned class has no way to stay unplaced
    unplaced_owners = {net.owner[a] for a, k in enumerate(net.kind) if k == UNPLACED}
    pinned = next(k.index for k in p.classes if k.freedom == Freedom.pinned)
    assert pinned not in unplaced_owners
    assert "C[commune=00001,bloc=government]" in net.names
    assert "S[commune=00002,bloc=government,specialty=accounting]" in net.names


def test_a_bloc_without_a_rule_is_a_located_input_error():
    s = two_communes([official("P1", "90001")], blocs=[Bloc.government, Bloc.military])
    with pytest.raises(InputError) as e:
        prepare(s, RULES)
    assert [i.text() for i in e.value.issues] == [
        "scenario.yaml, key blocs: found 'military', expected blocs that rule set tiny gives "
        "quotas for (government): add a quota rule for it to the rule set, or leave it out of "
        "blocs"
    ]


def test_quota_problems_point_at_the_workbook_sheet_and_row(make_scenario, tmp_path):
    """The Party bloc needs each unit's Party members; a blank cell is located in the sheet
    the planner edits, not in a CSV file that does not exist."""
    rows = [COMMUNES[1], {**COMMUNES[0], "party_members": ""}]
    folder = make_scenario(communes=rows, yaml=_yaml_with_blocs("[government, party]"))
    book = folder_to_workbook(folder, tmp_path / "book.xlsx")
    s = load_scenario(book)
    with pytest.raises(QuotaError) as e:
        prepare(s, load_rule_set("dien-bien-draft-2025"))
    issue = e.value.issues[0]
    assert (issue.table, issue.row, issue.column) == (
        "book.xlsx, sheet communes",
        3,
        "party_members",
    )
    with pytest.raises(QuotaError) as e2:
        prepare(load_scenario(folder), load_rule_set("dien-bien-draft-2025"))
    assert (e2.value.issues[0].table, e2.value.issues[0].row) == ("communes.csv", 3)


def _yaml_with_blocs(blocs: str) -> str:
    from builders import YAML

    return YAML + f"blocs: {blocs}\n"


def test_infeasible_pins_are_explained_in_rule_terms():
    offs = [official(f"P{i}", "90001", pinned=True) for i in range(3)]
    p = prepare(two_communes(offs), RULES)
    assert explain_infeasible(p) == [
        "commune 00001 (Xã 00001), government bloc: 3 pinned officials exceed its quota of 2 "
        "(rule set tiny: terms give 2 → 2)"
    ]
