"""Class-level solution → a person-by-person plan, commune summaries and metrics.

Who is who inside a class. The engines decide how many of a class of interchangeable officials
stay, move where (to fill which specialty) and stay unplaced. People are handed those outcomes
in keep-priority order (leaders, then commune-tier staff, then cadre, civil servant, public
employee, contract, part-time, then id): the first ones stay, the next ones move — nearest
destinations first, then by commune code and specialty — and the last ones are unplaced.
Secondees of a class (same specialty, base and max_km) are selected by id.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from solver.engines.base import Result
from solver.problem import (
    PLACE_COMMUNE,
    PLACE_SLOT,
    SEC_COMMUNE,
    SEC_SLOT,
    UNPLACED,
    Problem,
)

PLAN_COLUMNS = [
    "id",
    "kind",
    "name",
    "bloc",
    "category",
    "specialty",
    "from",
    "to",
    "status",
    "km",
    "fills",
    "reason",
]


def build_plan(p: Problem, result: Result) -> pd.DataFrame:
    assert result.flows is not None
    s = p.scenario
    net = p.network
    flows = result.flows
    names = {c.code: c.name for c in s.communes}
    succ = {o.code: o.successor for o in s.old_units}
    by_class_arcs: dict[int, list[tuple[int, str, str, int]]] = defaultdict(list)
    by_sec_arcs: dict[int, list[tuple[int, str, str, int]]] = defaultdict(list)
    for a in np.flatnonzero(flows):
        kind = net.kind[a]
        item = (int(kind), net.commune[a], net.specialty[a], int(flows[a]))
        if kind in (PLACE_SLOT, PLACE_COMMUNE, UNPLACED):
            by_class_arcs[net.owner[a]].append(item)
        elif kind in (SEC_SLOT, SEC_COMMUNE):
            by_sec_arcs[net.owner[a]].append(item)

    outcome: dict[str, dict[str, Any]] = {}
    for k in p.classes:
        stays, moves, unplaced = [], [], 0
        for kind, c, spec, f in by_class_arcs.get(k.index, []):
            if kind == UNPLACED:
                unplaced += f
            elif c == k.current:
                stays.append((0, kind != PLACE_SLOT, spec, c, f))
            else:
                moves.append((p.km[(k.current, c)], c, kind != PLACE_SLOT, spec, f))
        seq: list[tuple[str, str, str]] = []  # (status, to, fills-slot)
        for _z, _not_slot, spec, c, f in sorted(stays):
            seq += [("stays", c, spec)] * f
        for _d, c, _not_slot, spec, f in sorted(moves):
            seq += [("moves", c, spec)] * f
        seq += [("unplaced", "", "")] * unplaced
        assert len(seq) == len(k.members), (k, len(seq))
        for pid, (status, to, spec) in zip(k.members, seq, strict=True):
            outcome[pid] = {"status": status, "to": to, "slot": spec}

    sec_out: dict[str, dict[str, Any]] = {}
    for q in p.secondee_classes:
        seq2 = []
        for _kind, c, spec, f in sorted(
            by_sec_arcs.get(q.index, []), key=lambda x: (p.km[(q.base, x[1])], x[1], x[2])
        ):
            seq2 += [(c, spec)] * f
        for i, sid in enumerate(q.members):
            sec_out[sid] = {"to": seq2[i][0], "slot": seq2[i][1]} if i < len(seq2) else {}

    # placed counts for the reasons of the unplaced
    placed: dict[tuple[str, str], int] = defaultdict(int)
    placed_bloc: dict[str, int] = defaultdict(int)
    off_by_id = {x.id: x for x in s.officials}
    for pid, o in outcome.items():
        if o["status"] in ("stays", "moves"):
            b = off_by_id[pid].bloc.value
            placed[(o["to"], b)] += 1
            placed_bloc[b] += 1
    sec_bloc = s.config.secondee_bloc.value
    for o in sec_out.values():
        if o:
            placed[(o["to"], sec_bloc)] += 1
    used = sum(1 for o in sec_out.values() if o)

    rows = []
    for x in s.officials:
        cur = x.current or succ[x.origin]
        row = {
            "id": x.id,
            "kind": "official",
            "name": x.name,
            "bloc": x.bloc.value,
            "category": x.category.value,
            "specialty": x.specialty,
            "from": cur,
            "to": "",
            "km": 0,
            "fills": "",
        }
        if x.id in p.status_of:
            row["status"], row["reason"] = p.status_of[x.id]
        else:
            o = outcome[x.id]
            row["status"] = o["status"]
            if o["status"] == "unplaced":
                row["reason"] = _unplaced_reason(p, x, cur, placed, placed_bloc, names)
            else:
                to = o["to"]
                fills = o["slot"] or x.specialty
                row.update(to=to, km=p.km[(cur, to)], fills=fills)
                if o["status"] == "stays":
                    row["reason"] = f"stays at {names[to]}" + (
                        f", filling the {o['slot']} need" if o["slot"] else ""
                    )
                else:
                    what = f"{o['slot']}" if o["slot"] else "a quota vacancy"
                    row["reason"] = f"moves {p.km[(cur, to)]} km to fill {what} at {names[to]}"
        rows.append(row)
    for cand in s.secondees:
        row = {
            "id": cand.id,
            "kind": "secondee",
            "name": cand.name,
            "bloc": "",
            "category": "",
            "specialty": cand.specialty,
            "from": cand.base,
            "to": "",
            "km": 0,
            "fills": "",
        }
        if cand.id in p.status_of:
            row["status"], row["reason"] = p.status_of[cand.id]
        elif sec_out.get(cand.id):
            o = sec_out[cand.id]
            d = p.km[(cand.base, o["to"])]
            what = o["slot"] or "a quota vacancy"
            row.update(
                bloc=sec_bloc,
                to=o["to"],
                km=d,
                fills=o["slot"] or cand.specialty,
                status="seconded",
                reason=(
                    f"seconded {d} km from {names[cand.base]} to fill {what} at {names[o['to']]}"
                ),
            )
        else:
            row["status"] = "not_selected"
            row["reason"] = (
                f"not selected: the budget of {p.budget} is used"
                if used >= p.budget
                else "not selected: no gap within reach that a secondee would fill at a lower cost"
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=PLAN_COLUMNS)


def _unplaced_reason(
    p: Problem,
    x: Any,
    cur: str,
    placed: dict[tuple[str, str], int],
    placed_bloc: dict[str, int],
    names: dict[str, str],
) -> str:
    b = x.bloc.value
    q = p.quota_of[(cur, b)]
    total = p.total_of[b]
    fixed = "" if x.can_relocate else " (cannot relocate)"
    if total is not None and placed_bloc[b] >= total:
        return f"unplaced{fixed}: the province total of {total} for the {b} bloc is reached"
    if placed[(cur, b)] >= q:
        return f"unplaced{fixed}: {names[cur]} is at its quota of {q}"
    return f"unplaced{fixed}: no vacancy within reach is worth the move"
