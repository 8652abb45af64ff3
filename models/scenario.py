"""The scenario schema: units, people, needs, distances and scenario options.

Pure pydantic v2, no solver imports. Each row model validates one row of one input table;
`Scenario` ties them together and checks every cross-table reference.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from models.problems import Issue, Msg, did_you_mean, msg
from models.vocab import LEVELS, SHORTAGE_LEVELS, Level, PlanStatus


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.strip())
    return value


def split_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        return [_nfc(v) for v in value.replace(",", ";").split(";") if v.strip()]
    return value


Text = Annotated[str, BeforeValidator(_nfc), Field(min_length=1)]
Code = Annotated[str, BeforeValidator(_nfc), Field(pattern=r"^\d{5}$")]
# Old units: official 5-digit codes; a district that had no communes (island districts such as
# Bạch Long Vĩ or Cồn Cỏ) is its own old unit, coded D + its 3-digit district code.
OldCode = Annotated[str, BeforeValidator(_nfc), Field(pattern=r"^(\d{5}|D\d{3})$")]
TextList = Annotated[list[str], BeforeValidator(split_list)]
# Dates a plan can be about: a year outside this window is a typo (1925 for 2025, 2205 for
# 2025), not a plan, and would silently make everyone (un)available.
DATE_WINDOW = (dt.date(2000, 1, 1), dt.date(2099, 12, 31))


def _plausible(d: dt.date) -> dt.date:
    lo, hi = DATE_WINDOW
    if not lo <= d <= hi:
        raise ValueError(msg("a date between {lo} and {hi} (a typo in the year?)", lo=lo, hi=hi))
    return d


PlanDate = Annotated[dt.date, AfterValidator(_plausible)]


def columns_of(model: type[BaseModel]) -> tuple[list[str], list[str]]:
    """(all columns, required columns) of a row model, in declaration order."""
    cols, req = [], []
    for name, f in model.model_fields.items():
        col = f.alias or name
        cols.append(col)
        if f.is_required():
            req.append(col)
    return cols, req


class UnitKind(StrEnum):
    commune = "commune"
    ward = "ward"
    special_zone = "special_zone"


class PopulationSource(StrEnum):
    reported = "reported"
    estimated = "estimated"


class Category(StrEnum):
    cadre = "cadre"
    civil_servant = "civil_servant"
    public_employee = "public_employee"
    part_time = "part_time"
    contract = "contract"


class Bloc(StrEnum):
    government = "government"
    party = "party"
    front = "front"
    military = "military"


class Tier(StrEnum):
    commune = "commune"
    district = "district"
    province = "province"


class Intention(StrEnum):
    stay = "stay"
    retire = "retire"
    resign = "resign"


class Row(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False
    )


class Commune(Row):
    """One new (post-2025) commune-level unit."""

    code: Code = Field(description="Official 5-digit unit code, e.g. 03208")
    name: Text = Field(description="Official name with its prefix, e.g. 'Xã Xa Dung' (NFC)")
    kind: UnitKind = Field(description="commune (xã), ward (phường) or special_zone (đặc khu)")
    area_km2: float = Field(gt=0, description="Natural area in km²")
    population: int = Field(gt=0, description="Resident population")
    population_source: PopulationSource = Field(description="reported or estimated")
    lat: float = Field(ge=8.0, le=23.5, description="Latitude (WGS84), inside Vietnam")
    lon: float = Field(ge=102.0, le=117.9, description="Longitude (WGS84), inside Vietnam")
    border: bool = Field(description="Borders a neighbouring country")
    complex_security: bool = Field(description="Security situation judged complex")
    political_center: bool = Field(description="Political-administrative centre of the province")
    mountainous: bool = Field(description="Mountainous or highland unit")
    party_members: int | None = Field(
        default=None, ge=0, description="Party members in the commune Party committee"
    )


class OldUnit(Row):
    """One pre-2025 commune-level unit and the new unit that absorbed it."""

    code: OldCode = Field(description="Old official 5-digit code")
    name: Text = Field(description="Old name with prefix (NFC)")
    district: Text = Field(description="Old district (abolished 1 July 2025)")
    successor: Code = Field(description="Code of the new unit that absorbed it")
    part_of: TextList = Field(
        default_factory=list,
        description="Other new units that received part of it (split old units), ';'-separated",
    )


class Official(Row):
    """One person on the province's commune-level roster."""

    id: Text = Field(description="Unique person id")
    name: Text = Field(description="Full name (NFC)")
    category: Category
    bloc: Bloc
    specialty: Text = Field(description="Main specialty code from the vocabulary")
    specialties: TextList = Field(
        default_factory=list, description="Further specialties the person is qualified in"
    )
    tier: Tier = Field(description="Level the person worked at before 1 July 2025")
    origin: OldCode = Field(description="Old unit the person came from")
    current: Code | None = Field(
        default=None, description="New unit where the person works now; empty = successor"
    )
    can_relocate: bool
    max_km: float | None = Field(default=None, ge=0, description="Longest acceptable move, km")
    intention: Intention
    pinned: bool = Field(description="Must stay in the current commune")
    leader: bool = Field(description="Holds a leadership post")
    available_until: PlanDate | None = Field(
        default=None, description="Last day the person can serve (e.g. part-timers 2026-05-31)"
    )


class Secondee(Row):
    """A civil servant or public employee who can be seconded from a provincial department."""

    id: Text
    name: Text
    department: Text
    specialty: Text
    base: Code = Field(description="New unit where the sending department sits")
    available: bool
    max_km: float | None = Field(default=None, ge=0)
    start: PlanDate
    end: PlanDate

    @model_validator(mode="after")
    def _dates(self) -> Secondee:
        if self.end < self.start:
            raise ValueError(
                msg("end {end} is before start {start}", end=self.end, start=self.start)
            )
        return self


class Need(Row):
    """A minimum number of a specialty in one commune and bloc (overrides the template)."""

    commune: Code
    bloc: Bloc
    specialty: Text
    minimum: int = Field(ge=0)


class Distance(Row):
    from_: Code = Field(alias="from")
    to: Code
    km: float = Field(ge=0)

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


class DecisionKind(StrEnum):
    assign = "assign"  # this official is placed in this commune
    forbid = "forbid"  # this official is not placed in this commune (repeatable)
    unplaced = "unplaced"  # this official is kept unplaced
    second = "second"  # this candidate is seconded to this commune (no commune: where best)
    exclude = "exclude"  # this secondee candidate is not seconded


class Decision(Row):
    """A decision already taken, which the plan must keep (decisions.csv)."""

    id: Text = Field(description="The official's or secondee candidate's id")
    decision: DecisionKind = Field(description="assign, forbid, unplaced, second or exclude")
    commune: Code | None = Field(default=None, description="The unit (assign, forbid, second)")
    note: str = Field(default="", description="Why: the decision's reference, for the record")


class Specialty(Row):
    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    name: Text
    name_vi: str | None = Field(default=None, description="The specialty's Vietnamese name")
    department: Text
    bloc: Bloc


class RoadFactors(BaseModel):
    """Road km per great-circle km by terrain. A pair of units takes the larger factor of its
    two ends (a road into the mountains is a mountain road)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mountainous: float = Field(gt=0, description="Between or into mountainous units")
    other: float = Field(gt=0, description="Between other units")
    reason: str = Field(min_length=1, description="Why these factors (figures and sources)")

    def of(self, mountainous: bool) -> float:
        return self.mountainous if mountainous else self.other


def _default_objective() -> list[Level]:
    return [lv for lv in LEVELS if lv != Level.changes]


class SecondeeFilter(BaseModel):
    """Which secondee candidates a scenario may use; each list given narrows the field."""

    model_config = ConfigDict(extra="forbid")

    departments: list[Text] | None = Field(default=None, description="Only these departments")
    specialties: list[str] | None = Field(default=None, description="Only these specialties")
    ids: list[str] | None = Field(default=None, description="Only these candidates")

    def excludes(self, q: Secondee) -> Msg | None:
        """Why candidate q is not eligible under this filter, or None."""
        if self.departments is not None and q.department not in self.departments:
            return msg(
                "not selected: department {value} is not eligible in this scenario",
                value=q.department,
            )
        if self.specialties is not None and q.specialty not in self.specialties:
            return msg(
                "not selected: specialty {value} is not eligible in this scenario",
                value=q.specialty,
            )
        if self.ids is not None and q.id not in self.ids:
            return msg("not selected: id {value} is not eligible in this scenario", value=q.id)
        return None


class ScenarioConfig(BaseModel):
    """The contents of scenario.yaml."""

    model_config = ConfigDict(extra="forbid")

    name: Text
    province: Text
    province_code: str | None = Field(default=None, pattern=r"^\d{2}$")
    description: str = ""
    rule_set: Text = Field(description="Bundled rule-set name or a path relative to the folder")
    as_of: PlanDate = Field(description="Date the plan applies to")
    road_factor: float | RoadFactors = Field(
        default=1.4,
        description="Road km per great-circle km: one number, or one per terrain with its reason",
    )
    blocs: list[Bloc] | None = Field(
        default=None,
        min_length=1,
        description="Blocs in scope (default: every bloc the rule set gives quotas for)",
    )
    categories: list[Category] | None = Field(
        default=None,
        min_length=1,
        description=(
            "Categories that hold quota places, overriding the rule set's quota_holders "
            "(default: the rule set's; the others are kept outside the quota)"
        ),
    )
    secondee_budget: int = Field(default=0, ge=0, description="Most secondees to use")
    secondee_cost: int = Field(
        default=100, ge=0, description="Disruption cost of one secondee, in km-equivalents"
    )
    secondee_bloc: Bloc = Field(default=Bloc.government, description="Bloc secondees count in")
    province_total: dict[Bloc, int] | None = Field(
        default=None, description="Province total per bloc, overriding the rule set's"
    )
    max_moves: int | None = Field(default=None, ge=0, description="Most officials moved")
    max_km: float | None = Field(
        default=None, ge=0, description="Longest move of any official, km (caps each one's own)"
    )
    lang: Literal["en", "vi"] | None = Field(
        default=None,
        description="Language of what planners read (tables, reports, messages); --lang and "
        "STAFFING_LANG override it; default English",
    )
    relocation: Literal["roster", "nobody"] = Field(
        default="roster",
        description="roster: officials relocate as officials.csv says; nobody: nobody relocates",
    )
    secondees_eligible: SecondeeFilter | None = Field(
        default=None, description="Which candidates may be seconded (default: every available)"
    )
    specialty_weights: dict[str, float] | None = Field(
        default=None,
        description="Shortage weight per specialty, overriding the rule set's (> 0 each)",
    )
    objective: list[Level] = Field(
        default_factory=lambda: _default_objective(),
        description="Lexicographic order of objective levels (`changes` may be left out)",
    )
    time_limit: float = Field(default=60, gt=0, description="Seconds for the general engine")
    source: str = ""

    @model_validator(mode="after")
    def _objective(self) -> ScenarioConfig:
        needed = sorted(lv for lv in LEVELS if lv != Level.changes)
        if sorted(lv for lv in self.objective if lv != Level.changes) != needed or len(
            set(self.objective)
        ) != len(self.objective):
            raise ValueError(
                msg(
                    "objective must order each level once: {levels} (changes may be left out); "
                    "got {got}",
                    levels=", ".join(LEVELS),
                    got=", ".join(lv.value for lv in self.objective),
                )
            )
        return self

    @model_validator(mode="after")
    def _weights(self) -> ScenarioConfig:
        bad = {k: v for k, v in (self.specialty_weights or {}).items() if not v > 0}
        if bad:
            raise ValueError(msg("specialty_weights must be > 0; got {bad}", bad=bad))
        return self

    def order(self, has_baseline: bool = False) -> list[Level]:
        """The lexicographic order of the run: `objective`, with `changes` inserted when it
        is left out: right after the shortage levels when there is a baseline, else last."""
        order = list(self.objective)
        if Level.changes in order:
            return order
        if not has_baseline:
            return [*order, Level.changes]
        at = max(order.index(lv) for lv in SHORTAGE_LEVELS) + 1
        return [*order[:at], Level.changes, *order[at:]]


class TableLocation(BaseModel):
    """Where a table's rows were read: a file (or 'book.xlsx, sheet X') and each row's number
    as a spreadsheet shows it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    where: str
    rows: tuple[int, ...] = ()


class Scenario(BaseModel):
    """A whole validated scenario. Construction checks every cross-table reference."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    config: ScenarioConfig
    communes: tuple[Commune, ...]
    old_units: tuple[OldUnit, ...]
    officials: tuple[Official, ...]
    secondees: tuple[Secondee, ...] = ()
    needs: tuple[Need, ...] = ()
    distances: tuple[Distance, ...] = ()
    decisions: tuple[Decision, ...] = ()
    specialties: tuple[Specialty, ...]
    folder: str = Field(default="", description="Where the scenario was read from")
    locations: dict[str, TableLocation] = Field(
        default_factory=dict, description="Where each table's rows were read (for messages)"
    )
    notes: tuple[str, ...] = Field(
        default=(), description="How the files were read, where that may surprise (e.g. ';')"
    )
    extends: tuple[str, ...] = Field(
        default=(), description="The what-if files applied to the base scenario, in order"
    )

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        issues = reference_issues(self)
        if issues:
            raise ValueError("; ".join(i.text() for i in issues[:20]))
        return self

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> Scenario:
        """A copy; the derived lookups below are recomputed for the copy, not shared."""
        new = super().model_copy(update=update, deep=deep)
        for name in _DERIVED:
            new.__dict__.pop(name, None)
        return new

    def commune(self, code: str) -> Commune:
        return self.commune_index[code]

    @cached_property
    def commune_index(self) -> dict[str, Commune]:
        return {c.code: c for c in self.communes}

    @cached_property
    def names(self) -> dict[str, str]:
        """Unit code → official name."""
        return {c.code: c.name for c in self.communes}

    @cached_property
    def successor(self) -> dict[str, str]:
        """Old unit code → code of the new unit that absorbed it."""
        return {o.code: o.successor for o in self.old_units}

    def relocatable(self, official: Official) -> bool:
        """May this official move, under this scenario's options?"""
        return official.can_relocate and not official.pinned and self.config.relocation == "roster"

    def reach_km(self, official: Official) -> float | None:
        """The longest move allowed to this official: their own max_km, capped by the
        scenario's max_km (None: no limit)."""
        limits = [v for v in (official.max_km, self.config.max_km) if v is not None]
        return min(limits) if limits else None

    def secondee_excluded(self, q: Secondee) -> Msg | None:
        """Why candidate q cannot be seconded in this scenario (availability on the date, or
        the scenario's eligibility filter), or None."""
        why = secondee_unavailable(q, self.config.as_of)
        f = self.config.secondees_eligible
        return why or (f.excludes(q) if f is not None else None)

    def current_of(self, official: Official) -> str:
        """The new unit where an official works now (current, else successor of origin)."""
        return official.current or self.successor[official.origin]

    def locate(self, table: str, i: int) -> tuple[str, int]:
        """(file or sheet, spreadsheet row) of the i-th row of a table."""
        loc = self.locations.get(table)
        if loc is None:
            return f"{table}.csv", i + 2
        return loc.where, loc.rows[i] if i < len(loc.rows) else i + 2


_DERIVED = ("commune_index", "names", "successor")


class Scope(BaseModel):
    """Who the plan covers, resolved from scenario.yaml and the rule set (see
    `models.rules.resolve_scope`): the planned blocs, which categories hold quota places in
    each, the date, and what the plan calls officials of the other categories."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    blocs: tuple[Bloc, ...]
    holders: dict[Bloc, frozenset[Category]]
    as_of: dt.date
    rule_set: str
    widened: bool = Field(description="scenario.yaml sets the categories (not the rule set)")

    def of(self, official: Official) -> tuple[PlanStatus, Msg] | None:
        """None when the official is planned in a quota place; else the status and why.

        Planned: intends to stay, bloc in scope, category holding quota places in that bloc,
        available on the date. In post but of another category: outside_quota (kept where
        they work, holding no quota place)."""
        if official.intention != Intention.stay:
            if official.intention == Intention.retire:
                return PlanStatus.leaves, msg("leaves: retires")
            return PlanStatus.leaves, msg("leaves: resigns")
        if official.bloc not in self.blocs:
            return (
                PlanStatus.out_of_scope,
                msg("out of scope: bloc {bloc} is not planned", bloc=official.bloc.value),
            )
        if official.available_until is not None and official.available_until < self.as_of:
            return (
                PlanStatus.out_of_scope,
                msg("out of scope: available until {date}", date=official.available_until),
            )
        if official.category not in self.holders[official.bloc]:
            cat = official.category.value.replace("_", " ")
            if official.available_until and self.widened:
                m = msg(
                    "outside the quota: {category} holds no quota place under scenario.yaml "
                    "categories; kept where they work, serves until {date}",
                    category=cat,
                    date=official.available_until,
                )
            elif official.available_until:
                m = msg(
                    "outside the quota: {category} holds no quota place under rule set "
                    "{rule_set}; kept where they work, serves until {date}",
                    category=cat,
                    rule_set=self.rule_set,
                    date=official.available_until,
                )
            elif self.widened:
                m = msg(
                    "outside the quota: {category} holds no quota place under scenario.yaml "
                    "categories; kept where they work",
                    category=cat,
                )
            else:
                m = msg(
                    "outside the quota: {category} holds no quota place under rule set "
                    "{rule_set}; kept where they work",
                    category=cat,
                    rule_set=self.rule_set,
                )
            return PlanStatus.outside_quota, m
        return None


def secondee_unavailable(q: Secondee, as_of: dt.date) -> Msg | None:
    """None when the candidate can be seconded on `as_of`; else why not."""
    if not q.available:
        return msg("not selected: not available for secondment")
    if not (q.start <= as_of <= q.end):
        return msg(
            "not selected: secondment {start}–{end} does not cover {date}",
            start=q.start,
            end=q.end,
            date=as_of,
        )
    return None


def reference_issues(
    s: Scenario | Any, row_numbers: dict[str, list[int]] | None = None
) -> list[Issue]:
    """All cross-table problems: duplicates and references to unknown codes or specialties.

    Rows are numbered as a spreadsheet shows them: `row_numbers[table][i]` when given (a file
    may have blank lines), else i + 2 (header on row 1)."""
    out: list[Issue] = []
    # what a reference must be, made once (most references are fine)
    unit = msg("the code of a unit in communes")
    old_unit = msg("the code of an old unit in old_units")
    spec = msg("a specialty code")

    def rn(table: str, i: int) -> int:
        return row_numbers[table][i] if row_numbers and table in row_numbers else i + 2

    def dup(table: str, rows: tuple[Any, ...], key: str) -> set[str]:
        seen: dict[str, int] = {}
        for i, r in enumerate(rows):
            v = getattr(r, key)
            if v is None:
                continue
            if v in seen:
                first = rn(table, seen[v])
                out.append(
                    Issue(
                        table,
                        rn(table, i),
                        key,
                        v,
                        msg("a unique {key} (first used on row {first})", key=key, first=first),
                    )
                )
            else:
                seen[v] = i
        return set(seen)

    codes = dup("communes", s.communes, "code")
    old = dup("old_units", s.old_units, "code")
    dup("officials", s.officials, "id")
    dup("secondees", s.secondees, "id")
    spec_codes = dup("specialties", s.specialties, "code")

    def ref(
        table: str, i: int, col: str, value: str | None, known: set[str], what: str | Msg
    ) -> None:
        if value is None or value in known:
            return
        out.append(Issue(table, rn(table, i), col, value, what, did_you_mean(value, known)))

    for i, u in enumerate(s.old_units):
        ref("old_units", i, "successor", u.successor, codes, unit)
        for part in u.part_of:
            ref("old_units", i, "part_of", part, codes, unit)
    for i, p in enumerate(s.officials):
        ref("officials", i, "origin", p.origin, old, old_unit)
        ref("officials", i, "current", p.current, codes, unit)
        ref("officials", i, "specialty", p.specialty, spec_codes, spec)
        for extra in p.specialties:
            ref("officials", i, "specialties", extra, spec_codes, spec)
    for i, q in enumerate(s.secondees):
        ref("secondees", i, "base", q.base, codes, unit)
        ref("secondees", i, "specialty", q.specialty, spec_codes, spec)
    for i, n in enumerate(s.needs):
        ref("needs", i, "commune", n.commune, codes, unit)
        ref("needs", i, "specialty", n.specialty, spec_codes, spec)
    pairs: dict[tuple[str, str], tuple[int, float]] = {}
    for i, d in enumerate(s.distances):
        ref("distances", i, "from", d.from_, codes, msg("the code of a unit in communes"))
        ref("distances", i, "to", d.to, codes, msg("the code of a unit in communes"))
        if d.from_ == d.to:
            out.append(Issue("distances", rn("distances", i), "to", d.to, "another unit than from"))
            continue
        for key, way in (((d.from_, d.to), "the same pair"), ((d.to, d.from_), "the reverse")):
            if key in pairs:
                j, km = pairs[key]
                if km != d.km or key == (d.from_, d.to):
                    out.append(
                        Issue(
                            "distances",
                            rn("distances", i),
                            "km",
                            d.km,
                            f"one row per pair of units: row {rn('distances', j)} gives {way} "
                            f"{key[0]}→{key[1]} as {km:g} km (a road is as long both ways)",
                        )
                    )
                break
        else:
            pairs[(d.from_, d.to)] = (i, d.km)
    off_ids = {p.id for p in s.officials}
    sec_ids = {q.id for q in s.secondees}
    taken: dict[tuple[str, str], int] = {}
    for i, d in enumerate(getattr(s, "decisions", ())):
        if d.id is None or d.decision is None:
            continue
        kind = DecisionKind(d.decision)
        who = sec_ids if kind in (DecisionKind.second, DecisionKind.exclude) else off_ids
        what = "a secondee candidate's id" if who is sec_ids else "an official's id"
        ref("decisions", i, "id", d.id, who, f"{what} (decision {kind.value})")
        needs_unit = kind in (DecisionKind.assign, DecisionKind.forbid)
        if needs_unit and d.commune is None:
            out.append(
                Issue(
                    "decisions",
                    rn("decisions", i),
                    "commune",
                    None,
                    f"the unit of the decision {kind.value}",
                )
            )
        elif kind != DecisionKind.second and not needs_unit and d.commune is not None:
            out.append(
                Issue(
                    "decisions",
                    rn("decisions", i),
                    "commune",
                    d.commune,
                    f"no unit: decision {kind.value} takes none",
                )
            )
        ref("decisions", i, "commune", d.commune, codes, msg("the code of a unit in communes"))
        if kind != DecisionKind.forbid:  # one outcome decision per person
            if (d.id, "outcome") in taken:
                out.append(
                    Issue(
                        "decisions",
                        rn("decisions", i),
                        "id",
                        d.id,
                        f"one outcome decision per person (row {taken[(d.id, 'outcome')]} "
                        "decides it already)",
                    )
                )
            else:
                taken[(d.id, "outcome")] = rn("decisions", i)
    if not s.officials:
        out.append(Issue("officials", None, None, None, "at least one official (roster is empty)"))
    if not s.communes:
        out.append(Issue("communes", None, None, None, "at least one unit"))
    return out
