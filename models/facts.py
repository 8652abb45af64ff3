"""Facts a scenario must reproduce: figures reported by the province, each with its source,
what measures it, and the range it must fall in (see solver/facts.py for the measures)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Measure(_Strict):
    """What to measure. Only the keys of the kind are used; `docs/generate.md` lists them."""

    kind: Literal[
        "units",
        "old_units",
        "cadres_civil_servants",
        "surplus_before",
        "norm",
        "in_post",
        "shortage_before",
        "quota_range",
        "secondee_budget",
        "secondee_candidates",
        "secondment_months",
        "part_time_until",
        "remote_shortage_after",
        "remote_shortage_gain",
        "distinct_optima",
    ]
    unit: str | None = Field(default=None, description="Unit code (norm, in_post, shortage)")
    group: Literal["all", "formed_from_3", "district_seats"] | None = None
    bloc: str | None = None
    political_center: bool | None = None
    start: dt.date | None = None
    date: dt.date | None = None
    budget: int | None = Field(default=None, ge=0)
    budgets: list[int] | None = None

    @model_validator(mode="after")
    def _needs(self) -> Measure:
        need = {
            "norm": ["unit"],
            "in_post": ["unit"],
            "shortage_before": ["unit"],
            "surplus_before": ["group"],
            "quota_range": ["bloc", "political_center"],
            "secondment_months": ["start"],
            "part_time_until": ["date"],
            "remote_shortage_after": ["budget"],
            "remote_shortage_gain": ["budgets"],
            "distinct_optima": ["budgets"],
        }.get(self.kind, [])
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"measure {self.kind} needs {', '.join(missing)}")
        return self


class Expected(_Strict):
    min: float | None = None
    max: float | None = None

    def holds(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def text(self) -> str:
        if self.min is not None and self.min == self.max:
            return f"{self.min:g}"
        if self.max is None:
            return f"≥ {self.min:g}"
        if self.min is None:
            return f"≤ {self.max:g}"
        return f"{self.min:g}–{self.max:g}"


class Fact(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    fact: str = Field(min_length=1, description="The reported fact, in words")
    source: str = Field(min_length=1, description="Where it is reported")
    measure: Measure
    expected: Expected


class Facts(_Strict):
    province: str
    facts: list[Fact] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Facts:
        ids = [f.id for f in self.facts]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"fact ids given twice: {', '.join(dup)}")
        return self
