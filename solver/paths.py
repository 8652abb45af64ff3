"""Where bundled data lives: scenarios/ at the repository root in a checkout (or an editable
install), the package data solver/bundled in an installed wheel; STAFFING_DATA overrides
both."""

from __future__ import annotations

import os
from pathlib import Path


def data_root() -> Path:
    env = os.environ.get("STAFFING_DATA")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[1] / "scenarios"
    if (checkout / "reference" / "specialties.csv").is_file():
        return checkout
    return Path(__file__).resolve().parent / "bundled"


def default_specialties_file() -> Path:
    return data_root() / "reference" / "specialties.csv"


def bundled_scenario() -> Path:
    return data_root() / "dien-bien-2025"
