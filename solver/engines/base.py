"""What every engine returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from models import SolveStatus


@dataclass
class Result:
    """An engine's answer: never raises on infeasibility.

    status: OPTIMAL (proven), FEASIBLE (a plan, optimality not proven), INFEASIBLE, ERROR.
    levels/bounds: per objective level, in the level's own units; gap per level is
    (value − bound) / max(1, |value|), 0 when proven.
    """

    engine: str
    status: SolveStatus
    levels: dict[str, float] = field(default_factory=dict)
    bounds: dict[str, float] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    flows: np.ndarray | None = None
    message: str = ""
    method: str = ""

    @property
    def gap(self) -> dict[str, float]:
        return {
            lv: (self.levels[lv] - self.bounds.get(lv, self.levels[lv])) / max(1.0, abs(v))
            for lv, v in self.levels.items()
        }

    @property
    def ok(self) -> bool:
        return self.status.has_plan
