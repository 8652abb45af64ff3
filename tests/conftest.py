"""Shared fixtures: a tiny valid scenario folder written from Python data."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

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


@pytest.fixture
def make_scenario(tmp_path: Path) -> Callable[..., Path]:
    """Write a tiny scenario; keyword arguments replace tables (lists of dicts) or the yaml."""

    def make(**tables: Any) -> Path:
        folder = tmp_path / "scenario"
        folder.mkdir(exist_ok=True)
        (folder / "scenario.yaml").write_text(tables.pop("yaml", YAML), encoding="utf-8")
        data = {
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

    return make
