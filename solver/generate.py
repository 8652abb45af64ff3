"""Build scenario folders from the real administrative geography and a synthetic roster.

Geography (codes, names, kinds, areas, coordinates, old units and their old districts, which
old units formed each new unit) comes from the `vietnamadminunits` dataset and the official
names and codes of `vietnam-provinces`. Populations are estimated (the packages carry none) and
the roster is synthetic: seeded, reproducible, calibrated to the figures of the domain brief.
Every constant of the calibration is listed in `CALIBRATION` and documented in docs/generate.md.
"""

from __future__ import annotations

import csv
import json
import random
import sqlite3
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from models import Commune, Official, OldUnit, Secondee
from solver.geo import great_circle_km
from solver.io.writer import replace_folder, table_csv
from solver.paths import data_root

# Calibration of the synthetic roster (see docs/generate.md for the source of each figure).
CALIBRATION: dict[str, Any] = {
    # Nậm Pồ old district: 120 district civil servants, 61 district public employees,
    # 297 commune civil servants, 179 part-time officials (domain brief).
    "district_share_of_cadres": 120 / (120 + 297),
    "district_public_employees_per_civil_servant": 61 / 120,
    "part_time_per_commune_civil_servant": 179 / 297,
    # Default when a province's cadre count is unknown: commune-tier cadres per old unit.
    "commune_cadres_per_old_unit": 16,
    # Nà Hỳ: of 47 part-timers, 23 want to retire.
    "part_time_leave_share": 23 / 47,
    "retire_share": 0.05,
    "resign_share": 0.02,
    "contract_share": 0.03,
    # Cadres and civil servants by bloc: in proportion to each bloc's typical commune quota
    # under the province's rule set (the midpoint of its base and its commune cap), so that no
    # bloc without a rule is generated (see _bloc_shares).
    "cadre_share": {"government": 0.10, "party": 0.45, "front": 0.60, "military": 0.20},
    "part_time_bloc_share": {"government": 0.30, "front": 0.40, "military": 0.30},
    # Relocation is costly in this terrain (brief): a quarter can move, most of them within a
    # short drive of home (road km, after the road factor).
    "can_relocate_share": 0.25,
    "max_km_share": 0.85,
    "max_km_choices": [15, 25, 40, 60],
    "leader_share": 0.08,
    "pinned_share_leaders": 0.50,
    "pinned_share_others": 0.02,
    "second_specialty_share": 0.08,
    # Population defaults per old unit when a province total is unknown (people).
    "old_unit_population": {"Xã": 7000, "Thị trấn": 10000, "Phường": 14000},
    "old_unit_weight": {"Xã": 1.0, "Thị trấn": 1.6, "Phường": 2.0},
    "party_member_ratio": 0.035,
    "part_time_until": "2026-05-31",
    "secondees_per_unit": 2,
    "secondee_unavailable_share": 0.05,
}

# Government-bloc specialty mix; scarce specialties thin out with distance from the centre.
GOV_SPECIALTY_WEIGHT = {
    "office": 10,
    "it_digital": 1,
    "records": 3,
    "justice_civil_status": 6,
    "finance_planning": 3,
    "accounting": 3,
    "construction": 3,
    "transport": 2,
    "industry_trade": 2,
    "agriculture": 10,
    "land_administration": 3,
    "environment": 1,
    "home_affairs": 4,
    "labour_social": 7,
    "ethnic_religious": 3,
    "education": 3,
    "culture_information": 7,
    "health": 2,
    "one_stop_desk": 8,
}
SCARCE = (
    "finance_planning",
    "accounting",
    "construction",
    "land_administration",
    "environment",
    "it_digital",
)
BLOC_SPECIALTY_WEIGHT = {
    "party": {"party_office": 3, "party_organization": 4, "propaganda_mobilization": 3},
    "front": {"front_office": 3, "mass_organizations": 7},
    "military": {"military_command": 1},
}
DEPARTMENTS = [
    ("Department of Finance", ["finance_planning", "accounting"], 20),
    ("Department of Construction", ["construction", "transport"], 14),
    (
        "Department of Agriculture and Environment",
        ["land_administration", "environment", "agriculture"],
        20,
    ),
    ("Department of Science and Technology", ["it_digital"], 10),
    ("Department of Home Affairs", ["home_affairs", "labour_social"], 8),
    ("Department of Justice", ["justice_civil_status"], 6),
    ("Department of Culture, Sports and Tourism", ["culture_information"], 6),
    ("Department of Education and Training", ["education"], 5),
    ("Department of Health", ["health"], 5),
    ("Department of Ethnic and Religious Affairs", ["ethnic_religious"], 3),
]

FAMILY = [
    "Lò",
    "Quàng",
    "Lường",
    "Cà",
    "Giàng",
    "Sùng",
    "Vàng",
    "Mùa",
    "Thào",
    "Lý",
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Đỗ",
    "Lù",
    "Tòng",
    "Hờ",
    "Chang",
]
MIDDLE_M = ["Văn", "A", "Seo", "Đức", "Minh", "Công"]
MIDDLE_F = ["Thị", "Thị", "Ngọc", "Thu"]
GIVEN = [
    "Anh",
    "Bình",
    "Chính",
    "Dũng",
    "Dương",
    "Hà",
    "Hải",
    "Hạnh",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Ngọc",
    "Phong",
    "Phương",
    "Quang",
    "Sơn",
    "Thắng",
    "Thanh",
    "Thảo",
    "Thu",
    "Trang",
    "Tuấn",
    "Vân",
    "Xuân",
    "Páo",
    "Chứ",
    "Dế",
    "Tông",
    "Sinh",
    "Pó",
    "Chung",
    "Lả",
    "Ly",
]

KIND = {"Xã": "commune", "Phường": "ward", "Đặc khu": "special_zone"}


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


@dataclass
class NewUnit:
    code: str
    name: str
    kind: str
    area_km2: float
    lat: float
    lon: float
    key: str
    old: list[str] = field(default_factory=list)  # old keys wholly or by default absorbed
    parts: list[str] = field(default_factory=list)  # old keys partly absorbed (split units)
    area_estimated: bool = False


@dataclass
class Old:
    key: str
    code: str
    name: str
    type: str
    district: str
    district_code: str
    lat: float
    lon: float
    successor: str = ""
    part_of: list[str] = field(default_factory=list)


@dataclass
class Geography:
    code: str
    name: str
    lat: float
    lon: float
    units: list[NewUnit]
    old: list[Old]


def _pkg_file(name: str) -> Path:
    return Path(str(resources.files("vietnamadminunits") / "data" / name))


def provinces() -> list[tuple[str, str]]:
    """(2-digit code, official name) of the 34 provinces, from vietnam-provinces."""
    from vietnam_provinces import Province

    return sorted((f"{int(p.code):02d}", nfc(p.name)) for p in Province.iter_all())


def load_geography(province_code: str) -> Geography:
    """The real geography of one province from the two packages."""
    from vietnam_provinces import Ward

    names = {f"{int(w.code):05d}": nfc(w.name) for w in Ward.iter_all()}
    pname = dict(provinces())[province_code]
    db = sqlite3.connect(f"file:{_pkg_file('dataset.db')}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "select wardCode, ward, wardType, wardAreaKm2, wardLat, wardLon, wardKey, "
            "provinceKey, provinceLat, provinceLon from admin_units where provinceCode=? "
            "order by wardCode",
            (province_code,),
        ).fetchall()
        legacy = db.execute(
            "select provinceKey, districtKey, wardKey, wardCode, ward, wardType, district, "
            "districtCode, coalesce(wardLat, districtLat), coalesce(wardLon, districtLon) "
            "from admin_units_legacy"
        ).fetchall()
    finally:
        db.close()
    if not rows:
        raise ValueError(f"no units for province code {province_code}")
    pkey, plat, plon = rows[0][7], rows[0][8], rows[0][9]
    units = [
        NewUnit(
            code=r[0],
            name=names.get(r[0], nfc(r[1])),
            kind=KIND[r[2]],
            area_km2=float(r[3] or 0),
            lat=float(r[4]),
            lon=float(r[5]),
            key=r[6],
        )
        for r in rows
    ]
    # A few units have no (or a zero) area in the dataset: use the median of their kind in the
    # province, and say so in the generated README.
    for u in units:
        if u.area_km2 <= 0:
            same = sorted(v.area_km2 for v in units if v.kind == u.kind and v.area_km2 > 0)
            u.area_km2 = same[len(same) // 2] if same else 1.0
            u.area_estimated = True
    by_key = {u.key: u for u in units}
    leg = {f"{r[0]}_{r[1]}_{r[2]}": r for r in legacy}  # wardKey None: a district alone
    conv = json.loads(_pkg_file("converter_2025.json").read_text(encoding="utf-8"))
    olds: dict[str, Old] = {}

    def old_of(okey: str) -> Old:
        if okey not in olds:
            r = leg[okey.rstrip("_") + ("_None" if okey.endswith("_") else "")]
            wname = nfc(r[4] or r[6])
            code = r[3] or f"D{int(r[7]):03d}"  # a district with no communes is its own unit
            olds[okey] = Old(
                key=okey,
                code=code,
                name=wname,
                type=r[5] or "Xã",
                district=nfc(r[6]),
                district_code=r[7],
                lat=float(r[8]),
                lon=float(r[9]),
            )
        return olds[okey]

    for nkey, old_keys in sorted(conv["DICT_PROVINCE_WARD_NO_DIVIDED"].get(pkey, {}).items()):
        for okey in old_keys:
            old_of(okey).successor = by_key[nkey].code
            by_key[nkey].old.append(okey)
    for okey, targets in sorted(conv["DICT_PROVINCE_WARD_DIVIDED"].get(pkey, {}).items()):
        o = old_of(okey)
        for t in targets:
            u = by_key[t["newWardKey"]]
            if t["isDefaultNewWard"]:
                o.successor = u.code
                u.old.append(okey)
            else:
                o.part_of.append(u.code)
                u.parts.append(okey)
    old_list = sorted(olds.values(), key=lambda o: o.code)
    for o in old_list:
        if not o.successor:  # split unit without a default: the first part is its successor
            o.successor = sorted(o.part_of)[0]
            o.part_of.remove(o.successor)
        o.part_of = sorted(set(o.part_of) - {o.successor})
    return Geography(province_code, pname, float(plat), float(plon), units, old_list)


def _read_reference() -> dict[str, dict[str, str]]:
    path = data_root() / "reference" / "provinces.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return {r["code"]: r for r in csv.DictReader(f)}


def _codes(s: str) -> list[str]:
    return [c.strip() for c in s.split(";") if c.strip()]


def _slug(name: str) -> str:
    s = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn").lower()
    for prefix in ("thanh pho ", "tinh "):
        s = s.removeprefix(prefix)
    return "-".join(s.split())


def folder_name(province_code: str, year: int = 2025) -> str:
    return f"{_slug(dict(provinces())[province_code])}-{year}"


def _b(v: bool) -> str:
    return "true" if v else "false"


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    keys = sorted(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder apportionment of an integer total (deterministic)."""
    s = sum(weights)
    if s <= 0 or total <= 0:
        return [0] * len(weights)
    raw = [total * w / s for w in weights]
    base = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - base[i]), i))
    for i in order[: total - sum(base)]:
        base[i] += 1
    return base


def build(province_code: str, seed: int = 2025) -> dict[str, str]:
    """All files of the scenario folder for one province, as {file name: text}."""
    geo = load_geography(province_code)
    ref = _read_reference().get(province_code, {})
    rng = random.Random(f"commune-staffing/{province_code}/{seed}")
    centres = _centres(geo, ref)
    weights = [CALIBRATION["old_unit_weight"].get(o.type, 1.0) for o in geo.old]
    communes = _commune_rows(geo, ref, _populations(geo, ref, weights), centres)
    old_rows = [
        dict(
            code=o.code,
            name=o.name,
            district=o.district,
            successor=o.successor,
            part_of=";".join(o.part_of),
        )
        for o in geo.old
    ]
    rule_set = ref.get("rule_set") or "cv09-bcd-2025"
    centre = next(u for u in geo.units if u.code == centres[0])
    roster = _Roster(geo, rng, centre, _bloc_shares(rule_set))
    anchors = _read_anchors(province_code)
    roster.commune_staff(*_tiers(geo, ref, rng, weights), anchors)
    off_rows = [{"id": f"{province_code}-{i:05d}", **p} for i, p in enumerate(roster.people, 1)]
    sec_rows = _secondee_rows(geo, ref, rng, centres[0])
    budget = int(ref.get("secondee_budget") or 0)
    as_of = ref.get("as_of") or "2025-10-20"
    files = {
        "communes.csv": table_csv(Commune, communes),
        "old_units.csv": table_csv(OldUnit, old_rows),
        "officials.csv": table_csv(Official, off_rows),
        "secondees.csv": table_csv(Secondee, sec_rows),
    }
    files["scenario.yaml"] = _yaml(geo, seed, rule_set, as_of, budget, ref)
    facts_file = data_root() / "reference" / "facts" / f"{province_code}.yaml"
    if facts_file.exists():
        files["facts.yaml"] = facts_file.read_text(encoding="utf-8")
    files["README.md"] = _readme(geo, seed, ref, len(off_rows), len(sec_rows), anchors)
    if "facts.yaml" in files:
        files["README.md"] += _facts_section(files)
    return files


def _facts_section(files: Mapping[str, str]) -> str:
    """The README's facts table: each fact measured on the generated folder (and its plans)."""
    import tempfile

    from solver import facts
    from solver.io import load_scenario
    from solver.io.rules import load_rule_set

    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            (Path(tmp) / name).write_text(text, encoding="utf-8", newline="\n")
        s = load_scenario(Path(tmp))
        rs = load_rule_set(s.config.rule_set, Path(tmp))
        measured = facts.measure(s, rs, facts.load(Path(tmp) / facts.FILE))
    lines = [
        "",
        "## Facts",
        "The figures the domain brief reports, as `facts.yaml` lists them, measured on this",
        "folder (`staffing facts`; definitions in docs/generate.md). A plan figure comes from",
        "the optimal plan (`staffing solve`, engine flow) at the secondee budget the fact names.",
        "",
        "| fact | source | expected | in the data | in the plan | holds |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for x in measured:
        v = f"{x.value:g}"
        plan = x.fact.measure.kind in facts.PLAN_KINDS
        lines.append(
            f"| {x.fact.fact} | {x.fact.source} | {x.fact.expected.text()} | "
            f"{'' if plan else v} | {v if plan else ''} | {'yes' if x.holds else 'NO'} |"
        )
    return "\n".join(lines) + "\n"


def _centres(geo: Geography, ref: dict[str, str]) -> list[str]:
    """The political centre(s): from the reference table, else the unit nearest the
    province's own coordinates."""
    centres = _codes(ref.get("political_center", ""))
    if not centres:
        centres = [
            min(geo.units, key=lambda u: great_circle_km(u.lat, u.lon, geo.lat, geo.lon)).code
        ]
    return centres


def _populations(geo: Geography, ref: dict[str, str], weights: list[float]) -> dict[str, float]:
    """Apportion the province's population over old units (weights by old type), then give
    each new unit the old units (or shares of split ones) it absorbed."""
    cal = CALIBRATION
    if ref.get("population"):
        pops = _apportion(int(ref["population"]), weights)
    else:
        pops = [cal["old_unit_population"].get(o.type, 7000) for o in geo.old]
    old_pop = {o.key: p for o, p in zip(geo.old, pops, strict=True)}
    unit_pop: dict[str, float] = {u.code: 0.0 for u in geo.units}
    for o in geo.old:
        shares = [o.successor, *o.part_of]
        for code in shares:
            unit_pop[code] += old_pop[o.key] / len(shares)
    return unit_pop


def _commune_rows(
    geo: Geography, ref: dict[str, str], unit_pop: dict[str, float], centres: list[str]
) -> list[dict[str, Any]]:
    cal = CALIBRATION
    mountainous = ref.get("mountainous_communes", "false") == "true"
    border = set(_codes(ref.get("border_units", "")))
    est = random.Random(f"commune-staffing/estimates/{geo.code}")  # seed-independent
    rows = []
    for u in geo.units:
        pop = max(1, round(unit_pop[u.code]))
        party = round(pop * cal["party_member_ratio"] * est.uniform(0.7, 1.3))
        rows.append(
            dict(
                code=u.code,
                name=u.name,
                kind=u.kind,
                area_km2=f"{u.area_km2:.2f}",
                population=pop,
                population_source="estimated",
                lat=f"{u.lat:.4f}",
                lon=f"{u.lon:.4f}",
                border=_b(u.code in border),
                complex_security="false",
                political_center=_b(u.code in centres),
                mountainous=_b(mountainous and u.kind == "commune"),
                party_members=party,
            )
        )
    return rows


def _tiers(
    geo: Geography, ref: dict[str, str], rng: random.Random, weights: list[float]
) -> tuple[list[int], list[int]]:
    """Cadres and civil servants per old unit (commune tier) and per old district."""
    cal = CALIBRATION
    total = int(ref["cadres_civil_servants"]) if ref.get("cadres_civil_servants") else None
    if total is None:
        commune_tier = cal["commune_cadres_per_old_unit"] * len(geo.old)
        district_tier = round(
            commune_tier * cal["district_share_of_cadres"] / (1 - cal["district_share_of_cadres"])
        )
    else:
        district_tier = round(total * cal["district_share_of_cadres"])
        commune_tier = total - district_tier
    per_old = _apportion(commune_tier, [w * rng.uniform(0.8, 1.2) for w in weights])
    districts = _districts(geo)
    per_district = _apportion(district_tier, [len(olds) for olds in districts.values()])
    return per_old, per_district


def _districts(geo: Geography) -> dict[tuple[str, str], list[Old]]:
    """Old districts (code, name), sorted, with their old units."""
    keys = sorted({(o.district_code, o.district) for o in geo.old})
    return {d: [o for o in geo.old if o.district_code == d[0]] for d in keys}


class _Roster:
    """The synthetic officials of one province, drawn in a fixed order from one seeded
    generator (so the same seed gives the same people)."""

    def __init__(
        self, geo: Geography, rng: random.Random, centre: NewUnit, bloc_share: dict[str, float]
    ) -> None:
        self.geo = geo
        self.rng = rng
        self.bloc_share = bloc_share
        self.people: list[dict[str, Any]] = []
        self.dist = {
            u.code: great_circle_km(u.lat, u.lon, centre.lat, centre.lon) for u in geo.units
        }
        self.far = max(self.dist.values()) or 1.0

    def scarcity(self, code: str) -> float:
        """1.3 at the centre, 0.2 at the remotest unit: specialists cluster near the centre."""
        return 1.3 - 1.1 * self.dist[code] / self.far

    def specialty_for(self, bloc: str, at: str, district_staff: bool) -> str:
        if bloc != "government":
            return _weighted(self.rng, BLOC_SPECIALTY_WEIGHT[bloc])
        w: dict[str, float] = dict(GOV_SPECIALTY_WEIGHT)
        f = 2.0 if district_staff else self.scarcity(at)
        for s in SCARCE:
            w[s] = w[s] * f
        return _weighted(self.rng, w)

    def cadre_category(self, bloc: str) -> str:
        return "cadre" if self.rng.random() < CALIBRATION["cadre_share"][bloc] else "civil_servant"

    def person(
        self, category: str, bloc: str, tier: str, origin: Old, current: str | None, at: str
    ) -> None:
        rng, cal = self.rng, CALIBRATION
        female = rng.random() < 0.45
        name = " ".join(
            [rng.choice(FAMILY), rng.choice(MIDDLE_F if female else MIDDLE_M), rng.choice(GIVEN)]
        )
        spec = self.specialty_for(bloc, at, tier == "district")
        extra = ""
        if bloc == "government" and rng.random() < cal["second_specialty_share"]:
            other = self.specialty_for(bloc, at, tier == "district")
            extra = other if other != spec else ""
        leader = category in ("cadre", "civil_servant") and rng.random() < cal["leader_share"]
        relocate = rng.random() < (cal["can_relocate_share"] * (0.5 if leader else 1.0))
        max_km = (
            rng.choice(cal["max_km_choices"])
            if relocate and rng.random() < cal["max_km_share"]
            else None
        )
        r = rng.random()
        if category == "part_time":
            intention = "retire" if r < cal["part_time_leave_share"] else "stay"
        elif r < cal["retire_share"]:
            intention = "retire"
        elif r < cal["retire_share"] + cal["resign_share"]:
            intention = "resign"
        else:
            intention = "stay"
        # Only incumbents of the commune tier hold a seat that cannot move; district staff
        # moved down on 1 July 2025 have none yet.
        pinned = (
            rng.random() < (cal["pinned_share_leaders"] if leader else cal["pinned_share_others"])
            and tier == "commune"
        )
        self.people.append(
            dict(
                name=name,
                category=category,
                bloc=bloc,
                specialty=spec,
                specialties=extra,
                tier=tier,
                origin=origin.code,
                current=current,
                can_relocate=_b(relocate),
                max_km=max_km,
                intention=intention,
                pinned=_b(pinned),
                leader=_b(leader),
                available_until=cal["part_time_until"] if category == "part_time" else None,
            )
        )

    def commune_staff(
        self, per_old: list[int], per_district: list[int], anchors: Mapping[str, int]
    ) -> None:
        """Commune-tier staff at the successor of their old unit; district staff moved down
        to the new units of their old district, mostly to the old district centre's. Where a
        new unit has a reported headcount (`anchors`: unit code → cadres and civil servants in
        post), its old units' commune tier is set so that the unit has exactly that many, and
        the difference is shared among the units without one (the province total stays)."""
        rng, cal = self.rng, CALIBRATION
        moved_down = []
        arriving: dict[str, int] = {}
        for olds, n in zip(_districts(self.geo).values(), per_district, strict=True):
            # The old district centre: its township (thị trấn) or ward, else its first old unit.
            hub = next((o for o in olds if o.type in ("Thị trấn", "Phường")), olds[0])
            targets = sorted({o.successor for o in olds})
            tw = [3.0 if t == hub.successor else 1.0 for t in targets]
            cadres_at = rng.choices(targets, weights=tw, k=n)
            n_pe = round(n * cal["district_public_employees_per_civil_servant"])
            moved_down.append((hub, cadres_at, rng.choices(targets, weights=tw, k=n_pe)))
            for at in cadres_at:
                arriving[at] = arriving.get(at, 0) + 1
        per_old = _anchor(self.geo, per_old, arriving, anchors)
        for o, n in zip(self.geo.old, per_old, strict=True):
            for _ in range(n):
                bloc = _weighted(rng, self.bloc_share)
                self.person(self.cadre_category(bloc), bloc, "commune", o, None, o.successor)
            for _ in range(round(n * cal["part_time_per_commune_civil_servant"])):
                bloc = _weighted(rng, cal["part_time_bloc_share"])
                self.person("part_time", bloc, "commune", o, None, o.successor)
            if rng.random() < cal["contract_share"] * n:
                self.person("contract", "government", "commune", o, None, o.successor)
        for hub, cadres_at, pe_at in moved_down:
            for at in cadres_at:
                bloc = _weighted(rng, self.bloc_share)
                self.person(self.cadre_category(bloc), bloc, "district", hub, at, at)
            for at in pe_at:
                self.person("public_employee", "government", "district", hub, at, at)


def _bloc_shares(rule_set: str) -> dict[str, float]:
    """Each bloc of the rule set weighted by its typical commune quota: the midpoint of its
    base (or lowest bracket) and its commune cap (or the base when uncapped)."""
    from solver.io.rules import load_rule_set

    rs = load_rule_set(rule_set)
    out: dict[str, float] = {}
    for bloc, rule in rs.blocs.items():
        if rule.base is not None:
            lo = rule.base.positions
        elif rule.brackets is not None:
            lo = min(r.positions for r in rule.brackets.ranges)
        else:
            lo = 0
        hi = rule.caps.commune if rule.caps is not None and rule.caps.commune is not None else lo
        out[bloc.value] = (lo + hi) / 2
    return out


def _anchor(
    geo: Geography, per_old: list[int], arriving: Mapping[str, int], anchors: Mapping[str, int]
) -> list[int]:
    """Commune-tier cadres per old unit, so that each anchored new unit holds its reported
    headcount (commune tier + district staff arriving); the difference goes to (or comes from)
    the old units of the other new units, in proportion to their counts."""
    out = list(per_old)
    anchored = {i for i, o in enumerate(geo.old) if o.successor in anchors}
    delta = 0
    for code, target in sorted(anchors.items()):
        idx = [i for i, o in enumerate(geo.old) if o.successor == code]
        if not idx:
            raise ValueError(f"anchor {code}: no old unit has it as successor")
        want = target - arriving.get(code, 0)
        if want < 0:
            raise ValueError(
                f"anchor {code}: {arriving.get(code, 0)} district staff arrive, above {target}"
            )
        shares = _apportion(want, [max(1, out[i]) for i in idx])
        delta += sum(out[i] for i in idx) - want
        for i, v in zip(idx, shares, strict=True):
            out[i] = v
    others = [i for i in range(len(out)) if i not in anchored]
    if delta > 0:
        for i, v in zip(others, _apportion(delta, [out[i] for i in others]), strict=True):
            out[i] += v
    elif delta < 0:
        for i, v in zip(others, _apportion(-delta, [out[i] for i in others]), strict=True):
            out[i] = max(0, out[i] - v)
    return out


def _read_anchors(province_code: str) -> dict[str, int]:
    """Reported headcounts per new unit (scenarios/reference/anchors.csv)."""
    path = data_root() / "reference" / "anchors.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as f:
        return {
            r["code"]: int(r["in_post"])
            for r in csv.DictReader(f)
            if r["province"] == province_code
        }


def _secondee_rows(
    geo: Geography, ref: dict[str, str], rng: random.Random, base: str
) -> list[dict[str, Any]]:
    """Secondee candidates from provincial departments, based at the political centre."""
    cal = CALIBRATION
    n_sec = (
        int(ref["secondee_candidates"])
        if ref.get("secondee_candidates")
        else (cal["secondees_per_unit"] * len(geo.units))
    )
    as_of = ref.get("as_of") or "2025-10-20"
    start = ref.get("secondee_start") or as_of
    end = ref.get("secondee_end") or "2026-04-20"
    dept_counts = _apportion(n_sec, [w for _, _, w in DEPARTMENTS])
    rows = []
    k = 0
    for (dept, specs, _w), cnt in zip(DEPARTMENTS, dept_counts, strict=True):
        for _ in range(cnt):
            k += 1
            female = rng.random() < 0.5
            name = " ".join(
                [
                    rng.choice(FAMILY),
                    rng.choice(MIDDLE_F if female else MIDDLE_M),
                    rng.choice(GIVEN),
                ]
            )
            available = rng.random() >= cal["secondee_unavailable_share"]
            max_km = 150 if rng.random() < 0.2 else None
            rows.append(
                dict(
                    id=f"{geo.code}-S{k:03d}",
                    name=name,
                    department=dept,
                    specialty=rng.choice(specs),
                    base=base,
                    available=_b(available),
                    max_km=max_km,
                    start=start,
                    end=end,
                )
            )
    return rows


def _yaml(
    geo: Geography, seed: int, rule_set: str, as_of: str, budget: int, ref: dict[str, str]
) -> str:
    lines = [
        f"name: {folder_name(geo.code)}",
        f"province: {geo.name}",
        f'province_code: "{geo.code}"',
        "description: >-",
        f"  {geo.name} after the 1 July 2025 reform: real geography from vietnamadminunits and",
        f"  vietnam-provinces; estimated populations; synthetic roster (seed {seed}).",
        f"rule_set: {rule_set}",
        f"as_of: {as_of}",
        "road_factor:",
        *_road_factor_lines(),
        f"secondee_budget: {budget}",
        "secondee_cost: 100",
        f"source: generated by `staffing generate --province {geo.code} --seed {seed}`",
    ]
    return "\n".join(lines) + "\n"


def _road_factor_lines() -> list[str]:
    """The per-terrain road factors of scenarios/reference/road_factors.yaml, as YAML lines
    of scenario.yaml (validated on the way by the schema)."""
    from models import RoadFactors
    from solver.io import yamlio

    path = data_root() / "reference" / "road_factors.yaml"
    rf = RoadFactors.model_validate(yamlio.load(path.read_text(encoding="utf-8")))
    reason = " ".join(rf.reason.split())
    return [
        f"  mountainous: {rf.mountainous}",
        f"  other: {rf.other}",
        "  reason: >-",
        *("    " + line for line in _wrap(reason, 92)),
    ]


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]


def _readme(
    geo: Geography, seed: int, ref: dict[str, str], n_off: int, n_sec: int, anchors: dict[str, int]
) -> str:
    kinds: dict[str, int] = {}
    for u in geo.units:
        kinds[u.kind] = kinds.get(u.kind, 0) + 1
    n_districts = len({o.district_code for o in geo.old})
    note = ref.get("notes", "")
    missing = [f"{u.name} ({u.code})" for u in geo.units if u.area_estimated]
    if missing:
        note += (
            " Area missing or zero in vietnamadminunits, set to the median of the unit's "
            "kind in the province: " + ", ".join(missing) + "."
        )
    pop = (
        f"apportioned from the province total {int(ref['population']):,} "
        f"({ref['population_source']}) over the old units, weighting wards 2.0, townships "
        "1.6 and communes 1.0"
        if ref.get("population")
        else "7,000 per old commune, 10,000 per old township, 14,000 per old ward"
    )
    anchored = (
        " Units with a reported headcount hold exactly it (`scenarios/reference/anchors.csv`): "
        + ", ".join(f"{u.name} {anchors[u.code]}" for u in geo.units if u.code in anchors)
        + "."
        if anchors
        else ""
    )
    cadres = (
        f"{int(ref['cadres_civil_servants']):,} cadres and civil servants ({ref['cadres_source']})"
        if ref.get("cadres_civil_servants")
        else "16 commune-tier cadres and civil servants per old unit"
    )
    return f"""# {geo.name} 2025 scenario

Generated by `staffing generate --province {geo.code} --seed {seed}`; regenerate rather than
edit by hand (a test checks that the bundled folder is exactly what the generator writes).

## What is real
- The {len(geo.units)} new units ({", ".join(f"{v} {k}" for k, v in sorted(kinds.items()))}):
  official codes and names (`vietnam-provinces`), kind, area, coordinates (`vietnamadminunits`).
- The {len(geo.old)} old units in {n_districts} old districts and which new unit absorbed each
  (`vietnamadminunits` converter_2025.json; a split old unit lists its other new units in
  `part_of`).

## What is estimated
- Populations (`population_source = estimated` everywhere: the packages carry none, and the
  domain brief reports none per unit): {pop}.
- Party members: 3.5 % of the population, ±30 % seeded noise.
- Mountainous, border and political-centre flags come from `scenarios/reference/provinces.csv`.
  {note}

## What is synthetic
The roster ({n_off:,} people) and the {n_sec} secondee candidates are synthetic: no real
personnel data is public. They are seeded (seed {seed}) and reproducible, calibrated to the
domain brief: {cadres}; district staff moved down in Nậm Pồ's proportions (120 district civil
servants and 61 public employees against 297 commune civil servants and 179 part-timers);
part-timers serve until 31 May 2026 and about half intend to leave (Nà Hỳ: 23 of 47);
5 % intend to retire and 2 % to resign; specialists in finance, accounting, construction, land,
environment and IT are scarce and thin out with distance from the provincial centre; a
quarter of officials can relocate, most of them only within 15–60 road km (road km are
great-circle km × the road factor of scenario.yaml, 1.8 in the mountains).{anchored} See
docs/generate.md for every calibration constant.
"""


def write(province_code: str, out: Path, seed: int = 2025) -> Path:
    """Write one province's folder atomically."""
    return replace_folder(out, build(province_code, seed))
