"""Domain schema of commune-staffing (pydantic v2). Never imports a solver."""

from models.problems import Issue, did_you_mean
from models.scenario import (
    Bloc,
    Category,
    Commune,
    Distance,
    Intention,
    Need,
    Official,
    OldUnit,
    PopulationSource,
    Scenario,
    ScenarioConfig,
    Secondee,
    Specialty,
    Tier,
    UnitKind,
    reference_issues,
)

__all__ = [
    "Bloc",
    "Category",
    "Commune",
    "Distance",
    "Intention",
    "Issue",
    "Need",
    "Official",
    "OldUnit",
    "PopulationSource",
    "Scenario",
    "ScenarioConfig",
    "Secondee",
    "Specialty",
    "Tier",
    "UnitKind",
    "did_you_mean",
    "reference_issues",
]
