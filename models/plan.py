"""The plan schema: one row per person, the columns of plan.csv derive from `PlanRow`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from models.vocab import PersonKind, PlanStatus

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


class PlanRow(BaseModel):
    """What the plan says of one official or secondee candidate."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(min_length=1, description="Person id (officials.csv or secondees.csv)")
    kind: PersonKind = Field(description="official or secondee")
    name: str = Field(description="Full name")
    bloc: str = Field(description="Bloc the person counts in (empty: a secondee not sent)")
    category: str = Field(description="Employment category (empty for secondees)")
    specialty: str = Field(description="Main specialty")
    from_: str = Field(alias="from", description="Unit where the person works now (or base)")
    to: str = Field(description="Unit where the plan places the person (empty: nowhere)")
    status: PlanStatus
    km: int = Field(description="Road km from `from` to `to` (0 when not moving)")
    fills: str = Field(description="Specialty need the person fills (or their specialty)")
    reason: str = Field(description="Why, in words")
    decision: str = Field(
        default="", description="The decisions.csv rows this outcome keeps (empty: none)"
    )

    @classmethod
    def trusted(cls, **values: Any) -> PlanRow:
        """A row from values the solver built itself, by field name (`decision` may be left
        out): no validation, like `model_construct`, at a tenth of its cost (a plan builds
        one per person, twice per solve)."""
        values.setdefault("decision", "")
        obj = cls.__new__(cls)
        # in the fields' order, as validation would leave it (dumps keep that order)
        d = values if tuple(values) == _FIELDS else {k: values[k] for k in _FIELDS}
        object.__setattr__(obj, "__dict__", d)
        object.__setattr__(obj, "__pydantic_fields_set__", set(_FIELDS))
        object.__setattr__(obj, "__pydantic_extra__", None)
        object.__setattr__(obj, "__pydantic_private__", None)
        return obj

    def record(self) -> dict[str, Any]:
        """The row as plan.csv writes it (column names, plain values)."""
        return {
            "id": self.id,
            "kind": self.kind.value,
            "name": self.name,
            "bloc": self.bloc,
            "category": self.category,
            "specialty": self.specialty,
            "from": self.from_,
            "to": self.to,
            "status": self.status.value,
            "km": self.km,
            "fills": self.fills,
            "reason": self.reason,
            "decision": self.decision,
        }


PLAN_COLUMNS: tuple[str, ...] = tuple(f.alias or n for n, f in PlanRow.model_fields.items())
_FIELDS: tuple[str, ...] = tuple(PlanRow.model_fields)
# columns a plan written by an earlier version may lack (read as their default)
OPTIONAL_PLAN_COLUMNS: frozenset[str] = frozenset(
    f.alias or n for n, f in PlanRow.model_fields.items() if not f.is_required()
)


class Plan(BaseModel):
    """A person-by-person plan: every official and secondee candidate exactly once."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rows: tuple[PlanRow, ...]

    def __iter__(self) -> Iterator[PlanRow]:  # type: ignore[override]
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def by_id(self) -> dict[str, PlanRow]:
        return {r.id: r for r in self.rows}

    def records(self) -> list[dict[str, Any]]:
        return [r.record() for r in self.rows]

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.records(), columns=list(PLAN_COLUMNS))


UNPLACED_AT = "-"  # outcomes the `changes` level compares (besides unit codes): unplaced,
ELSEWHERE = "~"  # and anything else (outside the quota, out of scope, leaving, not selected)


@dataclass(frozen=True)
class Baseline:
    """An announced plan: each person's outcome, as the `changes` level compares it.

    An outcome is a unit code (placed there: stays or moves; for a secondee: seconded there),
    UNPLACED_AT, or ELSEWHERE (anything else: outside the quota, out of scope, leaving, not
    selected). A person absent from the baseline counts no change."""

    source: str
    officials: dict[str, str]
    secondees: dict[str, str]

    @classmethod
    def of_plan(cls, plan: Plan, source: str) -> Baseline:
        off: dict[str, str] = {}
        sec: dict[str, str] = {}
        for r in plan.rows:
            if r.kind == PersonKind.secondee:
                sec[r.id] = r.to if r.status == PlanStatus.seconded else ELSEWHERE
            else:
                off[r.id] = outcome(r.status, r.to)
        return cls(source, off, sec)


def outcome(status: str, to: str) -> str:
    """A person's outcome as `changes` compares it (see Baseline)."""
    if status in (PlanStatus.stays, PlanStatus.moves, PlanStatus.seconded):
        return to
    return UNPLACED_AT if status == PlanStatus.unplaced else ELSEWHERE
