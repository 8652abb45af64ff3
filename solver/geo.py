"""Great-circle distances."""

from __future__ import annotations

import math

import numpy as np

from models import Scenario

EARTH_RADIUS_KM = 6371.0088


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in km between two WGS84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi = p2 - p1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def road_factors(s: Scenario) -> np.ndarray | float:
    """The road factor of every pair of units: one number, or per terrain, where a pair takes
    the larger factor of its two ends (a road into the mountains is a mountain road)."""
    rf = s.config.road_factor
    if isinstance(rf, int | float):
        return float(rf)
    f = np.array([rf.of(c.mountainous) for c in s.communes], dtype=np.float64)
    return np.maximum(f[:, None], f[None, :])


def distance_table(s: Scenario) -> dict[tuple[str, str], int]:
    """Road km between every pair of units: distances.csv, else great-circle × road factor."""
    given: dict[tuple[str, str], float] = {}
    for d in s.distances:
        given[(d.from_, d.to)] = d.km
    for (x, y), v in list(given.items()):
        given.setdefault((y, x), v)
    codes = [c.code for c in s.communes]
    lat = np.radians(np.array([c.lat for c in s.communes], dtype=np.float64))
    lon = np.radians(np.array([c.lon for c in s.communes], dtype=np.float64))
    a = (
        np.sin((lat[:, None] - lat[None, :]) / 2) ** 2
        + np.cos(lat[:, None])
        * np.cos(lat[None, :])
        * np.sin((lon[:, None] - lon[None, :]) / 2) ** 2
    )
    gc = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    # road km = great-circle × factor, rounded half up to whole km (ties are measure-zero)
    road = np.floor(gc * road_factors(s) + 0.5).astype(np.int64)
    n = len(codes)
    road[np.arange(n), np.arange(n)] = 0
    pairs = [(x, y) for x in codes for y in codes]
    out = dict(zip(pairs, road.ravel().tolist(), strict=True))
    for (x, y), v in given.items():
        if x != y and (x, y) in out:
            out[(x, y)] = round(v)
    return out
