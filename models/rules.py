"""The rule-set schema: how a commune's quota per bloc is made, every term with its source."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from models.problems import InputError, Issue
from models.scenario import Bloc, Category, ScenarioConfig, Scope, UnitKind


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Source(Strict):
    """Where a term comes from."""

    document: str = Field(min_length=1, description="Document name and number")
    article: str = Field(default="", description="Article, clause or section")
    date: Annotated[str, BeforeValidator(lambda v: "" if v is None else str(v))] = Field(
        default="", description="Date of the document (YYYY, YYYY-MM or ISO)"
    )
    note: str = Field(default="", description="How the document was read")

    def text(self) -> str:
        parts = [self.document]
        if self.article:
            parts.append(self.article)
        if self.date:
            parts.append(self.date)
        return ", ".join(parts)


SourceRef = str | Source  # a key of RuleSet.sources, or a source written in place


class Applies(Strict):
    """Which units a term applies to; every given condition must hold."""

    kind: list[UnitKind] | None = None
    mountainous: bool | None = None


class Term(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Column name of the term")
    label: str = Field(default="", description="Readable name")
    source: SourceRef
    note: str = ""
    applies: Applies | None = None


class Base(Strict):
    positions: int = Field(ge=0)
    source: SourceRef
    note: str = ""


class Standard(Strict):
    """The area and population standard a unit is measured against."""

    kind: UnitKind
    mountainous: bool | None = Field(default=None, description="None: either")
    area_km2: float = Field(gt=0)
    population: int = Field(gt=0)
    source: SourceRef
    note: str = ""


class PercentSteps(Term):
    """+positions per full `step_percent` points of the standard above `threshold_percent`."""

    method: Literal["percent_steps"]
    criterion: Literal["area", "population"]
    threshold_percent: float = Field(ge=0)
    step_percent: float = Field(gt=0)
    positions: int = Field(ge=0)


class PerResidents(Term):
    """+positions per full `per` residents above `above`."""

    method: Literal["per_residents"]
    above: int = Field(ge=0)
    per: int = Field(gt=0)
    positions: int = Field(ge=0)


Increment = PercentSteps | PerResidents


class Bonus(Term):
    """+positions when a flag holds: a commune flag, a kind, or a minimum of old units."""

    positions: int = Field(ge=0)
    flag: Literal["border", "complex_security", "political_center", "mountainous"] | None = None
    kind: UnitKind | None = None
    min_old_units: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_condition(self) -> Bonus:
        given = [x for x in (self.flag, self.kind, self.min_old_units) if x is not None]
        if len(given) != 1:
            raise ValueError("a bonus needs exactly one of flag, kind, min_old_units")
        return self


class BracketRange(Strict):
    min: int = Field(ge=0, description="Lowest value in the range (inclusive)")
    max: int | None = Field(default=None, ge=0, description="Highest value (inclusive); none: ∞")
    positions: int = Field(ge=0)
    stated: bool = Field(
        default=True,
        description="False: the source does not state this range; the rule set chose a value",
    )
    note: str = ""


class Brackets(Term):
    """Positions by ranges of a count (e.g. Party members). Ranges must cover 0..∞ exactly."""

    count: Literal["party_members"] = Field(description="The commune column the ranges apply to")
    ranges: list[BracketRange] = Field(min_length=1)
    overrides: dict[Literal["political_center", "border", "complex_security"], int] = Field(
        default_factory=dict, description="Positions instead of the bracket when a flag holds"
    )
    missing: int | None = Field(
        default=None, ge=0, description="Positions when the count is not given (else an error)"
    )

    @model_validator(mode="after")
    def _cover(self) -> Brackets:
        rs = sorted(self.ranges, key=lambda r: r.min)
        expect = 0
        for r in rs:
            if r.max is not None and r.max < r.min:
                raise ValueError(f"range {r.min}–{r.max}: max is below min")
            if r.min > expect:
                raise ValueError(
                    f"bracket gap {expect}–{r.min - 1} not declared: add a range for it "
                    "(with stated: false if the source is silent)"
                )
            if r.min < expect:
                raise ValueError(f"bracket ranges overlap at {r.min}")
            if r.max is None:
                expect = -1
                break
            expect = r.max + 1
        if expect != -1 or rs[-1].max is not None:
            raise ValueError(
                f"brackets must end with an open range (no max); last ends at {expect - 1}"
            )
        if any(r.max is None for r in rs[:-1]):
            raise ValueError("only the last bracket range may be open")
        return self


class Caps(Strict):
    commune: int | None = Field(default=None, ge=0)
    ward: int | None = Field(default=None, ge=0)
    special_zone: int | None = Field(default=None, ge=0)
    source: SourceRef
    note: str = ""

    def of(self, kind: UnitKind) -> int | None:
        value: int | None = getattr(self, kind.value)
        return value


class ProvinceTotal(Strict):
    positions: int = Field(ge=0)
    source: SourceRef
    note: str = ""


class TemplateEntry(Strict):
    """Minimum of a specialty per commune: absolute, or a share of the quota (rounded down)."""

    specialty: str
    minimum: int | None = Field(default=None, ge=0)
    share: float | None = Field(default=None, ge=0, le=1)
    at_least: int = Field(default=0, ge=0, description="Floor for a share")
    weight: float = Field(default=1, gt=0, description="Weight of its shortage in the objective")
    applies: Applies | None = None
    source: SourceRef
    note: str = ""

    @model_validator(mode="after")
    def _one(self) -> TemplateEntry:
        if (self.minimum is None) == (self.share is None):
            raise ValueError("give exactly one of minimum and share")
        return self


LAW_CADRES = Source(
    document="Law on Cadres and Civil Servants No. 80/2025/QH15",
    date="2025-06-24",
    note=(
        "the staffing quota of a commune counts cadres and civil servants; public employees "
        "count in public service units, part-timers and contract staff outside it (default "
        "when a rule set does not say)"
    ),
)
DECREE_170 = Source(
    document="Decree 170/2025/NĐ-CP on recruitment, use and management of civil servants",
    article="Art. 26–27",
    date="2025",
    note=(
        "a seconded civil servant stays on the sending agency's payroll and staffing (default "
        "when a rule set does not say)"
    ),
)


class QuotaHolders(Strict):
    """Which employment categories hold the quota places of a bloc."""

    categories: list[Category] = Field(min_length=1)
    source: SourceRef
    note: str = ""


class SecondeeCounting(Strict):
    """Whether a secondee takes one of the receiving commune's quota places."""

    in_quota: bool = Field(
        default=False,
        description=(
            "False (default): a secondee is extra help, on the sending department's payroll; "
            "True: a secondee takes a quota place (the commune's officials + secondees ≤ quota)"
        ),
    )
    source: SourceRef
    note: str = ""


class BlocRule(Strict):
    label: str = Field(default="", description="Readable name of the bloc")
    quota_holders: QuotaHolders | None = Field(
        default=None, description="Categories holding this bloc's quota places (else the set's)"
    )
    base: Base | None = None
    increments: list[Increment] = Field(default_factory=list)
    bonuses: list[Bonus] = Field(default_factory=list)
    brackets: Brackets | None = None
    caps: Caps | None = None
    province_total: ProvinceTotal | None = None
    specialty_template: list[TemplateEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _checks(self) -> BlocRule:
        if self.base is None and self.brackets is None:
            raise ValueError("a bloc needs a base or brackets")
        ids = [t.id for t in [*self.increments, *self.bonuses]]
        if self.brackets:
            ids.append(self.brackets.id)
        dups = sorted({i for i in ids if ids.count(i) > 1} | ({"base"} & set(ids)))
        if dups:
            raise ValueError(f"term ids must be unique and not 'base': {', '.join(dups)}")
        if self.caps and self.base:
            for kind in UnitKind:
                cap = self.caps.of(kind)
                if cap is not None and cap < self.base.positions:
                    raise ValueError(
                        f"cap for {kind.value} ({cap}) is below the base ({self.base.positions})"
                    )
        specs = [e.specialty for e in self.specialty_template if e.applies is None]
        if len(specs) != len(set(specs)):
            raise ValueError("a specialty appears twice in specialty_template")
        return self


class RuleSet(Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: str
    description: str = ""
    sources: dict[str, Source] = Field(default_factory=dict)
    standards: list[Standard] = Field(default_factory=list)
    quota_holders: QuotaHolders = Field(
        default=QuotaHolders(
            categories=[Category.cadre, Category.civil_servant], source=LAW_CADRES
        ),
        description="Categories holding quota places in every bloc (a bloc may say otherwise)",
    )
    secondees: SecondeeCounting = Field(
        default=SecondeeCounting(source=DECREE_170),
        description="How secondees count against the receiving commune's quota",
    )
    blocs: dict[Bloc, BlocRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _refs(self) -> RuleSet:
        missing: list[str] = []

        def check(ref: SourceRef) -> None:
            if isinstance(ref, str) and ref not in self.sources:
                missing.append(ref)

        for std in self.standards:
            check(std.source)
        check(self.quota_holders.source)
        check(self.secondees.source)
        for rule in self.blocs.values():
            for term in [
                rule.quota_holders,
                rule.base,
                rule.caps,
                rule.province_total,
                rule.brackets,
                *rule.increments,
                *rule.bonuses,
                *rule.specialty_template,
            ]:
                if term is not None:
                    check(term.source)
        if missing:
            raise ValueError(
                "unknown source key(s): "
                + ", ".join(sorted(set(missing)))
                + f"; defined: {', '.join(sorted(self.sources)) or 'none'}"
            )
        steps = any(isinstance(i, PercentSteps) for r in self.blocs.values() for i in r.increments)
        if steps and not self.standards:
            raise ValueError("percent_steps increments need standards")
        return self

    def source(self, ref: SourceRef) -> Source:
        return self.sources[ref] if isinstance(ref, str) else ref

    def standard_for(self, kind: UnitKind, mountainous: bool) -> Standard | None:
        best = None
        for s in self.standards:
            fits = s.kind == kind and s.mountainous in (None, mountainous)
            if fits and (best is None or (best.mountainous is None and s.mountainous is not None)):
                best = s
        return best

    def holders(self, bloc: Bloc) -> QuotaHolders:
        """The categories holding the bloc's quota places, and their source."""
        rule = self.blocs[bloc]
        return rule.quota_holders or self.quota_holders


def resolve_scope(
    config: ScenarioConfig,
    rule_set: RuleSet,
    where: str = "scenario.yaml",
    source: str = "",
    as_of: dt.date | None = None,
) -> Scope:
    """The plan's scope: the blocs in scenario.yaml (default: every bloc the rule set gives
    quotas for) and, per bloc, the categories holding quota places (scenario.yaml's
    `categories` when given, else the rule set's quota_holders).

    Raises InputError (at scenario.yaml, key blocs) naming each bloc the rule set has no
    quota rule for."""
    blocs = list(config.blocs) if config.blocs is not None else list(rule_set.blocs)
    missing = [b.value for b in blocs if b not in rule_set.blocs]
    if missing:
        raise InputError(
            [
                Issue(
                    where,
                    None,
                    "blocs",
                    ", ".join(missing),
                    f"blocs that rule set {rule_set.name} gives quotas for ("
                    + ", ".join(b.value for b in rule_set.blocs)
                    + "): add a quota rule for "
                    + ("it" if len(missing) == 1 else "them")
                    + " to the rule set, or leave "
                    + ("it" if len(missing) == 1 else "them")
                    + " out of blocs",
                    label="key",
                )
            ],
            source or config.name,
        )
    holders = {b: frozenset(config.categories or rule_set.holders(b).categories) for b in blocs}
    return Scope(
        blocs=tuple(blocs),
        holders=holders,
        as_of=as_of or config.as_of,
        rule_set=rule_set.name,
        widened=config.categories is not None,
    )
