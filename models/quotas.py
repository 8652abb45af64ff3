"""The quota table: each unit's quota per bloc with every term, and the specialty needs.

Produced by `solver.quotas.compute`, read by the problem builder, the checker and the reports.
Typed rows with lookups; `to_frame()` gives the table `staffing quota` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

FIXED_COLUMNS = ("commune", "name", "kind", "bloc", "base")
TAIL_COLUMNS = ("before_cap", "cap", "capped", "trim", "quota", "flags")
NEED_COLUMNS = ("commune", "bloc", "specialty", "need", "weight", "source")


@dataclass(frozen=True)
class TermInfo:
    """One term of a bloc's rule, with its legal source."""

    bloc: str
    id: str
    label: str
    source: str
    source_note: str
    note: str


@dataclass
class QuotaRow:
    """One unit's quota in one bloc: each term's positions, the cap, the trim, the quota."""

    commune: str
    name: str
    kind: str
    bloc: str
    base: int | None
    terms: dict[str, int]  # term id → positions, for the terms of this bloc's rule
    before_cap: int
    cap: int | None
    capped: int
    trim: int
    quota: int
    flags: list[str] = field(default_factory=list)
    floor: int = 0  # base + bracket: the trim never goes below it


@dataclass
class BlocSummary:
    bloc: str
    units: int
    sum_before_cap: int
    sum_capped: int
    province_total: int | None
    total_source: str
    trimmed: int
    quota: int
    headroom: int | None
    shortfall: int = 0  # positions the total is missed by when every unit is at its floor
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class NeedRow:
    """A minimum number of one specialty in one unit and bloc, and its shortage weight."""

    commune: str
    bloc: str
    specialty: str
    need: int
    weight: float
    source: str


@dataclass
class QuotaTable:
    rule_set: str
    term_columns: list[str]  # every term id of the chosen blocs, in rule order
    terms: list[TermInfo]
    rows: list[QuotaRow]
    summary: list[BlocSummary]
    needs: list[NeedRow] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_key = {(r.commune, r.bloc): r for r in self.rows}

    @property
    def blocs(self) -> list[str]:
        return [s.bloc for s in self.summary]

    def row(self, commune: str, bloc: str) -> QuotaRow:
        return self._by_key[(commune, bloc)]

    def quota(self, commune: str, bloc: str) -> int:
        return self._by_key[(commune, bloc)].quota

    def quotas(self) -> dict[tuple[str, str], int]:
        """(commune, bloc) → quota."""
        return {k: r.quota for k, r in self._by_key.items()}

    def total(self, bloc: str) -> int | None:
        """The bloc's province total (None: no total)."""
        for s in self.summary:
            if s.bloc == bloc:
                return s.province_total
        raise KeyError(bloc)

    def term_info(self) -> dict[tuple[str, str], TermInfo]:
        return {(t.bloc, t.id): t for t in self.terms}

    def terms_of_bloc(self, bloc: str) -> list[str]:
        """The term columns this bloc's rule has, in column order."""
        have = {t.id for t in self.terms if t.bloc == bloc}
        return [c for c in self.term_columns if c in have]

    def needs_in(self, blocs: list[str] | set[str]) -> list[NeedRow]:
        """The positive needs of the given blocs."""
        return [n for n in self.needs if n.bloc in blocs and n.need > 0]

    def records(self) -> list[dict[str, Any]]:
        """Rows as `staffing quota --format csv` writes them (empty: the bloc has no such
        term)."""
        out = []
        for r in self.rows:
            rec: dict[str, Any] = {
                "commune": r.commune,
                "name": r.name,
                "kind": r.kind,
                "bloc": r.bloc,
                "base": r.base,
            }
            for col in self.term_columns:
                rec[col] = r.terms.get(col)
            rec.update(
                before_cap=r.before_cap,
                cap=r.cap,
                capped=r.capped,
                trim=r.trim,
                quota=r.quota,
                flags="; ".join(r.flags),
            )
            out.append(rec)
        return out

    @property
    def columns(self) -> list[str]:
        return [*FIXED_COLUMNS, *self.term_columns, *TAIL_COLUMNS]

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        df = pd.DataFrame(self.records(), columns=self.columns)
        for col in ["base", *self.term_columns, "cap"]:
            df[col] = df[col].astype("Int64")
        return df

    def needs_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([n.__dict__ for n in self.needs], columns=list(NEED_COLUMNS))
