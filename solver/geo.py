"""Great-circle distances."""

from __future__ import annotations

import math
from decimal import Decimal

from models import Scenario

EARTH_RADIUS_KM = 6371.0088


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in km between two WGS84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi = p2 - p1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def distance_table(s: Scenario) -> dict[tuple[str, str], int]:
    """Road km between every pair of units: distances.csv, else great-circle × road factor."""
    given: dict[tuple[str, str], float] = {}
    for d in s.distances:
        given[(d.from_, d.to)] = d.km
    for (x, y), v in list(given.items()):
        given.setdefault((y, x), v)
    out: dict[tuple[str, str], int] = {}
    f = Decimal(str(s.config.road_factor))
    for a in s.communes:
        for b in s.communes:
            if a.code == b.code:
                out[(a.code, b.code)] = 0
            elif (a.code, b.code) in given:
                out[(a.code, b.code)] = round(given[(a.code, b.code)])
            else:
                gc = Decimal(repr(great_circle_km(a.lat, a.lon, b.lat, b.lon)))
                out[(a.code, b.code)] = int((gc * f).to_integral_value())
    return out
