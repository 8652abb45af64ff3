"""The generator: real geography, determinism, and the bundled folder is exactly its output."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

from solver import generate
from solver.io import load_scenario
from solver.io.owned import MARKER, marker_kind
from solver.paths import bundled_scenario


def test_dien_bien_geography_is_real():
    geo = generate.load_geography("11")
    kinds = Counter(u.kind for u in geo.units)
    assert len(geo.units) == 45
    assert kinds == {"commune": 42, "ward": 3}
    assert len(geo.old) == 129
    assert len({o.district for o in geo.old}) == 10
    xa_dung = next(u for u in geo.units if u.name == "Xã Xa Dung")
    assert xa_dung.code == "03208"
    formed = sorted(o.name for o in geo.old if o.successor == "03208")
    assert formed == ["Xã Phì Nhừ", "Xã Xa Dung"]
    sizes = Counter(sum(1 for o in geo.old if o.successor == u.code) for u in geo.units)
    assert sizes[2] == 16  # the brief: 16 units merged 2 old units, 29 merged 3 or more
    assert sum(v for k, v in sizes.items() if k >= 3) == 29


def test_same_seed_same_bytes_and_seed_matters():
    a = generate.build("12", seed=7)
    b = generate.build("12", seed=7)
    c = generate.build("12", seed=8)
    assert a == b
    assert a["officials.csv"] != c["officials.csv"]
    assert a["communes.csv"] == c["communes.csv"]  # geography does not depend on the seed


def test_bundled_folder_is_exactly_the_generated_one():
    folder = bundled_scenario()
    files = generate.build("11", seed=2025)
    on_disk = {p.name for p in folder.iterdir() if p.is_file()}
    assert on_disk == set(files) | {MARKER}  # the marker: `generate` may replace it
    assert marker_kind(folder) == "scenario"
    for name, text in files.items():
        assert (folder / name).read_bytes() == text.encode("utf-8"), name


def test_bundled_roster_is_calibrated_to_the_brief():
    s = load_scenario(bundled_scenario())
    cat = Counter(p.category.value for p in s.officials)
    assert cat["cadre"] + cat["civil_servant"] == 2952
    assert {p.bloc.value for p in s.officials} == {"government", "party", "front", "military"}
    part = [p for p in s.officials if p.category.value == "part_time"]
    assert part and all(str(p.available_until) == "2026-05-31" for p in part)
    assert len(s.secondees) == 97
    assert s.config.secondee_budget == 52
    assert sum(c.border for c in s.communes) == 15


def test_scarce_specialists_thin_out_in_remote_communes():
    s = load_scenario(bundled_scenario())
    scarce = set(generate.SCARCE)
    centre = next(c for c in s.communes if c.political_center)
    from solver.geo import great_circle_km

    def dist(code: str) -> float:
        c = s.commune(code)
        return great_circle_km(c.lat, c.lon, centre.lat, centre.lon)

    gov = [p for p in s.officials if p.bloc.value == "government" and p.tier.value == "commune"]
    near = [p for p in gov if dist(s.current_of(p)) < 40]
    far = [p for p in gov if dist(s.current_of(p)) > 80]
    share = lambda ps: sum(p.specialty in scarce for p in ps) / len(ps)  # noqa: E731
    assert share(near) > 1.5 * share(far)


def test_generate_writes_a_valid_folder(tmp_path: Path):
    out = generate.write("04", tmp_path / "cao-bang")
    s = load_scenario(out)
    assert s.config.province == "Cao Bằng"
    assert len(s.communes) == 56
    rows = list(csv.DictReader(io.StringIO((out / "communes.csv").read_text("utf-8"))))
    assert all(r["population_source"] == "estimated" for r in rows)


def test_island_district_without_communes_is_its_own_old_unit():
    geo = generate.load_geography("31")  # Hải Phòng: Bạch Long Vĩ had no communes
    blv = [o for o in geo.old if o.code == "D318"]
    assert blv and blv[0].name == "Huyện Bạch Long Vĩ"
