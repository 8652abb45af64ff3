"""Build tiny scenarios in Python, for rule and engine tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from models import (
    Commune,
    Distance,
    Need,
    Official,
    OldUnit,
    Scenario,
    ScenarioConfig,
    Secondee,
    Specialty,
)
from solver.io.reader import _read_csv
from solver.paths import default_specialties_file


def specialties() -> tuple[Specialty, ...]:
    t = _read_csv(default_specialties_file(), [])
    assert t is not None
    return tuple(
        Specialty.model_validate({k: v for k, v in r.items() if k != "__row__"}) for r in t.rows
    )


def commune(code: str, **kw: Any) -> Commune:
    data: dict[str, Any] = dict(
        code=code,
        name=f"Xã {code}",
        kind="commune",
        area_km2=100.0,
        population=5000,
        population_source="reported",
        lat=21.4,
        lon=103.0,
        border=False,
        complex_security=False,
        political_center=False,
        mountainous=True,
        party_members=300,
    )
    data.update(kw)
    return Commune.model_validate(data)


def official(pid: str, origin: str, **kw: Any) -> Official:
    data: dict[str, Any] = dict(
        id=pid,
        name=f"Person {pid}",
        category="civil_servant",
        bloc="government",
        specialty="office",
        tier="commune",
        origin=origin,
        can_relocate=True,
        intention="stay",
        pinned=False,
        leader=False,
    )
    data.update(kw)
    return Official.model_validate(data)


def secondee(sid: str, base: str, **kw: Any) -> Secondee:
    data: dict[str, Any] = dict(
        id=sid,
        name=f"Secondee {sid}",
        department="Department of Finance",
        specialty="accounting",
        base=base,
        available=True,
        start=dt.date(2025, 10, 20),
        end=dt.date(2026, 4, 20),
    )
    data.update(kw)
    return Secondee.model_validate(data)


def scenario(
    communes: list[Commune],
    old_units: dict[str, str] | None = None,
    officials: list[Official] | None = None,
    secondees: list[Secondee] | None = None,
    needs: list[Need] | None = None,
    distances: dict[tuple[str, str], float] | None = None,
    **config: Any,
) -> Scenario:
    """old_units: old code -> successor; default one old unit per commune (code 9xxxx)."""
    if old_units is None:
        old_units = {"9" + c.code[1:]: c.code for c in communes}
    olds = tuple(
        OldUnit(code=k, name=f"Xã cũ {k}", district="Huyện X", successor=v)
        for k, v in old_units.items()
    )
    cfg: dict[str, Any] = dict(
        name="tiny", province="Thử", rule_set="dien-bien-draft-2025", as_of=dt.date(2025, 10, 20)
    )
    cfg.update(config)
    return Scenario(
        config=ScenarioConfig.model_validate(cfg),
        communes=tuple(communes),
        old_units=olds,
        officials=tuple(officials or [official("P1", olds[0].code)]),
        secondees=tuple(secondees or []),
        needs=tuple(needs or []),
        specialties=specialties(),
        distances=tuple(
            Distance.model_validate({"from": a, "to": b, "km": k})
            for (a, b), k in (distances or {}).items()
        ),
    )
