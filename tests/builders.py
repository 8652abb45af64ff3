"""The one fixture system of the tests: tiny scenarios built in Python (rows and whole
`Scenario`s), the same rows written as a scenario folder, and the golden scenarios.

conftest.py turns these into pytest fixtures; test modules import the builders from here."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import yaml

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


# --- the same kind of scenario as CSV rows, for reader and CLI tests ---
COMMUNES = [
    dict(
        code="00001",
        name="Xã Một",
        kind="commune",
        area_km2="120.5",
        population="9000",
        population_source="estimated",
        lat="21.40",
        lon="103.00",
        border="false",
        complex_security="false",
        political_center="false",
        mountainous="true",
        party_members="450",
    ),
    dict(
        code="00002",
        name="Phường Hai",
        kind="ward",
        area_km2="20",
        population="15000",
        population_source="reported",
        lat="21.50",
        lon="103.10",
        border="false",
        complex_security="false",
        political_center="true",
        mountainous="false",
        party_members="",
    ),
]
OLD_UNITS = [
    dict(code="10001", name="Xã A", district="Huyện X", successor="00001", part_of=""),
    dict(code="10002", name="Xã B", district="Huyện X", successor="00001", part_of=""),
    dict(code="10003", name="Phường C", district="Thành phố Y", successor="00002", part_of=""),
]
OFFICIAL = dict(
    id="P1",
    name="Lò Văn A",
    category="civil_servant",
    bloc="government",
    specialty="accounting",
    specialties="",
    tier="commune",
    origin="10001",
    current="",
    can_relocate="true",
    max_km="",
    intention="stay",
    pinned="false",
    leader="false",
    available_until="",
)
SECONDEE = dict(
    id="S1",
    name="Cà Thị B",
    department="Department of Finance",
    specialty="accounting",
    base="00002",
    available="true",
    max_km="",
    start="2025-10-20",
    end="2026-04-20",
)
YAML = """name: tiny
province: Tỉnh Thử
rule_set: dien-bien-draft-2025
as_of: 2025-10-20
"""


def write_csv(path: Path, rows: list[dict[str, Any]], header: list[str] | None = None) -> None:
    header = header or list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, header, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow(r)


def write_folder(folder: Path, **tables: Any) -> Path:
    """Write a tiny scenario folder; keyword arguments replace tables (lists of dicts; an
    empty list writes the header only; None writes no file) or the yaml."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scenario.yaml").write_text(tables.pop("yaml", YAML), encoding="utf-8")
    data: dict[str, Any] = {
        "communes": COMMUNES,
        "old_units": OLD_UNITS,
        "officials": [OFFICIAL, {**OFFICIAL, "id": "P2", "origin": "10003"}],
        "secondees": [SECONDEE],
    }
    data.update(tables)
    for name, rows in data.items():
        if rows is None:
            continue
        if rows:
            write_csv(folder / f"{name}.csv", rows)
        else:
            header = {"officials": list(OFFICIAL), "secondees": list(SECONDEE)}.get(name, [])
            (folder / f"{name}.csv").write_text(",".join(header) + "\n", encoding="utf-8")
    return folder


GOLDEN = Path(__file__).parent / "golden"


def folder_to_workbook(folder: Path, out: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "scenario"
    ws.append(["key", "value"])
    for k, v in yaml.safe_load((folder / "scenario.yaml").read_text("utf-8")).items():
        if isinstance(v, dict):  # a mapping (road_factor): YAML flow text in one cell
            v = yaml.safe_dump(v, default_flow_style=True, allow_unicode=True, width=10**6)
        ws.append([k, ";".join(v) if isinstance(v, list) else v])
    for f in sorted(folder.glob("*.csv")):
        sheet = wb.create_sheet(f.stem)
        with f.open(encoding="utf-8") as fh:
            for row in csv.reader(fh):
                # numbers as numbers, like a planner's workbook (codes lose leading zeros)
                sheet.append([float(c) if c.replace(".", "", 1).isdigit() else c for c in row])
    wb.save(out)
    return out
