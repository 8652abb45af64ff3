"""Where bundled data lives: scenarios/ at the repository root (override: STAFFING_DATA)."""

from __future__ import annotations

import os
from pathlib import Path


def data_root() -> Path:
    env = os.environ.get("STAFFING_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1] / "scenarios"


def default_specialties_file() -> Path:
    return data_root() / "reference" / "specialties.csv"


def bundled_scenario() -> Path:
    return data_root() / "dien-bien-2025"
