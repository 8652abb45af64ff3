"""What every engine returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from models import SolveStatus


@dataclass
class Result:
    """An engine's answer: never raises on infeasibility.

    status: OPTIMAL (proven), FEASIBLE (a plan, optimality not proven), INFEASIBLE, ERROR.
    levels/bounds: per objective level, in the level's own units; gap per level is
    (value − bound) / max(1, |value|), 0 when proven. A level whose solver had no finite
    bound (stopped by the time limit before it had one) has the bound None and the gap None,
    never a solver infinity.
    """

    engine: str
    status: SolveStatus
    levels: dict[str, float] = field(default_factory=dict)
    bounds: dict[str, float | None] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    flows: np.ndarray | None = None
    message: str = ""
    method: str = ""
    certificate: Any = None  # what proves it, for a caller to start from (the quota prices)

    @property
    def gap(self) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for lv, v in self.levels.items():
            b = self.bounds.get(lv, v)
            out[lv] = None if b is None else (v - b) / max(1.0, abs(v))
        return out

    @property
    def ok(self) -> bool:
        return self.status.has_plan
